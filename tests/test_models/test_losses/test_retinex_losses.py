import math

import pytest
import torch

from mmagic.registry import MODELS
from restorect_mm.models.losses import (IlluminationSmoothnessLoss,
                                        ReflectanceConsistencyLoss,
                                        RetinexReconstructionLoss,
                                        TextureConsistencyLoss)


def test_smoothness_zero_for_constant_and_larger_for_noise():
    loss = MODELS.build(dict(type='IlluminationSmoothnessLoss'))
    constant = torch.full((2, 1, 8, 8), 0.6)
    assert loss(constant).item() == 0
    torch.manual_seed(0)
    noisy = constant + 0.1 * torch.randn_like(constant)
    ramp = torch.linspace(0.5, 0.7, 8).view(1, 1, 1, 8).expand(2, 1, 8, 8)
    assert loss(noisy).item() > 10 * loss(ramp).item() > 0


def test_smoothness_hand_computed_ramp():
    a = 0.1
    ramp = a * torch.arange(6.).view(1, 1, 1, 6).expand(1, 1, 4, 6)
    # dx = a everywhere (last column replicated), dy = 0
    w = math.exp(-math.sqrt(a * a + 1e-8))
    expected = (w * a)**2
    value = IlluminationSmoothnessLoss(loss_weight=2.0)(ramp).item()
    assert math.isclose(value, 2.0 * expected, rel_tol=1e-5)
    per_pixel = IlluminationSmoothnessLoss(reduction='none')(ramp)
    assert per_pixel.shape == (1, 1, 4, 6)


def _smoothness_by_hand(rows):
    """The reference pairing with plain loops: weights from the absolute
    forward differences (last column / row repeated), dx[j] paired with the
    weight at j + 1, dy[i] with the weight at i + 1, each direction averaged
    over its own differences."""
    h, w = len(rows), len(rows[0])

    def gx(i, j):
        j = min(j, w - 2)
        return abs(rows[i][j + 1] - rows[i][j])

    def gy(i, j):
        i = min(i, h - 2)
        return abs(rows[i + 1][j] - rows[i][j])

    def weight(i, j):
        return math.exp(-math.sqrt(gx(i, j)**2 + gy(i, j)**2 + 1e-8))

    x_terms = [(weight(i, j + 1) * (rows[i][j + 1] - rows[i][j]))**2
               for i in range(h) for j in range(w - 1)]
    y_terms = [(weight(i + 1, j) * (rows[i + 1][j] - rows[i][j]))**2
               for i in range(h - 1) for j in range(w)]
    return sum(x_terms) / len(x_terms) + sum(y_terms) / len(y_terms)


def test_smoothness_reference_pairing_on_a_3x4_map():
    rows = [[0.1, 0.5, 0.5, 0.9], [0.0, 0.0, 0.4, 0.4], [0.3, 0.2, 0.2, 0.6]]
    illum = torch.tensor(rows).view(1, 1, 3, 4)
    expected = _smoothness_by_hand(rows)
    value = IlluminationSmoothnessLoss(loss_weight=0.5)(illum).item()
    assert math.isclose(value, 0.5 * expected, rel_tol=1e-5)
    per_pixel = IlluminationSmoothnessLoss(reduction='none')(illum)
    assert per_pixel.shape == (1, 1, 3, 4)
    assert math.isclose(per_pixel.mean().item(), expected, rel_tol=1e-5)
    # the earlier form: differences weighted at their own pixel, H x W mean
    old = IlluminationSmoothnessLoss(form='replicate')(illum).item()
    assert not math.isclose(old, expected, rel_tol=1e-2)
    dx = illum.diff(dim=3)
    dy = illum.diff(dim=2)
    dx = torch.cat([dx, dx[..., -1:]], 3)
    dy = torch.cat([dy, dy[..., -1:, :]], 2)
    wgt = torch.exp(-torch.sqrt(dx**2 + dy**2 + 1e-8))
    assert math.isclose(old, ((wgt * dx)**2 + (wgt * dy)**2).mean().item(),
                        rel_tol=1e-6)
    with pytest.raises(ValueError, match='form'):
        IlluminationSmoothnessLoss(form='own')


def test_reconstruction_zero_when_exact():
    torch.manual_seed(0)
    r, l = torch.rand(2, 3, 5, 5), torch.rand(2, 1, 5, 5)
    for criterion in ('l1', 'mse'):
        loss = RetinexReconstructionLoss(criterion=criterion)
        assert loss(r, l, r * l).item() == 0
    img = r * l + 0.1
    assert math.isclose(RetinexReconstructionLoss()(r, l, img).item(), 0.1,
                        rel_tol=1e-5)
    assert math.isclose(
        RetinexReconstructionLoss(criterion='mse')(r, l, img).item(), 0.01,
        rel_tol=1e-4)
    with pytest.raises(ValueError):
        RetinexReconstructionLoss(criterion='l3')


def test_reflectance_consistency_value_and_reductions():
    a = torch.zeros(1, 3, 2, 2)
    b = torch.full((1, 3, 2, 2), 0.5)
    assert ReflectanceConsistencyLoss(loss_weight=0.1)(a, b).item() == \
        pytest.approx(0.05)
    assert ReflectanceConsistencyLoss(reduction='sum')(a, b).item() == \
        pytest.approx(6.0)
    with pytest.raises(ValueError):
        ReflectanceConsistencyLoss(reduction='max')


def test_texture_zero_when_reflectance_is_image_and_learns_scale():
    torch.manual_seed(0)
    loss = MODELS.build(dict(type='TextureConsistencyLoss'))
    img = 0.4 + 0.02 * torch.rand(1, 3, 12, 12)
    assert loss(img, img.clone()).item() == 0
    reflectance = 0.4 + 0.02 * torch.rand(1, 3, 12, 12)
    value = loss(img, reflectance)
    assert value.item() > 0
    value.backward()
    scale = loss.diffusion.scale
    assert scale.grad is not None and scale.grad.abs() > 0
    # the scale is a parameter of the loss, so a model owning it trains it
    assert any(p is scale for p in loss.parameters())


def test_texture_custom_diffusion_config():
    loss = TextureConsistencyLoss(
        diffusion=dict(type='AnisotropicDiffusion', init_scale=0.3))
    assert loss.diffusion.scale.item() == pytest.approx(0.3)


def test_texture_term_cannot_move_its_scale():
    """``s`` takes the gradient of its likelihood, not of the term, so
    Adam on the loss moves it towards the image's RMS gradient instead of
    to its floor, and the term's value is the plain |A_s(I) - A_s(R)|."""
    torch.manual_seed(0)
    img = 0.4 + 0.1 * torch.rand(2, 3, 24, 24)
    reflectance = 0.3 + 0.3 * torch.rand(2, 3, 24, 24)
    loss = TextureConsistencyLoss(loss_weight=0.05)
    diffusion = loss.diffusion
    value = loss(img, reflectance)
    expected = 0.05 * (diffusion(img) - diffusion(reflectance)).abs().mean()
    assert value.item() == pytest.approx(expected.item(), rel=1e-6)
    value.backward()
    term_grad = diffusion.scale.grad.clone()
    diffusion.scale.grad = None
    (0.05 * diffusion.scale_nll(img)).backward()
    assert torch.allclose(term_grad, diffusion.scale.grad)

    optimizer = torch.optim.Adam(loss.parameters(), lr=0.02)
    first = None
    for _ in range(150):
        optimizer.zero_grad()
        value = loss(img, reflectance)
        first = value.item() if first is None else first
        value.backward()
        optimizer.step()
    s = diffusion.effective_scale().item()
    assert 0.01 < s < 1.0 and s > 0.1  # interior, grown from 0.1
    diffusion.scale.grad = None
    diffusion.scale_nll(img).backward()  # stationary: at its likelihood max
    assert abs(diffusion.scale.grad.item()) < 0.05 * abs(
        term_grad.item() / 0.05)
    assert loss(img, reflectance).item() > first  # more texture compared

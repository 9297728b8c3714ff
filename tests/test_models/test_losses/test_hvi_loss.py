import math

import pytest
import torch

from mmagic.registry import MODELS
from restorect_mm.models.losses import PolarizedHVILoss
from restorect_mm.models.losses.hvi_loss import (polarized_hvi_loss,
                                                 rgb_to_hsv_parts, rgb_to_hvi,
                                                 sensitivity_nll)


def pixel(r, g, b):
    return torch.tensor([r, g, b], dtype=torch.float32).view(1, 3, 1, 1)


def test_registered_and_k_learnable_only_in_cidnet_form():
    loss = MODELS.build(dict(type='PolarizedHVILoss', loss_weight=0.05))
    assert isinstance(loss, PolarizedHVILoss)
    assert [n for n, _ in loss.named_parameters()] == ['k']
    assert loss.k.item() == 1.0
    reference = PolarizedHVILoss(hvi_form='reference')
    assert list(reference.parameters()) == []  # never optimised there
    assert 'k' in reference.state_dict()
    with pytest.raises(ValueError, match='hvi_form'):
        PolarizedHVILoss(hvi_form='hsv')


def test_pure_red():
    k = torch.tensor(1.0)
    hue, sat, val = rgb_to_hsv_parts(pixel(1, 0, 0))
    assert (hue.item(), sat.item(), val.item()) == (0.0, 1.0, 1.0)
    for form in ('cidnet', 'reference'):
        h, v, i = rgb_to_hvi(pixel(1, 0, 0), k, form).flatten().tolist()
        c_k = 1 + 1e-8 if form == 'cidnet' else \
            math.sin(3.14159 / 2) + 1e-6
        assert h == pytest.approx(c_k, abs=1e-6)
        assert v == pytest.approx(0.0, abs=1e-6)
        assert i == 1.0


def test_hue_circle_closes_only_in_cidnet_form():
    k = torch.tensor(1.0)
    near_one = pixel(1, 0, 0.006)  # hue 0.999
    hue = rgb_to_hsv_parts(near_one)[0].item()
    assert hue == pytest.approx(0.999, abs=1e-4)
    dist = {
        form: (rgb_to_hvi(pixel(1, 0, 0), k, form) -
               rgb_to_hvi(near_one, k, form)).norm().item()
        for form in ('cidnet', 'reference')
    }
    assert dist['cidnet'] < 0.01
    assert dist['reference'] > 0.9  # theta 0 vs ~pi/3


def test_secondary_colours_follow_the_hue_sectors():
    k = torch.tensor(1.0)
    for rgb, hue in (((0, 1, 0), 1 / 3), ((0, 0, 1), 2 / 3),
                     ((1, 1, 0), 1 / 6), ((1, 0, 1), 5 / 6)):
        assert rgb_to_hsv_parts(pixel(*rgb))[0].item() == pytest.approx(hue)
        h, v, _ = rgb_to_hvi(pixel(*rgb), k).flatten().tolist()
        assert math.atan2(v, h) % (2 * math.pi) == pytest.approx(
            2 * math.pi * hue, abs=1e-5)


def test_black_and_grey_have_no_chroma():
    k = torch.tensor(1.0)
    for rgb in ((0, 0, 0), (0.5, 0.5, 0.5)):
        h, v, _ = rgb_to_hvi(pixel(*rgb), k).flatten().tolist()
        assert h == 0.0 and v == 0.0


def test_hue_is_zero_up_to_a_chroma_of_1e_6_in_both_forms():
    """The reference's rule: hue 0 unless max - min > 1e-6."""
    k = torch.tensor(1.0)
    grey = [pixel(0.5, 0.5, 0.5), pixel(0.25, 0.25 + 5e-7, 0.25),
            pixel(0.0, 0.0, 8e-7), pixel(1.0, 1.0 - 9e-7, 1.0)]
    for rgb in grey:
        hue = rgb_to_hsv_parts(rgb)[0].item()
        assert hue == 0.0
        for form in ('cidnet', 'reference'):
            h, v, _ = rgb_to_hvi(rgb, k, form).flatten().tolist()
            assert v == 0.0 and h >= 0.0  # on the hue-0 axis
    # just above the threshold the hue is the usual one (green: 1/3)
    above = pixel(0.25, 0.25 + 4e-6, 0.25)
    assert rgb_to_hsv_parts(above)[0].item() == pytest.approx(1 / 3)
    # near grey the gradient stays finite
    near = pixel(0.25, 0.25 + 5e-7, 0.25).requires_grad_(True)
    polarized_hvi_loss(near, pixel(0.3, 0.2, 0.1), k).sum().backward()
    assert torch.isfinite(near.grad).all()


def test_zero_for_identical_images_and_positive_otherwise():
    torch.manual_seed(0)
    img = torch.rand(2, 3, 8, 8)
    loss = PolarizedHVILoss()
    assert loss(img, img.clone()).item() == 0.0
    assert loss(img, img.flip(1)).item() > 0.01


def test_reductions_and_weight():
    torch.manual_seed(0)
    a, b = torch.rand(2, 3, 4, 4), torch.rand(2, 3, 4, 4)
    full = PolarizedHVILoss(reduction='none')(a, b)
    assert full.shape == (2, 3, 4, 4)
    mean = PolarizedHVILoss(loss_weight=0.05)(a, b)
    # L1 of H, V and I, each averaged, then summed, then weighted
    assert mean.item() == pytest.approx(
        0.05 * full.mean(dim=(0, 2, 3)).sum().item(), rel=1e-6)
    assert PolarizedHVILoss(reduction='sum')(a, b).item() == pytest.approx(
        full.sum().item(), rel=1e-6)


def test_gradient_reaches_k_and_prediction():
    torch.manual_seed(0)
    pred = torch.rand(1, 3, 8, 8, requires_grad=True)
    target = torch.rand(1, 3, 8, 8)
    loss = PolarizedHVILoss()
    loss(pred, target).backward()
    assert loss.k.grad is not None and loss.k.grad.abs() > 0
    assert pred.grad.abs().sum() > 0 and torch.isfinite(pred.grad).all()


def test_k_is_clamped_to_its_bounds():
    img, other = torch.rand(1, 3, 4, 4), torch.rand(1, 3, 4, 4)
    loss = PolarizedHVILoss()
    with torch.no_grad():
        loss.k.fill_(50.0)
    assert loss.effective_k().item() == 5.0
    expected = polarized_hvi_loss(img, other, torch.tensor(5.0)).mean(
        dim=(0, 2, 3)).sum()
    assert loss(img, other).item() == pytest.approx(expected.item())


def test_non_finite_input_gives_a_connected_zero():
    pred = torch.full((1, 3, 4, 4), float('nan'), requires_grad=True)
    loss = PolarizedHVILoss()
    value = loss(pred, torch.rand(1, 3, 4, 4))
    assert value.item() == 0.0
    value.backward()
    assert loss.k.grad is not None  # still in the graph (DDP)


def test_fp32_under_autocast():
    a, b = torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8)
    expected = PolarizedHVILoss()(a, b)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        value = PolarizedHVILoss()(a.bfloat16(), b.bfloat16())
    assert value.dtype == torch.float32
    assert value.item() == pytest.approx(expected.item(), rel=0.05)


def test_k_learns_from_its_likelihood_not_from_the_term():
    torch.manual_seed(0)
    pred = torch.rand(2, 3, 8, 8, requires_grad=True)
    target = torch.rand(2, 3, 8, 8)
    loss = PolarizedHVILoss(loss_weight=0.05)
    value = loss(pred, target)
    expected = 0.05 * polarized_hvi_loss(pred, target, loss.effective_k())
    assert value.item() == pytest.approx(
        expected.mean(dim=(0, 2, 3)).sum().item(), rel=1e-6)
    value.backward()
    k_grad = loss.k.grad.clone()
    loss.k.grad = None
    (0.05 * sensitivity_nll(pred, target, loss.effective_k())).backward()
    assert torch.allclose(k_grad, loss.k.grad)
    # growing k would shrink the term; its likelihood gradient differs
    loss.k.grad = None
    polarized_hvi_loss(pred, target, loss.effective_k()).mean().backward()
    assert not torch.allclose(k_grad, 0.05 * loss.k.grad)


def _red_pixels(value, saturation):
    """(1, 3, 1, N) RGB of hue 0 with the given value and saturation."""
    other = value * (1 - saturation)
    return torch.stack([value, other, other])[None, :, None]


def test_sensitivity_nll_recovers_the_exponent_of_the_residual_spread():
    """A chroma residual whose spread grows as C_k0(I)^-1 in the dark gives
    the maximum-likelihood k near k0."""
    gen = torch.Generator().manual_seed(0)
    n, k0 = 40000, 2.0
    value = 0.3 + 0.7 * torch.rand(n, generator=gen)
    spread = 0.01 / torch.sin(math.pi * value / 2)**k0
    laplace = torch.distributions.Laplace(0., 1.)
    noise = laplace.sample((n, )) * spread
    target = _red_pixels(value, torch.full((n, ), 0.5))
    pred = _red_pixels(value, (0.5 + noise).clamp(0.01, 0.99))
    ks = torch.arange(0.1, 5.0, 0.05)
    nll = torch.stack([sensitivity_nll(pred, target, k) for k in ks])
    assert abs(ks[nll.argmin()].item() - k0) < 0.25
    # a residual of the same spread at every intensity: k to its floor
    flat = laplace.sample((n, )) * 0.01
    pred = _red_pixels(value, (0.5 + flat).clamp(0.01, 0.99))
    nll = torch.stack([sensitivity_nll(pred, target, k) for k in ks])
    assert ks[nll.argmin()].item() < 0.3

import math

import torch

from mmagic.registry import MODELS
from restorect_mm.models.retinex import AnisotropicDiffusion


def test_registered_and_shape():
    op = MODELS.build(dict(type='AnisotropicDiffusion'))
    assert op(torch.rand(2, 3, 9, 7)).shape == (2, 3, 9, 7)
    assert math.isclose(op.scale.item(), 0.1, rel_tol=1e-6)
    # only the learnable scale is persistent
    assert list(op.state_dict()) == ['scale']


def test_constant_image_gives_zero_response_inside():
    op = AnisotropicDiffusion()
    out = op(torch.full((1, 2, 10, 10), 0.7))
    # zero padding makes the border an edge; 2 px in, the response is 0
    assert out[..., 2:-2, 2:-2].abs().max() < 1e-6
    assert out[..., 0, 2:-2].abs().min() > 1e-5  # the border does respond
    assert torch.all(op(torch.zeros(1, 1, 6, 6)) == 0)


def test_matches_hand_computed_impulse():
    op = AnisotropicDiffusion()
    with torch.no_grad():
        op.scale.fill_(1.0)
    x = torch.zeros(1, 1, 3, 3)
    x[0, 0, 1, 1] = 1.0
    out = op(x)[0, 0]
    # Sobel responses of a centre impulse are the flipped kernels:
    # Gx = [[1,0,-1],[2,0,-2],[1,0,-1]], Gy = [[1,2,1],[0,0,0],[-1,-2,-1]].
    # Top-left 3x3 window (zero padded) holds pixels (0,0), (0,1), (1,0),
    # (1,1): fluxes g*(gx+gy) = 2e^-2, 2e^-4, 2e^-4, 0 (s = 1).
    eps = 1e-8
    corner = 2 * math.exp(-(2 + eps))
    edge = 2 * math.exp(-(4 + eps))
    expected = (corner + 2 * edge) / 9
    assert math.isclose(out[0, 0].item(), expected, rel_tol=1e-5)
    assert math.isclose(out[2, 2].item(), -expected, rel_tol=1e-5)
    assert abs(out[1, 1].item()) < 1e-7  # antisymmetric around the centre
    # (0, 2): window over (0,1),(0,2),(1,1),(1,2): 2e^-4 + 0 + 0 - 2e^-4
    assert abs(out[0, 2].item()) < 1e-7


def test_scale_is_clamped():
    op = AnisotropicDiffusion()
    with torch.no_grad():
        op.scale.fill_(5.0)
    assert op.effective_scale().item() == 1.0
    with torch.no_grad():
        op.scale.fill_(-1.0)
    assert math.isclose(op.effective_scale().item(), 0.01, rel_tol=1e-6)


def test_gradient_reaches_scale():
    torch.manual_seed(0)
    op = AnisotropicDiffusion()
    # gentle texture: most gradients below sqrt(10)*s, where exp is unclamped
    x = 0.4 + 0.02 * torch.rand(1, 3, 16, 16)
    op(x).abs().sum().backward()
    assert op.scale.grad is not None
    assert torch.isfinite(op.scale.grad) and op.scale.grad.abs() > 0


def test_scale_nll_is_minimal_at_the_rms_gradient():
    torch.manual_seed(0)
    x = 0.4 + 0.1 * torch.rand(2, 3, 20, 24)
    sobel = torch.tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]])
    flat = x.reshape(-1, 1, 20, 24)
    gx = torch.nn.functional.conv2d(flat, sobel[None, None], padding=1)
    gy = torch.nn.functional.conv2d(flat, sobel.t()[None, None], padding=1)
    rms = math.sqrt((gx**2 + gy**2).mean().item() + 1e-8)
    assert 0.01 < rms < 1.0  # inside the clamp, so the optimum is reachable
    op = AnisotropicDiffusion(init_scale=rms)
    nll = op.scale_nll(x)
    nll.backward()
    assert abs(op.scale.grad.item()) < 1e-4  # stationary at the RMS
    for factor in (0.8, 1.25):
        with torch.no_grad():
            op.scale.fill_(rms * factor)
        assert op.scale_nll(x).item() > nll.item()
    # the objective never trains the image it is measured on
    img = x.clone().requires_grad_()
    op.scale_nll(img).backward()
    assert img.grad is None


def test_constant_scale_is_a_buffer_with_the_same_key():
    learned = AnisotropicDiffusion()
    constant = AnisotropicDiffusion(learnable_scale=False)
    assert list(constant.parameters()) == []
    assert list(constant.state_dict()) == ['scale']
    constant.load_state_dict(learned.state_dict())  # checkpoints load
    x = torch.rand(1, 3, 8, 8)
    assert torch.equal(constant(x), learned(x))

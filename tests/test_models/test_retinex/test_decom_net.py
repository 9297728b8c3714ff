import pytest
import torch

from mmagic.registry import MODELS
from restorect_mm.models.retinex import DecomNet


def test_parameter_count_is_20548():
    net = DecomNet()
    assert sum(p.numel() for p in net.parameters()) == 20548
    # every conv has a bias (the reading that gives the reference's 20,548)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 4 and all(c.bias is not None for c in convs)


def test_width_is_configurable():
    net = DecomNet(mid_channels=8)
    expected = (3 * 8 * 9 + 8) + 2 * (8 * 8 * 9 + 8) + (8 * 4 * 9 + 4)
    assert sum(p.numel() for p in net.parameters()) == expected


def test_shapes_and_non_negative():
    net = MODELS.build(dict(type='DecomNet'))
    reflectance, illumination = net(torch.rand(2, 3, 12, 10))
    assert reflectance.shape == (2, 3, 12, 10)
    assert illumination.shape == (2, 1, 12, 10)
    assert reflectance.min() >= 0 and illumination.min() >= 0


def test_output_bias_start():
    net = DecomNet()
    assert torch.equal(net.decom[6].bias.detach(),
                       torch.tensor([0.5, 0.5, 0.5, 1.0]))
    with pytest.raises(ValueError):
        DecomNet(out_bias=(1.0, 1.0))
    # None keeps PyTorch's default init (bias small, not the preset)
    assert not torch.equal(
        DecomNet(out_bias=None).decom[6].bias.detach(),
        torch.tensor([0.5, 0.5, 0.5, 1.0]))

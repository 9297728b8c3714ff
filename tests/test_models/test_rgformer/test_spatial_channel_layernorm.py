import pytest
import torch

from restorect_mm.models.rgformer import (ChannelLayerNorm,
                                          SpatialChannelLayerNorm, build_norm)


def test_scln_zero_mean_unit_variance_per_sample():
    torch.manual_seed(0)
    scale = torch.tensor([0.5, 3.0]).view(2, 1, 1, 1)
    x = torch.randn(2, 4, 8, 8) * scale + torch.tensor([5., -2.]).view(
        2, 1, 1, 1)
    y = SpatialChannelLayerNorm(4)(x)
    assert torch.allclose(y.mean(dim=(1, 2, 3)), torch.zeros(2), atol=1e-5)
    var = y.var(dim=(1, 2, 3), unbiased=False)
    assert torch.allclose(var, torch.ones(2), atol=1e-3)
    # statistics span all channels: single channels are not normalised
    x[:, 0] += 4.
    y = SpatialChannelLayerNorm(4)(x)
    assert (y[:, 0].mean(dim=(1, 2)) > 0.5).all()


def test_scln_per_channel_scale_and_no_bias():
    norm = SpatialChannelLayerNorm(3)
    assert [n for n, _ in norm.named_parameters()] == ['weight']
    assert torch.equal(norm.weight, torch.ones(3))
    x = torch.randn(1, 3, 4, 4)
    ref = norm(x)
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([2., 1., 0.]))
    y = norm(x)
    assert torch.allclose(y[:, 0], 2 * ref[:, 0])
    assert torch.allclose(y[:, 1], ref[:, 1])
    assert torch.equal(y[:, 2], torch.zeros_like(y[:, 2]))


def test_scln_nan_input_gives_finite_output():
    x = torch.randn(2, 4, 8, 8)
    x[0, 1, 2, 3] = float('nan')
    y = SpatialChannelLayerNorm(4)(x)
    assert torch.isfinite(y).all()
    assert torch.equal(y[0], torch.zeros_like(y[0]))
    assert torch.allclose(y[1], SpatialChannelLayerNorm(4)(x[1:])[0])


def test_scln_clamps_outliers_and_floors_variance():
    x = torch.zeros(1, 4, 16, 16)
    x[0, 0, 0, 0] = 1e6  # normalises to about sqrt(1023) = 32
    y = SpatialChannelLayerNorm(4)(x)
    assert y.max().item() == pytest.approx(10.)
    assert y.min().item() > -1.
    const = torch.full((1, 2, 4, 4), 3.)
    assert torch.equal(SpatialChannelLayerNorm(2)(const), torch.zeros_like(
        const))


def test_channel_layernorm_normalises_each_pixel():
    norm = ChannelLayerNorm(6)
    assert sorted(n for n, _ in norm.named_parameters()) == ['bias', 'weight']
    y = norm(torch.randn(2, 6, 5, 5) * 4 + 1)
    assert torch.allclose(y.mean(1), torch.zeros(2, 5, 5), atol=1e-5)
    assert torch.allclose(y.var(1, unbiased=False), torch.ones(2, 5, 5),
                          atol=1e-3)


def test_build_norm():
    assert isinstance(build_norm('SpatialChannel', 4),
                      SpatialChannelLayerNorm)
    assert isinstance(build_norm('WithBias', 4), ChannelLayerNorm)
    with pytest.raises(ValueError):
        build_norm('BatchNorm', 4)

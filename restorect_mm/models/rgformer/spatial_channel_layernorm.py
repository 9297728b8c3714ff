"""Normalisation layers of RGFormer.

:class:`SpatialChannelLayerNorm` (SCLN) is RestoRect's normalisation: one
mean and variance per sample over all of (C, H, W), a per-channel scale and
no bias. :class:`ChannelLayerNorm` is the per-pixel LayerNorm over channels
(Restormer's "WithBias" form) used by the older Reti-Diff-style variant.
:func:`build_norm` picks one of them by ``norm_type``.
"""
import torch
import torch.nn as nn

NORM_TYPES = ('SpatialChannel', 'WithBias')


class SpatialChannelLayerNorm(nn.Module):
    """Spatial-Channel Layer Normalisation (SCLN).

    Per sample, ``x_hat = (x - mu) / sqrt(max(var, eps) + eps)`` with mu and
    the biased variance taken over (C, H, W); NaNs in ``x_hat`` become 0, it
    is clamped to ``[-clamp, clamp]`` and scaled per channel (no bias).
    Statistics are computed in float32 and the result cast back.

    Args:
        channels (int): Number of channels C.
        eps (float): Variance floor and stabiliser. Defaults to 1e-5.
        clamp (float): Bound on the normalised values. Defaults to 10.

    Shapes:
        Input (B, C, H, W), output (B, C, H, W).
    """

    def __init__(self, channels: int, eps: float = 1e-5, clamp: float = 10.):
        super().__init__()
        self.eps = eps
        self.clamp = clamp
        self.weight = nn.Parameter(torch.ones(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x32 = x.float()
        mu = x32.mean(dim=(1, 2, 3), keepdim=True)
        var = x32.var(dim=(1, 2, 3), unbiased=False, keepdim=True)
        var = var.clamp(min=self.eps)
        x_hat = (x32 - mu) / torch.sqrt(var + self.eps)
        x_hat = torch.nan_to_num(x_hat, nan=0.0)
        x_hat = x_hat.clamp(-self.clamp, self.clamp)
        return (x_hat * self.weight.view(1, -1, 1, 1)).to(x.dtype)


class ChannelLayerNorm(nn.Module):
    """Per-pixel LayerNorm over channels with weight and bias ("WithBias").

    Args:
        channels (int): Number of channels C.
        eps (float): Stabiliser added to the variance. Defaults to 1e-5.

    Shapes:
        Input (B, C, H, W), output (B, C, H, W).
    """

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mu = x.mean(dim=1, keepdim=True)
        var = x.var(dim=1, unbiased=False, keepdim=True)
        x_hat = (x - mu) / torch.sqrt(var + self.eps)
        return x_hat * self.weight.view(1, -1, 1, 1) + self.bias.view(
            1, -1, 1, 1)


def build_norm(norm_type: str, channels: int) -> nn.Module:
    """Build the normalisation layer named by ``norm_type``.

    Args:
        norm_type (str): 'SpatialChannel' (SCLN) or 'WithBias' (per-pixel
            channel LayerNorm).
        channels (int): Number of channels C.

    Returns:
        nn.Module: A module mapping (B, C, H, W) to (B, C, H, W).
    """
    if norm_type == 'SpatialChannel':
        return SpatialChannelLayerNorm(channels)
    if norm_type == 'WithBias':
        return ChannelLayerNorm(channels)
    raise ValueError(f'norm_type must be one of {NORM_TYPES}, '
                     f'got {norm_type!r}')

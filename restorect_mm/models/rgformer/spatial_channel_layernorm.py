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
        return self.normalize(x, mu, var)

    def normalize(self, x: torch.Tensor, mu: torch.Tensor,
                  var: torch.Tensor) -> torch.Tensor:
        """Normalise ``x`` with given per-sample statistics.

        The statistics may come from a larger map than ``x`` (a tile of it,
        see :func:`sum_statistics`), which is what makes SCLN tileable.

        Args:
            x (Tensor): (B, C, h, w), any part of the map the statistics
                describe.
            mu (Tensor): (B, 1, 1, 1) mean over (C, H, W) of the whole map.
            var (Tensor): (B, 1, 1, 1) biased variance over the same.

        Returns:
            Tensor: (B, C, h, w) in the dtype of ``x``.
        """
        var = var.float().clamp(min=self.eps)
        x_hat = (x.float() - mu.float()) / torch.sqrt(var + self.eps)
        x_hat = torch.nan_to_num(x_hat, nan=0.0)
        x_hat = x_hat.clamp(-self.clamp, self.clamp)
        return (x_hat * self.weight.view(1, -1, 1, 1)).to(x.dtype)


def sum_statistics(x: torch.Tensor) -> torch.Tensor:
    """Per-sample sums that SCLN's mean and variance are made of.

    Sums of tiles add up to the sums of the whole map; float64 keeps
    ``E[x^2] - E[x]^2`` accurate for maps of many millions of elements.

    Args:
        x (Tensor): (B, C, h, w), a map or a tile of it.

    Returns:
        Tensor: (B, 3) float64: element count, sum of x, sum of x^2.
    """
    x64 = x.detach().double().flatten(1)
    count = torch.full((x.shape[0], ), float(x64.shape[1]),
                       dtype=torch.float64, device=x.device)
    return torch.stack([count, x64.sum(1), x64.square().sum(1)], dim=1)


def statistics_from_sums(sums: torch.Tensor):
    """SCLN's (mu, var), each (B, 1, 1, 1) float32, from summed
    :func:`sum_statistics` (B, 3) of all tiles of a map."""
    count, total, total_sq = sums.unbind(1)
    mu = total / count
    var = (total_sq / count - mu.square()).clamp(min=0)
    return (mu.float().view(-1, 1, 1, 1), var.float().view(-1, 1, 1, 1))


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

"""Building pieces of the prior encoders: the EDSR/DiffIR-style ResBlock,
conv/linear + LeakyReLU(0.1) stages and the optional final LayerNorm."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

FINAL_NORMS = (None, 'layernorm')


class ResBlock(nn.Module):
    """Conv3x3 -> LeakyReLU(0.1) -> Conv3x3, plus the identity.

    Both convs keep the channel count and have a bias.

    Args:
        n_feats (int): Number of channels C. Defaults to 64.

    Shapes:
        Input (B, C, H, W), output (B, C, H, W).
    """

    def __init__(self, n_feats: int = 64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(n_feats, n_feats, 3, padding=1),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(n_feats, n_feats, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def conv_lrelu(in_channels: int, out_channels: int) -> nn.Sequential:
    """Conv3x3 (with bias) followed by LeakyReLU(0.1); keeps H, W."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.LeakyReLU(0.1, inplace=True))


def linear_lrelu(in_features: int, out_features: int) -> nn.Sequential:
    """Linear (with bias) followed by LeakyReLU(0.1)."""
    return nn.Sequential(
        nn.Linear(in_features, out_features),
        nn.LeakyReLU(0.1, inplace=True))


def check_final_norm(final_norm: Optional[str]) -> Optional[str]:
    """Validate a ``final_norm`` choice (None or 'layernorm')."""
    if final_norm not in FINAL_NORMS:
        raise ValueError(f'final_norm must be one of {FINAL_NORMS}, '
                         f'got {final_norm!r}')
    return final_norm


def apply_final_norm(z: torch.Tensor,
                     final_norm: Optional[str]) -> torch.Tensor:
    """Parameter-free LayerNorm over the features of z (B, D) when
    ``final_norm == 'layernorm'``; identity when None."""
    if final_norm == 'layernorm':
        return F.layer_norm(z, z.shape[-1:])
    return z

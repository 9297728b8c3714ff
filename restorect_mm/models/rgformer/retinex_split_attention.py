"""Retinex-guided attention ("Rttention") of RGFormer's encoder/decoder."""
from typing import Sequence

import torch
import torch.nn as nn

from .channel_attention import ChannelAttentionCore
from .prior_modulation import PriorModulation


class RetinexSplitAttention(nn.Module):
    """Channel attention with queries from reflectance features and
    keys/values from illumination features, each modulated by its part of
    the Retinex prior.

    The channels split in the ratio of ``rex_split`` (3C/4 "R" | C/4 "I" by
    default); the R part is modulated by ``z[:, :192]``, the I part by
    ``z[:, 192:]``. ``Q = DWConv3x3(Conv1x1(x_R -> C))`` and
    ``[K, V] = DWConv3x3(Conv1x1(x_I -> 2C))``; all convs bias-free. The
    attention itself is :class:`ChannelAttentionCore`.

    Args:
        dim (int): Number of channels C.
        num_heads (int): Number of heads h.
        rex_split (Sequence[int]): Sizes of the (R, I) parts of the prior.
            Defaults to (192, 64).
        qk_norm (bool): Apply the LayerNorm QK-norm. Defaults to True.

    Shapes:
        x (B, C, H, W) and z_rex (B, sum(rex_split)) give (B, C, H, W).
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 rex_split: Sequence[int] = (192, 64),
                 qk_norm: bool = True):
        super().__init__()
        prior_r, prior_i = rex_split
        self.rex_split = (prior_r, prior_i)
        self.dim_r = dim * prior_r // (prior_r + prior_i)
        self.dim_i = dim - self.dim_r
        self.modulate_r = PriorModulation(prior_r, self.dim_r)
        self.modulate_i = PriorModulation(prior_i, self.dim_i)
        self.q = nn.Conv2d(self.dim_r, dim, 1, bias=False)
        self.q_dwconv = nn.Conv2d(dim, dim, 3, padding=1, groups=dim,
                                  bias=False)
        self.kv = nn.Conv2d(self.dim_i, 2 * dim, 1, bias=False)
        self.kv_dwconv = nn.Conv2d(2 * dim, 2 * dim, 3, padding=1,
                                   groups=2 * dim, bias=False)
        self.attention = ChannelAttentionCore(dim, num_heads, qk_norm)

    def project_qkv(self, x: torch.Tensor, z_rex: torch.Tensor):
        """Q, K, V (B, C, h, w) each from x (B, C, h, w) and z_rex: per
        position up to the 3x3 depthwise convs (a 1-pixel halo)."""
        x_r, x_i = x.split([self.dim_r, self.dim_i], dim=1)
        z_r, z_i = z_rex.split(self.rex_split, dim=1)
        x_r = self.modulate_r(x_r, z_r)
        x_i = self.modulate_i(x_i, z_i)
        q = self.q_dwconv(self.q(x_r))
        k, v = self.kv_dwconv(self.kv(x_i)).chunk(2, dim=1)
        return q, k, v

    def forward(self, x: torch.Tensor, z_rex: torch.Tensor) -> torch.Tensor:
        return self.attention(*self.project_qkv(x, z_rex))

"""Transformer blocks of RGFormer and a prior-passing container."""
from typing import Sequence

import torch
import torch.nn as nn

from .gated_dconv_ffn import GatedDconvFFN
from .prior_channel_attention import PriorChannelAttention
from .retinex_split_attention import RetinexSplitAttention
from .spatial_channel_layernorm import build_norm


class RetinexTransformerBlock(nn.Module):
    """Encoder/decoder block driven by the Retinex prior ("RransformerBlock").

    ``x = x + Rttention(norm1(x), z_rex)``;
    ``x = x + FFN(norm2(x), z_rex)`` (the FFN sees the full z_rex).

    Args:
        dim (int): Number of channels C.
        num_heads (int): Attention heads h.
        ffn_expansion_factor (float): FFN hidden factor. Defaults to 2.66.
        norm_type (str): 'SpatialChannel' or 'WithBias'.
        rex_split (Sequence[int]): (R, I) sizes of z_rex. Defaults to
            (192, 64).
        qk_norm (bool): QK-LayerNorm in the attention. Defaults to True.

    Shapes:
        x (B, C, H, W) and z_rex (B, sum(rex_split)) give (B, C, H, W).
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 ffn_expansion_factor: float = 2.66,
                 norm_type: str = 'SpatialChannel',
                 rex_split: Sequence[int] = (192, 64),
                 qk_norm: bool = True):
        super().__init__()
        self.norm1 = build_norm(norm_type, dim)
        self.attn = RetinexSplitAttention(dim, num_heads, rex_split, qk_norm)
        self.norm2 = build_norm(norm_type, dim)
        self.ffn = GatedDconvFFN(dim, ffn_expansion_factor, sum(rex_split))

    def forward(self, x: torch.Tensor, z_rex: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), z_rex)
        return x + self.ffn(self.norm2(x), z_rex)


class PriorTransformerBlock(nn.Module):
    """Refinement block driven by the image prior ("TransformerBlock").

    ``x = x + Attention(norm1(x), z_img)``; ``x = x + FFN(norm2(x), z_img)``.

    Args:
        dim (int): Number of channels C.
        num_heads (int): Attention heads h.
        ffn_expansion_factor (float): FFN hidden factor. Defaults to 2.66.
        norm_type (str): 'SpatialChannel' or 'WithBias'.
        prior_dim (int): Length of z_img. Defaults to 256.
        qk_norm (bool): QK-LayerNorm in the attention. Defaults to True.

    Shapes:
        x (B, C, H, W) and z_img (B, prior_dim) give (B, C, H, W).
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 ffn_expansion_factor: float = 2.66,
                 norm_type: str = 'SpatialChannel',
                 prior_dim: int = 256,
                 qk_norm: bool = True):
        super().__init__()
        self.norm1 = build_norm(norm_type, dim)
        self.attn = PriorChannelAttention(dim, num_heads, prior_dim, qk_norm)
        self.norm2 = build_norm(norm_type, dim)
        self.ffn = GatedDconvFFN(dim, ffn_expansion_factor, prior_dim)

    def forward(self, x: torch.Tensor, z_img: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), z_img)
        return x + self.ffn(self.norm2(x), z_img)


class PriorSequential(nn.ModuleList):
    """Run blocks in order, handing each the same prior.

    A forward hook on this container sees the level's output feature map,
    which is how decoder features are tapped by name (e.g.
    ``decoder_level3``).

    Shapes:
        x (B, C, H, W) and z (B, D) give (B, C, H, W).
    """

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        for block in self:
            x = block(x, z)
        return x

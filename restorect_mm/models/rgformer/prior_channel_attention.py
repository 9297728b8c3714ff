"""Prior-modulated channel attention of RGFormer's refinement blocks."""
import torch
import torch.nn as nn

from .channel_attention import ChannelAttentionCore
from .prior_modulation import PriorModulation


class PriorChannelAttention(nn.Module):
    """Channel attention on a prior-modulated map (no Retinex split).

    ``x <- x * (1 + W z)``; ``[Q, K, V] = DWConv3x3(Conv1x1(x -> 3C))``
    (bias-free); then :class:`ChannelAttentionCore`.

    Args:
        dim (int): Number of channels C.
        num_heads (int): Number of heads h.
        prior_dim (int): Length of the prior z. Defaults to 256.
        qk_norm (bool): Apply the LayerNorm QK-norm. Defaults to True.

    Shapes:
        x (B, C, H, W) and z (B, prior_dim) give (B, C, H, W).
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 prior_dim: int = 256,
                 qk_norm: bool = True):
        super().__init__()
        self.modulate = PriorModulation(prior_dim, dim)
        self.qkv = nn.Conv2d(dim, 3 * dim, 1, bias=False)
        self.qkv_dwconv = nn.Conv2d(3 * dim, 3 * dim, 3, padding=1,
                                    groups=3 * dim, bias=False)
        self.attention = ChannelAttentionCore(dim, num_heads, qk_norm)

    def project_qkv(self, x: torch.Tensor, z: torch.Tensor):
        """Q, K, V (B, C, h, w) each from x (B, C, h, w) and z: per position
        up to the 3x3 depthwise conv (a 1-pixel halo)."""
        x = self.modulate(x, z)
        return self.qkv_dwconv(self.qkv(x)).chunk(3, dim=1)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self.attention(*self.project_qkv(x, z))

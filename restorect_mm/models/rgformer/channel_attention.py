"""Multi-head channel ("transposed") attention core shared by RGFormer's
two attention types: QK-norm, L2-normalisation over space, a learnable
temperature per head, softmax over channels and a 1x1 output projection."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ChannelAttentionCore(nn.Module):
    """Attention across channels from already projected Q, K, V.

    Q, K, V are split into ``num_heads`` heads of C/h channels each and
    flattened over space. With ``qk_norm`` a LayerNorm(C/h) (weight and
    bias), one for Q and one for K, normalises the per-head channel vector
    at every position. Q and K are then L2-normalised along space and
    ``A = softmax(Q K^T * tau_h)`` (C/h x C/h per head, tau_h init 1)
    mixes the channels of V; a bias-free 1x1 conv projects the result.

    Args:
        dim (int): Number of channels C.
        num_heads (int): Number of heads h; must divide C.
        qk_norm (bool): Apply the LayerNorm QK-norm. Defaults to True.

    Shapes:
        q, k, v (B, C, H, W) give (B, C, H, W).
    """

    def __init__(self, dim: int, num_heads: int, qk_norm: bool = True):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'num_heads={num_heads} must divide dim={dim}')
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.temperature = nn.Parameter(torch.ones(num_heads, 1, 1))
        self.q_norm = nn.LayerNorm(head_dim) if qk_norm else nn.Identity()
        self.k_norm = nn.LayerNorm(head_dim) if qk_norm else nn.Identity()
        self.project_out = nn.Conv2d(dim, dim, 1, bias=False)

    def _heads(self, t: torch.Tensor) -> torch.Tensor:
        b, c, h, w = t.shape
        return t.reshape(b, self.num_heads, c // self.num_heads, h * w)

    @staticmethod
    def _norm_channels(norm: nn.Module, t: torch.Tensor) -> torch.Tensor:
        return norm(t.transpose(-1, -2)).transpose(-1, -2)

    def forward(self, q: torch.Tensor, k: torch.Tensor,
                v: torch.Tensor) -> torch.Tensor:
        b, c, h, w = v.shape
        q = self._norm_channels(self.q_norm, self._heads(q))
        k = self._norm_channels(self.k_norm, self._heads(k))
        q = F.normalize(q, dim=-1)
        k = F.normalize(k, dim=-1)
        attn = (q @ k.transpose(-2, -1)) * self.temperature
        out = attn.softmax(dim=-1) @ self._heads(v)
        return self.project_out(out.reshape(b, c, h, w))

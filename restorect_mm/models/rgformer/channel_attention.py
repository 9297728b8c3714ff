"""Multi-head channel ("transposed") attention core shared by RGFormer's
two attention types: QK-norm, L2-normalisation over space, a learnable
temperature per head, softmax over channels and a 1x1 output projection."""
import torch
import torch.nn as nn
import torch.nn.functional as F

L2_EPS = 1e-12  # F.normalize's default floor on the norm


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

    def qk_heads(self, q: torch.Tensor, k: torch.Tensor):
        """Per-head Q and K after the QK-norm (per position, so local).

        Args:
            q, k (Tensor): (B, C, h, w) projected maps or tiles of them.

        Returns:
            tuple[Tensor, Tensor]: each (B, heads, C/heads, h*w), not yet
            L2-normalised over space.
        """
        return (self._norm_channels(self.q_norm, self._heads(q)),
                self._norm_channels(self.k_norm, self._heads(k)))

    @staticmethod
    def similarity_sums(q: torch.Tensor, k: torch.Tensor):
        """Sums over positions that the attention needs, for one tile.

        ``F.normalize`` over space divides Q and K by their L2 norms, so
        ``Q_hat K_hat^T = (Q K^T) / (|Q| |K|^T)``: the raw Gram matrix and
        the squared norms, summed over tiles, give the whole map's
        similarity (:meth:`similarity_from_sums`). Computed in float32
        outside autocast (fp16 Gram sums of a large map overflow) and
        returned in float64 for the summation.

        Args:
            q, k (Tensor): (B, heads, d, n) from :meth:`qk_heads`.

        Returns:
            tuple[Tensor, Tensor, Tensor]: Gram Q K^T (B, heads, d, d),
            sum of Q^2 and of K^2 over positions (B, heads, d).
        """
        with torch.autocast(q.device.type, enabled=False):
            q, k = q.float(), k.float()
            gram = q @ k.transpose(-2, -1)
            q_sq, k_sq = q.square().sum(-1), k.square().sum(-1)
        return gram.double(), q_sq.double(), k_sq.double()

    @staticmethod
    def similarity_from_sums(gram: torch.Tensor, q_sq: torch.Tensor,
                             k_sq: torch.Tensor) -> torch.Tensor:
        """The L2-normalised similarity (B, heads, d, d) float32 from the
        whole map's :meth:`similarity_sums`; norms are floored at
        ``F.normalize``'s eps as in :meth:`forward`."""
        q_norm = q_sq.sqrt().clamp(min=L2_EPS)
        k_norm = k_sq.sqrt().clamp(min=L2_EPS)
        return (gram / (q_norm[..., :, None] * k_norm[..., None, :])).float()

    def attention_map(self, similarity: torch.Tensor) -> torch.Tensor:
        """``softmax(similarity * tau_h)``: similarity (B, heads, d, d) of
        L2-normalised Q and K gives the channel-mixing map (B, heads, d, d).
        """
        return (similarity * self.temperature).softmax(dim=-1)

    def mix(self, attn: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Mix the channels of V with the attention map and project.

        Per position, so a tile of V gives that tile of the output.

        Args:
            attn (Tensor): (B, heads, d, d) from :meth:`attention_map`.
            v (Tensor): (B, C, h, w).

        Returns:
            Tensor: (B, C, h, w).
        """
        b, c, h, w = v.shape
        out = attn.to(v.dtype) @ self._heads(v)
        return self.project_out(out.reshape(b, c, h, w))

    def forward(self, q: torch.Tensor, k: torch.Tensor,
                v: torch.Tensor) -> torch.Tensor:
        q, k = self.qk_heads(q, k)
        q = F.normalize(q, dim=-1, eps=L2_EPS)
        k = F.normalize(k, dim=-1, eps=L2_EPS)
        return self.mix(self.attention_map(q @ k.transpose(-2, -1)), v)

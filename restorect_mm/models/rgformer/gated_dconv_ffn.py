"""Prior-modulated gated-Dconv feed-forward network."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .prior_modulation import PriorModulation


class GatedDconvFFN(nn.Module):
    """Gated-Dconv FFN with prior modulation.

    ``x <- x * (1 + W z)``; Conv1x1 C -> 2*hidden; DWConv3x3; split into
    x1, x2; ``GELU(x1) * x2``; Conv1x1 hidden -> C. All bias-free;
    ``hidden = int(C * ffn_expansion_factor)`` (truncated).

    Args:
        dim (int): Number of channels C.
        ffn_expansion_factor (float): Hidden width factor. Defaults to 2.66.
        prior_dim (int): Length of the prior z. Defaults to 256.

    Shapes:
        x (B, C, H, W) and z (B, prior_dim) give (B, C, H, W).
    """

    def __init__(self,
                 dim: int,
                 ffn_expansion_factor: float = 2.66,
                 prior_dim: int = 256):
        super().__init__()
        hidden = int(dim * ffn_expansion_factor)
        self.hidden_features = hidden
        self.modulate = PriorModulation(prior_dim, dim)
        self.project_in = nn.Conv2d(dim, 2 * hidden, 1, bias=False)
        self.dwconv = nn.Conv2d(2 * hidden, 2 * hidden, 3, padding=1,
                                groups=2 * hidden, bias=False)
        self.project_out = nn.Conv2d(hidden, dim, 1, bias=False)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        x = self.modulate(x, z)
        x1, x2 = self.dwconv(self.project_in(x)).chunk(2, dim=1)
        return self.project_out(F.gelu(x1) * x2)

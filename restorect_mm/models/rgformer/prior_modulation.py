"""Prior modulation: scale a feature map by a prior vector."""
import torch
import torch.nn as nn


class PriorModulation(nn.Module):
    """Modulate features by a prior: ``x * (1 + W z)``, broadcast over H, W.

    ``W`` is a bias-free linear map from the prior to the channels.

    Args:
        prior_dim (int): Length of the prior vector z.
        channels (int): Number of channels C of the modulated map.

    Shapes:
        x (B, C, H, W) and z (B, prior_dim) give (B, C, H, W).
    """

    def __init__(self, prior_dim: int, channels: int):
        super().__init__()
        self.linear = nn.Linear(prior_dim, channels, bias=False)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        scale = self.linear(z).view(x.shape[0], -1, 1, 1)
        return x * scale + x

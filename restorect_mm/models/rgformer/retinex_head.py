"""Auxiliary Retinex head of RGFormer ("Decom")."""
from typing import Tuple

import torch
import torch.nn as nn


class RetinexHead(nn.Module):
    """Decompose a feature map into reflectance and illumination.

    Three Conv3x3 dim -> dim each followed by LeakyReLU(0.2), then
    Conv3x3 dim -> 4 and ReLU (all convs with bias). Channels 0:3 are the
    reflectance R, channel 3 the illumination L.

    Args:
        dim (int): Input channels.

    Shapes:
        Input (B, dim, H, W); outputs R (B, 3, H, W), L (B, 1, H, W) and
        R * L (B, 3, H, W).
    """

    def __init__(self, dim: int):
        super().__init__()
        layers = []
        for _ in range(3):
            layers += [nn.Conv2d(dim, dim, 3, padding=1),
                       nn.LeakyReLU(0.2, inplace=True)]
        layers += [nn.Conv2d(dim, 4, 3, padding=1), nn.ReLU(inplace=True)]
        self.body = nn.Sequential(*layers)

    def forward(
        self, x: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return ``(R, L, R * L)``."""
        out = self.body(x)
        reflectance, illumination = out[:, :3], out[:, 3:4]
        return reflectance, illumination, reflectance * illumination

"""Resolution changes between RGFormer levels."""
import torch
import torch.nn as nn


class Downsample(nn.Module):
    """Halve the resolution, double the channels.

    Conv3x3 C -> C/2 (bias-free), then PixelUnshuffle(2).

    Args:
        dim (int): Input channels C (even).

    Shapes:
        Input (B, C, H, W), output (B, 2C, H/2, W/2).
    """

    def __init__(self, dim: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(dim, dim // 2, 3, padding=1, bias=False),
            nn.PixelUnshuffle(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class Upsample(nn.Module):
    """Double the resolution, halve the channels.

    Conv3x3 C -> 2C (bias-free), then PixelShuffle(2).

    Args:
        dim (int): Input channels C.

    Shapes:
        Input (B, C, H, W), output (B, C/2, 2H, 2W).
    """

    def __init__(self, dim: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(dim, dim * 2, 3, padding=1, bias=False),
            nn.PixelShuffle(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

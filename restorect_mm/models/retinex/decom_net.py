"""DecomNet: the small Retinex decomposition network of RestoRect (stage 0).

Four 3x3 convolutions split an image into a 3-channel reflectance and a
1-channel illumination map, as in the reference code. With the default width
this is 20,548 parameters. The layers live in ``self.decom`` (an
``nn.Sequential`` at indices 0, 2, 4, 6), the layout of URetinex-Net-style
decomposition checkpoints, so such weights load without renaming keys.
"""
from typing import Sequence, Tuple

import torch
import torch.nn as nn

from restorect_mm.registry import MODELS


@MODELS.register_module()
class DecomNet(nn.Module):
    """Retinex decomposition ``I ~ R * L``.

    Conv3x3(in->mid), LReLU(0.2), Conv3x3(mid->mid), LReLU(0.2),
    Conv3x3(mid->mid), LReLU(0.2), Conv3x3(mid->4), ReLU; every conv with
    bias. Channels 0:3 of the output are the reflectance R, channel 3 the
    illumination L. The final ReLU keeps both non-negative; neither is
    bounded above by construction (the losses keep them near [0, 1]).

    Args:
        in_channels (int): Channels of the input image. Default: 3.
        mid_channels (int): Width of the hidden convolutions. Default: 32.
        out_bias (Sequence[float], optional): Initial bias of the last conv
            (R channels, then L). Default: (0.5, 0.5, 0.5, 1.0). Trained from
            scratch, a near-zero start leaves ``R * L`` at a saddle (each
            factor's gradient is the other, ~0) and the final ReLU can die;
            a positive start (L ~ 1, R ~ 0.5) avoids both. None keeps
            PyTorch's default initialisation. It is applied once, in
            ``__init__`` (not in an ``init_weights`` that a runner would call
            after loading weights).
    """

    def __init__(self,
                 in_channels: int = 3,
                 mid_channels: int = 32,
                 out_bias: Sequence[float] = (0.5, 0.5, 0.5, 1.0)) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.mid_channels = mid_channels
        self.decom = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, 3, padding=1, bias=True),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(mid_channels, mid_channels, 3, padding=1, bias=True),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(mid_channels, mid_channels, 3, padding=1, bias=True),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(mid_channels, 4, 3, padding=1, bias=True),
            nn.ReLU(inplace=True),
        )
        if out_bias is not None:
            if len(out_bias) != 4:
                raise ValueError(
                    f'out_bias needs 4 values (R, G, B, L), got {out_bias}')
            with torch.no_grad():
                self.decom[6].bias.copy_(torch.tensor(out_bias))

    def forward(self, img: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Decompose an image.

        Args:
            img (Tensor): (B, 3, H, W) image, nominally in [0, 1].

        Returns:
            tuple[Tensor, Tensor]: reflectance (B, 3, H, W) and
            illumination (B, 1, H, W), both >= 0.
        """
        out = self.decom(img)
        return out[:, :3], out[:, 3:4]

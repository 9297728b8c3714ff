"""Image prior encoder E_img (teacher) / image condition net (student)."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from restorect_mm.registry import MODELS
from ..rgformer.rgformer import pad_to_multiple
from .resblock import (ResBlock, apply_final_norm, check_final_norm,
                       conv_lrelu, linear_lrelu)

DOWNSCALE = 4  # PixelUnshuffle factor: priors are computed at H/4


@MODELS.register_module()
class ImagePriorEncoder(BaseModule):
    """Encode RGB images into a global image prior.

    Each image is PixelUnshuffle(4)'d (3 -> 48 channels) and the images are
    concatenated; then Conv3x3 -> n_feats, ``n_encoder_res`` ResBlocks,
    Conv3x3 n_feats -> 2n -> 2n -> 4n (each followed by LeakyReLU(0.1)),
    global average pooling and a two-layer MLP 4n -> 4n -> 4n (LeakyReLU
    after each). Inputs whose H, W are not multiples of 4 are
    reflection-padded.

    Args:
        in_images (int): Number of images concatenated: 2 for the teacher
            (LQ, GT), 1 for the student's LQ-only condition net.
            Defaults to 2.
        n_feats (int): Trunk width n; the prior has 4n dims. Defaults to 64.
        n_encoder_res (int): Number of ResBlocks. Defaults to 5.
        final_norm (str, optional): None (teacher) or 'layernorm' for a
            parameter-free LayerNorm over the output (student). Defaults
            to None.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 in_images: int = 2,
                 n_feats: int = 64,
                 n_encoder_res: int = 5,
                 final_norm: Optional[str] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.in_images = in_images
        self.final_norm = check_final_norm(final_norm)
        self.unshuffle = nn.PixelUnshuffle(DOWNSCALE)
        self.head = conv_lrelu(in_images * 3 * DOWNSCALE**2, n_feats)
        self.resblocks = nn.Sequential(
            *[ResBlock(n_feats) for _ in range(n_encoder_res)])
        self.tail = nn.Sequential(
            conv_lrelu(n_feats, n_feats * 2),
            conv_lrelu(n_feats * 2, n_feats * 2),
            conv_lrelu(n_feats * 2, n_feats * 4), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(1))
        self.mlp = nn.Sequential(
            linear_lrelu(n_feats * 4, n_feats * 4),
            linear_lrelu(n_feats * 4, n_feats * 4))

    def forward(self, *images: torch.Tensor) -> torch.Tensor:
        """Encode ``in_images`` RGB images.

        Args:
            *images (Tensor): ``in_images`` tensors (B, 3, H, W), e.g.
                (lq, gt) for the teacher or (lq, ) for the student.

        Returns:
            Tensor: The prior (B, 4 * n_feats), i.e. (B, 256) by default.
        """
        if len(images) != self.in_images:
            raise ValueError(f'expected {self.in_images} images, '
                             f'got {len(images)}')
        x = torch.cat([
            self.unshuffle(pad_to_multiple(img, DOWNSCALE)) for img in images
        ], 1)
        z = self.mlp(self.tail(self.resblocks(self.head(x))))
        return apply_final_norm(z, self.final_norm)

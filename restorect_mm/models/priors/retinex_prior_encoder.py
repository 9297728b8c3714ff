"""Dual-path Retinex prior encoder E_rex (teacher) / Retinex condition net
(student)."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from restorect_mm.registry import MODELS
from ..rgformer.rgformer import pad_to_multiple
from .resblock import (ResBlock, apply_final_norm, check_final_norm,
                       conv_lrelu, linear_lrelu)

DOWNSCALE = 4  # PixelUnshuffle factor: priors are computed at H/4
R_CHANNELS = 3 * DOWNSCALE**2  # unshuffled reflectance channels (0:48)
L_CHANNELS = DOWNSCALE**2  # unshuffled illumination channels (48:64)


def _tail(n_feats: int, out_channels: int) -> nn.Sequential:
    """Conv n -> 2n -> 2n -> out (LeakyReLU after each), GAP, flatten."""
    return nn.Sequential(
        conv_lrelu(n_feats, n_feats * 2), conv_lrelu(n_feats * 2, n_feats * 2),
        conv_lrelu(n_feats * 2, out_channels), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(1))


def _mlp(features: int) -> nn.Sequential:
    """Two Linear + LeakyReLU(0.1) layers keeping the width."""
    return nn.Sequential(
        linear_lrelu(features, features), linear_lrelu(features, features))


@MODELS.register_module()
class RetinexPriorEncoder(BaseModule):
    """Encode Retinex maps [R, L] into a reflectance | illumination prior.

    Each (B, 4, H, W) map is PixelUnshuffle(4)'d; channels 0:48 form the
    reflectance part and 48:64 the illumination part, concatenated over the
    images. The R path (Conv3x3 -> n, ResBlocks, Conv n -> 2n -> 2n -> 3n,
    GAP, MLP 3n -> 3n -> 3n) and the I path (Conv3x3 -> n, ResBlocks,
    Conv n -> 2n -> 2n -> n, GAP, MLP n -> n -> n) share only the
    ResBlocks. Output ``[z_R | z_I]``; inputs whose H, W are not multiples
    of 4 are reflection-padded.

    Args:
        in_images (int): Number of Retinex maps: 2 for the teacher
            ([R_lq, L_lq], [R_gt, L_gt]), 1 for the student. Defaults to 2.
        n_feats (int): Trunk width n; the prior has 3n + n dims.
            Defaults to 64.
        n_encoder_res (int): Number of shared ResBlocks. Defaults to 5.
        final_norm (str, optional): None (teacher) or 'layernorm' for a
            parameter-free LayerNorm over the concatenated output
            (student). Defaults to None.
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
        self.head_r = conv_lrelu(in_images * R_CHANNELS, n_feats)
        self.head_i = conv_lrelu(in_images * L_CHANNELS, n_feats)
        self.resblocks = nn.Sequential(
            *[ResBlock(n_feats) for _ in range(n_encoder_res)])
        self.tail_r = _tail(n_feats, n_feats * 3)
        self.tail_i = _tail(n_feats, n_feats)
        self.mlp_r = _mlp(n_feats * 3)
        self.mlp_i = _mlp(n_feats)

    def forward(self, *retinex_maps: torch.Tensor) -> torch.Tensor:
        """Encode ``in_images`` Retinex maps.

        Args:
            *retinex_maps (Tensor): ``in_images`` tensors (B, 4, H, W), each
                reflectance (channels 0:3) and illumination (channel 3).

        Returns:
            Tensor: ``[z_R | z_I]`` (B, 4 * n_feats), (B, 192 + 64) by
            default.
        """
        if len(retinex_maps) != self.in_images:
            raise ValueError(f'expected {self.in_images} Retinex maps, '
                             f'got {len(retinex_maps)}')
        maps = [self.unshuffle(pad_to_multiple(m, DOWNSCALE))
                for m in retinex_maps]
        x_r = torch.cat([m[:, :R_CHANNELS] for m in maps], 1)
        x_i = torch.cat([m[:, R_CHANNELS:] for m in maps], 1)
        z_r = self.mlp_r(self.tail_r(self.resblocks(self.head_r(x_r))))
        z_i = self.mlp_i(self.tail_i(self.resblocks(self.head_i(x_i))))
        return apply_final_norm(torch.cat([z_r, z_i], 1), self.final_norm)

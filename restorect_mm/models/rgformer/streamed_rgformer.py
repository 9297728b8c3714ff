"""RGFormer's inference forward run tile by tile ("streamed"), equal to
:meth:`RGFormer.forward` up to float summation order at any tile size.

The levels run in :meth:`RGFormer._run`'s order on whole feature maps (the
current level's map and the U-Net skips), but no operator ever sees more
than one tile plus its halo: convolutions and resampling are local
(:func:`~.tile_grid.map_tiles`), and the blocks gather their global
statistics over the tiles first (:mod:`.streamed_blocks`). So the memory is
a few whole maps plus one tile's working set, whatever the image size
(:data:`LEVEL_DOWNSCALE` and :func:`peak_map_channels` describe it for a
memory budget).
"""
from fractions import Fraction

import torch
import torch.nn as nn

from .rgformer import RGFormer, pad_to_multiple
from .streamed_blocks import HALO, block_steps
from .tile_grid import map_tiles

# Downsample: a 3x3 conv before PixelUnshuffle(2); an even halo keeps the
# windows aligned to its 2 x 2 blocks.
DOWNSAMPLE_HALO = 2
HALF, DOUBLE = Fraction(1, 2), 2

# Every level of blocks and its resolution divisor.
LEVEL_DOWNSCALE = dict(encoder_level1=1, encoder_level2=2, encoder_level3=4,
                       latent=8, decoder_level3=4, decoder_level2=2,
                       decoder_level1=1, refinement=1)


def peak_map_channels(dim: int) -> int:
    """Channels of whole full-resolution float maps alive at once, at most.

    Peak in ``decoder_level1`` and ``refinement``: a half-block's input and
    output (2C channels each), the padded input image (3) kept for the
    global residual and the output image (3). Earlier, the encoder levels
    hold at most 2.5C at full resolution (e1 and the smaller levels'
    maps), and the concatenation ``[u1, e1]`` 3C.
    """
    return 4 * dim + 6


def _upsample_and_merge(upsample: nn.Module, reduce: nn.Module,
                        x: torch.Tensor, skip: torch.Tensor,
                        tile: int) -> torch.Tensor:
    """``reduce(cat([upsample(x), skip]))``: (B, 2c, h, w) and skip
    (B, c, 2h, 2w) -> (B, c, 2h, 2w); the concatenation exists per tile."""
    up = map_tiles(upsample, [x], max(tile // 2, 1), HALO, DOUBLE)
    return map_tiles(lambda u, s: reduce(torch.cat([u, s], 1)), [up, skip],
                     tile, 0)


def _upsample_and_concat(upsample: nn.Module, x: torch.Tensor,
                         skip: torch.Tensor, tile: int) -> torch.Tensor:
    """``cat([upsample(x), skip])``: (B, 2c, h, w) and skip (B, c, 2h, 2w)
    -> (B, 2c, 2h, 2w), upsampled straight into the concatenation."""
    channels = skip.shape[1]
    out = skip.new_empty((skip.shape[0], 2 * channels, *skip.shape[-2:]))
    map_tiles(upsample, [x], max(tile // 2, 1), HALO, DOUBLE,
              out=out[:, :channels])
    out[:, channels:].copy_(skip)
    return out


@torch.no_grad()
def streamed_forward(generator: RGFormer, img: torch.Tensor,
                     z_rex: torch.Tensor, z_img: torch.Tensor,
                     tile: int) -> torch.Tensor:
    """``generator(img, z_rex, z_img)``, computed tile by tile.

    Args:
        generator (RGFormer): the generator, any widths.
        img (Tensor): (B, in_channels, H, W), any H, W (padded to a
            multiple of 8 and cropped back, as the forward does).
        z_rex (Tensor): (B, sum(rex_split)) Retinex prior.
        z_img (Tensor): (B, prior_dim) image prior.
        tile (int): tile side in pixels at every level, even.

    Returns:
        Tensor: (B, out_channels, H, W).
    """
    if tile < 2 or tile % 2:
        raise ValueError(f'the tile side must be even and >= 2, got {tile}')
    g = generator
    height, width = img.shape[-2:]
    x = pad_to_multiple(img)
    d = map_tiles(g.patch_embed, [x], tile, HALO)

    def run_level(blocks, z):
        # rebinds the caller's ``d``, so the replaced maps are freed at once
        nonlocal d
        for step in block_steps(blocks, z, tile):
            d = step(d)

    def downsample(module, skip):
        return map_tiles(module, [skip], tile, DOWNSAMPLE_HALO, HALF)

    run_level(g.encoder_level1, z_rex)
    e1 = d
    d = downsample(g.down1_2, e1)
    run_level(g.encoder_level2, z_rex)
    e2 = d
    d = downsample(g.down2_3, e2)
    run_level(g.encoder_level3, z_rex)
    e3 = d
    d = downsample(g.down3_4, e3)
    run_level(g.latent, z_rex)
    d = _upsample_and_merge(g.up4_3, g.reduce_chan_level3, d, e3, tile)
    del e3
    run_level(g.decoder_level3, z_rex)
    d = _upsample_and_merge(g.up3_2, g.reduce_chan_level2, d, e2, tile)
    del e2
    run_level(g.decoder_level2, z_rex)
    d = _upsample_and_concat(g.up2_1, d, e1, tile)
    del e1
    run_level(g.decoder_level1, z_rex)
    run_level(g.refinement, z_img)

    def output(features, image):
        out = g.output(features)
        return out + image if g.global_residual else out

    return map_tiles(output, [d, x], tile, HALO)[..., :height, :width]

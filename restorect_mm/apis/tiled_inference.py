"""Blended tiles: restore an image too large for memory tile by tile with a
model whose layers are not known to be local (a plain MMagic editor).

The RestoRect student does not need this: its RGFormer runs tile by tile
exactly (:mod:`restorect_mm.models.rgformer.streamed_rgformer`). Here each
tile is restored on its own, so global operations of the model (pooling,
normalisation over the image) see only the tile. Tiles overlap by ``overlap`` pixels; inside an overlap the two results are
blended with linear ramps (weights summing to one), so no seam shows. An
image side that fits into one tile is not split. Written by hand: MMagic and
MMEngine have no tiling helper for restoration models (MMagic's
``inference`` runs whole images only).
"""
from typing import Callable, List, Optional

import torch


def tile_starts(size: int, tile: int, overlap: int) -> List[int]:
    """Start offsets of tiles covering ``size`` pixels.

    Args:
        size (int): image side.
        tile (int): tile side.
        overlap (int): pixels shared by neighbouring tiles, < tile.

    Returns:
        list[int]: offsets; the last tile ends exactly at ``size``.
    """
    if size <= tile:
        return [0]
    stride = tile - overlap
    starts = list(range(0, size - tile, stride))
    return starts + [size - tile]


def _ramp(length: int, ramp_in: int, ramp_out: int) -> torch.Tensor:
    """1-D blend weights: rise over ``ramp_in`` pixels, fall over
    ``ramp_out`` pixels, 1 in between. (length, )."""
    weight = torch.ones(length, dtype=torch.float64)
    if ramp_in:
        weight[:ramp_in] = (torch.arange(ramp_in) + 0.5) / ramp_in
    if ramp_out:
        weight[length - ramp_out:] = torch.minimum(
            weight[length - ramp_out:],
            (torch.arange(ramp_out, 0, -1) - 0.5) / ramp_out)
    return weight


def _shared(starts: List[int], index: int, tile: int):
    """Pixels tile ``index`` shares with its previous and next neighbour."""
    before = starts[index - 1] + tile - starts[index] if index else 0
    after = (starts[index] + tile - starts[index + 1]
             if index + 1 < len(starts) else 0)
    return before, after


def tiled_apply(restore_tile: Callable[[torch.Tensor], torch.Tensor],
                image: torch.Tensor,
                tile: int,
                overlap: int,
                progress: Optional[Callable[[], None]] = None
                ) -> torch.Tensor:
    """Apply ``restore_tile`` tile by tile and blend the overlaps.

    Args:
        restore_tile (callable): (1, C, h, w) -> (1, C', h, w) on any device.
        image (Tensor): (1, C, H, W), on the device ``restore_tile`` wants.
        tile (int): tile side in pixels.
        overlap (int): overlap in pixels, 0 <= overlap < tile.
        progress (callable, optional): called after every tile.

    Returns:
        Tensor: (1, C', H, W) float32 on the CPU (the full result is kept
        off the accelerator so only one tile lives there).
    """
    if not 0 <= overlap < tile:
        raise ValueError(f'tile overlap must be in [0, tile={tile}), got '
                         f'{overlap}')
    height, width = image.shape[-2:]
    rows = tile_starts(height, tile, overlap)
    cols = tile_starts(width, tile, overlap)
    out = weights = None
    for row, top in enumerate(rows):
        for col, left in enumerate(cols):
            bottom, right = min(top + tile, height), min(left + tile, width)
            result = restore_tile(image[..., top:bottom, left:right])
            result = result.detach().float().cpu()
            if out is None:
                out = torch.zeros((1, result.shape[1], height, width))
                weights = torch.zeros((1, 1, height, width))
            # ramps span the rows/columns shared with each neighbour (wider
            # than ``overlap`` next to the last tile, which ends at the edge)
            weight = (_ramp(bottom - top, *_shared(rows, row, tile))[:, None] *
                      _ramp(right - left, *_shared(cols, col, tile))[None, :])
            weight = weight.float()
            out[..., top:bottom, left:right] += result * weight
            weights[..., top:bottom, left:right] += weight
            if progress is not None:
                progress()
    return out.div_(weights)  # in place: no third full-size buffer

"""A grid of square tiles with halos over a feature map, for running local
operators (convolutions, per-position layers) tile by tile with results equal
to running them on the whole map.

An operator whose receptive field reaches ``r`` pixels is applied to a
tile's *window* (the tile plus ``halo >= r`` pixels on every side that lies
inside the map) and the halo is cropped from its result. The window is
clipped at the map's border, so the operator's own zero padding acts there
exactly as on the whole map.
"""
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Iterator, Optional, Sequence, Union

import torch

Scale = Union[int, Fraction]


@dataclass(frozen=True)
class Tile:
    """One tile of a map and its window, in the map's pixels.

    Attributes:
        top, left, bottom, right (int): the tile, ``[top, bottom)`` x
            ``[left, right)``.
        window_top, window_left, window_bottom, window_right (int): the
            tile plus its halo, clipped to the map.
    """
    top: int
    left: int
    bottom: int
    right: int
    window_top: int
    window_left: int
    window_bottom: int
    window_right: int

    def window(self, x: torch.Tensor) -> torch.Tensor:
        """The window of ``x`` (B, C, H, W): (B, C, wh, ww), a channels-last
        copy (oneDNN's depthwise convolutions on small maps run about three
        times faster in that layout than on a strided view)."""
        return x[..., self.window_top:self.window_bottom,
                 self.window_left:self.window_right].contiguous(
                     memory_format=torch.channels_last)

    def region(self, x: torch.Tensor, scale: Scale = 1) -> torch.Tensor:
        """The tile of ``x`` (B, C, H * scale, W * scale), a view."""
        return x[..., int(self.top * scale):int(self.bottom * scale),
                 int(self.left * scale):int(self.right * scale)]

    def crop(self, result: torch.Tensor, scale: Scale = 1) -> torch.Tensor:
        """Crop the halo from an operator's result on the window.

        Args:
            result (Tensor): (B, C', wh * scale, ww * scale).
            scale (int | Fraction): output pixels per input pixel (2 for an
                upsampling, 1/2 for a downsampling).

        Returns:
            Tensor: (B, C', th * scale, tw * scale), a view.
        """
        top = int((self.top - self.window_top) * scale)
        left = int((self.left - self.window_left) * scale)
        return result[..., top:top + int((self.bottom - self.top) * scale),
                      left:left + int((self.right - self.left) * scale)]


def tile_grid(height: int, width: int, tile: int,
              halo: int = 0) -> Iterator[Tile]:
    """Tiles covering a height x width map, row by row.

    Tiles start at multiples of ``tile`` (so an even ``tile`` keeps every
    tile aligned to 2 x 2 pixel blocks); the last row and column may be
    narrower.

    Args:
        height, width (int): the map's size.
        tile (int): tile side.
        halo (int): window margin around each tile.

    Yields:
        Tile: in row-major order.
    """
    if tile < 1:
        raise ValueError(f'tile side must be >= 1, got {tile}')
    for top in range(0, height, tile):
        bottom = min(top + tile, height)
        for left in range(0, width, tile):
            right = min(left + tile, width)
            yield Tile(top, left, bottom, right, max(top - halo, 0),
                       max(left - halo, 0), min(bottom + halo, height),
                       min(right + halo, width))


def map_tiles(operator: Callable[..., torch.Tensor],
              sources: Sequence[torch.Tensor],
              tile: int,
              halo: int,
              scale: Scale = 1,
              out: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Apply a local operator tile by tile; equal to ``operator(*sources)``.

    Args:
        operator (callable): windows of each source (B, C_i, wh, ww) ->
            (B, C', wh * scale, ww * scale); its receptive field must reach
            no further than ``halo`` pixels.
        sources (Sequence[Tensor]): maps (B, C_i, H, W) of one size.
        tile (int): tile side in the sources' pixels.
        halo (int): window margin; with a fractional ``scale`` a multiple
            of its denominator, so windows stay aligned.
        scale (int | Fraction): output pixels per input pixel.
        out (Tensor, optional): (B, C', H * scale, W * scale) to write into
            (e.g. a channel slice of a concatenation); allocated from the
            first result's dtype when None.

    Returns:
        Tensor: ``out``, (B, C', H * scale, W * scale).
    """
    height, width = sources[0].shape[-2:]
    for piece in tile_grid(height, width, tile, halo):
        result = piece.crop(operator(*(piece.window(s) for s in sources)),
                            scale)
        if out is None:
            out = result.new_empty(
                (*result.shape[:2], int(height * scale), int(width * scale)))
        piece.region(out, scale).copy_(result)
    return out

"""Resize a pair so the long edge is bounded and both sides are multiples."""
import math
from typing import Dict, Optional, Sequence, Tuple

from mmcv.transforms import BaseTransform

from restorect_mm.registry import TRANSFORMS
from .chaos_resize import check_interpolation, resize_hw
from .paired_random_crop_pad import check_same_hw


def long_edge_multiple_size(h: int, w: int, max_long_edge: Optional[int],
                            multiple: int) -> Tuple[int, int]:
    """Target ``(H', W')`` of :class:`ResizeLongEdgeMultiple`.

    Both sides are scaled by ``min(1, max_long_edge / max(h, w))`` (so the
    aspect ratio is kept and small images are never enlarged by this step),
    rounded to the nearest integer, then rounded up to a multiple of
    ``multiple``. Rounding up changes the aspect by less than
    ``multiple`` pixels per side.

    Args:
        h: Height.
        w: Width.
        max_long_edge: Bound on ``max(H', W')``, a multiple of ``multiple``;
            ``None`` for no bound.
        multiple: Both output sides are multiples of it.

    Returns:
        tuple[int, int]: ``(H', W')``; ``(h, w)`` when already compliant.
    """
    scale = 1.0 if max_long_edge is None else min(
        1.0, max_long_edge / max(h, w))
    sides = (max(1, round(h * scale)), max(1, round(w * scale)))
    return tuple(math.ceil(s / multiple) * multiple for s in sides)


@TRANSFORMS.register_module()
class ResizeLongEdgeMultiple(BaseTransform):
    """Bound the long edge, then round both sides up to a multiple.

    RestoRect's BAID / SICE / SID pipelines: images whose long edge exceeds
    ``max_long_edge`` are scaled down (aspect kept), then each side is
    rounded up to a multiple of ``multiple`` (see
    :func:`long_edge_multiple_size`); all keys get the same size. Images
    that already comply are left untouched (no resampling).

    Shapes: every ``results[k]`` ``(H, W)`` or ``(H, W, C)`` (all with the
    same ``H, W``) becomes ``(H', W'[, C])`` with ``max(H', W') <=
    max_long_edge`` and ``H' % multiple == W' % multiple == 0``.

    Args:
        keys: Keys of the images to resize. Defaults to ``('img', 'gt')``.
        max_long_edge: Bound on the long edge, a multiple of ``multiple``,
            or ``None`` to only round up. Defaults to 2048.
        multiple: Defaults to 32.
        interpolation: Defaults to ``'bicubic'`` (any mmcv / OpenCV name).

    Raises:
        ValueError: In ``transform``, when the keys' images differ in size
            (names both keys, shapes and ``<key>_path`` entries).

    Example:
        >>> dict(type='ResizeLongEdgeMultiple', keys=('img', 'gt'),
        ...      max_long_edge=2048, multiple=32)
    """

    def __init__(self,
                 keys: Sequence[str] = ('img', 'gt'),
                 max_long_edge: Optional[int] = 2048,
                 multiple: int = 32,
                 interpolation: str = 'bicubic') -> None:
        self.keys = [keys] if isinstance(keys, str) else list(keys)
        if not self.keys:
            raise ValueError('ResizeLongEdgeMultiple: keys must not be empty')
        if not isinstance(multiple, int) or multiple < 1:
            raise ValueError('ResizeLongEdgeMultiple: multiple must be a '
                             f'positive int, got {multiple!r}')
        if max_long_edge is not None and (
                not isinstance(max_long_edge, int) or max_long_edge < 1
                or max_long_edge % multiple):
            raise ValueError(
                'ResizeLongEdgeMultiple: max_long_edge must be None or a '
                f'positive multiple of multiple={multiple} (else rounding up '
                f'would exceed it), got {max_long_edge!r}')
        self.max_long_edge = max_long_edge
        self.multiple = multiple
        self.interpolation = check_interpolation(interpolation,
                                                 'ResizeLongEdgeMultiple')

    def transform(self, results: Dict) -> Dict:
        """Resize ``results[k]`` for every key to the common target size.

        Args:
            results: Pipeline results.

        Returns:
            dict: ``results`` with the resized images.
        """
        h, w = check_same_hw(results, self.keys, type(self).__name__)
        size = long_edge_multiple_size(h, w, self.max_long_edge,
                                       self.multiple)
        for key in self.keys:
            results[key] = resize_hw(results[key], size, self.interpolation)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(keys={self.keys}, '
                f'max_long_edge={self.max_long_edge}, '
                f'multiple={self.multiple}, '
                f'interpolation={self.interpolation!r})')

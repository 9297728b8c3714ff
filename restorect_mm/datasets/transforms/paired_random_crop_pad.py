"""Pad-then-crop of an image pair to a fixed training patch."""
from typing import Dict, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from restorect_mm.registry import TRANSFORMS

_PAD_MODES = ('reflect', 'symmetric', 'edge', 'constant')


def check_same_hw(results: Dict, keys: Sequence[str],
                  who: str) -> Tuple[int, int]:
    """Return the common ``(H, W)`` of ``results[k]`` for all ``keys``.

    Args:
        results: Pipeline results holding numpy images ``(H, W)`` or
            ``(H, W, C)``.
        keys: Keys that must hold images of equal height and width.
        who: Transform name, used in the error messages.

    Returns:
        tuple[int, int]: Height and width shared by all images.

    Raises:
        KeyError: A key is missing from ``results``.
        TypeError: A value is not a 2-D or 3-D numpy array.
        ValueError: Heights or widths differ; names both keys, their shapes
            and their ``<key>_path`` entries when present.
    """
    first = None
    for key in keys:
        if key not in results:
            raise KeyError(f'{who}: key {key!r} not in results (keys: '
                           f'{sorted(results)})')
        img = results[key]
        if not isinstance(img, np.ndarray) or img.ndim not in (2, 3):
            raise TypeError(
                f'{who}: results[{key!r}] must be a numpy image (H, W) or '
                f'(H, W, C), got {type(img).__name__} '
                f'{getattr(img, "shape", "")}')
        if first is None:
            first = key
        elif img.shape[:2] != results[first].shape[:2]:
            paths = ''.join(f"; {k}_path={results[f'{k}_path']}"
                            for k in (first, key) if f'{k}_path' in results)
            raise ValueError(
                f"{who}: '{first}' has shape {results[first].shape} but "
                f"'{key}' has shape {img.shape}; paired images must have the "
                f'same height and width{paths}')
    return results[first].shape[:2]


@TRANSFORMS.register_module()
class PairedRandomCropPad(BaseTransform):
    """Pad a pair up to the crop size if needed, then crop it at one place.

    Each side shorter than the crop is padded at its end (bottom / right),
    as BasicSR-Restormer's ``padding`` does, with the same padding for every
    key; then one random ``crop_size`` window (``np.random``) is cut from all
    keys at the same location.

    ``pad_mode`` follows ``numpy.pad``: ``'reflect'`` mirrors without
    repeating the edge pixel (cv2 ``BORDER_REFLECT_101``), ``'symmetric'``
    repeats it (cv2 ``BORDER_REFLECT``, the one BasicSR uses), ``'edge'``
    replicates the border, ``'constant'`` pads zeros. ``numpy.pad`` reflects
    repeatedly, so an image much smaller than the crop (e.g. 20 px for a
    512 crop) is padded by successive reflections; a side of 1 px, which
    has nothing to reflect, is padded as ``'edge'`` by numpy.

    Shapes: every ``results[k]`` for ``k`` in ``keys`` is ``(H, W)`` or
    ``(H, W, C)`` (all with the same ``H, W``) and becomes
    ``(crop_h, crop_w[, C])``. Adds ``results['crop_pad']`` =
    ``(pad_bottom, pad_right)`` and ``results['crop_bbox']`` =
    ``(top, left, crop_h, crop_w)`` in padded-image coordinates.

    Args:
        keys: Keys of the images to crop. Defaults to ``('img', 'gt')``.
        crop_size: Patch size, an int or ``(h, w)``. Defaults to 512.
        pad_mode: ``'reflect'`` (default), ``'symmetric'``, ``'edge'`` or
            ``'constant'``.

    Example:
        >>> dict(type='PairedRandomCropPad', keys=('img', 'gt'),
        ...      crop_size=512, pad_mode='reflect')
    """

    def __init__(self,
                 keys: Sequence[str] = ('img', 'gt'),
                 crop_size: Union[int, Sequence[int]] = 512,
                 pad_mode: str = 'reflect') -> None:
        self.keys = [keys] if isinstance(keys, str) else list(keys)
        if not self.keys:
            raise ValueError('PairedRandomCropPad: keys must not be empty')
        size = (crop_size, crop_size) if isinstance(crop_size, int) else \
            tuple(crop_size)
        if len(size) != 2 or not all(
                isinstance(s, int) and s > 0 for s in size):
            raise ValueError('PairedRandomCropPad: crop_size must be a '
                             f'positive int or (h, w), got {crop_size!r}')
        if pad_mode not in _PAD_MODES:
            raise ValueError(f'PairedRandomCropPad: pad_mode must be one of '
                             f'{_PAD_MODES}, got {pad_mode!r}')
        self.crop_size = size
        self.pad_mode = pad_mode

    def transform(self, results: Dict) -> Dict:
        """Pad and crop ``results[k]`` for every key.

        Args:
            results: Pipeline results.

        Returns:
            dict: ``results`` with the cropped images and the crop record.
        """
        h, w = check_same_hw(results, self.keys, type(self).__name__)
        crop_h, crop_w = self.crop_size
        pad_h, pad_w = max(0, crop_h - h), max(0, crop_w - w)
        top = np.random.randint(h + pad_h - crop_h + 1)
        left = np.random.randint(w + pad_w - crop_w + 1)
        for key in self.keys:
            img = results[key]
            if pad_h or pad_w:
                widths = [(0, pad_h), (0, pad_w)] + [(0, 0)] * (img.ndim - 2)
                img = np.pad(img, widths, mode=self.pad_mode)
            results[key] = np.ascontiguousarray(
                img[top:top + crop_h, left:left + crop_w])
        results['crop_pad'] = (pad_h, pad_w)
        results['crop_bbox'] = (top, left, crop_h, crop_w)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(keys={self.keys}, '
                f'crop_size={self.crop_size}, pad_mode={self.pad_mode!r})')

"""Fixed-size resize of an image pair (RestoRect's ``chaos`` datasets)."""
from typing import Dict, Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.image.geometric import cv2_interp_codes
from mmcv.transforms import BaseTransform

from restorect_mm.registry import TRANSFORMS


def check_interpolation(interpolation: str, who: str) -> str:
    """Return ``interpolation`` if OpenCV (through mmcv) knows it.

    Raises:
        ValueError: Unknown name; lists the accepted ones.
    """
    if interpolation not in cv2_interp_codes:
        raise ValueError(f'{who}: interpolation must be one of '
                         f'{sorted(cv2_interp_codes)}, got {interpolation!r}')
    return interpolation


def resize_hw(img: np.ndarray, size_hw: Tuple[int, int],
              interpolation: str) -> np.ndarray:
    """Resize one image to ``(H', W')`` with OpenCV, keeping its layout.

    Unlike ``mmcv.imresize`` (which takes ``(w, h)`` and drops a single
    channel axis), this takes ``(h, w)`` and keeps ``(H, W, 1)`` as
    ``(H', W', 1)``. Returns ``img`` itself when the size already matches.

    Args:
        img: ``(H, W)`` or ``(H, W, C)``.
        size_hw: Target ``(H', W')``.
        interpolation: mmcv / OpenCV name, e.g. ``'bicubic'``
            (``cv2.INTER_CUBIC``; uint8 results are saturated to 0..255).

    Returns:
        np.ndarray: ``(H', W')`` or ``(H', W', C)``, same dtype.
    """
    if tuple(img.shape[:2]) == tuple(size_hw):
        return img
    out = mmcv.imresize(
        img, (size_hw[1], size_hw[0]),
        interpolation=interpolation,
        backend='cv2')
    if img.ndim == 3 and out.ndim == 2:
        out = out[..., None]
    return out


@TRANSFORMS.register_module()
class ChaosResize(BaseTransform):
    """Resize every image of a pair to one fixed size.

    RestoRect's ``chaos`` pipeline for UIEB and LSUI: bicubic resize of input
    and reference to 512x512 for training and 256x256 for validation / test,
    with no crop. Each image is resized on its own, so (as in the reference
    code) the pair need not have equal sizes beforehand.

    Shapes: ``results[k]`` ``(H, W)`` or ``(H, W, C)`` becomes
    ``(size_h, size_w)`` or ``(size_h, size_w, C)``.

    Args:
        keys: Keys of the images to resize. Defaults to ``('img', 'gt')``.
        size: Target size, an int or ``(h, w)``. Defaults to ``(512, 512)``.
        interpolation: ``'bicubic'`` (default), ``'bilinear'``,
            ``'nearest'``, ``'area'`` or ``'lanczos'``.

    Example:
        >>> dict(type='ChaosResize', keys=('img', 'gt'), size=(256, 256))
    """

    def __init__(self,
                 keys: Sequence[str] = ('img', 'gt'),
                 size: Union[int, Sequence[int]] = (512, 512),
                 interpolation: str = 'bicubic') -> None:
        self.keys = [keys] if isinstance(keys, str) else list(keys)
        if not self.keys:
            raise ValueError('ChaosResize: keys must not be empty')
        size = (size, size) if isinstance(size, int) else tuple(size)
        if len(size) != 2 or not all(
                isinstance(s, int) and s > 0 for s in size):
            raise ValueError('ChaosResize: size must be a positive int or '
                             f'(h, w), got {size!r}')
        self.size = size
        self.interpolation = check_interpolation(interpolation, 'ChaosResize')

    def transform(self, results: Dict) -> Dict:
        """Resize ``results[k]`` for every key.

        Args:
            results: Pipeline results.

        Returns:
            dict: ``results`` with the resized images.
        """
        for key in self.keys:
            if key not in results:
                raise KeyError(f'ChaosResize: key {key!r} not in results '
                               f'(keys: {sorted(results)})')
            results[key] = resize_hw(results[key], self.size,
                                     self.interpolation)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(keys={self.keys}, size={self.size}, '
                f'interpolation={self.interpolation!r})')

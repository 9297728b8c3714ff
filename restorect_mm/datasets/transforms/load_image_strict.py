"""Image loading that fails loudly and always yields 8-bit images."""
import os.path as osp
from typing import Optional

import cv2
import mmcv
import numpy as np
from mmagic.datasets.transforms import LoadImageFromFile
from mmengine.fileio import get_file_backend

from restorect_mm.registry import TRANSFORMS


class ImageLoadError(ValueError):
    """An image file exists but cannot be decoded into a usable image."""


class ImageNotFoundError(ImageLoadError, FileNotFoundError):
    """An image file named by the data info does not exist."""


# OpenCV flag that keeps 16-bit depth and grey (so we can scale/expand them
# ourselves) but drops alpha and, unlike IMREAD_UNCHANGED, applies the EXIF
# orientation as IMREAD_COLOR does.
_CV2_ANY = cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR


def unit_float_pixels(img: np.ndarray, filename: str = '<array>',
                      error=None) -> np.ndarray:
    """Check a floating-point image (float TIFFs hold linear values in
    [0, 1] by convention) and return it as float32.

    Raises:
        ``error`` (default :class:`ImageLoadError`): NaN/Inf or values outside
        [0, 1], naming the file and the range found.
    """
    error = error or ImageLoadError
    img = np.asarray(img, dtype=np.float32)
    finite = np.isfinite(img).all()
    if img.size and (not finite or img.min() < 0 or img.max() > 1):
        found = (f'{img.min()}..{img.max()}' if finite else
                 'NaN or infinite values')
        raise error(
            f'{filename}: floating-point pixels must lie in [0, 1], found '
            f'{found}; rescale the file to [0, 1] or convert it to an 8- or '
            '16-bit PNG')
    return img


def to_uint8(img: np.ndarray, filename: str = '<array>') -> np.ndarray:
    """Bring a decoded image to uint8.

    16-bit data (uint16, or Pillow's 32-bit integer mode holding 16-bit
    values) is scaled by 255 / 65535 with rounding (``x / 257``), so full
    scale maps to full scale; OpenCV's own 8-bit conversion truncates
    (``x >> 8``) instead. Floating-point data in [0, 1] (float TIFFs) is
    scaled by 255 with rounding.

    Args:
        img: Decoded image, any integer dtype.
        filename: Named in the error.

    Returns:
        np.ndarray: uint8 image of the same shape.

    Raises:
        ImageLoadError: > 16-bit integers, or floats outside [0, 1].
    """
    if img.dtype == np.uint8:
        return img
    if np.issubdtype(img.dtype, np.floating):
        unit = unit_float_pixels(img, filename)
        return np.rint(unit * 255.0).astype(np.uint8)
    if np.issubdtype(img.dtype, np.integer) and (
            img.dtype == np.uint16 or img.size == 0 or
        (img.min() >= 0 and img.max() <= 65535)):
        return np.rint(img.astype(np.float64) / 257.0).astype(np.uint8)
    raise ImageLoadError(
        f'{filename}: unsupported pixel type {img.dtype} (value range '
        f'{img.min()}..{img.max()}); LoadImageStrict reads 8- and 16-bit '
        'integer and [0, 1] float images; convert the file to 8- or 16-bit '
        'PNG')


@TRANSFORMS.register_module()
class LoadImageStrict(LoadImageFromFile):
    """MMagic's ``LoadImageFromFile`` with clear errors and normalised images.

    Differences from ``LoadImageFromFile``:

    * a missing file raises :class:`ImageNotFoundError` (also a
      ``FileNotFoundError``); an empty, truncated or corrupt file raises
      :class:`ImageLoadError`; both name the file and the data key, instead
      of failing later on ``None``;
    * every image is uint8: 16-bit images are scaled to the 8-bit range by
      ``round(x / 257)``, float images in [0, 1] by ``round(255 x)`` (see
      :func:`to_uint8`); with the default cv2
      backend this holds for grey and colour 16-bit files (Pillow itself
      reduces 16-bit RGB PNGs to 8 bits while decoding);
    * ``color_type='color'`` (default) always gives ``(H, W, 3)`` in
      ``channel_order``: grey images are repeated to 3 channels, the alpha
      channel of RGBA / grey+alpha images is dropped (not composited);
      ``color_type='grayscale'`` gives ``(H, W, 1)``.
      ``color_type='unchanged'`` is refused (use ``LoadImageFromFile`` to
      keep raw data).

    Args:
        key: Results key; the path is read from ``results[f'{key}_path']``.
        color_type: ``'color'`` or ``'grayscale'``. Defaults to ``'color'``.
        channel_order: ``'bgr'`` or ``'rgb'``. Defaults to ``'bgr'``.
        imdecode_backend: ``None`` / ``'cv2'`` (default), ``'pillow'`` or
            ``'tifffile'``.
        same_size_as: key of an image loaded before (e.g. ``'img'`` when
            loading ``'gt'``) whose height and width this one must have; a
            mismatch raises :class:`ImageLoadError` naming both files (instead
            of a crop's or a metric's assertion later). Leave None when the
            pipeline resizes both images. Defaults to None.
        **kwargs: Other ``LoadImageFromFile`` arguments (``use_cache``,
            ``to_float32``, ``to_y_channel``, ``save_original_img``,
            ``backend_args``).

    Example:
        >>> pipeline = [
        ...     dict(type='LoadImageStrict', key='img', channel_order='rgb'),
        ...     dict(type='LoadImageStrict', key='gt', channel_order='rgb'),
        ...     dict(type='PackInputs')]
    """

    def __init__(self,
                 key: str,
                 color_type: str = 'color',
                 channel_order: str = 'bgr',
                 imdecode_backend: Optional[str] = None,
                 same_size_as: Optional[str] = None,
                 **kwargs) -> None:
        if color_type not in ('color', 'grayscale'):
            raise ValueError(
                f"LoadImageStrict: color_type must be 'color' or "
                f"'grayscale', got {color_type!r}; use LoadImageFromFile "
                'to keep images unchanged')
        if channel_order.lower() not in ('bgr', 'rgb'):
            raise ValueError("LoadImageStrict: channel_order must be 'bgr' or "
                             f"'rgb', got {channel_order!r}")
        if imdecode_backend not in (None, 'cv2', 'pillow', 'tifffile'):
            raise ValueError(
                'LoadImageStrict: imdecode_backend must be None, cv2, pillow '
                f'or tifffile, got {imdecode_backend!r}')
        self.same_size_as = same_size_as
        super().__init__(
            key=key,
            color_type=color_type,
            channel_order=channel_order.lower(),
            imdecode_backend=imdecode_backend,
            **kwargs)

    def transform(self, results: dict) -> dict:
        results = super().transform(results)
        other = self.same_size_as
        if other is not None and other in results:
            mine, theirs = results[self.key].shape[:2], results[other].shape[:2]
            if mine != theirs:
                raise ImageLoadError(
                    f"{results[f'{self.key}_path']} ('{self.key}', "
                    f'{mine[1]}x{mine[0]}) and {results[f"{other}_path"]} '
                    f"('{other}', {theirs[1]}x{theirs[0]}) differ in size: "
                    'paired images must have one size. Fix or remove this '
                    'pair, or resize both in the pipeline (e.g. ChaosResize) '
                    'and drop same_size_as.')
        return results

    def _read_bytes(self, uri: str, filename: str) -> bytes:
        """Fetch the raw bytes through the file backend (and the cache)."""
        if self.file_backend is None:
            self.file_backend = get_file_backend(
                uri=uri, backend_args=self.backend_args)
        if uri in self.cache:
            return self.cache[uri]
        try:
            content = self.file_backend.get(uri)
        except FileNotFoundError as err:
            raise ImageNotFoundError(
                f"{filename}: image file not found (data key '{self.key}'); "
                'check data_root / data_prefix or restore the file') from err
        except OSError as err:  # a folder, no permission, ...
            raise ImageLoadError(
                f'{filename}: cannot read ({type(err).__name__}: {err}) '
                f"(data key '{self.key}')") from err
        if self.use_cache:
            self.cache[uri] = content
        return content

    def _decode(self, content: bytes, filename: str) -> np.ndarray:
        """Decode to uint8 in native order: (H, W) grey or (H, W, 3) BGR."""
        if len(content) == 0:
            raise ImageLoadError(
                f"{filename}: file is empty (0 bytes) (data key "
                f"'{self.key}'); re-copy or re-generate it")
        backend = self.imdecode_backend or 'cv2'
        try:
            if backend == 'cv2':
                img = cv2.imdecode(np.frombuffer(content, np.uint8), _CV2_ANY)
            else:  # 'unchanged' decoding gives BGR(A) in mmcv's pillow path
                img = mmcv.imfrombytes(
                    content, flag='unchanged', backend=backend)
                if backend == 'tifffile' and img.ndim == 3 and \
                        img.shape[2] >= 3:
                    img = img[..., [2, 1, 0] + list(range(3, img.shape[2]))]
        except Exception as err:  # decoder-specific error types
            raise ImageLoadError(
                f'{filename}: cannot decode image ({type(err).__name__}: '
                f"{err}) (data key '{self.key}'); the file is corrupt, "
                'truncated or not an image') from err
        if img is None or img.size == 0:
            raise ImageLoadError(
                f'{filename}: cannot decode image (data key '
                f"'{self.key}', {len(content)} bytes); the file is corrupt, "
                'truncated or not an image')
        img = to_uint8(np.asarray(img), filename)
        if img.ndim == 3 and img.shape[2] in (2, 4):  # drop alpha
            img = img[..., :1] if img.shape[2] == 2 else img[..., :3]
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[..., 0]
        if img.ndim != 2 and not (img.ndim == 3 and img.shape[2] == 3):
            raise ImageLoadError(
                f'{filename}: unsupported image shape {img.shape} '
                f"(data key '{self.key}'); expected grey, RGB or RGBA")
        return np.ascontiguousarray(img)

    def _load_image(self, filename: str) -> np.ndarray:
        """Read and decode one file.

        Args:
            filename: Image path.

        Returns:
            np.ndarray: uint8, ``(H, W, 3)`` in ``channel_order`` for
            ``color_type='color'``, ``(H, W)`` for ``'grayscale'``
            (``_convert`` adds the channel axis).
        """
        uri = filename
        if (self.backend_args or {}).get('backend') == 'lmdb':
            uri = osp.splitext(osp.basename(filename))[0]  # lmdb keys
        img = self._decode(self._read_bytes(uri, filename), filename)
        if self.color_type == 'grayscale':
            return img if img.ndim == 2 else cv2.cvtColor(
                img, cv2.COLOR_BGR2GRAY)
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        if self.channel_order == 'rgb':
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        return img

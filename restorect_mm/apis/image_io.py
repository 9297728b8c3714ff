"""Reading and writing the images that ``tools/restore.py`` restores.

Reading: 8- and 16-bit PNG, JPEG, TIFF (and anything else Pillow/OpenCV
decode), grey, RGB or with alpha, EXIF orientation applied with Pillow's
``ImageOps.exif_transpose`` so the restored image is upright. Pillow reduces
16-bit colour PNG/TIFF to 8 bits, so those are decoded with OpenCV (which
keeps 16 bits) and oriented the same way.

Writing: the input's format and bit depth (8-bit in, 8-bit out; 16-bit PNG
or TIFF in, 16-bit out), values rounded to the nearest level, the input's
alpha channel re-attached where the format holds one. Grey inputs are
restored as RGB (the models restore colour) and written as RGB.
"""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np
from PIL import Image, ImageOps

from restorect_mm.datasets.transforms.load_image_strict import \
    unit_float_pixels
from restorect_mm.engine.atomic_local_backend import write_atomically

# 0x0112 is the EXIF Orientation tag
EXIF_ORIENTATION = 0x0112
ALPHA_FORMATS = ('.png', '.tif', '.tiff', '.webp')
SIXTEEN_BIT_FORMATS = ('.png', '.tif', '.tiff')
JPEG_QUALITY = 95


class ImageReadError(ValueError):
    """A file cannot be read as an image; the message names file and fix."""


@dataclass
class ImageFileInfo:
    """What is needed to write a restored image like its input.

    Attributes:
        path (str): the input file.
        bit_depth (int): 8 or 16.
        alpha (np.ndarray, optional): the input's alpha (H, W), same dtype
            as the pixels, oriented like the image.
    """
    path: str
    bit_depth: int
    alpha: Optional[np.ndarray] = None


def _decode_with_opencv_oriented(path: str, orientation: int) -> np.ndarray:
    """16-bit colour through OpenCV, oriented through Pillow per channel."""
    data = np.fromfile(path, np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)  # BGR(A), no EXIF applied
    if img is None:
        raise ImageReadError(f'{path}: OpenCV cannot decode this 16-bit '
                             'image; re-save it as a 16-bit PNG')
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, 2)
    img = img[..., [2, 1, 0, 3][:img.shape[2]]]
    if orientation in (None, 1):
        return img
    channels = []
    for c in range(img.shape[2]):
        plane = Image.fromarray(np.ascontiguousarray(img[..., c]))
        plane.getexif()[EXIF_ORIENTATION] = orientation
        channels.append(np.asarray(ImageOps.exif_transpose(plane)))
    return np.stack(channels, axis=-1)


def _to_uint16(pixels: np.ndarray, path: str) -> np.ndarray:
    if pixels.min() < 0 or pixels.max() > 65535:
        raise ImageReadError(
            f'{path}: pixel values {pixels.min()}..{pixels.max()} do not fit '
            '16 bits; convert the file to an 8- or 16-bit PNG')
    return pixels.astype(np.uint16)


def _read_float_with_opencv(path: str):
    """A floating-point colour TIFF, which Pillow cannot open, as
    :func:`read_image` returns it (results are written with 16 bits), or None
    when OpenCV does not decode it to floats either."""
    img = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None or not np.issubdtype(img.dtype, np.floating):
        return None
    if img.ndim == 2:
        img = img[..., None]
    rgb = img[..., [2, 1, 0]] if img.shape[2] >= 3 else np.repeat(
        img[..., :1], 3, 2)
    alpha = img[..., 3] if img.shape[2] == 4 else None
    rgb = unit_float_pixels(rgb, path, ImageReadError)
    if alpha is not None:  # written back as 16-bit alpha
        alpha = np.rint(unit_float_pixels(alpha, path, ImageReadError) *
                        65535.0).astype(np.uint16)
    return np.ascontiguousarray(rgb), ImageFileInfo(
        path=path, bit_depth=16, alpha=alpha)


def read_image(path: str):
    """Read an image upright, as RGB in [0, 1].

    Args:
        path (str): image file.

    Returns:
        tuple[np.ndarray, ImageFileInfo]: float32 RGB (H, W, 3) in [0, 1],
        and what :func:`write_image` needs to write the result like the
        input.

    Raises:
        ImageReadError: missing, empty, corrupt or otherwise unreadable file,
            or floating-point pixels outside [0, 1].
    """
    if not osp.isfile(path):
        raise ImageReadError(f'{path}: no such file; check the path or glob')
    if osp.getsize(path) == 0:
        raise ImageReadError(f'{path}: the file is empty (0 bytes); re-copy '
                             'or re-export it')
    try:
        with Image.open(path) as opened:
            opened.load()
            orientation = opened.getexif().get(EXIF_ORIENTATION)
            img = ImageOps.exif_transpose(opened)
    except Exception as exc:  # Pillow raises many types for bad files
        floating = _read_float_with_opencv(path)  # Pillow has no float RGB
        if floating is not None:
            return floating
        raise ImageReadError(
            f'{path}: cannot decode the image ({type(exc).__name__}: {exc}); '
            'the file is corrupt, truncated or not an image') from exc

    mode = img.mode
    if mode in ('I;16', 'I;16B', 'I;16L', 'I'):
        grey = _to_uint16(np.asarray(img), path)
        pixels, alpha, depth = np.repeat(grey[..., None], 3, 2), None, 16
    elif mode == 'F':
        grey = unit_float_pixels(np.asarray(img), path, ImageReadError)
        return (np.ascontiguousarray(np.repeat(grey[..., None], 3, 2)),
                ImageFileInfo(path=path, bit_depth=16))
    elif mode in ('RGB', 'RGBA', 'L', 'LA', 'P', 'PA', '1', 'CMYK',
                  'YCbCr') and not _is_16bit_colour(path, mode):
        alpha = None
        if 'A' in mode or (mode == 'P' and 'transparency' in img.info):
            img = img.convert('RGBA')
            alpha = np.asarray(img)[..., 3].copy()
        pixels, depth = np.asarray(img.convert('RGB')), 8
    else:
        pixels = _decode_with_opencv_oriented(path, orientation)
        if pixels.dtype != np.uint16:
            pixels = _to_uint16(pixels, path)
        alpha = pixels[..., 3].copy() if pixels.shape[2] == 4 else None
        pixels, depth = pixels[..., :3], 16
    scale = 255.0 if depth == 8 else 65535.0
    rgb = np.ascontiguousarray(pixels, dtype=np.float32) / scale
    return rgb, ImageFileInfo(path=path, bit_depth=depth, alpha=alpha)


def _is_16bit_colour(path: str, mode: str) -> bool:
    """Pillow silently reduces 16-bit colour PNG/TIFF to 8 bits; OpenCV
    tells (only files with a 16-bit-capable extension are probed)."""
    if mode not in ('RGB', 'RGBA') or not path.lower().endswith(
            SIXTEEN_BIT_FORMATS):
        return False
    img = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)
    return img is not None and img.dtype == np.uint16


def quantize(rgb: np.ndarray, bit_depth: int) -> np.ndarray:
    """[0, 1] floats to integers by rounding (unbiased, unlike truncation).

    Args:
        rgb (np.ndarray): (H, W, C) floats, clipped to [0, 1] here.
        bit_depth (int): 8 or 16.

    Returns:
        np.ndarray: uint8 or uint16 (H, W, C).
    """
    top, dtype = (255, np.uint8) if bit_depth == 8 else (65535, np.uint16)
    return np.rint(np.clip(rgb, 0.0, 1.0) * top).astype(dtype)


def write_image(path: str, rgb: np.ndarray, info: ImageFileInfo) -> str:
    """Write a restored image in the input's format and bit depth.

    Args:
        path (str): output file; its extension picks the format.
        rgb (np.ndarray): float RGB (H, W, 3) in [0, 1].
        info (ImageFileInfo): from :func:`read_image` of the input.

    Returns:
        str: ``path``.
    """
    ext = osp.splitext(path)[1].lower()
    depth = info.bit_depth if ext in SIXTEEN_BIT_FORMATS else 8
    pixels = quantize(rgb, depth)
    bgr = pixels[..., ::-1]
    if info.alpha is not None and ext in ALPHA_FORMATS:
        alpha = info.alpha
        if depth != info.bit_depth:  # 16-bit alpha into an 8-bit format
            alpha = quantize(alpha / 65535.0, 8)
        bgr = np.concatenate([bgr, alpha[..., None].astype(bgr.dtype)], 2)
    params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if ext in (
        '.jpg', '.jpeg') else []
    ok, encoded = cv2.imencode(ext, np.ascontiguousarray(bgr), params)
    if not ok:
        raise OSError(f'{path}: OpenCV cannot encode {ext} images; choose '
                      'another output extension')
    write_atomically(path, encoded.tobytes())
    return path

"""The preprocessing of RestoRect's reported PSNR / SSIM (the "paper
protocol" of arXiv 2509.23480, as the reference evaluation script
``RestoRect/evals/evaluation.py`` computes them with its function defaults).

Numbers computed this way are NOT comparable with standard restoration
tables (full resolution, RGB, no crop, no ground-truth statistics), because:

* both images are resized to 256 x 256 first (fine detail is averaged away);
* the prediction is moved 10 % of the way toward the ground truth's
  per-channel mean and standard deviation (it sees the answer);
* the score is on a luma channel whose R and B weights are swapped (the
  reference handed RGB arrays to BasicSR's BGR-only Y conversion);
* a 5-pixel border is cropped.

Steps, each a function here, applied by :func:`apply_paper_protocol`:

1. :func:`truncate_to_uint8` - a network output (float 0..255) becomes the
   8-bit file the reference read back (saved by truncation);
2. :func:`resize_like_reference` - bilinear 256 x 256 through float [0, 1],
   re-quantised by truncation;
3. :func:`correct_mean_variance` - the 10 % mean / variance correction;
4. :func:`y_channel_order` - the channel order to hand MMagic's Y conversion
   so that it reproduces (or avoids) the R/B swap. The 5-px crop is MMagic's
   own ``crop_border``.

The other reported metrics reuse these steps: LPIPS and NIQE score the
prediction after steps 1-3 (NIQE on :func:`y_channel`, the luma with the
same swap), FID the prediction after steps 1-2 only
(:func:`to_protocol_size`, no correction).
"""
from typing import Tuple

import cv2
import mmcv
import numpy as np

PROTOCOL_SIZE = 256
PROTOCOL_CORRECTION = 0.1
PROTOCOL_CROP_BORDER = 5
# below this spread a channel is left alone (as the reference does): the
# rescale sigma'/sigma would blow up
MIN_STD = 1e-8


def truncate_to_uint8(img: np.ndarray) -> np.ndarray:
    """Clip to [0, 255] and cast to uint8, dropping the fraction.

    Args:
        img (np.ndarray): Any shape, values nominally in 0..255.

    Returns:
        np.ndarray: Same shape, uint8.
    """
    return np.clip(np.asarray(img, dtype=np.float64), 0, 255).astype(np.uint8)


def resize_like_reference(img: np.ndarray,
                          size: int = PROTOCOL_SIZE) -> np.ndarray:
    """Resize to ``size`` x ``size`` as the reference does: uint8 / 255 to
    float32, OpenCV bilinear, x 255, truncation back to uint8.

    Args:
        img (np.ndarray): (H, W, C) uint8.
        size (int): Output side. Default: 256.

    Returns:
        np.ndarray: (size, size, C) uint8.
    """
    as_float = img.astype(np.float32) / 255.0
    resized = cv2.resize(as_float, (size, size),
                         interpolation=cv2.INTER_LINEAR)
    if resized.ndim == 2:  # OpenCV drops a single channel axis
        resized = resized[..., None]
    # bilinear weights are convex, so values stay in [0, 1]: no clip needed
    # before the (truncating) cast, as in the reference
    return (resized * 255).astype(np.uint8)


def to_protocol_size(img: np.ndarray, size: int = PROTOCOL_SIZE) -> np.ndarray:
    """Steps 1-2 on one image: :func:`truncate_to_uint8`, then
    :func:`resize_like_reference` (the uncorrected images the reference's FID
    saw).

    Args:
        img (np.ndarray): (H, W, C) image, 0..255, any dtype.
        size (int): Output side. Default: 256.

    Returns:
        np.ndarray: (size, size, C) uint8.
    """
    return resize_like_reference(truncate_to_uint8(img), size)


def correct_mean_variance(pred: np.ndarray,
                          gt: np.ndarray,
                          strength: float = PROTOCOL_CORRECTION
                          ) -> np.ndarray:
    """Move each channel of ``pred`` part of the way toward ``gt``'s
    statistics: with mu / sigma the channel mean / population std,

        mu' = mu_p + s (mu_g - mu_p),  sigma' = sigma_p + s (sigma_g - sigma_p)
        p <- (p - mu_p) sigma' / sigma_p + mu'

    then clip to [0, 255] and truncate to uint8. A channel with
    sigma_p or sigma_g below 1e-8 is left unchanged. ``strength=0`` only
    re-quantises.

    Args:
        pred (np.ndarray): (H, W, C) prediction, uint8 or float 0..255.
        gt (np.ndarray): (H, W, C) ground truth, same shape.
        strength (float): s; 0.1 in the paper protocol.

    Returns:
        np.ndarray: (H, W, C) uint8.
    """
    if pred.shape != gt.shape:
        raise ValueError(f'shapes differ: pred {pred.shape}, gt {gt.shape}')
    # float32 as the reference, so its statistics are reproduced bit-wise
    corrected = pred.astype(np.float32)
    target = gt.astype(np.float32)
    for c in range(corrected.shape[2]):
        mean_p, std_p = corrected[..., c].mean(), corrected[..., c].std()
        mean_g, std_g = target[..., c].mean(), target[..., c].std()
        if std_p < MIN_STD or std_g < MIN_STD:
            continue
        new_mean = mean_p + strength * (mean_g - mean_p)
        new_std = std_p + strength * (std_g - std_p)
        corrected[..., c] = (corrected[..., c] - mean_p) * (new_std /
                                                            std_p) + new_mean
    return truncate_to_uint8(corrected)


def y_channel_order(image_order: str, swap_rb: bool) -> str:
    """Channel order to declare to MMagic's Y conversion (``img_transform``'s
    ``channel_order``) for images stored in ``image_order``.

    The reference held RGB arrays and converted them with BasicSR's
    ``bgr2ycbcr``: R got B's weight (24.966) and B got R's (65.481). Declaring
    the opposite of the true order reproduces exactly that; declaring the
    true order gives the standard ITU-R BT.601 luma.

    Args:
        image_order (str): 'RGB' or 'BGR', the true order of the arrays
            (MMagic's edit models give BGR to metrics).
        swap_rb (bool): True reproduces the reference's swap.

    Returns:
        str: 'RGB' or 'BGR'.
    """
    image_order = image_order.upper()
    if image_order not in ('RGB', 'BGR'):
        raise ValueError(f'image_order must be RGB or BGR, got {image_order}')
    if not swap_rb:
        return image_order
    return 'BGR' if image_order == 'RGB' else 'RGB'


def y_channel(img: np.ndarray, image_order: str,
              swap_rb: bool = True) -> np.ndarray:
    """Luma as MMagic's / BasicSR's Y conversion computes it (float32
    0..1 -> ITU-R BT.601 Y -> x 255, not rounded), optionally with the
    reference's swapped R/B weights (see :func:`y_channel_order`).

    Args:
        img (np.ndarray): (H, W, 3) image in ``image_order``, 0..255; a
            (H, W) or (H, W, 1) image is returned as it is (as float32).
        image_order (str): 'RGB' or 'BGR', the true order of ``img``.
        swap_rb (bool): True (default) reproduces the reference's swap.

    Returns:
        np.ndarray: (H, W) float32 luma in [16, 235].
    """
    img = np.asarray(img).astype(np.float32)
    if img.ndim == 2 or img.shape[2] == 1:
        return img.reshape(img.shape[:2])
    order = y_channel_order(image_order, swap_rb)
    convert = mmcv.rgb2ycbcr if order == 'RGB' else mmcv.bgr2ycbcr
    return convert(img / 255., y_only=True) * 255.


def apply_paper_protocol(gt: np.ndarray,
                         pred: np.ndarray,
                         size: int = PROTOCOL_SIZE,
                         correction: float = PROTOCOL_CORRECTION
                         ) -> Tuple[np.ndarray, np.ndarray]:
    """Steps 1-3 of the protocol on one pair (the Y conversion and the crop
    are left to MMagic's PSNR / SSIM, see the module docstring).

    Args:
        gt (np.ndarray): (H, W, C) ground truth, 0..255.
        pred (np.ndarray): (H', W', C) prediction, 0..255 (any size: both
            are resized).
        size (int): Side of the square both are resized to. Default: 256.
        correction (float): Mean / variance correction strength. Default:
            0.1.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(gt, pred)``, each
        (size, size, C) uint8.
    """
    gt_u8 = to_protocol_size(gt, size)
    pred_u8 = to_protocol_size(pred, size)
    return gt_u8, correct_mean_variance(pred_u8, gt_u8, correction)

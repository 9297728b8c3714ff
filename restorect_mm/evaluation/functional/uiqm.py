"""UIQM, the underwater image quality measure of Panetta, Gao & Agaian,
"Human-Visual-System-Inspired Underwater Image Quality Measures", IEEE J.
Oceanic Engineering 2016:

    UIQM = 0.0282 UICM + 0.2953 UISM + 3.5753 UIConM

on an RGB image in 0..255 (float), with the terms as the paper defines them
and the widely used Python reference (which RestoRect's script copies)
computes them:

* UICM (colourfulness) on the opponent channels RG = R - G and
  YB = (R + G) / 2 - B:
  ``-0.0268 sqrt(mu_RG^2 + mu_YB^2) + 0.1586 sqrt(s_RG^2 + s_YB^2)``,
  mu the asymmetric alpha-trimmed mean (alpha_L = alpha_R = 0.1: drop the
  ceil(0.1 K) smallest and floor(0.1 K) largest of K sorted values, average
  the rest; the reference's slice drops one more low value but still divides
  by K - T_L - T_R, a small off-by-one not reproduced here) and s^2 the
  mean squared deviation from mu over all K values.
* UISM (sharpness): per channel, the Sobel gradient magnitude (SciPy
  ``ndimage.sobel``, reflect border) rescaled to a maximum of 255, times the
  channel itself (the "grayscale edge map"), scored with EME on
  non-overlapping ``block`` x ``block`` blocks (partial blocks at the
  right / bottom dropped): ``EME = 2 / (k1 k2) sum log(max / min)``, blocks
  with a zero max or min contributing 0. Weighted ``lambda_R = 0.299,
  lambda_G = 0.587, lambda_B = 0.114``. The reference (and RestoRect's
  reported numbers) use lambda_B = 0.144, a typo for the BT.601 weight; see
  ``blue_weight`` of :func:`uism`.
* UIConM (contrast): logAMEE on the same blocks, each block spanning all
  three channels: ``-1 / (k1 k2) sum (t / s) log(t / s)`` with
  t = max - min, s = max + min (blocks with t or s zero contribute 0). As in
  the reference, plain arithmetic replaces the paper's PLIP operators.
  Note that -(t/s) log(t/s) peaks at t/s = 1/e: blocks spanning nearly the
  full range score low, so UIQM does not grow monotonically with contrast.
"""
import math

import numpy as np
from scipy import ndimage

UIQM_WEIGHTS = (0.0282, 0.2953, 3.5753)
UICM_WEIGHTS = (-0.0268, 0.1586)
CHANNEL_WEIGHTS = (0.299, 0.587, 0.114)
REFERENCE_TYPO_BLUE_WEIGHT = 0.144
DEFAULT_BLOCK = 10


def alpha_trimmed_mean(values: np.ndarray,
                       alpha_low: float = 0.1,
                       alpha_high: float = 0.1) -> float:
    """Asymmetric alpha-trimmed mean.

    Args:
        values (np.ndarray): Any shape; flattened.
        alpha_low (float): Fraction dropped from the bottom (rounded up).
        alpha_high (float): Fraction dropped from the top (rounded down).

    Returns:
        float: Mean of the kept sorted values.
    """
    ordered = np.sort(np.asarray(values, dtype=np.float64).ravel())
    k = ordered.size
    drop_low = math.ceil(alpha_low * k)
    drop_high = math.floor(alpha_high * k)
    return float(ordered[drop_low:k - drop_high].mean())


def uicm(rgb: np.ndarray) -> float:
    """Colourfulness (UICM).

    Args:
        rgb (np.ndarray): (H, W, 3) RGB float, 0..255.

    Returns:
        float: UICM.
    """
    r, g, b = (rgb[..., i].astype(np.float64).ravel() for i in range(3))
    rg = r - g
    yb = (r + g) / 2.0 - b
    mu_rg, mu_yb = alpha_trimmed_mean(rg), alpha_trimmed_mean(yb)
    var_rg = np.mean((rg - mu_rg)**2)
    var_yb = np.mean((yb - mu_yb)**2)
    w_mean, w_spread = UICM_WEIGHTS
    return float(w_mean * math.hypot(mu_rg, mu_yb) +
                 w_spread * math.sqrt(var_rg + var_yb))


def _blocks(img: np.ndarray, block: int) -> np.ndarray:
    """Non-overlapping blocks: (H, W[, C]) -> (k2, k1, block, block[, C]),
    partial blocks at the right / bottom dropped."""
    k2, k1 = img.shape[0] // block, img.shape[1] // block
    if k1 == 0 or k2 == 0:
        raise ValueError(f'image {img.shape[:2]} is smaller than one '
                         f'{block} x {block} block')
    cropped = img[:k2 * block, :k1 * block]
    tiles = cropped.reshape(k2, block, k1, block, *img.shape[2:])
    return np.swapaxes(tiles, 1, 2)


def sobel_magnitude(channel: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude rescaled to a maximum of 255 (all zeros for
    a flat channel).

    Args:
        channel (np.ndarray): (H, W) float.

    Returns:
        np.ndarray: (H, W) float64.
    """
    channel = channel.astype(np.float64)
    magnitude = np.hypot(ndimage.sobel(channel, 0), ndimage.sobel(channel, 1))
    peak = magnitude.max()
    return magnitude * (255.0 / peak) if peak > 0 else magnitude


def eme(img: np.ndarray, block: int = DEFAULT_BLOCK) -> float:
    """Measure of enhancement, ``2 / (k1 k2) sum log(max / min)``.

    Args:
        img (np.ndarray): (H, W) non-negative float.
        block (int): Block side. Default: 10.

    Returns:
        float: EME.
    """
    tiles = _blocks(img, block)
    high = tiles.max(axis=(2, 3))
    low = tiles.min(axis=(2, 3))
    valid = (high > 0) & (low > 0)
    ratio = np.log(high[valid] / low[valid])
    return float(2.0 / high.size * ratio.sum())


def uism(rgb: np.ndarray,
         block: int = DEFAULT_BLOCK,
         blue_weight: float = CHANNEL_WEIGHTS[2]) -> float:
    """Sharpness (UISM).

    Args:
        rgb (np.ndarray): (H, W, 3) RGB float, 0..255.
        block (int): EME block side. Default: 10.
        blue_weight (float): lambda_B; 0.114 (BT.601, default) or
            :data:`REFERENCE_TYPO_BLUE_WEIGHT` (0.144) to reproduce the
            reference.

    Returns:
        float: UISM.
    """
    weights = (CHANNEL_WEIGHTS[0], CHANNEL_WEIGHTS[1], blue_weight)
    total = 0.0
    for c, weight in enumerate(weights):
        channel = rgb[..., c].astype(np.float64)
        total += weight * eme(sobel_magnitude(channel) * channel, block)
    return float(total)


def logamee(img: np.ndarray, block: int = DEFAULT_BLOCK) -> float:
    """logAMEE with plain arithmetic,
    ``-1 / (k1 k2) sum (t / s) log(t / s)``, t = max - min, s = max + min.

    Args:
        img (np.ndarray): (H, W) or (H, W, C); a block spans all channels.
        block (int): Block side. Default: 10.

    Returns:
        float: logAMEE (>= 0).
    """
    tiles = _blocks(img.astype(np.float64), block)
    axes = tuple(range(2, tiles.ndim))
    high, low = tiles.max(axis=axes), tiles.min(axis=axes)
    spread, level = high - low, high + low
    valid = (spread > 0) & (level > 0)
    ratio = spread[valid] / level[valid]
    return float(-1.0 / high.size * np.sum(ratio * np.log(ratio)))


def uiconm(rgb: np.ndarray, block: int = DEFAULT_BLOCK) -> float:
    """Contrast (UIConM): logAMEE over the RGB blocks.

    Args:
        rgb (np.ndarray): (H, W, 3) RGB float, 0..255.
        block (int): Block side. Default: 10.

    Returns:
        float: UIConM.
    """
    return logamee(rgb, block)


def uiqm(rgb: np.ndarray,
         block: int = DEFAULT_BLOCK,
         blue_weight: float = CHANNEL_WEIGHTS[2]) -> float:
    """UIQM of one image (higher is better; ~2-3.5 for photos).

    Args:
        rgb (np.ndarray): (H, W, 3) RGB, uint8 or float 0..255; at least
            ``block`` pixels on each side.
        block (int): Block side of EME / logAMEE. Default: 10 (reference).
        blue_weight (float): lambda_B of UISM. Default: 0.114.

    Returns:
        float: UIQM.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f'UIQM needs an (H, W, 3) RGB image, got '
                         f'{rgb.shape}')
    rgb = np.asarray(rgb, dtype=np.float64)
    w_colour, w_sharp, w_contrast = UIQM_WEIGHTS
    return float(w_colour * uicm(rgb) +
                 w_sharp * uism(rgb, block, blue_weight) +
                 w_contrast * uiconm(rgb, block))

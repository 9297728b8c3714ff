"""The 36 natural-scene-statistics features of BRISQUE.

Mittal, Moorthy, Bovik, "No-Reference Image Quality Assessment in the
Spatial Domain", IEEE TIP 2012, following the LIVE reference
(``brisque_feature.m``). Written by hand: no maintained, light library
exposes the raw LIVE features (piq/pyiqa bundle their own SVR weights and
need torch-side model downloads; pybrisque needs the compiled libsvm).

Per scale (full size, then 2x downsampled), 18 features:

* GGD fit of the MSCN coefficients: shape, variance;
* AGGD fit of the products of each MSCN coefficient with its horizontal,
  vertical, main-diagonal and anti-diagonal neighbour: shape, mean,
  left variance, right variance (4 x 4).
"""
import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import correlate
from scipy.special import gamma as gamma_fn

# Shapes searched by the moment-matching fits: the reference's grid.
_SHAPE_GRID = np.arange(0.2, 10.0 + 1e-3, 1e-3)
# GGD: E[x^2] / E[|x|]^2 as a function of the shape.
_GGD_RATIO = (gamma_fn(1 / _SHAPE_GRID) * gamma_fn(3 / _SHAPE_GRID) /
              gamma_fn(2 / _SHAPE_GRID)**2)
# AGGD: the inverse ratio, matched against the skew-corrected estimate.
_AGGD_RATIO = 1.0 / _GGD_RATIO

# (row, column) circular shifts giving the H, V, D1 and D2 neighbours, as
# MATLAB's circshift in the reference.
_NEIGHBOUR_SHIFTS = ((0, 1), (1, 0), (1, 1), (-1, 1))


def gaussian_window(size: int = 7, sigma: float = 7 / 6) -> np.ndarray:
    """Normalised 2-D Gaussian, as MATLAB's ``fspecial('gaussian')``.

    Returns:
        np.ndarray: (size, size), sums to 1.
    """
    offsets = np.arange(size) - (size - 1) / 2
    window = np.exp(-(offsets[:, None]**2 + offsets[None, :]**2) /
                    (2 * sigma**2))
    return window / window.sum()


def mscn_coefficients(image: np.ndarray) -> np.ndarray:
    """Mean-subtracted contrast-normalised coefficients.

    ``(I - mu) / (sigma + 1)`` with local mean/std from the 7x7 Gaussian
    (sigma 7/6); zero padding like MATLAB's ``filter2(..., 'same')``.

    Args:
        image (np.ndarray): (H, W) grey image, 0..255, float64.

    Returns:
        np.ndarray: (H, W).
    """
    window = gaussian_window()
    mean = correlate(image, window, mode='constant')
    # abs: rounding can make the variance estimate slightly negative.
    std = np.sqrt(
        np.abs(correlate(image * image, window, mode='constant') - mean**2))
    return (image - mean) / (std + 1)


def fit_ggd(values: np.ndarray) -> tuple:
    """Zero-mean generalised Gaussian fit by moment matching.

    Args:
        values (np.ndarray): (N,) samples.

    Returns:
        tuple[float, float]: shape, variance.
    """
    second_moment = np.mean(values**2)
    ratio = second_moment / np.mean(np.abs(values))**2
    shape = _SHAPE_GRID[np.argmin(np.abs(ratio - _GGD_RATIO))]
    return float(shape), float(second_moment)


def fit_aggd(values: np.ndarray) -> tuple:
    """Asymmetric generalised Gaussian fit (Lasmar et al. 2009).

    Args:
        values (np.ndarray): (N,) samples.

    Returns:
        tuple[float, float, float, float]: shape, mean, left variance,
        right variance.
    """
    left_std = np.sqrt(np.mean(values[values < 0]**2))
    right_std = np.sqrt(np.mean(values[values > 0]**2))
    skew = left_std / right_std
    ratio = np.mean(np.abs(values))**2 / np.mean(values**2)
    ratio_normalised = (ratio * (skew**3 + 1) * (skew + 1) /
                        (skew**2 + 1)**2)
    shape = _SHAPE_GRID[np.argmin(np.abs(_AGGD_RATIO - ratio_normalised))]
    mean = ((right_std - left_std) * gamma_fn(2 / shape) /
            gamma_fn(1 / shape) *
            np.sqrt(gamma_fn(1 / shape) / gamma_fn(3 / shape)))
    return (float(shape), float(mean), float(left_std**2),
            float(right_std**2))


def downsample_half(image: np.ndarray) -> np.ndarray:
    """Half-size bicubic resize with antialiasing, close to MATLAB's
    ``imresize(I, 0.5)`` used by the reference.

    Args:
        image (np.ndarray): (H, W).

    Returns:
        np.ndarray: (ceil(H/2), ceil(W/2)).
    """
    tensor = torch.from_numpy(np.ascontiguousarray(image))[None, None]
    size = (int(np.ceil(image.shape[0] / 2)), int(np.ceil(image.shape[1] / 2)))
    resized = F.interpolate(
        tensor, size=size, mode='bicubic', align_corners=False,
        antialias=True)
    return resized[0, 0].numpy()


def brisque_features(image: np.ndarray) -> np.ndarray:
    """The 36 BRISQUE features of a grey image.

    Args:
        image (np.ndarray): (H, W) grey image, 0..255. At least ~16 px a
            side, so that both scales hold some signal.

    Returns:
        np.ndarray: (36,) float64, in the reference's order.
    """
    image = np.asarray(image, dtype=np.float64)
    features = []
    for _ in range(2):
        mscn = mscn_coefficients(image)
        features.extend(fit_ggd(mscn.ravel()))
        for shift in _NEIGHBOUR_SHIFTS:
            pair = mscn * np.roll(mscn, shift, axis=(0, 1))
            features.extend(fit_aggd(pair.ravel()))
        image = downsample_half(image)
    return np.asarray(features)

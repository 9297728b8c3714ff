"""Synthetic low-light degradation of a normal-light sRGB photo.

The model follows the physics of a dim capture, in this order:

1. decode sRGB to linear light (exposure acts on photons, not on display
   values),
2. exposure reduction: multiply by ``exposure`` (e.g. 0.05 = 4.3 stops darker),
3. colour cast: per-channel gains around 1 (white balance drifts in dim,
   mixed lighting); gains are normalised to mean 1 so the cast does not
   change brightness,
4. optional Gaussian blur (defocus / slight shake happen before the sensor),
5. signal-dependent Poisson-Gaussian sensor noise (photon shot noise with
   variance ``shot_noise * y`` plus read noise of std ``read_noise``),
6. encode back to sRGB, then a display gamma ``> 1`` that crushes shadows
   further (camera tone curves of underexposed shots),
7. 8-bit quantisation.

This module only needs numpy and OpenCV and imports nothing of restorect_mm,
so ``tools/dataset_converters/synthesize_lowlight.py`` can load it without
paying for the MMagic import.
"""
from dataclasses import dataclass, fields
from typing import Tuple, Union

import cv2
import numpy as np

Range = Tuple[float, float]


@dataclass(frozen=True)
class LowLightParams:
    """Ranges from which each image's degradation is drawn (uniformly).

    A range ``(a, a)`` fixes the value. Defaults give LOL-like captures: mean
    grey level of roughly 10-40 out of 255 for typical photos, visible
    chroma noise in the shadows.

    Attributes:
        exposure: Linear-light gain, in (0, 1].
        gamma: Extra display gamma applied after sRGB encoding, >= 1
            darkens mid-tones.
        color_cast: Maximum relative deviation of each channel gain from 1
            (0 disables the cast).
        shot_noise: Poisson scale ``a`` in linear units: a pixel of linear
            value ``y`` gets noise variance ``a * y``.
        read_noise: Std of the signal-independent Gaussian read noise,
            linear units.
        blur: Whether to blur at all.
        blur_sigma: Gaussian blur std in pixels, used when ``blur`` is True.
    """

    exposure: Range = (0.02, 0.15)
    gamma: Range = (1.0, 1.5)
    color_cast: float = 0.08
    shot_noise: Range = (2e-4, 2e-3)
    read_noise: Range = (5e-4, 3e-3)
    blur: bool = False
    blur_sigma: Range = (0.5, 1.5)

    def __post_init__(self):
        for name in ('exposure', 'gamma', 'shot_noise', 'read_noise',
                     'blur_sigma'):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f'LowLightParams.{name}: lower bound {low} '
                                 f'> upper bound {high}')
        if not 0 < self.exposure[0] <= self.exposure[1] <= 1:
            raise ValueError('LowLightParams.exposure must lie in (0, 1], '
                             f'got {self.exposure}')
        if self.gamma[0] <= 0:
            raise ValueError(f'LowLightParams.gamma must be > 0, '
                             f'got {self.gamma}')
        if not 0 <= self.color_cast < 1:
            raise ValueError('LowLightParams.color_cast must lie in [0, 1), '
                             f'got {self.color_cast}')
        if min(self.shot_noise + self.read_noise + self.blur_sigma) < 0:
            raise ValueError('LowLightParams noise levels and blur_sigma '
                             'must be >= 0')


def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    """Decode sRGB values in [0, 1] to linear light (IEC 61966-2-1)."""
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055)**2.4)


def linear_to_srgb(y: np.ndarray) -> np.ndarray:
    """Encode linear light in [0, 1] to sRGB values (IEC 61966-2-1)."""
    y = np.clip(y, 0.0, 1.0)
    return np.where(y <= 0.0031308, 12.92 * y,
                    1.055 * np.power(y, 1 / 2.4) - 0.055)


def add_poisson_gaussian_noise(linear: np.ndarray, rng: np.random.Generator,
                               shot_noise: float,
                               read_noise: float) -> np.ndarray:
    """Add signal-dependent sensor noise to a linear-light image.

    Photon counts are Poisson with mean ``y / shot_noise``, so after scaling
    back the noise variance is ``shot_noise * y`` (it grows with intensity);
    read noise adds a constant variance ``read_noise ** 2``.

    Args:
        linear: Linear-light image, float, any shape, values >= 0.
        rng: Random generator.
        shot_noise: Poisson scale (0 disables shot noise).
        read_noise: Gaussian read-noise std (0 disables it).

    Returns:
        np.ndarray: Noisy float64 image of the same shape (not clipped).
    """
    y = np.maximum(linear, 0.0).astype(np.float64)
    if shot_noise > 0:
        y = rng.poisson(y / shot_noise) * shot_noise
    if read_noise > 0:
        y = y + rng.normal(0.0, read_noise, size=y.shape)
    return y


def _uniform(rng: np.random.Generator, bounds: Range) -> float:
    low, high = bounds
    return float(low) if low == high else float(rng.uniform(low, high))


def degrade_lowlight(img: np.ndarray,
                     rng: Union[np.random.Generator, int, None] = None,
                     **params) -> np.ndarray:
    """Turn a normal-light RGB photo into a synthetic low-light capture.

    Args:
        img: ``(H, W, 3)`` uint8 image, RGB order (the model is symmetric in
            the channels, so BGR input simply gives a BGR result).
        rng: ``np.random.Generator`` (or an int seed). The same generator
            state and parameters give an identical result.
        **params: Overrides of :class:`LowLightParams` fields, e.g.
            ``exposure=(0.1, 0.1), blur=True``.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 degraded image.

    Raises:
        TypeError: Unknown parameter name.
        ValueError: Input is not an ``(H, W, 3)`` uint8 array, or a range is
            invalid.
    """
    known = {f.name for f in fields(LowLightParams)}
    unknown = sorted(set(params) - known)
    if unknown:
        raise TypeError(f'degrade_lowlight: unknown parameter(s) {unknown}; '
                        f'valid names: {sorted(known)}')
    cfg = LowLightParams(**params)
    img = np.asarray(img)
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        raise ValueError('degrade_lowlight expects an (H, W, 3) uint8 image, '
                         f'got shape {img.shape} dtype {img.dtype}')
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)

    # Draw all scalars first, in a fixed order, so results only depend on the
    # generator state (not on the image size).
    exposure = _uniform(rng, cfg.exposure)
    gamma = _uniform(rng, cfg.gamma)
    gains = 1.0 + rng.uniform(-cfg.color_cast, cfg.color_cast, size=3)
    gains = gains / gains.mean()
    shot = _uniform(rng, cfg.shot_noise)
    read = _uniform(rng, cfg.read_noise)
    sigma = _uniform(rng, cfg.blur_sigma) if cfg.blur else 0.0

    linear = srgb_to_linear(img.astype(np.float64) / 255.0)
    linear = linear * exposure * gains.reshape(1, 1, 3)
    if sigma > 0:
        linear = cv2.GaussianBlur(linear, (0, 0), sigmaX=sigma, sigmaY=sigma,
                                  borderType=cv2.BORDER_REFLECT_101)
    linear = add_poisson_gaussian_noise(linear, rng, shot, read)
    out = linear_to_srgb(linear)**gamma
    return np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)

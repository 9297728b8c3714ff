"""The synthetic low-light degradation: darker, seeded, signal-dependent."""
import numpy as np
import pytest

import restorect_mm  # noqa: F401
from restorect_mm.datasets.synthesis import (LowLightParams,
                                             add_poisson_gaussian_noise,
                                             degrade_lowlight, linear_to_srgb,
                                             srgb_to_linear)


def _photo(h=48, w=64, seed=3):
    """A smooth colourful test image with mid-to-bright values."""
    yy, xx = np.mgrid[0:h, 0:w]
    rng = np.random.default_rng(seed)
    img = np.stack([80 + 120 * xx / w, 60 + 150 * yy / h,
                    200 - 100 * xx / w], -1) + rng.normal(0, 5, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def test_output_is_uint8_same_shape_and_darker():
    img = _photo()
    for seed in range(5):
        out = degrade_lowlight(img, np.random.default_rng(seed))
        assert out.dtype == np.uint8 and out.shape == img.shape
        assert out.mean() < 0.6 * img.mean()
    # default exposure upper bound (0.15 linear) limits the brightest case
    assert degrade_lowlight(img, 0, exposure=(0.15, 0.15), gamma=(1, 1),
                            shot_noise=(0, 0), read_noise=(0, 0)).mean() \
        < 0.55 * img.mean()


def test_same_seed_same_bytes_different_seed_differs():
    img = _photo()
    a = degrade_lowlight(img, np.random.default_rng(7), blur=True)
    b = degrade_lowlight(img, np.random.default_rng(7), blur=True)
    c = degrade_lowlight(img, np.random.default_rng(8), blur=True)
    assert a.tobytes() == b.tobytes()
    assert not np.array_equal(a, c)


def test_noise_free_exposure_one_is_identity():
    img = _photo()
    out = degrade_lowlight(img, 0, exposure=(1, 1), gamma=(1, 1),
                           color_cast=0, shot_noise=(0, 0), read_noise=(0, 0))
    assert np.abs(out.astype(int) - img).max() <= 1  # sRGB round trip


def test_color_cast_changes_channel_ratios_not_brightness():
    grey = np.full((16, 16, 3), 180, np.uint8)
    kw = dict(exposure=(0.5, 0.5), gamma=(1, 1), shot_noise=(0, 0),
              read_noise=(0, 0))
    flat = degrade_lowlight(grey, 1, color_cast=0, **kw).astype(float)
    cast = degrade_lowlight(grey, 1, color_cast=0.3, **kw).astype(float)
    assert np.ptp(flat.mean((0, 1))) == 0
    assert np.ptp(cast.mean((0, 1))) > 5
    lin = srgb_to_linear(cast.mean((0, 1)) / 255).mean()
    assert lin == pytest.approx(srgb_to_linear(flat[0, 0, 0] / 255), rel=0.02)


def test_poisson_gaussian_variance_grows_with_signal():
    rng = np.random.default_rng(0)
    shot, read = 1e-3, 2e-3
    var = []
    for level in (0.01, 0.05, 0.2):
        noisy = add_poisson_gaussian_noise(
            np.full((200, 200), level), rng, shot, read)
        var.append(noisy.var())
        assert noisy.var() == pytest.approx(shot * level + read**2, rel=0.1)
    assert var[0] < var[1] < var[2]


def test_full_pipeline_noise_is_signal_dependent():
    # Flat patches, no darkening: in linear light the output variance of the
    # bright patch must exceed the dark one (shot noise), unlike pure
    # Gaussian noise whose variance would be the same.
    kw = dict(exposure=(1, 1), gamma=(1, 1), color_cast=0,
              shot_noise=(2e-3, 2e-3), read_noise=(1e-3, 1e-3))
    variances = []
    for value in (90, 160, 230):
        patch = np.full((128, 128, 3), value, np.uint8)
        out = degrade_lowlight(patch, np.random.default_rng(1), **kw)
        variances.append(srgb_to_linear(out / 255.0).var())
    assert variances[0] < variances[1] < variances[2]
    assert variances[2] > 2 * variances[0]


def test_blur_smooths():
    img = np.zeros((32, 32, 3), np.uint8)
    img[:, ::2] = 255  # stripes
    kw = dict(exposure=(1, 1), gamma=(1, 1), color_cast=0,
              shot_noise=(0, 0), read_noise=(0, 0))
    sharp = degrade_lowlight(img, 0, **kw)
    blurred = degrade_lowlight(img, 0, blur=True, **kw)
    assert np.ptp(blurred) < 0.5 * np.ptp(sharp)


def test_srgb_round_trip():
    x = np.linspace(0, 1, 101)
    np.testing.assert_allclose(linear_to_srgb(srgb_to_linear(x)), x,
                               atol=1e-12)


def test_invalid_parameters():
    img = _photo()
    with pytest.raises(TypeError, match='exposre'):
        degrade_lowlight(img, 0, exposre=(0.1, 0.2))
    with pytest.raises(ValueError, match='exposure'):
        LowLightParams(exposure=(0.0, 0.1))
    with pytest.raises(ValueError, match='lower bound'):
        LowLightParams(gamma=(2.0, 1.0))
    with pytest.raises(ValueError, match=r'\(H, W, 3\) uint8'):
        degrade_lowlight(img.astype(np.float32), 0)
    with pytest.raises(ValueError, match=r'\(H, W, 3\) uint8'):
        degrade_lowlight(img[..., 0], 0)

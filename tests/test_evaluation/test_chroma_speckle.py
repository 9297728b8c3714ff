"""chroma_speckle counts planted colour dots and nothing on smooth images."""
import numpy as np
import pytest

from restorect_mm.evaluation.functional import chroma_speckle


def smooth_image(size=32):
    """A smooth colour gradient, 8-bit RGB."""
    ramp = np.linspace(0, 1, size)
    image = np.stack([
        np.tile(ramp, (size, 1)),
        np.tile(ramp[:, None], (1, size)),
        np.full((size, size), 0.5)
    ], axis=2)
    return np.round(image * 255)


def test_smooth_image_has_no_speckle():
    assert chroma_speckle(smooth_image()) == 0.0


def test_grey_noise_is_not_chroma_speckle():
    # strong but colourless noise: the chroma is 0 everywhere
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (32, 32, 1)).repeat(3, axis=2)
    assert chroma_speckle(grey) == 0.0


def test_counts_planted_speckles():
    image = smooth_image()
    spots = [(5, 5), (5, 20), (12, 9), (20, 27), (27, 3)]
    for y, x in spots:
        image[y, x] = (255, 0, 0)  # a saturated red dot, chroma ~ +-0.33
    # each dot is one speckle; its neighbours keep the median of their
    # window (one outlier among nine), so they are not counted
    assert chroma_speckle(image) == pytest.approx(100 * 5 / 32**2)


def test_threshold_and_scale():
    image = smooth_image()
    image[10, 10] = (255, 0, 0)
    assert chroma_speckle(image, threshold=0.95) == 0.0
    assert chroma_speckle(image / 255, max_value=1.) == pytest.approx(
        100 / 32**2)


def test_rejects_grey_arrays():
    with pytest.raises(ValueError, match='H, W, 3'):
        chroma_speckle(np.zeros((8, 8)))

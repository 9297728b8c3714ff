"""The registered ChromaSpeckle metric on MMagic-style data samples (BGR
CHW tensors), against images whose speckle pixels are known by
construction (the function itself: test_chroma_speckle.py)."""
import json

import numpy as np
import pytest

from restorect_mm.registry import METRICS
from tests.test_evaluation.eval_sample_utils import make_sample, score


def grey_with_dots(colour, size=20, dots=((3, 4), (10, 10), (15, 6))):
    """A flat mid-grey (H, W, 3) RGB image with ``colour`` planted at
    ``dots`` (apart, off the border)."""
    img = np.full((size, size, 3), 128.0)
    for y, x in dots:
        img[y, x] = colour
    return img


def test_planted_dots_are_the_speckle_share():
    # red on grey: chroma (2/3, -1/3, -1/3) against a 3x3 median of 0, a
    # departure of 2/3 > 0.2 at each dot; every other pixel has chroma 0 and
    # median 0: 3 of 400 pixels -> 0.75 %
    metric = METRICS.build(dict(type='ChromaSpeckle'))
    result = score(metric, [make_sample(grey_with_dots((255, 0, 0)))])
    assert result == {'ChromaSpeckle': pytest.approx(100 * 3 / 400)}
    assert type(result['ChromaSpeckle']) is float
    json.dumps(result)


def test_threshold_by_hand_and_mean_over_images():
    # the dot (200, 100, 90) has mean 130 and chroma (70, -30, -40) / 255:
    # departure 70 / 255 = 0.2745
    dots = grey_with_dots((200, 100, 90))
    flat = np.full((20, 20, 3), 60.0)
    for threshold, share in ((0.27, 0.75), (0.28, 0.0)):
        metric = METRICS.build(dict(type='ChromaSpeckle',
                                    threshold=threshold))
        result = score(metric, [make_sample(dots), make_sample(flat)])
        assert result['ChromaSpeckle'] == pytest.approx(share / 2)
    with pytest.raises(ValueError, match='threshold'):
        METRICS.build(dict(type='ChromaSpeckle', threshold=20))


def test_white_dots_and_smooth_colour_are_not_speckle():
    yy, xx = np.mgrid[0:32, 0:32] / 31.0
    smooth = np.stack([255 * xx, 255 * yy, 255 * (1 - xx) * yy], axis=2)
    white = grey_with_dots((255, 255, 255))  # brightness, no colour
    metric = METRICS.build(dict(type='ChromaSpeckle'))
    result = score(metric, [make_sample(smooth), make_sample(white)])
    assert result['ChromaSpeckle'] == 0.0


def test_scores_the_ground_truth_when_asked():
    metric = METRICS.build(
        dict(type='ChromaSpeckle', key='gt_img', is_predicted=False))
    sample = make_sample(np.full((20, 20, 3), 128.0),
                         gt_rgb=grey_with_dots((255, 0, 0)))
    assert score(metric, [sample])['ChromaSpeckle'] == pytest.approx(0.75)

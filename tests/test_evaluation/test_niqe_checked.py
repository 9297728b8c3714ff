"""NIQEChecked: MMagic's NIQE number, a clear error for small images, and
no ground truth needed."""
import cv2
import numpy as np
import pytest
import skimage.data
from mmagic.evaluation.metrics import NIQE

from restorect_mm.registry import METRICS
from tests.test_evaluation.eval_sample_utils import make_sample, score


def natural_rgb(h, w):
    return cv2.resize(skimage.data.astronaut(), (w, h),
                      interpolation=cv2.INTER_AREA).astype(np.float64)


def test_small_image_gets_a_clear_error():
    sample = make_sample(natural_rgb(100, 100), img_path='data/LIME/7.bmp')
    with pytest.raises(ValueError) as err:
        score(METRICS.build(dict(type='NIQEChecked')), [sample])
    message = str(err.value)
    assert 'data/LIME/7.bmp' in message
    assert '192' in message and '100 x 100' in message
    assert 'remove NIQEChecked' in message


def test_crop_border_counts_toward_the_size():
    sample = make_sample(natural_rgb(200, 200), img_path='x.png')
    with pytest.raises(ValueError, match='190 x 190'):
        score(METRICS.build(dict(type='NIQEChecked', crop_border=5)),
              [sample])


def test_same_number_as_mmagic_niqe():
    rgb = natural_rgb(192, 200)
    sample = make_sample(rgb, gt_rgb=rgb)  # MMagic's NIQE needs a gt_img
    for convert_to in ('gray', 'y'):
        ours = score(
            METRICS.build(dict(type='NIQEChecked', convert_to=convert_to)),
            [sample])
        magic = score(NIQE(input_order='CHW', convert_to=convert_to),
                      [sample])
        assert np.isfinite(ours['NIQE'])
        assert ours['NIQE'] == pytest.approx(float(magic['NIQE']), abs=0)
        assert type(ours['NIQE']) is float


def test_works_without_ground_truth():
    rgb = natural_rgb(192, 200)
    with_gt = score(METRICS.build(dict(type='NIQEChecked')),
                    [make_sample(rgb, gt_rgb=rgb)])
    without = score(METRICS.build(dict(type='NIQEChecked')),
                    [make_sample(rgb)])
    assert without == with_gt

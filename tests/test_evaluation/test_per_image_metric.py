"""PerImageMetric: every metric on it evaluates both as MMEngine's Evaluator
calls it (``evaluate(size)``) and as MMagic's loops do (``evaluate()``
after ``prepare`` has set ``size``)."""
import cv2
import numpy as np
import pytest
import skimage.data

from restorect_mm.registry import METRICS
from tests.test_evaluation.eval_sample_utils import make_sample


def natural_rgb(h, w):
    return cv2.resize(skimage.data.astronaut(), (w, h),
                      interpolation=cv2.INTER_AREA).astype(np.float64)


@pytest.mark.parametrize('metric_type', ['NIQEChecked', 'UCIQE'])
def test_evaluate_with_and_without_size(metric_type):
    samples = [make_sample(natural_rgb(192, 200)),
               make_sample(natural_rgb(200, 192))]
    with_size = METRICS.build(dict(type=metric_type))
    with_size.process(None, samples)
    by_evaluator = with_size.evaluate(len(samples))

    without = METRICS.build(dict(type=metric_type))
    without.process(None, samples)
    without.size = len(samples)  # what MMagic's ``prepare`` sets
    by_loop = without.evaluate()

    assert list(by_evaluator) == [without.metric]
    assert np.isfinite(by_evaluator[without.metric])
    assert by_evaluator == by_loop

import json
from unittest import mock

import numpy as np
import pytest
import torch
import torchvision
from scipy import linalg

from mmagic.registry import METRICS
from restorect_mm.evaluation.metrics import inception_fid
from restorect_mm.evaluation.metrics.frechet_distance import frechet_distance


@pytest.fixture(scope='module')
def inception_file(tmp_path_factory):
    """Random Inception-v3 weights in torchvision's state-dict format.

    Convolutions He-initialised: PyTorch's default init shrinks the
    activations ~100x per block, leaving features near 1e-8 (FID ~1e-14).
    """
    torch.manual_seed(0)
    model = torchvision.models.inception_v3(
        weights=None, aux_logits=True, init_weights=False)
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(module.weight, nonlinearity='relu')
    path = tmp_path_factory.mktemp('weights') / 'inception.pth'
    torch.save(model.state_dict(), path)
    return str(path)


def _samples(gts, preds):
    return [{'gt_img': g, 'output': {'pred_img': p}}
            for g, p in zip(gts, preds)]


def _images(seed, count=2, size=(24, 24)):
    generator = torch.Generator().manual_seed(seed)
    return [torch.rand(3, *size, generator=generator) * 255
            for _ in range(count)]


def test_identical_sets_zero_different_sets_positive(inception_file):
    gts = _images(1)
    same = METRICS.build(
        dict(type='InceptionFID', inception_weights=inception_file))
    same.process({}, _samples(gts, [g.clone() for g in gts]))
    identical = same.evaluate(len(gts))

    other = METRICS.build(
        dict(type='InceptionFID', inception_weights=inception_file,
             resize_to=16))
    # Non-square inputs: resize_to makes both sets 16x16 first.
    other.process({}, _samples(_images(2, size=(20, 30)),
                               _images(3, size=(30, 20))))
    different = other.evaluate(len(gts))

    assert set(identical) == {'FID'}
    assert identical['FID'] == pytest.approx(0.0, abs=1e-6)
    assert different['FID'] > 1e-2
    assert type(different['FID']) is float
    json.dumps(different)


def test_missing_weights_name_path_and_key(tmp_path):
    missing = str(tmp_path / 'inception_v3_google-0cc3c7bd.pth')
    metric = METRICS.build(
        dict(type='InceptionFID', inception_weights=missing))
    gts = _images(4, count=1)
    with pytest.raises(FileNotFoundError) as error:
        metric.process({}, _samples(gts, gts))
    assert missing in str(error.value)
    assert 'inception_weights' in str(error.value)


def test_skip_without_weights_warns_once_and_reports_nothing(tmp_path):
    missing = str(tmp_path / 'absent.pth')
    metric = METRICS.build(
        dict(type='InceptionFID', inception_weights=missing,
             skip_without_weights=True))
    gts = _images(5)
    with mock.patch.object(inception_fid, 'print_log') as log:
        metric.process({}, _samples(gts[:1], gts[:1]))
        metric.process({}, _samples(gts[1:], gts[1:]))
        assert metric.evaluate(2) == {}
    assert log.call_count == 1
    assert 'inception_weights' in log.call_args[0][0]


def test_wrong_file_is_rejected(tmp_path):
    wrong = tmp_path / 'not_inception.pth'
    torch.save({'fc.weight': torch.zeros(2, 2)}, wrong)
    with pytest.raises(ValueError, match='Inception-v3'):
        inception_fid.build_inception_pool_extractor(str(wrong))


def test_frechet_distance_of_1d_gaussians_is_closed_form():
    # 1-D: d^2 = (m1 - m2)^2 + (s1 - s2)^2 (s: standard deviations);
    # 3 samples > 1 dimension, so this is the sqrtm route.
    real = np.array([[0.0], [2.0], [4.0]])  # mean 2, std 2
    fake = np.array([[1.0], [2.0], [3.0]])  # mean 2, std 1
    assert frechet_distance(real, fake) == pytest.approx(1.0)


def test_low_rank_route_matches_sqrtm():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(3, 6)), rng.normal(size=(4, 6)) + 0.5
    cov_real, cov_fake = np.cov(real, rowvar=False), np.cov(fake,
                                                            rowvar=False)
    expected = (np.sum((real.mean(0) - fake.mean(0))**2) +
                np.trace(cov_real + cov_fake) -
                2 * np.trace(linalg.sqrtm(cov_real @ cov_fake).real))
    assert frechet_distance(real, fake) == pytest.approx(expected, rel=1e-5)


def test_singular_covariances_on_sqrtm_route_stay_finite():
    # 5 samples in 3-D lying on a line: rank-1 covariances, sqrtm route.
    direction = np.array([[1.0, 2.0, -1.0]])
    real = np.arange(5.0)[:, None] * direction
    fake = 2 * np.arange(5.0)[:, None] * direction
    distance = frechet_distance(real, fake)
    # Means 2*dir vs 4*dir, stds along dir 1.58*|dir| vs 3.16*|dir|.
    norm_sq = float(np.sum(direction**2))
    expected = 4 * norm_sq + (np.sqrt(2.5) * (2 - 1))**2 * norm_sq
    assert np.isfinite(distance)
    assert distance == pytest.approx(expected, rel=1e-3)


def test_needs_two_samples():
    with pytest.raises(ValueError, match='at least 2'):
        frechet_distance(np.zeros((1, 4)), np.zeros((3, 4)))

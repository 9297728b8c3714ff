import math

import torch

from mmagic.registry import METRICS


def _sample(with_gt=True):
    sample = {
        'input': torch.zeros(3, 4, 4),
        'output': {
            'recon_lq': torch.full((3, 4, 4), 10.0),  # MSE 100
            'reflectance_lq': torch.zeros(3, 4, 4),
        }
    }
    if with_gt:
        sample['gt_img'] = torch.full((3, 4, 4), 100.0)
        sample['output'].update(
            pred_img=torch.full((3, 4, 4), 100.0),  # identical: inf dB
            reflectance_gt=torch.full((3, 4, 4), 25.5))
    return sample


def test_values_and_plain_floats():
    metric = METRICS.build(dict(type='RetinexDecompositionMetric'))
    gt_pred = _sample()
    gt_pred['output']['pred_img'] = torch.full((3, 4, 4), 90.0)  # MSE 100
    metric.process({}, [gt_pred, _sample(with_gt=False)])
    result = metric.evaluate(2)
    expected_psnr = 10 * math.log10(255.0**2 / 100.0)
    assert set(result) == {'recon_lq_PSNR', 'recon_gt_PSNR',
                           'reflectance_L1'}  # default_prefix '' : no prefix
    assert all(type(v) is float for v in result.values())
    assert math.isclose(result['recon_lq_PSNR'], expected_psnr)
    assert math.isclose(result['recon_gt_PSNR'], expected_psnr)
    assert math.isclose(result['reflectance_L1'], 0.1)


def test_identical_reconstruction_is_infinite():
    metric = METRICS.build(dict(type='RetinexDecompositionMetric'))
    metric.process({}, [_sample()])
    assert math.isinf(metric.evaluate(1)['recon_gt_PSNR'])


def test_prefix_is_applied_when_given():
    metric = METRICS.build(
        dict(type='RetinexDecompositionMetric', prefix='stage0'))
    metric.process({}, [_sample(with_gt=False)])
    assert list(metric.evaluate(1)) == ['stage0/recon_lq_PSNR']

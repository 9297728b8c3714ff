"""The paper-protocol preprocessing and ProtocolPSNR / ProtocolSSIM."""
import math

import cv2
import numpy as np
import pytest
import skimage.data
from mmagic.evaluation.metrics import PSNR, SSIM

from restorect_mm.evaluation.functional import (correct_mean_variance,
                                                resize_like_reference,
                                                y_channel_order)
from restorect_mm.registry import METRICS
from tests.test_evaluation.eval_sample_utils import make_sample, score


def photo(h, w, name='coffee'):
    return cv2.resize(getattr(skimage.data, name)(), (w, h),
                      interpolation=cv2.INTER_AREA).astype(np.float64)


def test_mean_variance_correction_by_hand():
    pred = np.array([[[10.0], [20.0]], [[30.0], [40.0]]])  # (2, 2, 1)
    gt = np.array([[[50.0], [70.0]], [[90.0], [110.0]]])
    # mu_p 25, sigma_p sqrt(125); mu_g 80, sigma_g 2 sqrt(125)
    # mu' = 25 + 0.1 * 55 = 30.5; sigma' = 1.1 sigma_p -> p' = 1.1 (p - 25)
    # + 30.5 = 14, 25, 36, 47 (all integer: truncation changes nothing)
    out = correct_mean_variance(pred, gt, 0.1)
    assert out.dtype == np.uint8
    assert out[..., 0].tolist() == [[14, 25], [36, 47]]
    # a flat channel is left alone
    flat = np.full((2, 2, 1), 7.0)
    assert correct_mean_variance(flat, gt, 0.1)[..., 0].tolist() == \
        [[7, 7], [7, 7]]


def test_resize_truncates():
    img = np.array([[[0], [255]], [[255], [0]]], np.uint8)
    out = resize_like_reference(img, 4)
    assert out.shape == (4, 4, 1) and out.dtype == np.uint8
    expected = (cv2.resize(img.astype(np.float32) / 255, (4, 4),
                           interpolation=cv2.INTER_LINEAR) * 255)
    assert np.array_equal(out[..., 0], np.floor(expected).astype(np.uint8))


def test_y_channel_order():
    assert y_channel_order('BGR', swap_rb=True) == 'RGB'
    assert y_channel_order('BGR', swap_rb=False) == 'BGR'
    assert y_channel_order('RGB', swap_rb=True) == 'BGR'


@pytest.mark.parametrize('options', [dict(), dict(crop_border=3),
                                     dict(convert_to='Y', crop_border=2)])
def test_off_is_exactly_mmagic(options):
    gt = photo(40, 48)
    pred = np.clip(gt * 0.8 + 20 * np.sin(gt), 0, 255)
    samples = [make_sample(pred, gt), make_sample(gt * 0.9, gt)]
    for ours, theirs, key in (('ProtocolPSNR', PSNR, 'PSNR'),
                              ('ProtocolSSIM', SSIM, 'SSIM')):
        mine = score(METRICS.build(dict(type=ours, **options)), samples)
        magic = score(theirs(**options), samples)
        assert mine[key] == magic[key]


def psnr_by_hand(gt_rgb, pred_rgb, swapped, crop, correction):
    """The reference steps on RGB arrays."""
    def load(img):
        u8 = np.clip(img, 0, 255).astype(np.uint8)
        f = cv2.resize(u8.astype(np.float32) / 255, (256, 256),
                       interpolation=cv2.INTER_LINEAR)
        return (f * 255).astype(np.uint8)
    g, p = load(gt_rgb), load(pred_rgb).astype(np.float32)
    for c in range(3):
        mp, sp = p[..., c].mean(), p[..., c].std()
        mg, sg = g[..., c].astype(np.float32).mean(), \
            g[..., c].astype(np.float32).std()
        m2, s2 = mp + correction * (mg - mp), sp + correction * (sg - sp)
        p[..., c] = (p[..., c] - mp) * s2 / sp + m2
    p = np.clip(p, 0, 255).astype(np.uint8)
    w_r, w_g, w_b = (24.966, 128.553, 65.481) if swapped else \
        (65.481, 128.553, 24.966)

    def luma(x):
        x = x.astype(np.float32) / 255
        y = (w_r * x[..., 0] + w_g * x[..., 1] + w_b * x[..., 2]) / 255 + \
            16 / 255
        return (y * 255)[crop:-crop, crop:-crop].astype(np.float64)
    mse = np.mean((luma(g) - luma(p))**2)
    return 10 * math.log10(255**2 / mse)


@pytest.mark.parametrize('swapped', [True, False])
def test_on_matches_the_reference_steps(swapped):
    gt = photo(60, 80)  # not square: the resize to 256 x 256 is applied
    pred = np.clip(gt * 0.85 + 25, 0, 255)
    result = score(
        METRICS.build(dict(type='ProtocolPSNR', paper_protocol=True,
                           swap_rb_in_y=swapped)),
        [make_sample(pred, gt)])['PSNR']
    expected = psnr_by_hand(gt, pred, swapped, 5, 0.1)
    assert result == pytest.approx(expected, abs=1e-4)


def test_resize_to_256_is_applied():
    """Prediction and ground truth of different sizes are comparable only
    because both go to 256 x 256; an upsampled copy scores high."""
    gt = photo(64, 64)
    small = cv2.resize(gt, (32, 32), interpolation=cv2.INTER_AREA)
    metric = METRICS.build(dict(type='ProtocolPSNR', paper_protocol=True))
    value = score(metric, [make_sample(small, gt)])['PSNR']
    assert 20 < value < 60
    with pytest.raises(AssertionError):  # MMagic's own PSNR refuses
        score(METRICS.build(dict(type='ProtocolPSNR')),
              [make_sample(small, gt)])


def test_gt_mean_correction_raises_psnr_of_a_brightness_offset():
    gt = photo(64, 64)
    pred = np.clip(gt + 40, 0, 255)
    corrected, uncorrected = (score(
        METRICS.build(dict(type=name, paper_protocol=True,
                           protocol_correction=s)),
        [make_sample(pred, gt)])[key] for name, key, s in
        (('ProtocolPSNR', 'PSNR', 0.1), ('ProtocolPSNR', 'PSNR', 0.0)))
    assert corrected > uncorrected + 0.5
    ssim_on = score(METRICS.build(dict(type='ProtocolSSIM',
                                       paper_protocol=True)),
                    [make_sample(pred, gt)])['SSIM']
    ssim_off = score(METRICS.build(dict(type='ProtocolSSIM',
                                        paper_protocol=True,
                                        protocol_correction=0.0)),
                     [make_sample(pred, gt)])['SSIM']
    assert ssim_on > ssim_off


def test_crop_is_applied():
    """Differences only inside the 5-px border vanish under the protocol."""
    gt = photo(256, 256)
    pred = gt.copy()
    pred[:5] = 255 - pred[:5]
    pred[:, -5:] = 0
    options = dict(type='ProtocolPSNR', paper_protocol=True,
                   protocol_correction=0.0)
    assert score(METRICS.build(options), [make_sample(pred, gt)])['PSNR'] \
        == float('inf')
    assert np.isfinite(score(METRICS.build(dict(options, crop_border=0)),
                             [make_sample(pred, gt)])['PSNR'])
    assert np.isfinite(score(METRICS.build(dict(options, crop_border=4)),
                             [make_sample(pred, gt)])['PSNR'])


def test_protocol_refuses_a_non_y_conversion():
    with pytest.raises(ValueError, match='Y channel'):
        METRICS.build(dict(type='ProtocolSSIM', paper_protocol=True,
                           convert_to='RGB'))

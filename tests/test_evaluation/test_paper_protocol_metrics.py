"""LPIPS / InceptionFID / NIQEChecked with ``paper_protocol=True`` (the
reference evaluation script's protocol) and the shared pieces they take from
``functional/paper_protocol.py``."""
from unittest import mock

import cv2
import mmcv
import numpy as np
import pytest
import skimage.data
import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms.functional as TF
from mmagic.evaluation.metrics.niqe import niqe

from restorect_mm.evaluation.functional.paper_protocol import (
    correct_mean_variance, resize_like_reference, to_protocol_size,
    truncate_to_uint8, y_channel)
from restorect_mm.evaluation.metrics import inception_fid
from restorect_mm.registry import METRICS
from tests.test_evaluation.eval_sample_utils import make_sample, score


def photo(h, w, name='astronaut'):
    return cv2.resize(getattr(skimage.data, name)(), (w, h),
                      interpolation=cv2.INTER_AREA).astype(np.float64)


# ---------------------------------------------------------------- functional
def test_y_channel_swap_and_standard():
    rgb = photo(8, 10) + 0.4  # fractions: the luma is not rounded
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    standard = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    swapped = 16 + (24.966 * r + 128.553 * g + 65.481 * b) / 255
    bgr = rgb[..., ::-1]
    for image, order in ((rgb, 'RGB'), (bgr, 'BGR')):
        out = y_channel(image, order, swap_rb=False)
        assert out.shape == (8, 10) and out.dtype == np.float32
        np.testing.assert_allclose(out, standard, atol=2e-3)
        np.testing.assert_allclose(
            y_channel(image, order), swapped, atol=2e-3)  # swap: default
    # the reference's quirk: BGR-only conversion handed the RGB array
    assert np.array_equal(
        y_channel(bgr, 'BGR'),
        mmcv.bgr2ycbcr(rgb.astype(np.float32) / 255., y_only=True) * 255.)


def test_to_protocol_size_truncates_then_resizes():
    img = photo(20, 30) + 0.7
    out = to_protocol_size(img, 16)
    assert out.shape == (16, 16, 3) and out.dtype == np.uint8
    assert np.array_equal(
        out, resize_like_reference(truncate_to_uint8(img), 16))


# -------------------------------------------------------------------- LPIPS
@pytest.fixture(scope='module')
def vgg16_file(tmp_path_factory):
    """Random VGG16 in torchvision's format (as test_lpips_metric), without
    the classifier LPIPS ignores (0.5 GB -> 60 MB: faster)."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('weights') / 'vgg16-397923af.pth'
    features = torchvision.models.vgg.make_layers(
        torchvision.models.vgg.cfgs['D'])  # VGG16's ``features``
    torch.save({f'features.{k}': v
                for k, v in features.state_dict().items()}, path)
    return str(path)


@pytest.fixture(scope='module')
def lpips_model(vgg16_file):
    """One network for all metrics (loading the 0.5 GB file is slow)."""
    return METRICS.build(
        dict(type='LPIPS', backbone_weights=vgg16_file))._get_model()


def lpips(model, samples, **options):
    metric = METRICS.build(dict(type='LPIPS', **options))
    metric._model = model
    return score(metric, samples)['LPIPS']


def test_lpips_protocol_correction_moves_toward_gt(lpips_model):
    # protocol_size = image size: the resize keeps the size (only
    # truncation); 128 instead of 256 to keep VGG on CPU fast
    gt = photo(128, 128) * 0.6
    brighter = gt + 60  # a brightness offset, no clipping
    samples = [make_sample(brighter, gt)]
    standard = lpips(lpips_model, samples)
    protocol = lpips(lpips_model, samples, paper_protocol=True,
                     protocol_size=128)
    uncorrected = lpips(lpips_model, samples, paper_protocol=True,
                        protocol_size=128, protocol_correction=0.0)
    assert 0 < protocol < standard
    assert protocol < uncorrected


def test_lpips_protocol_feeds_the_corrected_256_pair_in_bgr():
    gt, pred = photo(40, 50), photo(60, 30, 'coffee')
    metric = METRICS.build(dict(type='LPIPS', paper_protocol=True))
    fed = []
    model = mock.Mock(side_effect=lambda p, g: fed.append((p, g)) or
                      torch.zeros(1, 1, 1, 1))
    with mock.patch.object(metric, '_get_model', return_value=model):
        metric.process({}, [make_sample(pred, gt)])
    fed_pred, fed_gt = fed[0]
    # by hand, from RGB arrays as the reference read them
    gt_256 = resize_like_reference(truncate_to_uint8(gt))
    pred_256 = correct_mean_variance(
        resize_like_reference(truncate_to_uint8(pred)), gt_256, 0.1)
    for tensor, rgb in ((fed_gt, gt_256), (fed_pred, pred_256)):
        bgr = torch.from_numpy(rgb[..., ::-1].transpose(2, 0, 1).copy())
        assert tensor.shape == (1, 3, 256, 256)
        assert torch.equal(tensor, bgr[None].float() / 127.5 - 1)


# --------------------------------------------------------------------- NIQE
def test_niqe_protocol_scores_small_image_as_mmagic_on_processed():
    gt = photo(150, 170)
    # fractions, truncated; float32 as the sample holds them
    pred = (np.clip(gt * 0.8 + 30, 0, 255) + 0.5).astype(np.float32)
    sample = make_sample(pred, gt, img_path='small.png')
    with pytest.raises(ValueError, match='150 x 170'):  # default: too small
        score(METRICS.build(dict(type='NIQEChecked')), [sample])

    ours = score(METRICS.build(dict(type='NIQEChecked', paper_protocol=True)),
                 [sample])['NIQE']
    # step by step on RGB arrays, as the reference
    gt_256 = resize_like_reference(truncate_to_uint8(gt), 256)
    pred_256 = resize_like_reference(truncate_to_uint8(pred), 256)
    corrected = correct_mean_variance(pred_256, gt_256, 0.1)
    # BasicSR's / MMagic's BGR-only Y conversion handed the RGB array
    expected = float(niqe(corrected, crop_border=5, input_order='HWC',
                          convert_to='y'))
    assert np.isfinite(ours)
    assert ours == pytest.approx(expected, abs=0)
    assert type(ours) is float

    standard_y = score(
        METRICS.build(dict(type='NIQEChecked', paper_protocol=True,
                           swap_rb_in_y=False)), [sample])['NIQE']
    assert standard_y == pytest.approx(float(niqe(
        np.ascontiguousarray(corrected[..., ::-1]), crop_border=5,
        input_order='HWC', convert_to='y')), abs=0)


def test_niqe_protocol_options():
    metric = METRICS.build(dict(type='NIQEChecked', paper_protocol=True))
    assert (metric.crop_border, metric.convert_to) == (5, 'y')
    default = METRICS.build(dict(type='NIQEChecked'))
    assert (default.crop_border, default.convert_to) == (0, 'gray')
    with pytest.raises(ValueError, match='Y channel'):
        METRICS.build(dict(type='NIQEChecked', paper_protocol=True,
                           convert_to='gray'))
    with pytest.raises(KeyError, match='gt_img'):
        score(metric, [make_sample(photo(64, 64))])


# ---------------------------------------------------------------------- FID
class FeatureSpy(torch.nn.Module):
    """Stands in for Inception: keeps its inputs, returns their channel
    means as features."""

    def __init__(self):
        super().__init__()
        self.inputs = []

    def forward(self, x):
        self.inputs.append(x.clone())
        return x.mean(dim=(2, 3))


def fid_inputs(samples, variant='InceptionFID', **options):
    metric = METRICS.build(dict(type=variant, **options))
    spy = FeatureSpy()
    with mock.patch.object(metric, '_get_model', return_value=spy):
        metric.process({}, samples)
    result = metric.evaluate(len(samples))
    return torch.cat(spy.inputs), result


def expected_fid_input(rgb, variant):
    """256 px as the reference read it, then the variant's 299 resize
    (pytorch-fid's for the FID Inception; torchvision's antialiased one and
    ImageNet normalisation for the ImageNet variant)."""
    img = torch.from_numpy(to_protocol_size(rgb).transpose(2, 0, 1).copy())
    img = img.float()[None] / 255
    if variant == 'InceptionFID':
        return F.interpolate(img, size=(299, 299), mode='bilinear',
                             align_corners=False)[0]
    img = TF.resize(img, [299, 299], antialias=True)
    return TF.normalize(img, inception_fid.IMAGENET_MEAN,
                        inception_fid.IMAGENET_STD)[0]


@pytest.mark.parametrize('variant,key,tolerance', [
    ('InceptionFID', 'FID', 0.02),
    ('InceptionFIDImageNet', 'FID_torchvision_imagenet', 0.05)])
def test_fid_protocol_resizes_to_256_without_correction(variant, key,
                                                        tolerance):
    gts = [photo(60, 80), photo(70, 50, 'coffee')]
    # float32, as the samples hold them (truncation sees the same values)
    preds = [(gts[0] * 0.5 + 0.6).astype(np.float32),
             (gts[1] * 0.7 + 0.3).astype(np.float32)]
    samples = [make_sample(p, g) for p, g in zip(preds, gts)]
    inputs, result = fid_inputs(samples, variant, paper_protocol=True)
    assert inputs.shape == (4, 3, 299, 299)  # reals, then fakes
    for got, rgb in zip(inputs, gts + preds):
        # the fakes depend on the prediction alone: no correction
        assert torch.allclose(got, expected_fid_input(rgb, variant),
                              atol=1e-5)
    assert set(result) == {key}
    assert np.isfinite(result[key]) and result[key] > 0

    # same pipeline as resize_to=256, up to the reference's truncation
    resized, _ = fid_inputs(samples, variant, resize_to=256)
    # (interpolation and truncation: a few 1/255 steps, over the ImageNet
    # std for the ImageNet variant)
    difference = (inputs - resized).abs()
    assert difference.max() < tolerance and difference.mean() < 0.02


def test_fid_protocol_rejects_another_resize():
    with pytest.raises(ValueError, match='resize_to'):
        METRICS.build(dict(type='InceptionFID', paper_protocol=True,
                           resize_to=128))
    assert METRICS.build(dict(type='InceptionFID', paper_protocol=True,
                              resize_to=256)).paper_protocol
    with pytest.raises(ValueError, match='resize_to'):
        METRICS.build(dict(type='InceptionFIDImageNet', paper_protocol=True,
                           resize_to=128))


def test_default_metrics_ignore_the_protocol():
    assert not METRICS.build(dict(type='LPIPS')).paper_protocol
    assert not METRICS.build(dict(type='InceptionFID')).paper_protocol
    assert not METRICS.build(
        dict(type='InceptionFIDImageNet')).paper_protocol
    assert not METRICS.build(dict(type='NIQEChecked')).paper_protocol

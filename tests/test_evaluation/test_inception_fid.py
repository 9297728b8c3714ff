import json
from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from pytorch_fid import inception as fid_inception
from scipy import linalg

from mmagic.registry import METRICS
from restorect_mm.evaluation.metrics import inception_fid
from restorect_mm.evaluation.metrics.frechet_distance import frechet_distance

PACKAGE_DOWNLOAD = fid_inception.load_state_dict_from_url


def _he_init(model):
    """He-initialised convolutions: PyTorch's default init shrinks the
    activations ~100x per block, leaving features near 1e-8 (FID ~1e-14)."""
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(module.weight, nonlinearity='relu')


@pytest.fixture(scope='module')
def fid_package_model(tmp_path_factory):
    """pytorch-fid's own ``InceptionV3`` with random weights, and a file of
    those weights in the format of ``pt_inception-2015-12-05-6726825d.pth``
    (the state dict of the patched torchvision Inception it builds).

    The package's download and its strict load are stubbed for the build;
    the patched Inception it loads into is kept to save its state dict.
    """
    built = []

    def keep(self, state_dict, *args, **kwargs):
        built.append(self)

    torch.manual_seed(0)
    with mock.patch.object(fid_inception, 'load_state_dict_from_url',
                           return_value={}), \
            mock.patch.object(torchvision.models.Inception3,
                              'load_state_dict', keep):
        reference = fid_inception.InceptionV3([3])
    (network, ) = built
    _he_init(network)  # its modules are the blocks of `reference`
    path = tmp_path_factory.mktemp('weights') / 'pt_inception.pth'
    torch.save(network.state_dict(), path)
    return reference.eval(), str(path)


@pytest.fixture(scope='module')
def fid_file(fid_package_model):
    return fid_package_model[1]


@pytest.fixture(scope='module')
def imagenet_file(tmp_path_factory):
    """Random Inception-v3 weights in torchvision's state-dict format."""
    torch.manual_seed(0)
    model = torchvision.models.inception_v3(
        weights=None, aux_logits=True, init_weights=False)
    _he_init(model)
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


def test_features_and_preprocessing_follow_the_package(fid_package_model):
    """Our extractor on the file of the package's random weights = the
    package's model; stored BGR 0..255 images of two sizes -> the package's
    features of the RGB [0, 1] images (which it resizes and scales itself);
    identical sets -> FID 0."""
    reference, path = fid_package_model
    rgb = [torch.rand(3, 30, 20, generator=torch.Generator().manual_seed(1)),
           torch.rand(3, 17, 33, generator=torch.Generator().manual_seed(2))]
    bgr = [(image * 255).flip(0) for image in rgb]
    metric = METRICS.build(
        dict(type='InceptionFID', inception_weights=path, device='cpu'))
    for image, stored in zip(rgb, bgr):  # pytorch-fid's resize, no scaling
        expected = F.interpolate(image[None], size=(299, 299),
                                 mode='bilinear', align_corners=False)
        torch.testing.assert_close(metric._preprocess(stored), expected,
                                   rtol=0, atol=1e-6)

    # reals (a, b), fakes (b, a): one forward of 4 images, identical sets
    metric.process({}, _samples(bgr, bgr[::-1]))
    with torch.no_grad():
        expected = [reference(image[None])[0].flatten(1).numpy()
                    for image in rgb]
    assert np.abs(expected[0]).max() > 1e-2  # features, not ~0
    got = [metric.results[0]['real'], metric.results[1]['real'],
           metric.results[1]['fake'], metric.results[0]['fake']]
    assert got[0].shape == (1, 2048)
    for ours, package in zip(got, expected + expected):
        np.testing.assert_allclose(ours, package, rtol=1e-5, atol=1e-5)
    result = metric.evaluate(2)
    assert set(result) == {'FID'}
    assert result['FID'] == pytest.approx(0.0, abs=1e-6)


def test_imagenet_variant_identical_sets_zero(imagenet_file):
    gts = _images(1)
    metric = METRICS.build(
        dict(type='InceptionFIDImageNet', inception_weights=imagenet_file))
    metric.process({}, _samples(gts, gts[::-1]))
    result = metric.evaluate(2)
    assert set(result) == {'FID_torchvision_imagenet'}
    assert result['FID_torchvision_imagenet'] == pytest.approx(0.0, abs=1e-6)


class PixelFeatures(torch.nn.Module):
    """Stands in for Inception: 8 x 8 average-pooled pixels as features."""

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, 8).flatten(1)


@pytest.mark.parametrize('variant,key', [
    ('InceptionFID', 'FID'),
    ('InceptionFIDImageNet', 'FID_torchvision_imagenet')])
def test_results_labelled_by_protocol(variant, key):
    metric = METRICS.build(dict(type=variant, resize_to=16))
    # Non-square inputs: resize_to makes both sets 16x16 first.
    with mock.patch.object(metric, '_get_model',
                           return_value=PixelFeatures()):
        metric.process({}, _samples(_images(2, size=(20, 30)),
                                    _images(3, size=(30, 20))))
    different = metric.evaluate(2)
    assert set(different) == {key}
    assert different[key] > 1e-2
    assert type(different[key]) is float
    json.dumps(different)


def test_protocol_labels_and_default_weights():
    literature = METRICS.build(dict(type='InceptionFID'))
    imagenet = METRICS.build(dict(type='InceptionFIDImageNet'))
    assert (literature.metric, literature.protocol) == ('FID', 'pytorch-fid')
    assert (imagenet.metric, imagenet.protocol) == (
        'FID_torchvision_imagenet', 'torchvision-imagenet')
    assert literature.inception_weights.endswith(
        'checkpoints/pt_inception-2015-12-05-6726825d.pth')
    assert imagenet.inception_weights.endswith(
        'checkpoints/inception_v3_google-0cc3c7bd.pth')
    # the package's own download URL names the same file
    assert fid_inception.FID_WEIGHTS_URL == \
        inception_fid.FID_INCEPTION_WEIGHTS_URL


class MoveRecorder(torch.nn.Module):
    """Stands in for Inception: records where it is moved."""

    def to(self, device):
        self.moved_to = device
        return self


def test_device_follows_what_is_passed():
    for passed in ('cpu', 'cuda:1', torch.device('cuda', 0)):
        metric = METRICS.build(dict(type='InceptionFID', device=passed))
        with mock.patch.object(metric, 'build_extractor',
                               return_value=MoveRecorder()):
            assert metric._get_model().moved_to == torch.device(passed)
    on_cpu = METRICS.build(dict(type='InceptionFID', device='cpu'))
    assert on_cpu._preprocess(_images(0, 1)[0]).device.type == 'cpu'

    auto = METRICS.build(dict(type='InceptionFID'))  # device=None
    with mock.patch.object(torch.cuda, 'is_available', return_value=False):
        assert auto.run_device() == torch.device('cpu')
    with mock.patch.object(torch.cuda, 'is_available', return_value=True):
        assert auto.run_device() == torch.device('cuda')
        # the evaluated model's device (MMagic's loops prepare the metric)
        # wins over the default ...
        module = torch.nn.Conv2d(1, 1, 1)
        module.data_preprocessor = None
        auto.prepare(module, mock.Mock(dataset=[0, 1, 2]))
        assert auto.run_device() == torch.device('cpu') and auto.size == 3
        # ... and a passed device over both
        explicit = METRICS.build(dict(type='InceptionFID', device='cuda:1'))
        explicit.prepare(module, mock.Mock(dataset=[0]))
        assert explicit.run_device() == torch.device('cuda:1')


def test_missing_weights_name_path_and_key(tmp_path):
    missing = str(tmp_path / 'pt_inception-2015-12-05-6726825d.pth')
    metric = METRICS.build(
        dict(type='InceptionFID', inception_weights=missing))
    gts = _images(4, count=1)
    with pytest.raises(FileNotFoundError) as error:
        metric.process({}, _samples(gts, gts))
    assert missing in str(error.value)
    assert 'inception_weights' in str(error.value)


@pytest.mark.parametrize('variant', ['InceptionFID', 'InceptionFIDImageNet'])
def test_skip_without_weights_warns_once_and_reports_nothing(variant,
                                                             tmp_path):
    missing = str(tmp_path / 'absent.pth')
    metric = METRICS.build(
        dict(type=variant, inception_weights=missing,
             skip_without_weights=True))
    gts = _images(5)
    with mock.patch.object(inception_fid, 'print_log') as log:
        metric.process({}, _samples(gts[:1], gts[:1]))
        metric.process({}, _samples(gts[1:], gts[1:]))
        assert metric.evaluate(2) == {}
    assert log.call_count == 1
    message = log.call_args[0][0]
    assert 'inception_weights' in message and missing in message
    assert metric.weights_file in message


def test_wrong_file_is_rejected(tmp_path, imagenet_file):
    wrong = tmp_path / 'not_inception.pth'
    torch.save({'fc.weight': torch.zeros(2, 2)}, wrong)
    with pytest.raises(ValueError, match='Inception-v3'):
        inception_fid.build_inception_pool_extractor(str(wrong))
    with pytest.raises(ValueError, match='FID Inception'):
        inception_fid.build_fid_inception_extractor(str(wrong))
    # torchvision's ImageNet weights are not the FID Inception's
    with pytest.raises(ValueError, match='FID Inception'):
        inception_fid.build_fid_inception_extractor(imagenet_file)
    # the package's download stays in place after a failed build
    assert fid_inception.load_state_dict_from_url is PACKAGE_DOWNLOAD


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

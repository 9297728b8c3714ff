import json

import pytest
import torch
import torchvision

from mmagic.registry import METRICS
from restorect_mm.evaluation.metrics.lpips_metric import build_lpips_vgg


@pytest.fixture(scope='module')
def vgg16_file(tmp_path_factory):
    """A random-init VGG16 in torchvision's state-dict format (no
    download possible in tests)."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('weights') / 'vgg16-397923af.pth'
    torch.save(torchvision.models.vgg16(weights=None).state_dict(), path)
    return str(path)


@pytest.fixture(scope='module')
def lpips_metric(vgg16_file):
    return METRICS.build(dict(type='LPIPS', backbone_weights=vgg16_file))


def _sample(gt, pred):
    return {'gt_img': gt, 'output': {'pred_img': pred}}


def _images(seed, count=2):
    generator = torch.Generator().manual_seed(seed)
    return [torch.rand(3, 32, 32, generator=generator) * 255
            for _ in range(count)]


def test_identical_is_zero_and_different_is_positive(lpips_metric):
    images = _images(1)
    lpips_metric.process({}, [_sample(i, i.clone()) for i in images])
    identical = lpips_metric.evaluate(len(images))

    lpips_metric.process(
        {}, [_sample(i, j) for i, j in zip(images, _images(2))])
    different = lpips_metric.evaluate(len(images))

    assert identical['LPIPS'] == pytest.approx(0.0, abs=1e-6)
    assert different['LPIPS'] > 1e-3
    assert type(different['LPIPS']) is float
    json.dumps(different)  # JSON-serialisable


def test_backbone_is_the_given_vgg16(vgg16_file):
    state = torch.load(vgg16_file, weights_only=True)
    model = build_lpips_vgg(vgg16_file)
    # lpips keeps torchvision's layer index: features.28 lives in slice5.
    slice1_conv = getattr(model.net.slice1, '0')
    slice5_conv = getattr(model.net.slice5, '28')
    assert torch.equal(slice1_conv.weight, state['features.0.weight'])
    assert torch.equal(slice5_conv.bias, state['features.28.bias'])


def test_missing_weights_name_path_and_key(tmp_path):
    missing = str(tmp_path / 'nowhere' / 'vgg16-397923af.pth')
    metric = METRICS.build(dict(type='LPIPS', backbone_weights=missing))
    images = _images(3, count=1)
    with pytest.raises(FileNotFoundError) as error:
        metric.process({}, [_sample(images[0], images[0])])
    assert missing in str(error.value)
    assert 'backbone_weights' in str(error.value)


def test_wrong_file_is_rejected(tmp_path):
    wrong = tmp_path / 'not_vgg.pth'
    torch.save({'features.0.weight': torch.zeros(2, 3, 3, 3)}, wrong)
    with pytest.raises(ValueError, match='VGG16'):
        build_lpips_vgg(str(wrong))


def test_default_path_is_torchvision_cache():
    metric = METRICS.build(dict(type='LPIPS'))
    assert metric.backbone_weights.startswith(torch.hub.get_dir())
    assert metric.backbone_weights.endswith(
        'checkpoints/vgg16-397923af.pth')

import pytest
import torch

from mmagic.registry import MODELS
from restorect_mm.engine.checkpoint_io import CheckpointError
from restorect_mm.models.retinex import DecomNet, load_decomnet_weights


def _assert_same(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.fixture
def decomposer():
    torch.manual_seed(0)
    return MODELS.build(dict(type='RestoRectDecomposer'))


@pytest.mark.parametrize('wrap', [True, False])
def test_stage0_file_low_and_high(tmp_path, decomposer, wrap):
    state = decomposer.state_dict()
    path = tmp_path / 'stage0.pth'
    torch.save({'state_dict': state, 'meta': {'iter': 3}} if wrap else state,
               path)
    low = load_decomnet_weights(DecomNet(), str(path), which='low')
    high = load_decomnet_weights(DecomNet(), str(path), which='high')
    _assert_same(low, decomposer.decom_low)
    _assert_same(high, decomposer.decom_high)
    with pytest.raises(CheckpointError, match='which'):
        load_decomnet_weights(DecomNet(), str(path))


def test_plain_state_dict(tmp_path):
    source = DecomNet()
    path = tmp_path / 'plain.pth'
    torch.save(source.state_dict(), path)
    _assert_same(load_decomnet_weights(DecomNet(), str(path)), source)
    # a DataParallel 'module.' prefix is dropped
    torch.save({f'module.{k}': v
                for k, v in source.state_dict().items()}, path)
    _assert_same(load_decomnet_weights(DecomNet(), str(path)), source)


@pytest.mark.parametrize('nested', [False, True])
def test_uretinex_model_r(tmp_path, nested):
    source = DecomNet()
    inner = {'model_R': source.state_dict()}
    path = tmp_path / 'uretinex.pth'
    torch.save({'state_dict': inner, 'epoch': 1} if nested else inner, path)
    _assert_same(load_decomnet_weights(DecomNet(), str(path)), source)


def test_wrong_architecture_names_the_file(tmp_path):
    path = tmp_path / 'narrow.pth'
    torch.save(DecomNet(mid_channels=16).state_dict(), path)
    target = DecomNet()
    before = {k: v.clone() for k, v in target.state_dict().items()}
    with pytest.raises(CheckpointError) as err:
        load_decomnet_weights(target, str(path))
    assert str(path) in str(err.value)
    assert 'shape mismatch' in str(err.value)
    # nothing was loaded
    assert all(torch.equal(before[k], v)
               for k, v in target.state_dict().items())


def test_missing_file_and_bad_which(tmp_path):
    with pytest.raises(CheckpointError, match='not found'):
        load_decomnet_weights(DecomNet(), str(tmp_path / 'nope.pth'))
    with pytest.raises(ValueError):
        load_decomnet_weights(DecomNet(), str(tmp_path / 'x.pth'), 'mid')

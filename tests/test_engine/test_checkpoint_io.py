"""The checkpoint security boundary and the fit check."""
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from restorect_mm.engine import checkpoint_io
from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               check_state_dict_fits,
                                               load_checkpoint_file,
                                               load_weights,
                                               restore_message_hub_state,
                                               sanitize_message_hub_state)


class _Exploit:
    """Unpickling this runs code: the attack weights_only=True must stop."""

    def __reduce__(self):
        return (os.system, ('touch PWNED_BY_PICKLE',))


def _malicious_file(path):
    torch.save({'state_dict': {'w': torch.zeros(1)}, 'x': _Exploit()}, path)
    return path


def test_malicious_pickle_is_refused_as_weights(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _malicious_file(tmp_path / 'evil.pth')
    with pytest.raises(CheckpointError, match='Refused to load .*evil.pth'):
        load_weights(path)
    with pytest.raises(CheckpointError, match='Refused to load .*evil.pth'):
        load_checkpoint_file(path)
    assert not (tmp_path / 'PWNED_BY_PICKLE').exists()


def test_malicious_pickle_is_refused_through_mmengine(tmp_path, monkeypatch):
    """test.py's load_from goes through MMEngine's CheckpointLoader."""
    from mmengine.runner.checkpoint import _load_checkpoint
    monkeypatch.chdir(tmp_path)
    path = _malicious_file(tmp_path / 'evil.pth')
    with pytest.raises(CheckpointError):
        _load_checkpoint(str(path), map_location='cpu')
    assert not (tmp_path / 'PWNED_BY_PICKLE').exists()


def test_a_plain_mmengine_history_buffer_loads_without_any_trust(tmp_path):
    """What MMEngine/MMagic write without CheckpointSafetyHook: the message
    hub's HistoryBuffers pickle getattr(HistoryBuffer, 'mean') and numpy
    arrays. They load, anywhere, with no trusted directory."""
    buf = HistoryBuffer([1.0, 3.0], [1, 1], max_length=5)
    torch.save({'state_dict': {}, 'hub': buf}, tmp_path / 'iter_1.pth')
    ckpt = load_checkpoint_file(tmp_path / 'iter_1.pth')
    assert isinstance(ckpt['hub'], HistoryBuffer)
    assert ckpt['hub'].mean() == pytest.approx(2.0)
    assert ckpt['hub'].max_length == 5


class _GetattrExploit:
    """getattr on an allowed class reaches beyond data (here the classmethod
    that registers arbitrary callables): the stand-in HistoryBuffer needs
    must not."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, 'register_statistics'))


@pytest.mark.parametrize('native', [True, False])
def test_the_getattr_stand_in_resolves_nothing_but_statistics(
        native, tmp_path, monkeypatch):
    from restorect_mm.engine import restricted_pickle
    if native and not restricted_pickle.native_allow_list_supported():
        pytest.skip(f'torch {torch.__version__} has no safe_globals with '
                    'stand-ins (< 2.6)')
    monkeypatch.setattr(restricted_pickle, 'native_allow_list_supported',
                        lambda: native)
    torch.save({'x': _GetattrExploit()}, tmp_path / 'evil.pth')
    with pytest.raises(CheckpointError, match='Refused to load .*evil.pth'):
        load_checkpoint_file(tmp_path / 'evil.pth')
    with pytest.raises(pickle.UnpicklingError):
        checkpoint_io.history_buffer_method(os, 'system')


def test_plain_weights_load(tmp_path):
    weights = {'conv.weight': torch.randn(2, 3, 3, 3)}
    torch.save(weights, tmp_path / 'w.pth')
    loaded = load_weights(tmp_path / 'w.pth')
    assert torch.equal(loaded['conv.weight'], weights['conv.weight'])


def test_missing_and_corrupt_files_name_the_path(tmp_path):
    with pytest.raises(CheckpointError, match='not found: .*nope.pth'):
        load_weights(tmp_path / 'nope.pth')
    (tmp_path / 'bad.pth').write_bytes(b'not a checkpoint at all')
    with pytest.raises(CheckpointError, match='bad.pth.*corrupt'):
        load_weights(tmp_path / 'bad.pth')
    torch.save({'w': torch.zeros(1000)}, tmp_path / 'cut.pth')
    data = (tmp_path / 'cut.pth').read_bytes()
    (tmp_path / 'cut.pth').write_bytes(data[:len(data) // 2])
    with pytest.raises(CheckpointError, match='cut.pth'):
        load_checkpoint_file(tmp_path / 'cut.pth')


@pytest.mark.parametrize('text', [
    b"experiment_name = 'restorect'\n",  # a config saved as .pth
    b'{"PSNR": 17.99}', b'\x80', b'e' * 10])
def test_any_non_checkpoint_bytes_give_the_checkpoint_error(tmp_path, text):
    """Whatever torch.load raises on them (pickle's KeyError on the first
    byte, EOFError, UnpicklingError) becomes one error naming the file."""
    path = tmp_path / 'notes.pth'
    path.write_bytes(text)
    with pytest.raises(CheckpointError, match=r'notes\.pth.*not a PyTorch'):
        load_checkpoint_file(path)


@pytest.mark.parametrize('content', [torch.zeros(3), [torch.zeros(1)], 7])
def test_a_file_holding_no_dict_is_named_with_its_type(tmp_path, content):
    path = tmp_path / 'tensor.pth'
    torch.save(content, path)
    with pytest.raises(CheckpointError,
                       match=rf'tensor\.pth holds a {type(content).__name__}'):
        load_weights(path)


def test_completeness_check_finds_torn_and_damaged_files(tmp_path):
    path = tmp_path / 'iter_4.pth'
    torch.save({'state_dict': {'w': torch.arange(5000.)}}, path)
    assert checkpoint_io.checkpoint_is_complete(path)
    data = bytearray(path.read_bytes())
    (tmp_path / 'torn.pth').write_bytes(bytes(data[:len(data) // 2]))
    assert not checkpoint_io.checkpoint_is_complete(tmp_path / 'torn.pth')
    middle = data.index(b'\x00\x00\x80\x3f')  # inside the tensor's bytes
    data[middle + 2] ^= 0xFF
    (tmp_path / 'flipped.pth').write_bytes(bytes(data))
    assert not checkpoint_io.checkpoint_is_complete(tmp_path / 'flipped.pth')
    assert not checkpoint_io.checkpoint_is_complete(tmp_path / 'missing.pth')


def test_sanitised_message_hub_round_trips_and_loads_weights_only(tmp_path):
    buf = HistoryBuffer([1.0, 2.0, 4.0], [1, 1, 2], max_length=10)
    state = {
        'log_scalars': {'train/loss': buf},
        'runtime_info': {'best_score': np.float32(3.5), 'iter': 7},
        'resumed_keys': {'iter': True},
    }
    with pytest.raises(pickle.UnpicklingError):
        torch.save(state, tmp_path / 'raw.pth')
        torch.load(tmp_path / 'raw.pth', weights_only=True)
    clean = sanitize_message_hub_state(state)
    torch.save({'message_hub': clean}, tmp_path / 'clean.pth')
    loaded = load_checkpoint_file(tmp_path / 'clean.pth')['message_hub']
    assert loaded['runtime_info']['best_score'] == pytest.approx(3.5)
    restored = restore_message_hub_state(loaded)['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    assert restored.max_length == 10
    np.testing.assert_allclose(restored.data[0], [1.0, 2.0, 4.0])
    np.testing.assert_allclose(restored.data[1], [1, 1, 2])
    assert restored.mean() == pytest.approx(buf.mean())


def test_state_dict_fit_check_names_the_problem():
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3))
    good = model.state_dict()
    check_state_dict_fits(model, good, 'good.pth')
    wrong = {'0.weight': torch.zeros(8, 3, 3, 3), '0.bias': torch.zeros(8)}
    with pytest.raises(CheckpointError, match=r'wrong.pth.*shape mismatch'):
        check_state_dict_fits(model, wrong, 'wrong.pth')
    with pytest.raises(CheckpointError, match='missing keys'):
        check_state_dict_fits(model, {'0.weight': good['0.weight']}, 'x.pth')


@pytest.mark.parametrize('native', [True, False])
def test_both_weights_only_paths_allow_data_and_refuse_code(
        native, tmp_path, monkeypatch):
    """torch >= 2.5 extends its own unpickler; older torch goes through
    restricted_pickle. Both run on every torch (the restricted one always, the
    native one where torch has it), so each stack checks both guarantees."""
    from restorect_mm.engine import restricted_pickle
    if native and not restricted_pickle.native_allow_list_supported():
        pytest.skip(f'torch {torch.__version__} has no safe_globals with '
                    'stand-ins (< 2.6)')
    monkeypatch.setattr(restricted_pickle, 'native_allow_list_supported',
                        lambda: native)
    monkeypatch.chdir(tmp_path)
    data = {'state_dict': {'w': torch.arange(3.0)},
            'meta': {'seed': np.int64(7), 'lr': np.float64(0.5),
                     'hist': np.arange(4, dtype=np.float32)}}
    torch.save(data, tmp_path / 'data.pth')
    loaded = load_checkpoint_file(tmp_path / 'data.pth')
    assert torch.equal(loaded['state_dict']['w'], data['state_dict']['w'])
    assert loaded['meta']['seed'] == 7 and loaded['meta']['lr'] == 0.5
    np.testing.assert_array_equal(loaded['meta']['hist'], np.arange(4))
    path = _malicious_file(tmp_path / 'evil.pth')
    with pytest.raises(CheckpointError, match='posix.system|os.system'):
        load_weights(path)
    assert not (tmp_path / 'PWNED_BY_PICKLE').exists()

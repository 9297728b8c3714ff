"""Checkpoint reading and writing with one security boundary: every load is
weights-only, without exceptions.

Every file (published weights, a stage-1 teacher, stage-0 DecomNets, a
training checkpoint for ``load_from`` or ``--resume``, whether written by
restorect_mm or by MMagic's own tools) is read by :func:`load_checkpoint_file`
with an explicit allow-list (:func:`data_only_globals`): tensors, numpy data,
MMEngine's ``HistoryBuffer`` logs and a ``getattr`` stand-in that only resolves
HistoryBuffer statistics. Anything that would call other code is refused with a
message naming the file. No directory is trusted, no flag unpickles more, and
no process-wide ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` is set.

MMEngine calls ``torch.load`` without ``weights_only`` (which fails on torch
>= 2.6 and executes code before);
:func:`restorect_mm.compat.load_checkpoints_weights_only` routes its local-file
loading here, in MMagic's own tools too. How the allow-list reaches torch depends on the torch
version: see :func:`_torch_load_weights_only`.
"""
import os
import os.path as osp
import pickle
import zipfile

import numpy as np
import torch

from . import restricted_pickle

_HISTORY_BUFFER_TAG = '__restorect_history_buffer__'


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupt, unsafe or does not fit the model."""


def _numpy_safe_globals():
    """numpy reconstructors that carry data only (arrays, scalars, dtypes)."""
    import numpy.dtypes
    if np.lib.NumpyVersion(np.__version__) >= '2.0.0':
        from numpy._core import multiarray
    else:  # numpy 1.26 (torch < 2.3); its numpy._core is a stub
        from numpy.core import multiarray
    found = [np.ndarray, np.dtype, multiarray._reconstruct, multiarray.scalar]
    found += [getattr(numpy.dtypes, name) for name in dir(numpy.dtypes)
              if name.endswith('DType')]
    return found


def history_buffer_method(owner, name):
    """Stands in for ``builtins.getattr`` while unpickling.

    MMEngine's ``HistoryBuffer`` pickles its registry of statistics
    (``_statistics_methods``) as ``getattr(HistoryBuffer, 'mean')`` and so on.
    Real ``getattr`` reaches any attribute of anything (``os.system`` through
    a module), so it is never allowed; this resolves only the statistics of
    ``HistoryBuffer`` itself and refuses everything else.
    """
    from mmengine.logging import HistoryBuffer
    known = set(HistoryBuffer._statistics_methods) | {
        'min', 'max', 'current', 'mean'}
    if owner is HistoryBuffer and name in known:
        return getattr(HistoryBuffer, name)
    owner_name = getattr(owner, '__name__', type(owner).__name__)
    raise pickle.UnpicklingError(
        f'Unsupported global: GLOBAL builtins.getattr on {owner_name}.{name} '
        '(only HistoryBuffer statistics may be looked up)')


def data_only_globals():
    """Everything beyond tensors that a checkpoint may hold: numpy data,
    MMEngine's ``HistoryBuffer`` (logs: two arrays and an int) and the
    getattr stand-in its registry needs. Objects, or (object, 'module.name')
    for a stand-in loaded under another name."""
    from mmengine.logging import HistoryBuffer
    return _numpy_safe_globals() + [
        HistoryBuffer, (history_buffer_method, 'builtins.getattr')]


def _check_file(path):
    path = osp.expanduser(str(path))
    if not osp.isfile(path):
        raise CheckpointError(
            f'Checkpoint file not found: {path}. Check the path (for a '
            'teacher or DecomNet, the config key that names it); checkpoints '
            'of a run are in its work_dir, e.g. work_dirs/<config>/iter_*.pth.')
    return path


class _UnsafeContent(Exception):
    """The file is readable but holds pickled objects beyond weights."""


def _named_globals(allowed):
    """'module.name' -> object, under both numpy 1 (``numpy.core``) and numpy 2
    (``numpy._core``) module names, as a checkpoint may come from either."""
    named = {}
    for entry in allowed:
        obj, name = entry if isinstance(entry, tuple) else (
            entry, f'{entry.__module__}.{entry.__name__}')
        named[name] = obj
        for old, new in (('numpy.core.', 'numpy._core.'),
                         ('numpy._core.', 'numpy.core.')):
            if name.startswith(old):
                named[new + name[len(old):]] = obj
    return named


def _torch_load_weights_only(path, map_location, allowed):
    """``torch.load`` that unpickles tensors, containers and ``allowed`` only,
    on every supported torch: torch's own weights-only unpickler where it can
    be extended for one call with stand-ins (2.6+), else
    :mod:`restricted_pickle`."""
    if restricted_pickle.native_allow_list_supported():
        with torch.serialization.safe_globals(list(allowed)):
            return torch.load(
                path, map_location=map_location, weights_only=True)
    return torch.load(
        path, map_location=map_location, weights_only=False,
        pickle_module=restricted_pickle.make_pickle_module(
            _named_globals(allowed)))


def _weights_only_load(path, map_location):
    """Weights-only ``torch.load``; tells "unsafe" from "corrupt"."""
    try:
        return _torch_load_weights_only(path, map_location,
                                        data_only_globals())
    except pickle.UnpicklingError as exc:
        # torch names the offending global ("Unsupported global: ...",
        # "unsupported GLOBAL posix.system ... blocked"); anything else is
        # a broken file
        detail = [ln for ln in str(exc).splitlines() if 'global' in ln.lower()
                  and ('unsupported' in ln.lower() or 'blocked' in ln)]
        if detail:
            raise _UnsafeContent(detail[0].strip()[:300]) from exc
        raise _corrupt(path, exc) from exc


def _corrupt(path, exc):
    message = ' '.join(str(exc).split())[-200:]
    return CheckpointError(
        f'Cannot read checkpoint {path}: it is not a PyTorch checkpoint or it '
        f'is truncated/corrupt ({type(exc).__name__}: {message}). Re-download or '
        're-create it (e.g. re-run training or tools/publish_model.py).')


_REFUSED_HINT = (
    'Nothing restorect_mm, MMEngine or MMagic writes needs more than tensors, '
    'numpy data and HistoryBuffer logs, so other code made or altered this '
    'file: do not load it. If you made it yourself, open it in a Python '
    'session you trust, keep only its tensors (torch.save(ckpt["state_dict"], '
    '"weights.pth")) and use that file.')


def load_weights(path, map_location='cpu'):
    """Load a weights file handed around (weights-only, no exceptions).

    Args:
        path (str): a ``.pth`` file holding a state dict, or a dict holding one
            under ``state_dict`` / ``params`` / ``params_ema``.
        map_location: as in :func:`torch.load`.

    Returns:
        dict: what the file holds.

    Raises:
        CheckpointError: missing, corrupt, or holding pickled Python objects.
    """
    return load_checkpoint_file(path, map_location, what='as weights')


def load_checkpoint_file(path, map_location='cpu', what=''):
    """Load any checkpoint (training checkpoint, resume, weights) the one way:
    weights-only, allowing :func:`data_only_globals` and nothing else. There
    is no trusted directory and no full-unpickling fallback.

    Raises:
        CheckpointError: missing, corrupt, or holding code; the message names
            the file and what to do.
    """
    path = _check_file(path)
    try:
        loaded = _weights_only_load(path, map_location)
    except _UnsafeContent as exc:
        raise CheckpointError(
            f'Refused to load {path}{" " + what if what else ""}: it holds '
            'pickled objects beyond weights that could run code when loaded '
            f'({exc}). {_REFUSED_HINT}') from exc
    except CheckpointError:
        raise
    except Exception as exc:  # noqa: BLE001
        # whatever a non-checkpoint makes torch.load raise: a text file gives
        # pickle's KeyError on its first byte, a torn zip BadZipFile/
        # RuntimeError, an empty file EOFError
        raise _corrupt(path, exc) from exc
    if not isinstance(loaded, dict):
        raise CheckpointError(
            f'{path} holds a {type(loaded).__name__}, not a checkpoint: '
            'MMEngine, MMagic and restorect_mm read a dict (a state dict, or '
            'a checkpoint holding one under "state_dict"). If these are '
            'weights saved another way, save them as '
            'torch.save({"state_dict": weights}, "weights.pth").')
    return loaded


def checkpoint_is_complete(path) -> bool:
    """Whether ``path`` is a whole checkpoint, checked without unpickling.

    ``torch.save`` writes a zip archive whose directory sits at its end and
    whose records carry CRC-32s: a file cut short by a crash has no directory,
    and a damaged one fails a CRC. Reads the file once. Files in torch's
    legacy (pre-zip) format are loaded instead.
    """
    path = osp.expanduser(str(path))
    if not osp.isfile(path):
        return False
    if not zipfile.is_zipfile(path):
        try:
            load_checkpoint_file(path)
        except CheckpointError:
            return False
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False


def save_weights(state_dict, meta, out):
    """Write a weights-only file named ``<out stem>-<sha256[:8]>.pth``.

    Args:
        state_dict (dict[str, Tensor]): tensors only.
        meta (dict): strings and numbers (kept loadable with weights_only).
        out (str): requested path; the hash is appended to its stem.

    Returns:
        str: the path written.
    """
    import hashlib
    stem = osp.splitext(str(out))[0]
    os.makedirs(osp.dirname(osp.abspath(stem)), exist_ok=True)
    tmp = stem + '.tmp.pth'
    torch.save({'state_dict': dict(state_dict), 'meta': dict(meta)}, tmp)
    with open(tmp, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    final = f'{stem}-{digest[:8]}.pth'
    os.replace(tmp, final)
    return final


def select_weights(checkpoint, which, source):
    """Pick the state dict to publish from a training checkpoint.

    Returns:
        dict[str, Tensor]: parameter and buffer tensors only.
    """
    if 'state_dict' not in checkpoint:
        if all(torch.is_tensor(v) for v in checkpoint.values()):
            return dict(checkpoint)  # already a plain state dict
        raise CheckpointError(f'{source} holds no state_dict: it is not an '
                              'MMEngine checkpoint')
    if which == 'ema':
        state = checkpoint['state_dict']
    else:
        if 'ema_state_dict' not in checkpoint:
            raise CheckpointError(
                f'{source} has no ema_state_dict (EMAHook did not run), so '
                'its state_dict already holds the raw weights: use '
                '--weights ema')
        # EMAHook saves the averaged model's state ('module.' prefix, a
        # 'steps' counter) after swapping it with the raw weights
        state = {
            k[len('module.'):]: v
            for k, v in checkpoint['ema_state_dict'].items()
            if k.startswith('module.')
        }
    return {k: v for k, v in state.items() if torch.is_tensor(v)}


def read_training_checkpoint(checkpoint_path):
    """Load a training checkpoint (weights-only, as every load)."""
    return load_checkpoint_file(checkpoint_path)


# --- making training checkpoints weights-only loadable ---------------------


def _to_plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_plain(v) for v in value)
    return value


def sanitize_message_hub_state(state):
    """Replace HistoryBuffer objects (which pickle bound methods) and numpy
    scalars by plain containers. Inverse: :func:`restore_message_hub_state`."""
    from mmengine.logging import HistoryBuffer
    scalars = {}
    for key, buf in state.get('log_scalars', {}).items():
        if isinstance(buf, HistoryBuffer):
            log, count = buf.data
            scalars[key] = {
                _HISTORY_BUFFER_TAG: True,
                'log': torch.from_numpy(np.asarray(log, dtype=np.float64)),
                'count': torch.from_numpy(np.asarray(count, dtype=np.float64)),
                'max_length': int(buf.max_length),
            }
        else:
            scalars[key] = buf
    state = dict(state)
    state['log_scalars'] = scalars
    state['runtime_info'] = _to_plain(state.get('runtime_info', {}))
    return state


def restore_message_hub_state(state):
    """Rebuild HistoryBuffer objects sanitised by
    :func:`sanitize_message_hub_state`."""
    from mmengine.logging import HistoryBuffer
    scalars = {}
    for key, buf in state.get('log_scalars', {}).items():
        if isinstance(buf, dict) and buf.get(_HISTORY_BUFFER_TAG):
            scalars[key] = HistoryBuffer(
                log_history=buf['log'].numpy().tolist(),
                count_history=buf['count'].numpy().tolist(),
                max_length=buf['max_length'])
        else:
            scalars[key] = buf
    state = dict(state)
    state['log_scalars'] = scalars
    return state


def check_state_dict_fits(model, state_dict, source):
    """Raise a clear error when ``state_dict`` does not fit ``model``.

    MMEngine loads with ``strict=False`` and only warns, which silently
    evaluates random weights; a wrong checkpoint must fail loudly instead.

    Args:
        model (nn.Module): the model to load into.
        state_dict (dict): the weights.
        source (str): file name, for the message.
    """
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    mismatched = [
        f'{k}: checkpoint {tuple(state_dict[k].shape)} vs model '
        f'{tuple(own[k].shape)}' for k in own
        if k in state_dict and hasattr(state_dict[k], 'shape')
        and tuple(state_dict[k].shape) != tuple(own[k].shape)
    ]
    if missing or unexpected or mismatched:
        lines = []
        if mismatched:
            lines.append('shape mismatch: ' + '; '.join(mismatched[:5]))
        if missing:
            lines.append(f'{len(missing)} missing keys, e.g. {missing[:5]}')
        if unexpected:
            lines.append(
                f'{len(unexpected)} unexpected keys, e.g. {unexpected[:5]}')
        raise CheckpointError(
            f'Checkpoint {source} does not fit the model '
            f'{type(model).__name__}: ' + ' | '.join(lines) +
            '. It was made for another architecture or config: use the '
            'config it was trained with, or a checkpoint of this config.')

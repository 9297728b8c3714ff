"""Loading DecomNet weights from the files they come in.

Accepted layouts (all read with ``weights_only=True``):

* a stage-0 checkpoint or weights file of :class:`RestoRectDecomposer`: a
  ``state_dict`` (or the top-level dict) whose keys start with
  ``decom_low.`` / ``decom_high.``; ``which`` picks one;
* a plain DecomNet state dict (``decom.0.weight``, ...), optionally under
  ``state_dict`` / ``params_ema`` / ``params``;
* a URetinex-Net-style file with the state dict under ``model_R`` (at the top
  level or inside ``state_dict``).

A ``module.`` prefix (DataParallel) is dropped. Anything that does not fit the
module exactly raises :class:`CheckpointError` naming the file.
"""
from typing import Optional

import torch.nn as nn

from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               check_state_dict_fits,
                                               load_weights)

_PREFIXES = {'low': 'decom_low.', 'high': 'decom_high.'}
_CONTAINER_KEYS = ('state_dict', 'params_ema', 'params')


def _is_state_dict_like(obj) -> bool:
    return isinstance(obj, dict) and len(obj) > 0


def _strip(state_dict: dict, prefix: str) -> dict:
    return {
        k[len(prefix):]: v
        for k, v in state_dict.items() if k.startswith(prefix)
    }


def extract_decomnet_state_dict(ckpt: dict,
                                which: Optional[str],
                                source: str) -> dict:
    """Find the DecomNet state dict inside a loaded file.

    Args:
        ckpt (dict): What :func:`load_weights` returned.
        which (str, optional): 'low' or 'high'; needed for a stage-0 file
            that holds both nets.
        source (str): File name, for error messages.

    Returns:
        dict: A state dict with DecomNet's own key names.
    """
    if not isinstance(ckpt, dict):
        raise CheckpointError(
            f'{source} holds a {type(ckpt).__name__}, not a state dict. '
            'Pass a DecomNet weights file (a stage-0 checkpoint, a DecomNet '
            'state dict, or a URetinex-style file with "model_R").')
    state = ckpt
    for key in _CONTAINER_KEYS:
        if _is_state_dict_like(state.get(key)):
            state = state[key]
            break
    if _is_state_dict_like(state.get('model_R')):
        state = state['model_R']

    state = {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in state.items()
    }

    has_pair = any(
        k.startswith(p) for k in state for p in _PREFIXES.values())
    if has_pair:
        if which not in _PREFIXES:
            raise CheckpointError(
                f'{source} is a stage-0 file holding both DecomNets '
                f'(decom_low.*, decom_high.*): pass which="low" or '
                f'which="high" (got {which!r}).')
        state = _strip(state, _PREFIXES[which])
        if not state:
            raise CheckpointError(
                f'{source} has no "{_PREFIXES[which]}*" weights. Use the '
                'other `which`, or a checkpoint of the stage-0 config.')
    return state


def load_decomnet_weights(module: nn.Module,
                          path: str,
                          which: Optional[str] = None,
                          map_location='cpu') -> nn.Module:
    """Load DecomNet weights from ``path`` into ``module`` (strictly).

    Args:
        module (nn.Module): A :class:`DecomNet` (or a module with the same
            parameter names).
        path (str): Weights file, see the module docstring for the layouts.
        which (str, optional): 'low' (D_low, for low-quality inputs) or
            'high' (D_high, for ground truths); required only when the file
            holds both nets. Default: None.
        map_location: As in :func:`torch.load`. Default: 'cpu'.

    Returns:
        nn.Module: ``module``, with the weights loaded.

    Raises:
        CheckpointError: missing/corrupt/unsafe file, or weights that do not
            fit ``module`` (the message names the file and the mismatch).
    """
    if which is not None and which not in _PREFIXES:
        raise ValueError(f'which must be "low", "high" or None, got {which!r}')
    ckpt = load_weights(path, map_location=map_location)
    state = extract_decomnet_state_dict(ckpt, which, str(path))
    check_state_dict_fits(module, state, str(path))
    module.load_state_dict(state, strict=True)
    return module

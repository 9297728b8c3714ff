"""Intermediate features for feature-level distillation (FLEX).

:class:`FeatureCapture` records the outputs of named submodules of any
network (RGFormer's ``decoder_level3``, an MMagic NAFNet's ``decoders.1``)
through forward hooks, so the network itself stays a pure generator.
"""
import difflib
from typing import Dict, Iterable, List, Mapping

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper


class FeatureCapture:
    """Capture the outputs of named submodules through forward hooks.

    The outputs of the latest forward pass are in :attr:`features`, keyed by
    the given names (the output is stored as the module returned it, with
    its graph). Use as a context manager (``with FeatureCapture(net, names)
    as feats: net(x)``; the hooks are removed on exit) or call
    :meth:`attach` / :meth:`detach`.

    Args:
        module (nn.Module): The network; a model wrapper (DDP) is unwrapped.
        names (Iterable[str]): Dotted submodule names, e.g.
            ``['decoder_level3', 'decoder_level2']`` or ``['decoders.1']``.
        detach (bool): Store detached outputs. Defaults to False.

    Raises:
        KeyError: A name is not a submodule; the message lists the
            available names (up to two levels deep) and close matches.
    """

    def __init__(self,
                 module: nn.Module,
                 names: Iterable[str],
                 detach: bool = False):
        if is_model_wrapper(module):
            module = module.module
        self.module = module
        self.names = list(names)
        self.detach_outputs = detach
        self.features: Dict[str, object] = {}
        self._handles = []
        available = dict(module.named_modules())
        missing = [n for n in self.names if n not in available]
        if missing:
            raise KeyError(self._missing_message(missing, available))
        self._targets = [(n, available[n]) for n in self.names]

    def _missing_message(self, missing: List[str],
                         available: Mapping[str, nn.Module]) -> str:
        names = [n for n in available if n and n.count('.') <= 1]
        lines = [
            f'{type(self.module).__name__} has no submodule named '
            f'{", ".join(repr(m) for m in missing)}.'
        ]
        for name in missing:
            close = difflib.get_close_matches(name, list(available), n=3)
            if close:
                lines.append(f'  Did you mean {close} for {name!r}?')
        lines.append('  Available (two levels deep): ' + ', '.join(names))
        return '\n'.join(lines)

    def _hook(self, name: str):

        def hook(_module, _inputs, output):
            if self.detach_outputs:
                output = _detach(output)
            self.features[name] = output

        return hook

    @property
    def attached(self) -> bool:
        return bool(self._handles)

    def attach(self) -> 'FeatureCapture':
        """Register the hooks (no-op when attached) and clear old features."""
        self.features.clear()
        if not self._handles:
            self._handles = [
                module.register_forward_hook(self._hook(name))
                for name, module in self._targets
            ]
        return self

    def detach(self) -> None:
        """Remove the hooks; :attr:`features` keeps the last outputs."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def clear(self) -> None:
        """Forget the captured features."""
        self.features.clear()

    def __enter__(self) -> Dict[str, object]:
        self.attach()
        return self.features

    def __exit__(self, *exc) -> None:
        self.detach()

    def __getitem__(self, name: str):
        if name not in self.features:
            raise KeyError(f'no feature captured for {name!r} (captured: '
                           f'{sorted(self.features)}); did the forward pass '
                           'run while the hooks were attached?')
        return self.features[name]


def _detach(output):
    if isinstance(output, torch.Tensor):
        return output.detach()
    if isinstance(output, (list, tuple)):
        return type(output)(_detach(o) for o in output)
    return output

"""A ``pickle_module`` for :func:`torch.load` that refuses every global outside an
allow-list: the weights-only guarantee on torch < 2.6.

torch >= 2.6 extends its own weights-only unpickler for one call with
``torch.serialization.safe_globals``, stand-ins included; older torch has no
such context manager (2.5 one without stand-ins, 2.4 only a process-wide
``add_safe_globals``, 2.1 none), so its ``weights_only=True`` rejects the numpy
and HistoryBuffer data that training checkpoints hold.
There ``restorect_mm.engine.checkpoint_io`` passes this module instead. It is
the "restricting globals" pattern of Python's ``pickle`` documentation: the
only way a pickle reaches code is ``find_class``, and this one returns only
torch's own weights-only globals (``torch._weights_only_unpickler``) and the
data-only extras the caller allows. Nothing here exists in a library for these
torch versions, hence written by hand.
"""
import _compat_pickle
import pickle

import torch

UNSUPPORTED = 'Unsupported global'


def _torch_weights_only_globals():
    """{'module.name': object} that torch's own weights-only unpickler allows,
    plus ``_codecs.encode`` (str -> bytes), which protocol-2 pickles of numpy
    scalars use and torch >= 2.5 allows too."""
    import _codecs

    from torch import _weights_only_unpickler
    allowed = dict(_weights_only_unpickler._get_allowed_globals())
    allowed.setdefault('_codecs.encode', _codecs.encode)
    return allowed


def make_pickle_module(extra_globals):
    """Build a ``pickle_module`` for :func:`torch.load`.

    Args:
        extra_globals (dict[str, object]): 'module.name' -> object, allowed on
            top of torch's weights-only globals (data-only types only).

    Returns:
        a module-like object with ``Unpickler``, ``load`` and ``__name__``.
    """
    allowed = _torch_weights_only_globals()
    allowed.update(extra_globals)

    class Unpickler(pickle.Unpickler):
        """Resolves only allow-listed globals; anything else raises."""

        def find_class(self, module, name):
            # protocol 2 (torch.save's) names Python 2 modules such as
            # __builtin__; map them as pickle's own find_class does
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
            key = f'{module}.{name}'
            if key in allowed:
                return allowed[key]
            raise pickle.UnpicklingError(
                f'{UNSUPPORTED}: GLOBAL {key} is not an allowed weights-only '
                'type (it could run code when unpickled)')

    class RestrictedPickle:
        __name__ = 'restorect_mm_restricted_pickle'
        UnpicklingError = pickle.UnpicklingError

        @staticmethod
        def load(file, **kwargs):
            return Unpickler(file, **kwargs).load()

    RestrictedPickle.Unpickler = Unpickler
    return RestrictedPickle


def native_allow_list_supported():
    """torch >= 2.6: ``torch.serialization.safe_globals`` exists (2.5+) and
    takes (stand-in, 'module.name') pairs (2.6+)."""
    from torch.torch_version import TorchVersion
    version = TorchVersion(torch.__version__.split('+')[0])
    return hasattr(torch.serialization, 'safe_globals') and version >= "2.6"

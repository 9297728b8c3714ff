"""restorect_mm registers straight into MMagic's registries.

A plugin registry with its own scope would only be reachable as
``scope.Name`` once a config inherits an ``mmagic::`` base (which stamps
``_scope_='mmagic'`` into every typed dict); MMagic's registries give bare,
mixable names. Names must be unique across MMagic.

A config that inherits ``restorect_mm::...`` gets ``_scope_='restorect_mm'``
stamped instead: for that scope, each MMagic registry gets an empty child
registry scoped ``restorect_mm`` (see :func:`_scope_aliases`), whose lookups
fall through to MMagic's registry, where everything lives.
"""
from mmengine.registry import MODEL_WRAPPERS, Registry

import mmagic.registry as magic_registry
from mmagic.registry import (DATASETS, HOOKS, LOOPS, METRICS, MODELS,
                             PARAM_SCHEDULERS, TRANSFORMS)

# Model wrappers go to MMEngine's root registry: Runner.wrap_model looks the
# type up with MODEL_WRAPPERS.get(), which searches a registry and its
# ancestors only, never MMagic's child registry.

SCOPE = 'restorect_mm'


def _scope_aliases():
    """One empty ``restorect_mm``-scoped child per MMagic registry."""
    aliases = {}
    for name in dir(magic_registry):
        registry = getattr(magic_registry, name)
        if isinstance(registry, Registry) and registry.scope == 'mmagic' \
                and SCOPE not in registry.children:
            aliases[name] = Registry(
                registry.name, parent=registry, scope=SCOPE,
                locations=['restorect_mm'])
    return aliases


SCOPE_ALIASES = _scope_aliases()

__all__ = [
    'DATASETS', 'HOOKS', 'LOOPS', 'METRICS', 'MODEL_WRAPPERS', 'MODELS',
    'PARAM_SCHEDULERS', 'TRANSFORMS', 'SCOPE_ALIASES'
]

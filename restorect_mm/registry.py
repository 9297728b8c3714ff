"""restorect_mm registers straight into MMagic's registries.

A plugin registry with its own scope would only be reachable as
``scope.Name`` once a config inherits an ``mmagic::`` base (which stamps
``_scope_='mmagic'`` into every typed dict); MMagic's registries give bare,
mixable names. Names must be unique across MMagic.
"""
from mmengine.registry import MODEL_WRAPPERS

from mmagic.registry import (DATASETS, HOOKS, LOOPS, METRICS, MODELS,
                             PARAM_SCHEDULERS, TRANSFORMS)

# Model wrappers go to MMEngine's root registry: Runner.wrap_model looks the
# type up with MODEL_WRAPPERS.get(), which searches a registry and its
# ancestors only, never MMagic's child registry.

__all__ = [
    'DATASETS', 'HOOKS', 'LOOPS', 'METRICS', 'MODEL_WRAPPERS', 'MODELS',
    'PARAM_SCHEDULERS', 'TRANSFORMS'
]

"""Data-parallel training of a model that owns its ``train_step``.

MMEngine's ``MMDistributedDataParallel.train_step`` re-implements the default
step and never calls the model's own ``train_step``, so a model with an
``OptimWrapperDict`` (the stage-2 distiller, whose phase picks the optimiser
wrapper) is silently trained wrongly under ``dist_train.sh``.
``MMSeparateDistributedDataParallel`` does call it, but wraps each child in
its own DDP, which EMAHook cannot deep-copy and which forbids calling a
child's methods other than ``forward``.

This wrapper keeps one DDP over the whole model and hands the step to the
model: ``module.train_step(data, optim_wrapper, forward_module=self)``. The
model decides everything (phase, optimiser wrapper, losses); the wrapper only
supplies the forward that DDP sees, so gradients are synchronised. Children
idle in a phase (the student generator in phase 1) need
``find_unused_parameters=True``.
"""
from mmengine.model import MMDistributedDataParallel

from restorect_mm.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class PhasedDistributedDataParallel(MMDistributedDataParallel):
    """DDP that calls the wrapped model's own ``train_step``, passing itself
    as the module that runs the forward pass. Use ``device_ids=None`` on CPU
    (gloo)."""

    def train_step(self, data, optim_wrapper):
        return self.module.train_step(data, optim_wrapper, forward_module=self)

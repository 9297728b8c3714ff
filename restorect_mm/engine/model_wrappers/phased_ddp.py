"""Data-parallel training of a model whose optimiser changes with the phase.

MMEngine's ``MMDistributedDataParallel.train_step`` re-implements the default
step and never calls the model's own ``train_step``, so a model with an
``OptimWrapperDict`` is silently trained wrongly under ``dist_train.sh``.
``MMSeparateDistributedDataParallel`` does call it, but wraps each child in
its own DDP, which EMAHook cannot deep-copy and which forbids calling a
child's methods other than ``forward``.

This wrapper keeps one DDP over the whole model and asks the model which
optimiser wrapper steps now (``model.optim_wrapper_name()``). Children that
are idle in a phase (the student generator in phase 1) are handled by
``find_unused_parameters=True``.
"""
from mmengine.model import MMDistributedDataParallel

from restorect_mm.registry import MODEL_WRAPPERS


def phased_train_step(forward_module, model, data, optim_wrapper):
    """One iteration stepping the optimiser wrapper the model names.

    Args:
        forward_module (nn.Module): what is called for the forward pass: the
            DDP wrapper (so gradients are synchronised) or the model itself.
        model (BaseModel): the model; provides ``data_preprocessor``,
            ``parse_losses`` and ``optim_wrapper_name()``.
        data (dict): a batch from the dataloader.
        optim_wrapper (OptimWrapperDict): the wrappers by name.

    Returns:
        dict[str, Tensor]: log variables.
    """
    name = model.optim_wrapper_name()
    if name not in optim_wrapper:
        raise KeyError(
            f'{type(model).__name__} steps the optimiser wrapper "{name}" '
            f'now, but the config defines only {list(optim_wrapper.keys())}')
    wrapper = optim_wrapper[name]
    with wrapper.optim_context(forward_module):
        data = model.data_preprocessor(data, True)
        if isinstance(data, dict):
            losses = forward_module(**data, mode='loss')
        else:
            losses = forward_module(*data, mode='loss')
    parsed, log_vars = model.parse_losses(losses)
    wrapper.update_params(parsed)
    return log_vars


@MODEL_WRAPPERS.register_module()
class PhasedDistributedDataParallel(MMDistributedDataParallel):
    """DDP whose ``train_step`` steps the wrapper ``module.optim_wrapper_name()``
    returns. Use with ``find_unused_parameters=True`` when a phase leaves some
    trainable parameters idle, and ``device_ids=None`` on CPU (gloo)."""

    def train_step(self, data, optim_wrapper):
        return phased_train_step(self, self.module, data, optim_wrapper)

"""EMA of what trains, for models that carry frozen networks.

MMEngine's ``EMAHook`` deep-copies the whole model and averages every
floating parameter at every iteration. The stage-2 distiller carries the
frozen stage-1 teacher (G, E_rex, E_img) and both DecomNets, the teacher the
frozen DecomNets: the copy doubles their memory and each iteration re-averages
parameters that never change (and, in floating point, lets them drift by
rounding). Written here because MMEngine's averaged models have no notion of
frozen parameters.
"""
from typing import Optional

import torch
from mmengine.model import ExponentialMovingAverage
from torch import nn

from restorect_mm.registry import MODELS


@MODELS.register_module()
class TrainableEMA(ExponentialMovingAverage):
    """``ExponentialMovingAverage`` over the parameters that require grad.

    Parameters frozen when the hook builds the average
    (``requires_grad=False``) are not copied: the averaged model uses the
    source's own tensors for them, so they cost no memory, are never averaged,
    follow the source when it loads them in place (a teacher loaded in
    ``init_weights``, a resumed checkpoint) and swap to themselves in
    ``EMAHook``'s validation swap. The averaged model's state dict keeps every
    key, so checkpoints and ``tools/publish_model.py --weights ema`` are
    unchanged. Use it with
    ``dict(type='EMAHook', ema_type='TrainableEMA', momentum=...)``.

    Args:
        model (nn.Module): the model to average.
        momentum, interval, update_buffers: as
            :class:`mmengine.model.ExponentialMovingAverage`.
        device (torch.device, optional): where the average lives; frozen
            tensors can be shared only on the source's device, elsewhere they
            are copied (and still not averaged).
    """

    def __init__(self,
                 model: nn.Module,
                 momentum: float = 0.0002,
                 interval: int = 1,
                 device: Optional[torch.device] = None,
                 update_buffers: bool = False) -> None:
        super().__init__(model, momentum, interval, device, update_buffers)
        frozen = {name: param for name, param in model.named_parameters()
                  if not param.requires_grad}
        for name, param in self.module.named_parameters():
            source = frozen.get(name)
            if source is not None and source.device == param.device:
                param.data = source.data  # shared storage, not a copy
        self.avg_parameters = {
            name: value for name, value in self.avg_parameters.items()
            if name not in frozen
        }

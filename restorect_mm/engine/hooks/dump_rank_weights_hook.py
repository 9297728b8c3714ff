"""Write every rank's model weights to its own file, to check that data
parallel training keeps the ranks identical."""
import os
import os.path as osp

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from restorect_mm.registry import HOOKS


@HOOKS.register_module()
class DumpRankWeightsHook(Hook):
    """Saves ``{out_prefix}{rank}_initial.pth`` before training and
    ``{out_prefix}{rank}.pth`` after it (weights-only state dicts).

    Compare the files of all ranks with ``torch.equal``: after a DDP run they
    must match tensor for tensor.

    Args:
        out_prefix (str): path prefix, e.g. ``work_dirs/x/rank``.
    """

    priority = 'LOWEST'

    def __init__(self, out_prefix):
        self.out_prefix = out_prefix

    def _save(self, runner, suffix):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        state = {k: v.detach().cpu().clone()
                 for k, v in model.state_dict().items()}
        path = f'{self.out_prefix}{runner.rank}{suffix}.pth'
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        torch.save(state, path)

    def before_train(self, runner):
        self._save(runner, '_initial')

    def after_train(self, runner):
        self._save(runner, '')

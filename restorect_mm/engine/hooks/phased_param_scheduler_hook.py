"""LR schedules that count their own optimiser wrapper's steps.

The stage-2 distiller trains in two phases, each stepping one optimiser
wrapper (phase 1 ``prior_flows``, phase 2 ``student``). The reference decays
each phase's LR from the start of that phase (flows:
``2e-4 * 0.1^floor(iter / 60k)``; student:
``2e-4 * 0.5^floor((iter - encoder_iters) / 80k)``). MMEngine's
``ParamSchedulerHook`` steps every scheduler every iteration, so a schedule
could follow a phase only through ``begin``/``end`` set to ``encoder_iters``,
which every config that changes the phase length would have to restate.

This hook steps, after each iteration, only the schedulers of the wrapper that
stepped in it (``model.optim_wrapper_name()``, asked before the iteration
counter moves on). A schedule therefore counts iterations of its own phase,
and ``encoder_iters`` lives on the model alone. Models without
``optim_wrapper_name`` get MMEngine's behaviour. Written here because MMEngine
has no per-wrapper stepping rule.
"""
from mmengine.hooks import ParamSchedulerHook
from mmengine.model import is_model_wrapper

from restorect_mm.registry import HOOKS


@HOOKS.register_module()
class PhasedParamSchedulerHook(ParamSchedulerHook):
    """``ParamSchedulerHook`` whose iteration-based schedulers advance only
    when their optimiser wrapper stepped. Use it as
    ``default_hooks.param_scheduler``; ``param_scheduler`` is then a dict keyed
    by the ``optim_wrapper`` names, each schedule written from 0 (the start of
    its phase). Epoch-based and validation-driven schedulers behave as in
    MMEngine."""

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        schedulers = runner.param_schedulers
        if not hasattr(model, 'optim_wrapper_name') or not isinstance(
                schedulers, dict):
            return super().after_train_iter(runner, batch_idx, data_batch,
                                            outputs)
        name = model.optim_wrapper_name()
        for scheduler in schedulers.get(name, []):
            if not scheduler.by_epoch:
                scheduler.step()

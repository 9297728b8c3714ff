from .checkpoint_safety_hook import CheckpointSafetyHook
from .dump_rank_weights_hook import DumpRankWeightsHook
from .iteration_seed_hook import IterationSeedHook
from .phased_param_scheduler_hook import PhasedParamSchedulerHook

__all__ = ['CheckpointSafetyHook', 'DumpRankWeightsHook', 'IterationSeedHook',
           'PhasedParamSchedulerHook']
from .progressive_patch_hook import ProgressivePatchHook  # noqa: E402

__all__ += ['ProgressivePatchHook']

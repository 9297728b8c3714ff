from .checkpoint_safety_hook import CheckpointSafetyHook
from .dump_rank_weights_hook import DumpRankWeightsHook

__all__ = ['CheckpointSafetyHook', 'DumpRankWeightsHook']

from .checkpoint_safety_hook import CheckpointSafetyHook

__all__ = ['CheckpointSafetyHook']

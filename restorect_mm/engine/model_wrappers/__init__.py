from .phased_ddp import PhasedDistributedDataParallel, phased_train_step

__all__ = ['PhasedDistributedDataParallel', 'phased_train_step']

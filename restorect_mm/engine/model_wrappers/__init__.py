from .phased_ddp import PhasedDistributedDataParallel

__all__ = ['PhasedDistributedDataParallel']

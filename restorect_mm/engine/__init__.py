"""Engine pieces: checkpoint I/O with a security boundary, atomic writes,
hooks, the phased DDP wrapper, the EMA of trainable parameters."""
from . import (atomic_local_backend, checkpoint_io, hooks,  # noqa: F401
               model_wrappers, trainable_ema)

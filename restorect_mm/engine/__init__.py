"""Engine pieces: checkpoint I/O with a security boundary, hooks."""
from . import checkpoint_io, hooks, model_wrappers  # noqa: F401

"""Engine pieces: checkpoint I/O with a security boundary, hooks."""
from . import checkpoint_io, hooks  # noqa: F401

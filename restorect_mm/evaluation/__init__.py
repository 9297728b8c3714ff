"""Registered on import."""
from . import metrics  # noqa: F401,E402
from . import functional  # noqa: F401,E402

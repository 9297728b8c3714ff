"""Registered on import."""
from . import metrics  # noqa: F401,E402

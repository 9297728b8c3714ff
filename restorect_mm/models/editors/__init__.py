"""Editors (top-level models) of restorect_mm."""
from .restorect_decomposer import RestoRectDecomposer

__all__ = ['RestoRectDecomposer']

"""Editors (top-level models) of restorect_mm."""
from .restorect_decomposer import RestoRectDecomposer

__all__ = ['RestoRectDecomposer']
from .restorect_distiller import RestoRectDistiller  # noqa: E402
from .restorect_student import RestoRectStudent  # noqa: E402

__all__ += ['RestoRectDistiller', 'RestoRectStudent']
from .restorect_teacher import RestoRectTeacher  # noqa: E402

__all__ += ['RestoRectTeacher']

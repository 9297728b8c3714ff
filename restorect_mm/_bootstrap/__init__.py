"""The interpreter-start hook that applies :mod:`restorect_mm.compat` before
``mmagic`` is imported (see ``hook.py`` and ``restorect_mm_compat.pth``)."""

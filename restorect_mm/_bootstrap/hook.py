"""Run by ``restorect_mm_compat.pth`` at every interpreter start: stdlib only.

It installs a meta-path finder that, the first time ``mmagic`` is imported,
loads ``restorect_mm/compat.py`` (by file, without importing the package, which
itself imports mmagic) and applies its fixes; then it steps aside and the
normal import of mmagic proceeds. Nothing is imported until mmagic is.
Set RESTORECT_MM_NO_COMPAT_HOOK=1 to switch the hook off.
"""
import importlib.util
import os
import sys


class RestoRectCompatFinder:
    """Meta-path finder acting once, on the first ``import mmagic``."""

    def find_spec(self, name, path=None, target=None):
        if name != 'mmagic':
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        compat = sys.modules.get('restorect_mm.compat')
        if compat is None:
            package = importlib.util.find_spec('restorect_mm')
            if package is None or not package.submodule_search_locations:
                return None
            file = os.path.join(
                list(package.submodule_search_locations)[0], 'compat.py')
            spec = importlib.util.spec_from_file_location(
                'restorect_mm.compat', file)
            compat = importlib.util.module_from_spec(spec)
            # registered under its real name: a later `import restorect_mm`
            # reuses this very module, so the fixes run once
            sys.modules['restorect_mm.compat'] = compat
            spec.loader.exec_module(compat)
        compat.apply()
        return None


if os.environ.get('RESTORECT_MM_NO_COMPAT_HOOK') != '1' and not any(
        type(f).__name__ == 'RestoRectCompatFinder' for f in sys.meta_path):
    sys.meta_path.insert(0, RestoRectCompatFinder())

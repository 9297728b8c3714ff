"""Run by ``restorect_mm_compat.pth`` at every interpreter start: stdlib only.

It installs a meta-path finder acting on two first imports, and on nothing else:

* ``mmagic``: loads ``restorect_mm/compat.py`` (by file, without importing the
  package, which itself imports mmagic) and applies its fixes before the normal
  import of mmagic proceeds, so MMagic's unmodified tools work;
* ``mim``: once OpenMIM is loaded, lets it find the configs and tools of an
  editable install (``compat.let_mim_find_editable_installs``).

Nothing is imported until one of them is. Set RESTORECT_MM_NO_COMPAT_HOOK=1 to
switch the hook off.
"""
import importlib.machinery
import importlib.util
import os
import sys


def _load_compat():
    compat = sys.modules.get('restorect_mm.compat')
    if compat is not None:
        return compat
    package = importlib.util.find_spec('restorect_mm')
    if package is None or not package.submodule_search_locations:
        return None
    file = os.path.join(
        list(package.submodule_search_locations)[0], 'compat.py')
    spec = importlib.util.spec_from_file_location('restorect_mm.compat', file)
    compat = importlib.util.module_from_spec(spec)
    # registered under its real name: a later `import restorect_mm` reuses
    # this very module, so the fixes run once
    sys.modules['restorect_mm.compat'] = compat
    spec.loader.exec_module(compat)
    return compat


class RestoRectCompatFinder:
    """Meta-path finder acting once on ``mmagic`` and once on ``mim``."""

    def __init__(self):
        self.pending = {'mmagic', 'mim'}

    def _done(self, name):
        self.pending.discard(name)
        if not self.pending and self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, name, path=None, target=None):
        if name not in self.pending:
            return None
        self._done(name)
        if name == 'mmagic':
            compat = _load_compat()
            if compat is not None:
                compat.apply()
            return None
        # mim: patch it right after its own module code has run
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or not hasattr(spec.loader, 'exec_module'):
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_patch(module):
            exec_module(module)
            compat = _load_compat()
            if compat is not None:
                compat.let_mim_find_editable_installs()

        spec.loader.exec_module = exec_then_patch
        return spec


if os.environ.get('RESTORECT_MM_NO_COMPAT_HOOK') != '1' and not any(
        type(f).__name__ == 'RestoRectCompatFinder' for f in sys.meta_path):
    sys.meta_path.insert(0, RestoRectCompatFinder())

"""Install restorect_mm, an MMagic plugin implementing RestoRect.

Besides the package, the install puts ``restorect_mm_compat.pth`` into
site-packages: it applies ``restorect_mm.compat`` before ``mmagic`` is first
imported, so that MMagic's unmodified tools (``mmagic/.mim/tools/train.py``) run
on today's torch and numpy. It works for ``pip install .`` and ``pip install -e .``.
"""
import os
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
PTH_NAME = 'restorect_mm_compat.pth'
PTH_SOURCE = os.path.join(HERE, 'restorect_mm', '_bootstrap', PTH_NAME)


class BuildPyWithPth(build_py):
    """Copies the .pth hook and the configs/tools (for ``restorect_mm::`` config
    inheritance through ``restorect_mm/.mim``) into the wheel. In the source
    tree (editable installs) ``restorect_mm/.mim`` holds symlinks instead."""

    def run(self):
        super().run()
        self.copy_file(PTH_SOURCE, os.path.join(self.build_lib, PTH_NAME))
        if not self.editable_mode:
            mim = os.path.join(self.build_lib, 'restorect_mm', '.mim')
            for folder in ('configs', 'tools'):
                target = os.path.join(mim, folder)
                if os.path.lexists(target):
                    if os.path.islink(target):
                        os.unlink(target)
                    else:
                        shutil.rmtree(target)
                shutil.copytree(os.path.join(HERE, folder), target)
            index = os.path.join(mim, 'model-index.yml')
            if os.path.lexists(index):
                os.unlink(index)
            shutil.copyfile(os.path.join(HERE, 'model-index.yml'), index)


cmdclass = {'build_py': BuildPyWithPth}

try:  # editable installs (PEP 660) build their wheel elsewhere
    from setuptools.command.editable_wheel import editable_wheel

    class EditableWheelWithPth(editable_wheel):
        """Adds the .pth hook to the root of the editable wheel too."""

        def _run_build_commands(self, dist_name, unpacked_wheel, build_lib,
                                tmp_dir):
            result = super()._run_build_commands(dist_name, unpacked_wheel,
                                                 build_lib, tmp_dir)
            shutil.copyfile(PTH_SOURCE,
                            os.path.join(str(unpacked_wheel), PTH_NAME))
            return result

    cmdclass['editable_wheel'] = EditableWheelWithPth
except ImportError:  # pragma: no cover - very old setuptools
    pass


def read_requirements(name):
    with open(os.path.join(HERE, 'requirements', name)) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [line for line in lines if line and not line.startswith('-')]


setup(
    name='restorect_mm',
    version='0.1.0',
    description='RestoRect (latent rectified-flow feature distillation for '
    'image restoration) as an MMagic plugin',
    long_description=open(os.path.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    python_requires='>=3.10,<3.13',
    packages=find_packages(include=['restorect_mm', 'restorect_mm.*']),
    package_data={'restorect_mm._bootstrap': [PTH_NAME]},
    # mmagic is declared so that a resolver sees it; tools/setup_env.sh
    # installs it --no-deps (its own declared dependencies pull mediapipe and
    # two more opencv builds). mmcv is an extra: never one flavour over the other
    install_requires=(read_requirements('runtime.txt') +
                      read_requirements('mmagic.txt')),
    extras_require={
        'mmcv-lite': read_requirements('mmcv.txt'),
        'mmcv': ['mmcv>=2.0.0,<2.2.0'],
        'tests': read_requirements('tests.txt'),
    },
    cmdclass=cmdclass,
    zip_safe=False,
)

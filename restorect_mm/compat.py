"""Make the frozen OpenMMLab stack (mmengine 0.10.x, mmcv or mmcv-lite 2.0-2.1,
mmagic 1.2.0) work on every supported torch (2.1 to the newest) and numpy
(1.26 and 2.x).

Upstream is frozen, so each breakage is fixed here, one function per fix, and
``apply()`` runs them all. It must run before ``mmagic`` is imported: the
package ``restorect_mm`` calls it first thing, and the ``restorect_mm_compat.pth``
hook that the install puts into site-packages arranges the same for MMagic's
unmodified tools (``mmagic/.mim/tools/train.py``), see ``restorect_mm._bootstrap``.

Every fix is idempotent and has its own test in ``tests/test_compat.py``.
This file imports nothing of restorect_mm at import time (the hook loads it on
its own); the one function that needs the package's checkpoint reader,
:func:`load_checkpoints_weights_only`, imports it on first use.
"""
import atexit
import gc
import importlib.machinery
import os
import sys
import types

_APPLIED = False


def restore_numpy_aliases():
    """numpy 2 removed ``np.bool8``; ``mmagic/utils/trans_utils.py`` still uses it."""
    import numpy as np
    if not hasattr(np, 'bool8'):
        np.bool8 = np.bool_


class _MissingFeatureModule(types.ModuleType):
    """A placeholder module whose public attributes raise a clear error.

    Dunder lookups (``__file__``, ``__path__``, ...) raise AttributeError as a
    normal module would, so module scanners calling ``hasattr`` keep working.
    """

    def __init__(self, name, message, error_type):
        super().__init__(name)
        self.__spec__ = importlib.machinery.ModuleSpec(name, loader=None)
        self.__restorect_placeholder__ = True
        self._message = message
        self._error_type = error_type

    def __getattr__(self, attr):
        if attr.startswith('__') and attr.endswith('__'):
            raise AttributeError(attr)
        return _raising_callable(f'{self.__name__}.{attr}', self._message,
                                 self._error_type)


def _raising_callable(qualname, message, error_type):

    class _Unavailable:
        """Stands in for a class or function of an absent optional module."""

        def __init__(self, *args, **kwargs):
            raise error_type(f'{qualname} is unavailable: {message}')

        def __call__(self, *args, **kwargs):  # pragma: no cover
            raise error_type(f'{qualname} is unavailable: {message}')

        def __init_subclass__(cls, **kwargs):
            raise error_type(f'{qualname} is unavailable: {message}')

    _Unavailable.__name__ = qualname.rsplit('.', 1)[-1]
    _Unavailable.__qualname__ = qualname
    return _Unavailable


def _module_importable(name):
    import importlib.util
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def install_albumentations_placeholder():
    """mmagic imports ``albumentations`` eagerly without declaring it, and the real
    package drags in opencv-python-headless (a second cv2). A placeholder lets
    mmagic import; using its Albu transform raises a clear ImportError."""
    name = 'albumentations'
    if name in sys.modules or _module_importable(name):
        return
    sys.modules[name] = _MissingFeatureModule(
        name, 'albumentations is not installed. Install it '
        '(pip install albumentations) to use MMagic\'s Albu transforms.',
        ImportError)


def install_mmcv_ext_placeholder():
    """mmcv-lite ships no compiled ops (``mmcv._ext``). A placeholder with a real
    ``__spec__`` lets mmagic import (mmengine's revert_sync_batchnorm inspects
    ``__spec__``); only the DCN-based models (EDVR, TDAN, BasicVSR++) fail,
    at forward."""
    name = 'mmcv._ext'
    if name in sys.modules:
        return
    if not _module_importable('mmcv'):
        return
    if _module_importable(name):
        return
    placeholder = _MissingFeatureModule(
        name, 'mmcv compiled ops are unavailable with mmcv-lite; install the '
        'full mmcv==2.1.0 (compiled) to use DCN-based models.',
        NotImplementedError)
    sys.modules[name] = placeholder


def _cuda_usable():
    import torch
    try:
        return torch.cuda.is_available() and torch.cuda.device_count() > 0
    except Exception:  # pragma: no cover - broken driver counts as no CUDA
        return False


def init_cpu_process_group():
    """mmengine's ``_init_dist_pytorch`` always calls ``torch.cuda.set_device``,
    which fails without CUDA. Runner.setup_env skips ``init_dist`` when a default
    process group already exists, so under a launcher (WORLD_SIZE > 1) on a
    machine without CUDA we start the gloo group here first."""
    if int(os.environ.get('WORLD_SIZE', '1')) <= 1:
        return False
    if 'MASTER_ADDR' not in os.environ or 'RANK' not in os.environ:
        return False
    import torch.distributed as dist
    if not dist.is_available() or dist.is_initialized():
        return False
    if _cuda_usable():
        return False
    dist.init_process_group(
        backend='gloo',
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']))
    return True


def die_with_the_launcher():
    """A rank started by torchrun (``tools/dist_train.sh``, MMagic's
    ``dist_train.sh``) keeps training as an orphan when the launcher is
    SIGKILLed, since only the launcher could have told it to stop. On Linux
    ask the kernel to SIGKILL this process when its parent dies
    (``prctl(PR_SET_PDEATHSIG)``); returns whether it was armed."""
    if 'TORCHELASTIC_RUN_ID' not in os.environ and \
            'LOCAL_RANK' not in os.environ:
        return False
    if not sys.platform.startswith('linux'):
        return False
    import ctypes
    import signal
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):  # pragma: no cover - no usable libc
        return False
    if os.getppid() != parent:  # the launcher died before prctl took effect
        os.kill(os.getpid(), signal.SIGKILL)
    return True


def _destroy_process_group():
    try:
        import torch.distributed as dist
    except ImportError:  # pragma: no cover
        return
    if dist.is_available() and dist.is_initialized():
        gc.collect()  # no DDP object may outlive the group
        try:
            dist.destroy_process_group()
        except Exception:  # pragma: no cover - exiting anyway
            pass


def register_process_group_teardown():
    """gloo on torch 2.13/2.14 sometimes aborts at interpreter exit ('terminate
    called without an active exception') when the group is never destroyed, and
    torchrun then kills the other ranks. Destroy it at exit."""
    atexit.register(_destroy_process_group)


def to_python_scalars(value):
    """numpy / 0-d torch scalars -> Python numbers, recursively in dicts/lists."""
    if isinstance(value, dict):
        return {k: to_python_scalars(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_python_scalars(v) for v in value)
    if hasattr(value, 'item') and getattr(value, 'ndim', None) == 0:
        return value.item()
    if type(value).__module__ == 'numpy' and hasattr(value, 'item'):
        return value.item()
    return value


def _json_safe_evaluate(original):

    def evaluate(self, *args, **kwargs):
        return to_python_scalars(original(self, *args, **kwargs))

    evaluate.__wrapped__ = original
    return evaluate


def make_metric_results_json_safe():
    """MMagic's MAE returns a Tensor, PSNR np.float32, SSIM np.float64: ``test.py
    --out metrics.json`` cannot serialise them. Make both evaluators (MMEngine's
    and MMagic's own) return Python floats. Needs mmagic, so it is applied by
    ``import restorect_mm`` rather than by :func:`apply`."""
    from mmengine.evaluator import Evaluator as EngineEvaluator

    from mmagic.evaluation import Evaluator as MagicEvaluator
    for cls in (EngineEvaluator, MagicEvaluator):
        if not hasattr(cls.evaluate, '__wrapped__'):
            cls.evaluate = _json_safe_evaluate(cls.evaluate)


class _RunnerAtStepZero:
    """A runner seen through a proxy whose ``iter`` is 0 (all else
    delegated), for hooks run while no train loop is built."""

    iter = 0

    def __init__(self, runner):
        self._runner = runner

    def __getattr__(self, name):
        return getattr(self._runner, name)


def visualize_tests_without_a_train_loop():
    """MMagic's BasicVisualizationHook asks for ``runner.iter`` while testing,
    which builds the *training* loop and dataloader: ``test.py`` then fails
    unless the training data exist too. When no train loop was built, the
    hook sees step 0 instead. Needs mmagic: applied by
    ``import restorect_mm``."""
    from mmagic.engine.hooks import BasicVisualizationHook
    if hasattr(BasicVisualizationHook._after_iter, '__wrapped__'):
        return
    original = BasicVisualizationHook._after_iter

    def _after_iter(self, runner, batch_idx, data_batch=None, outputs=None,
                    mode='train'):
        train_loop = getattr(runner, '_train_loop', None)
        if train_loop is None or isinstance(train_loop, dict):
            runner = _RunnerAtStepZero(runner)
        return original(self, runner, batch_idx, data_batch, outputs, mode)

    _after_iter.__wrapped__ = original
    BasicVisualizationHook._after_iter = _after_iter


def _editable_aware(get_installed_path):
    """Wrap a ``get_installed_path(package)`` that joins the distribution's
    location with the package name. For an editable install (PEP 660) that is
    site-packages, where the package is not: fall back to where Python imports
    the package from."""
    import os.path as osp

    def wrapped(package):
        path = get_installed_path(package)
        if not osp.isdir(path):
            import importlib.util
            spec = importlib.util.find_spec(package)
            if spec is not None and spec.origin:
                return osp.dirname(spec.origin)
        return path

    wrapped.__wrapped__ = get_installed_path
    wrapped.restorect_editable_aware = True
    return wrapped


def enable_package_config_inheritance():
    """Make ``_base_ = 'restorect_mm::demo/x.py'`` work, in restorect_mm's tools
    and (through the ``.pth`` hook) in MMagic's unmodified ones.

    mmengine accepts only the packages listed in its ``MODULE2PACKAGE``
    (OpenMMLab's own), so restorect_mm is added there. It then finds
    ``pkg/.mim/configs`` through ``get_installed_path``, made editable-aware."""
    import mmengine.config.config as config_module
    from mmengine.config.utils import MODULE2PACKAGE
    MODULE2PACKAGE.setdefault('restorect_mm', 'restorect_mm')
    if not hasattr(config_module.get_installed_path,
                   'restorect_editable_aware'):
        config_module.get_installed_path = _editable_aware(
            config_module.get_installed_path)


def let_mim_find_editable_installs():
    """``mim train restorect_mm CFG`` looks for ``restorect_mm/.mim/tools`` next
    to the distribution's metadata, which an editable install keeps in
    site-packages. Run by the ``.pth`` hook right after ``mim`` is imported:
    every ``mim`` module holding ``get_installed_path`` gets the editable-aware
    one."""
    from mim.utils import utils as mim_utils
    original = mim_utils.get_installed_path
    if hasattr(original, 'restorect_editable_aware'):
        return
    wrapped = _editable_aware(original)
    for name, module in list(sys.modules.items()):
        if (name == 'mim' or name.startswith('mim.')) and getattr(
                module, 'get_installed_path', None) is original:
            module.get_installed_path = wrapped


def _weights_only_checkpoint_loader(filename, map_location):
    from restorect_mm.engine.checkpoint_io import load_checkpoint_file
    return load_checkpoint_file(filename, map_location=map_location)


_weights_only_checkpoint_loader.restorect_weights_only = True


def load_checkpoints_weights_only():
    """MMEngine reads local checkpoints (``load_from``, ``--resume``,
    ``test.py CKPT``) with a bare ``torch.load``: on torch >= 2.6 that refuses
    MMEngine's own HistoryBuffer logs, so MMagic's tools cannot load the
    checkpoints they wrote; before 2.6 it unpickles anything. Route it through
    restorect_mm's one trust rule
    (:func:`restorect_mm.engine.checkpoint_io.load_checkpoint_file`) in every
    process, MMagic's unmodified tools with plain MMagic configs included (the
    ``.pth`` hook runs :func:`apply`). The reader is imported on the first
    load, so ``import mmagic`` stays light."""
    from mmengine.runner.checkpoint import CheckpointLoader
    current = CheckpointLoader._schemes.get('')
    if getattr(current, 'restorect_weights_only', False):
        return
    CheckpointLoader.register_scheme(
        prefixes='', loader=_weights_only_checkpoint_loader, force=True)


SUPPORTED_MMCV = ((2, 0, 0), (2, 2, 0))  # mmagic 1.2.0 accepts [2.0.0, 2.2.0)
_INSTALL_MMCV = (
    "install one mmcv flavour: `pip install 'mmcv-lite>=2.0.0,<2.2.0'` (pure "
    'Python, no compiled ops) or full mmcv 2.1.0 with its ops (`mim install '
    'mmcv==2.1.0` for torch <= 2.1, else build it for your torch: '
    '`MMCV_WITH_OPS=1 pip wheel --no-deps --no-build-isolation mmcv==2.1.0`, '
    'or `RESTORECT_MMCV=mmcv bash tools/setup_env.sh`)')


class MMCVInstallError(ImportError):
    """mmcv is missing, of a version mmagic rejects, or its ops do not load."""


def installed_mmcv_flavours():
    """[(distribution name, version)] of mmcv / mmcv-lite installed."""
    import importlib.metadata as metadata
    found = []
    for name in ('mmcv', 'mmcv-lite'):
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            pass
    return found


def _version_tuple(version):
    import re
    return tuple(int(part) for part in re.findall(r'\d+', version)[:3])


def check_mmcv():
    """Fail with one clear message, before mmagic does with a cryptic one, when
    mmcv is absent or outside mmagic's range, or when full mmcv's compiled ops
    (``mmcv._ext``) do not load for the installed torch (built for another).
    Warns when both flavours are installed: they share the ``mmcv/`` folder."""
    flavours = dict(installed_mmcv_flavours())
    if not flavours:
        raise MMCVInstallError('restorect_mm needs mmcv, which is not '
                               f'installed: {_INSTALL_MMCV}.')
    if len(flavours) > 1:
        import warnings
        warnings.warn(
            'both mmcv and mmcv-lite are installed; they write the same mmcv/ '
            'folder, so which one you get is undefined. Uninstall one (both, '
            'then reinstall the one you want).', RuntimeWarning)
    low, high = SUPPORTED_MMCV
    for name, version in flavours.items():
        if not low <= _version_tuple(version) < high:
            raise MMCVInstallError(
                f'{name} {version} is installed, but mmagic 1.2.0 accepts mmcv '
                f'2.0.0 <= version < 2.2.0: {_INSTALL_MMCV}.')
    if 'mmcv' in flavours:
        import importlib
        import torch
        try:
            importlib.import_module('mmcv._ext')
        except (ImportError, OSError) as exc:
            raise MMCVInstallError(
                f'full mmcv {flavours["mmcv"]} is installed, but its '
                f'compiled ops (mmcv._ext) do not load with torch '
                f'{torch.__version__} ({type(exc).__name__}: '
                f'{str(exc)[:200]}); it was built for another torch. Reinstall '
                'mmcv built for this torch, or replace it by mmcv-lite '
                "(`pip uninstall -y mmcv && pip install 'mmcv-lite>=2.0.0,"
                "<2.2.0'`) if you need no compiled ops.") from exc


def silence_known_deprecation_noise():
    """diffusers 0.24 / transformers 4.36 (pinned by mmagic) warn about a
    private torch API at import; the warning is theirs, harmless, and floods
    every log. Only that message is filtered."""
    import warnings
    warnings.filterwarnings(
        'ignore',
        message=r'.*_register_pytree_node',
        category=FutureWarning)
    # mmengine imports pkg_resources for 'mmagic::' config bases
    warnings.filterwarnings(
        'ignore', message=r'pkg_resources is deprecated', category=UserWarning)


def apply():
    """Apply every fix once. Safe to call many times."""
    global _APPLIED
    if _APPLIED:
        return
    silence_known_deprecation_noise()
    restore_numpy_aliases()
    check_mmcv()
    install_albumentations_placeholder()
    install_mmcv_ext_placeholder()
    enable_package_config_inheritance()
    die_with_the_launcher()
    init_cpu_process_group()
    register_process_group_teardown()
    load_checkpoints_weights_only()
    _APPLIED = True

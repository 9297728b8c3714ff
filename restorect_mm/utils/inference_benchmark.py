"""Measure one restoration model at inference: parameters, multiply-
accumulates, latency, peak memory and (optionally) PSNR on a paired test set.

Used by ``tools/analysis_tools/benchmark.py``, which runs every measurement in
a child process (:func:`measure_in_child`) so that the peak memory of one
model never hides behind another's: forked on the CPU, spawned on CUDA (a
CUDA context cannot be used in a forked child, :func:`start_method_for`).

Every model is an MMagic/restorect_mm editor built from a config. What is
timed is its inference forward at batch 1:

* ``RestoRectTeacher``: ``restore(lq, gt)`` (the priors see the GT);
* everything else: ``model(x, mode='tensor')`` (a RestoRect student samples
  its priors with the flows; MMagic's ``BaseEditModel`` runs its generator).
"""
import multiprocessing
import os
import queue as queue_module
import statistics
import time
import traceback
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from restorect_mm.apis.memory_budget import proc_status_kib

_KIB = 1024


class TeacherForward(nn.Module):
    """``teacher.restore(lq, gt)`` as a module with tensor inputs."""

    def __init__(self, teacher: nn.Module):
        super().__init__()
        self.teacher = teacher

    def forward(self, lq: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
        return self.teacher.restore(lq, gt)


class TensorForward(nn.Module):
    """``model(x, mode='tensor')`` as a module with one tensor input."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x, mode='tensor')


def build_model(cfg) -> nn.Module:
    """Build ``cfg.model`` in eval mode without loading any weights file
    (sizes and speed do not depend on the weights)."""
    from mmagic.registry import MODELS
    model_cfg = cfg.model.copy()
    for key in ('decom_weights', 'decom_low_weights', 'decom_high_weights',
                'weights'):
        if key in model_cfg:
            model_cfg[key] = None
    if model_cfg.get('type') == 'RestoRectTeacher':
        model_cfg['allow_untrained_decom'] = True
    if model_cfg.get('type') == 'RestoRectDistiller':
        model_cfg.update(teacher_weights=None, allow_untrained_teacher=True)
    return MODELS.build(model_cfg).eval()


def inference_module(model: nn.Module, h: int, w: int,
                     device: str) -> Tuple[nn.Module, tuple]:
    """The module whose forward is measured and its batch-1 inputs."""
    generator = torch.Generator().manual_seed(0)
    img = torch.rand(1, 3, h, w, generator=generator).to(device)
    if type(model).__name__ == 'RestoRectTeacher':
        gt = torch.rand(1, 3, h, w, generator=generator).to(device)
        return TeacherForward(model), (img, gt)
    return TensorForward(model), (img, )


def count_params(module: nn.Module) -> int:
    """All parameters, frozen ones included (they run at inference)."""
    return sum(p.numel() for p in module.parameters())


# ------------------------------------------------------------- memory --
def _reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark VmHWM to the current RSS (Linux
    >= 4.0, ``clear_refs`` value 5); False where that is not possible."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def _release_free_heap():
    """Hand freed heap pages back to the OS (glibc), so that the baseline RSS
    holds only live memory."""
    try:
        import ctypes
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


class PeakMemory:
    """Peak memory of the code run inside the ``with`` block, in MiB.

    CUDA: ``torch.cuda.max_memory_allocated`` (weights + activations, what
    PyTorch's allocator holds at its peak). CPU: growth of the resident set
    size over the block, ``VmHWM - VmRSS`` at entry (activations and
    workspaces; the weights were resident before), read from
    ``/proc/self/status`` after resetting the high-water mark. Where that
    reset is impossible, ``getrusage``'s lifetime peak is used instead (an
    underestimate when building the model peaked higher).
    """

    def __init__(self, device: str):
        self.device = device
        self.mib = None

    def __enter__(self):
        if self.device.startswith('cuda'):
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            return self
        _release_free_heap()
        self._exact = _reset_peak_rss()
        self._start_kib = proc_status_kib('VmRSS')
        if not self._exact or self._start_kib is None:
            import resource
            self._start_kib = resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss
        return self

    def __exit__(self, *exc):
        if self.device.startswith('cuda'):
            torch.cuda.synchronize()
            self.mib = torch.cuda.max_memory_allocated() / _KIB**2
            return False
        if self._exact and proc_status_kib('VmHWM') is not None:
            peak_kib = proc_status_kib('VmHWM')
        else:
            import resource
            peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.mib = max(peak_kib - self._start_kib, 0) / _KIB
        return False


# ------------------------------------------------------------ latency --
def median_latency_ms(module: nn.Module, inputs: tuple, device: str,
                      warmup: int, repeats: int) -> float:
    """Median wall-clock time of ``module(*inputs)`` in ms, after
    ``warmup`` untimed calls, under ``torch.inference_mode``."""
    cuda = device.startswith('cuda')
    times = []
    with torch.inference_mode():
        for step in range(warmup + repeats):
            if cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            module(*inputs)
            if cuda:
                torch.cuda.synchronize()
            if step >= warmup:
                times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def count_macs(module: nn.Module, inputs: tuple) -> int:
    """Multiply-accumulates of one forward (MMEngine's counter)."""
    from mmengine.analysis import get_model_complexity_info
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('ERROR')  # one warning per uncounted elementwise op
    try:
        with torch.no_grad():
            info = get_model_complexity_info(
                module, inputs=inputs, show_table=False, show_arch=False)
    finally:
        logger.setLevel(level)
    return int(info['flops'])


def measure_speed(cfg, shape: Tuple[int, int], device: str, warmup: int,
                  repeats: int, threads: Optional[int] = None) -> Dict:
    """Build the config's model and measure it at one input size.

    Returns:
        dict: ``params``, ``macs``, ``latency_ms``, ``peak_mib``.
    """
    if threads:
        torch.set_num_threads(threads)
    model = build_model(cfg).to(device)
    h, w = shape
    module, inputs = inference_module(model, h, w, device)
    with PeakMemory(device) as memory:
        latency = median_latency_ms(module, inputs, device, warmup, repeats)
    macs = count_macs(module, inputs)
    figures = dict(params=count_params(model), macs=macs, latency_ms=latency,
                   peak_mib=memory.mib)
    if device.startswith('cuda'):  # named here: the parent never opens CUDA
        figures['device_name'] = torch.cuda.get_device_name(device)
    return figures


# ------------------------------------------------------------ quality --
def load_model_weights(model: nn.Module, path: str):
    """Load the tensors of ``path`` that the model has; every key of the
    model must be present. A stage-2 checkpoint works for a student whose
    inference model has only ``generator.*`` (the teacher's keys are
    ignored); MMEngine checkpoints give their ``state_dict`` (the EMA
    weights where EMAHook ran)."""
    from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                                   read_training_checkpoint,
                                                   select_weights)
    state = select_weights(read_training_checkpoint(path), 'ema', path)
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    if missing:
        raise CheckpointError(
            f'{path} does not fit {type(model).__name__}: {len(missing)} '
            f'missing keys, e.g. {missing[:3]}')
    model.load_state_dict({k: state[k] for k in own})


def test_set_loader(lq_dir: str, gt_dir: str, dataset_config: str):
    """A dataset config's test dataloader (paired folders, e.g.
    ``configs/_base_/datasets/paired_lowlight.py``) on two folders."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    loader = Config.fromfile(dataset_config).test_dataloader.copy()
    loader.update(num_workers=0)
    lq_dir, gt_dir = os.path.abspath(lq_dir), os.path.abspath(gt_dir)
    root = os.path.commonpath([lq_dir, gt_dir])
    loader.dataset.update(
        data_root=root,
        data_prefix=dict(img=os.path.relpath(lq_dir, root),
                         gt=os.path.relpath(gt_dir, root)))
    return Runner.build_dataloader(loader)


def measure_quality(cfg, checkpoint: str, lq_dir: str, gt_dir: str,
                    dataset_config: str, device: str,
                    threads: Optional[int] = None) -> Dict:
    """PSNR and SSIM of the config's model with the given weights, through
    its ``test_step`` and MMagic's metrics, exactly as ``tools/test.py``
    (RGB, full resolution, no crop)."""
    from mmagic.evaluation import Evaluator  # MMagic's, as its test loop
    if threads:
        torch.set_num_threads(threads)
    model = build_model(cfg)
    load_model_weights(model, checkpoint)
    model.to(device).eval()
    loader = test_set_loader(lq_dir, gt_dir, dataset_config)
    evaluator = Evaluator([dict(type='PSNR'), dict(type='SSIM')])
    evaluator.prepare_metrics(model, loader)
    with torch.no_grad():
        for batch in loader:
            evaluator.process(model.test_step(batch), batch,
                              evaluator.metrics)
    return evaluator.evaluate()


# ------------------------------------------------------------ process --
def start_method_for(device: str) -> str:
    """How :func:`measure_in_child` starts its child for ``device``.

    'fork' on the CPU: the child keeps the parent's imports (no start-up
    cost). 'spawn' on CUDA: a forked child cannot use CUDA once the parent
    has initialised it ("Cannot re-initialize CUDA in forked subprocess"),
    and a spawned one starts clean whatever the parent did.
    """
    return 'spawn' if str(device).startswith('cuda') else 'fork'


def _child(queue, function, args, scope=None):
    try:
        if scope is not None:  # a spawned child starts without one
            from mmengine.registry import init_default_scope
            init_default_scope(scope)
        queue.put(('ok', function(*args)))
    except BaseException:  # report anything, the parent decides
        queue.put(('error', traceback.format_exc()))


def measure_in_child(function, *args, start_method: str = 'fork'):
    """Run ``function(*args)`` in a child process and return its result (a
    picklable dict), so that every model gets its own address space, peak
    memory and CUDA context.

    ``start_method`` (see :func:`start_method_for`): 'fork' keeps the
    parent's imports (no start-up cost) but needs a parent that has run no
    torch computations (OpenMP thread pools do not survive a fork) and has
    not initialised CUDA; 'spawn' (for CUDA) starts a fresh interpreter, so
    ``function`` and ``args`` must be picklable (module-level functions,
    Configs, tensors) and the parent's MMEngine default scope is passed on.

    Raises:
        RuntimeError: with the child's traceback when it failed.
    """
    from mmengine.registry import DefaultScope
    current = DefaultScope.get_current_instance()
    scope = current.scope_name if current is not None else None
    context = multiprocessing.get_context(start_method)
    queue = context.Queue()
    process = context.Process(target=_child,
                              args=(queue, function, args, scope))
    process.start()
    while True:
        try:
            status, result = queue.get(timeout=5)
            break
        except queue_module.Empty:
            if not process.is_alive():  # killed (e.g. out of memory)
                status, result = 'error', (
                    f'the child exited with code {process.exitcode} '
                    'without a result')
                break
    process.join()
    if status != 'ok':
        raise RuntimeError(f'measurement failed in the child process:\n'
                           f'{result}')
    return result


def config_with_options(path: str, options: Optional[dict] = None):
    """``Config.fromfile(path)`` with ``merge_from_dict(options)``."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    return cfg


__all__: Sequence[str] = (
    'PeakMemory', 'TeacherForward', 'TensorForward', 'build_model',
    'config_with_options', 'count_macs', 'count_params', 'inference_module',
    'load_model_weights', 'measure_in_child', 'measure_quality',
    'measure_speed', 'median_latency_ms', 'start_method_for',
    'test_set_loader')

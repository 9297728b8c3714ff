"""One check of every CUDA-dependent stage at full size, with one Markdown
table of step times, peak memory, megapixels/s and NaN/Inf.

    bash tools/analysis_tools/gpu_check.sh                 # CUDA, full size
    bash tools/analysis_tools/gpu_check.sh --device cpu --tiny   # seconds

Stages (all in this process, so that each gets its own peak memory figure;
the benchmark's measurements run in children it spawns):

1. ``fwd-bwd``: ``train_step`` of the decomposer, the teacher and the
   student (distiller, phase 1 and phase 2) on random pairs at fp32, fp16
   and bf16. On CUDA the mixed-precision steps use MMEngine's
   AmpOptimWrapper (dynamic loss scale), as ``tools/train.py --amp`` does;
   on the CPU a plain OptimWrapper inside ``torch.autocast('cpu', dtype)``.
2. ``train``: ``tools/train.py`` on the full student config (random teacher
   weights, ``allow_untrained_teacher=True``), ``encoder_iters`` 15 and
   ``max_iters`` 30 (tiny: 3 and 6): through the phase switch, with the
   config's EMA, validation at the end, ``--amp`` on CUDA; on pairs written
   by ``tools/dataset_converters/synthesize_lowlight.py``.
3. ``resume``: ``tools/train.py --resume`` of that run to 40 (tiny: 8).
4. ``restore``: ``tools/model_converters/extract_student.py`` of the
   resumed checkpoint, then ``tools/restore.py``'s restorer on a
   4000 x 3000 photo (tiny: 128 x 96) with ``--fp16 --memory-limit 40960``
   (tiles sized from the GPU's free memory); on the CPU ``--bf16 --tile 64``
   (fp16 is GPU-only).
5. ``benchmark``: ``tools/analysis_tools/benchmark.py`` at 600 x 400 for
   the teacher, the student at N = 1 and 4, the compact and NAFNet students
   and Restormer (tiny: the demo teacher at 32 x 32, children spawned as on
   CUDA).

Stages that would start after ``--budget-s`` (450 s) are listed as not
started, so that the check ends within its time on a borrowed GPU.

A stage that fails is a table row with its error; the exit code is 1 when
any stage failed or produced a NaN or Inf.
"""
import argparse
import contextlib
import glob
import importlib.util
import json
import math
import os
import os.path as osp
import statistics
import sys
import time
import traceback

import restorect_mm  # noqa: F401  (fixes and registration first)
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

SETUPS = {
    'full': dict(
        decomposer='configs/restorect_decom.py',
        teacher='configs/restorect_teacher.py',
        student='configs/restorect_student.py',
        inference='configs/restorect_student_inference.py',
        batch=8, size=192, warmup=2, steps=5,
        encoder_iters=15, max_iters=30, resume_iters=40,
        checkpoint_interval=10, synth_size=256,
        synth_crops=5, restore_hw=(3000, 4000),
        bench=['--size', 'full', '--shape', '400', '600', '--warmup', '1',
               '--repeats', '3', '--models', 'teacher', 'student-n1',
               'student-n4', 'compact', 'nafnet-student', 'restormer']),
    'tiny': dict(
        decomposer='configs/demo/restorect-decom_demo.py',
        teacher='configs/demo/restorect-teacher_demo.py',
        student='configs/demo/restorect-student_demo.py',
        inference='configs/demo/restorect-student-inference_demo.py',
        batch=1, size=16, warmup=0, steps=1,
        encoder_iters=3, max_iters=6, resume_iters=8, checkpoint_interval=3,
        synth_size=64,
        synth_crops=1, restore_hw=(96, 128),
        bench=['--size', 'tiny', '--shape', '32', '32', '--warmup', '0',
               '--repeats', '1', '--models', 'teacher', '--threads', '1',
               '--start-method', 'spawn']),
}
PRECISIONS = {'fp32': None, 'fp16': torch.float16, 'bf16': torch.bfloat16}


def load_tool(relative, name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------- memory --
class StageMemory:
    """Peak memory of a stage in MiB: CUDA ``max_memory_allocated``, on the
    CPU the growth of the resident set (the inference benchmark's)."""

    def __init__(self, device):
        from restorect_mm.utils.inference_benchmark import PeakMemory
        self.cuda = device.startswith('cuda')
        self.cpu = None if self.cuda else PeakMemory('cpu')
        self.mib = None

    def __enter__(self):
        if self.cuda:
            torch.cuda.empty_cache()
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        else:
            self.cpu.__enter__()
        return self

    def __exit__(self, *exc):
        if self.cuda:
            torch.cuda.synchronize()
            self.mib = torch.cuda.max_memory_allocated() / 2**20
        else:
            self.cpu.__exit__(*exc)
            self.mib = self.cpu.mib
        return False


def sync(device):
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def all_finite(value):
    """Every float tensor inside ``value`` (nested dicts, lists) finite."""
    if torch.is_tensor(value):
        return not value.is_floating_point() or bool(
            torch.isfinite(value).all())
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(all_finite(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return True


# ------------------------------------------------------ forward+backward --
def amp_config(cfg, dtype_name):
    """The config with every OptimWrapper made an AmpOptimWrapper."""
    cfg = cfg.copy()
    optim = cfg.optim_wrapper
    wrappers = [optim] if 'type' in optim else [
        v for v in optim.values() if isinstance(v, dict) and 'type' in v]
    for wrapper in wrappers:
        wrapper.update(type='AmpOptimWrapper', dtype=dtype_name,
                       loss_scale='dynamic')
    return cfg


def fwd_bwd(name, config, precision, phase, device, setup):
    """Median ``train_step`` time of one model at one precision."""
    trainer = load_tool('tools/analysis_tools/benchmark_train_step.py',
                        'benchmark_train_step')
    cfg = Config.fromfile(osp.join(ROOT, config))
    dtype = PRECISIONS[precision]
    cuda = device.startswith('cuda')
    if dtype is not None and cuda:
        cfg = amp_config(cfg, precision.replace('fp16', 'float16').replace(
            'bf16', 'bfloat16'))
    context = (torch.autocast('cpu', dtype=dtype) if dtype is not None
               and not cuda else contextlib.nullcontext())
    if cuda:  # as the Runner sets it from the runtime config
        torch.backends.cudnn.benchmark = bool(
            cfg.get('env_cfg', {}).get('cudnn_benchmark', False))
    torch.manual_seed(0)
    row = dict(stage='fwd-bwd', what=name, precision=precision)
    with StageMemory(device) as memory:
        model, optim = trainer.build(cfg, device, False)
        model.train()
        hub = MessageHub.get_current_instance()
        hub.update_info('iter', 0 if phase == 1 else getattr(
            model, 'encoder_iters', 0))
        times, finite = [], True
        for step in range(setup['warmup'] + setup['steps']):
            data = trainer.fake_batch(setup['batch'], setup['size'], device)
            sync(device)
            start = time.perf_counter()
            with context:
                log_vars = model.train_step(data, optim)
            sync(device)
            if step >= setup['warmup']:
                times.append(time.perf_counter() - start)
            finite = finite and all_finite(dict(log_vars))
    finite = finite and all_finite(
        {n: p for n, p in model.named_parameters()})
    step_s = statistics.median(times)
    notes = [f'batch {setup["batch"]} x {setup["size"]}^2']
    wrappers = optim.values() if hasattr(optim, 'values') else [optim]
    scales = [w.loss_scaler.get_scale() for w in wrappers
              if getattr(w, 'loss_scaler', None) is not None
              and w.loss_scaler.is_enabled()]
    if scales:
        notes.append('loss scale ' + '/'.join(f'{s:g}' for s in scales))
    row.update(ms=step_s * 1e3, mib=memory.mib,
               mpix=setup['batch'] * setup['size']**2 / step_s / 1e6,
               finite=finite, notes=', '.join(notes))
    return row


# --------------------------------------------------------------- train --
def synthesize(data_root, setup):
    if osp.isdir(osp.join(data_root, 'test', 'low')):
        return
    synth = load_tool('tools/dataset_converters/synthesize_lowlight.py',
                      'synthesize_lowlight')
    synth.main(['--out', data_root, '--size', str(setup['synth_size']),
                '--crops-per-image', str(setup['synth_crops'])])


def train_options(data_root, setup, tiny, max_iters):
    options = [
        'model.teacher_weights=None', 'model.allow_untrained_teacher=True',
        f'model.encoder_iters={setup["encoder_iters"]}',
        f'train_cfg.max_iters={max_iters}',
        f'train_cfg.val_interval={setup["max_iters"]}',
        f'default_hooks.checkpoint.interval={setup["checkpoint_interval"]}',
        'default_hooks.logger.interval=1',
    ]
    for loader, split in (('train', 'train'), ('val', 'test'),
                          ('test', 'test')):
        options += [
            f'{loader}_dataloader.dataset.data_root={data_root}',
            f'{loader}_dataloader.dataset.data_prefix.img={split}/low',
            f'{loader}_dataloader.dataset.data_prefix.gt={split}/high',
        ]
    if tiny:
        options += [
            'train_dataloader.batch_size=2',
            'train_dataloader.dataset.pipeline.3.gt_patch_size=32',
            'default_hooks.progressive_patch.patch_sizes=[32]',
            'default_hooks.progressive_patch.batch_sizes=[2]',
        ]
    return options


def read_scalars(work_dir):
    """The newest run's scalars.json lines (MMEngine's LocalVisBackend)."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        return []
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def train(stage, data_root, work_dir, device, setup, tiny, resume=False):
    """tools/train.py in this process (its ``main`` reads sys.argv)."""
    max_iters = setup['resume_iters'] if resume else setup['max_iters']
    argv = ['tools/train.py', osp.join(ROOT, setup['student']),
            '--work-dir', work_dir, '--cfg-options',
            *train_options(data_root, setup, tiny, max_iters)]
    if resume:
        argv.insert(2, '--resume')
    if device.startswith('cuda'):
        argv.append('--amp')
    tool = load_tool('tools/train.py', 'train_tool')
    saved = sys.argv
    sys.argv = argv
    try:
        with StageMemory(device) as memory:
            start = time.perf_counter()
            tool.main()
            wall = time.perf_counter() - start
    finally:
        sys.argv = saved
    scalars = [s for s in read_scalars(work_dir) if 'loss' in s]
    first = setup['max_iters'] if resume else 0
    iters = max_iters - first
    checkpoint = osp.join(work_dir, f'iter_{max_iters}.pth')
    from restorect_mm.engine.checkpoint_io import read_training_checkpoint
    state = read_training_checkpoint(checkpoint)
    finite = all_finite([s for s in scalars]) and all_finite(
        {k: v for k, v in state.items() if k in ('state_dict',
                                                 'ema_state_dict')})
    step_times = [s['time'] for s in scalars if 'time' in s]
    phases = sorted({int(s['phase']) for s in scalars if 'phase' in s})
    ms = statistics.median(step_times) * 1e3 if step_times else (
        wall / iters * 1e3)
    notes = [f'iters {first}->{max_iters}', f'phases {phases}',
             f'{wall:.1f} s wall', 'fp16 AMP' if '--amp' in argv else 'fp32']
    if 'ema_state_dict' not in state:
        notes.append('NO EMA in checkpoint')
        finite = False
    batch = 2 if tiny else 8
    size = 32 if tiny else 192
    return dict(stage=stage, what=osp.basename(setup['student']),
                precision='fp16 AMP' if '--amp' in argv else 'fp32',
                ms=ms, mib=memory.mib, mpix=batch * size**2 / ms * 1e3 / 1e6,
                finite=finite, notes=', '.join(notes),
                checkpoint=checkpoint)


# ------------------------------------------------------------- restore --
def big_photo(path, hw):
    import cv2
    import skimage.data
    os.makedirs(osp.dirname(path), exist_ok=True)
    rgb = cv2.resize(skimage.data.coffee(), hw[::-1],
                     interpolation=cv2.INTER_CUBIC)
    cv2.imwrite(path, rgb[..., ::-1])
    return path


def restore(checkpoint, work_dir, device, setup):
    extract = load_tool('tools/model_converters/extract_student.py',
                        'extract_student')
    weights = osp.join(work_dir, 'student.pth')
    extract.main([checkpoint, weights])
    image = big_photo(osp.join(work_dir, 'in', 'photo.png'),
                      setup['restore_hw'])
    tool = load_tool('tools/restore.py', 'restore_tool')
    from restorect_mm.apis import read_image, write_image
    if device.startswith('cuda'):
        # exact tiles keep whole feature maps: the full-size student needs
        # about 25 GiB at 4000 x 3000 (restorect_mm/apis/memory_budget.py)
        flags = ['--fp16', '--memory-limit', '40960']
    else:
        flags = ['--bf16', '--tile', '64']
    args = tool.parse_args([osp.join(ROOT, setup['inference']), weights,
                            image, '-o', osp.join(work_dir, 'out'),
                            '--device', device, *flags])
    with StageMemory(device) as memory:
        restorer = tool.build_restorer(args)
        rgb, info = read_image(image)
        tile = restorer.tile_for(*rgb.shape[:2])
        sync(device)
        start = time.perf_counter()
        out = restorer.restore(rgb)
        sync(device)
        seconds = time.perf_counter() - start
    write_image(osp.join(work_dir, 'out', 'photo.png'), out, info)
    import numpy as np
    h, w = rgb.shape[:2]
    notes = f'{" ".join(flags)}, tile {tile}'
    if '--memory-limit' in flags:
        limit = float(flags[flags.index('--memory-limit') + 1])
        notes += (', peak within the limit' if memory.mib <= limit else
                  f', **peak above the {limit:.0f} MiB limit**')
    return dict(stage='restore', what=f'{w} x {h} photo',
                precision=flags[0][2:], ms=seconds * 1e3, mib=memory.mib,
                mpix=h * w / seconds / 1e6,
                finite=bool(np.isfinite(out).all()), notes=notes)


# ----------------------------------------------------------- benchmark --
def benchmark(work_dir, device, setup):
    bench = load_tool('tools/analysis_tools/benchmark.py', 'benchmark_tool')
    out = osp.join(work_dir, 'benchmark.json')
    results = bench.main(['--device', device, '--out-json', out,
                          '--out-md', osp.join(work_dir, 'benchmark.md'),
                          *setup['bench']])
    shape = setup['bench'][setup['bench'].index('--shape') + 1:][:2]
    h, w = int(shape[0]), int(shape[1])
    rows = []
    for r in results:
        figures = r['shapes'][f'{w}x{h}']
        rows.append(dict(
            stage='benchmark', what=r['key'], precision='fp32',
            ms=figures['latency_ms'], mib=figures['peak_mib'],
            mpix=h * w / figures['latency_ms'] / 1e3,
            finite=math.isfinite(figures['latency_ms']),
            notes=f'{w} x {h}, {figures["macs"] / 1e9:.1f} GMAC'))
    return rows


# --------------------------------------------------------------- table --
def table(rows, header):
    lines = [header, '',
             '| stage | what | precision | step / latency ms | peak MiB | '
             'MPix/s | NaN/Inf | notes |',
             '| --- | --- | --- | --- | --- | --- | --- | --- |']

    def number(value, fmt):
        return '' if value is None else format(value, fmt)

    for r in rows:
        if 'error' in r:
            lines.append(f'| {r["stage"]} | {r["what"]} | '
                         f'{r.get("precision", "")} | | | | | FAILED: '
                         f'{r["error"]} |')
            continue
        lines.append(
            f'| {r["stage"]} | {r["what"]} | {r["precision"]} | '
            f'{number(r["ms"], ".1f")} | {number(r["mib"], ".0f")} | '
            f'{number(r["mpix"], ".3g")} | '
            f'{"none" if r["finite"] else "**NaN/Inf**"} | {r["notes"]} |')
    return '\n'.join(lines) + '\n'


def environment(device, tiny):
    if device.startswith('cuda'):
        name = torch.cuda.get_device_name(device)
        total = torch.cuda.get_device_properties(device).total_memory
        where = f'{name} ({total / 2**30:.0f} GiB)'
    else:
        where = f'CPU, {torch.get_num_threads()} torch threads'
    return (f'gpu_check {time.strftime("%Y-%m-%d %H:%M")}: {where}, torch '
            f'{torch.__version__}, {"tiny (demo configs)" if tiny else "full size"}')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cuda', help='cuda or cpu')
    parser.add_argument('--tiny', action='store_true',
                        help='demo-size configs and tiny images')
    parser.add_argument('--work-dir',
                        help='default: work_dirs/gpu_check_<device>[_tiny]')
    parser.add_argument('--out', help='the table (default: '
                        '<work-dir>/gpu_check.md)')
    parser.add_argument('--budget-s', type=float, default=450,
                        help='skip the stages that would start after this '
                        'many seconds (default 450)')
    parser.add_argument('--stages', nargs='+',
                        default=['fwd-bwd', 'train', 'restore', 'benchmark'],
                        choices=['fwd-bwd', 'train', 'restore', 'benchmark'],
                        help='train includes resume; restore needs train')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    device = args.device
    if device.startswith('cuda') and not torch.cuda.is_available():
        sys.exit('error: --device cuda: no CUDA GPU here; use --device cpu '
                 '--tiny')
    setup = SETUPS['tiny' if args.tiny else 'full']
    work_dir = osp.abspath(args.work_dir or osp.join(
        ROOT, 'work_dirs', f'gpu_check_{device.replace(":", "")}'
        f'{"_tiny" if args.tiny else ""}'))
    os.makedirs(work_dir, exist_ok=True)
    out = args.out or osp.join(work_dir, 'gpu_check.md')
    init_default_scope('mmagic')
    if args.tiny:  # tiny tensors: more threads only contend for the cores
        torch.set_num_threads(1)
    header = environment(device, args.tiny)
    rows = []
    started = time.perf_counter()

    def attempt(stage, what, function, *fargs):
        if time.perf_counter() - started > args.budget_s:
            rows.append(dict(stage=stage, what=what, error=f'not started: '
                             f'past --budget-s {args.budget_s:.0f}'))
            return None
        print(f'== gpu_check: {stage} {what}', flush=True)
        begun = time.perf_counter()
        try:
            result = function(*fargs)
        except BaseException as exc:  # report it, run the next stage
            if isinstance(exc, KeyboardInterrupt):
                raise
            traceback.print_exc()
            message = ' '.join(f'{type(exc).__name__}: {exc}'.split())[:300]
            rows.append(dict(stage=stage, what=what,
                             error=message.replace('|', '/')))
            result = None
        else:
            if result is not None:
                rows.extend(result if isinstance(result, list) else [result])
        print(f'== gpu_check: {stage} {what}: '
              f'{time.perf_counter() - begun:.1f} s', flush=True)
        text = table(rows, header)
        with open(out, 'w') as f:  # what has run so far, after each stage
            f.write(text)
        return result

    if 'fwd-bwd' in args.stages:
        models = [('decomposer', setup['decomposer'], 1),
                  ('teacher', setup['teacher'], 1),
                  ('student phase 1', setup['student'], 1),
                  ('student phase 2', setup['student'], 2)]
        for name, config, phase in models:
            for precision in PRECISIONS:
                if precision == 'fp16' and not device.startswith('cuda'):
                    rows.append(dict(
                        stage='fwd-bwd', what=name, precision='fp16',
                        ms=None, mib=None, mpix=None, finite=True,
                        notes='skipped: fp16 autocast is for CUDA (CPU '
                        'kernels slow or missing; restore.py refuses it)'))
                    continue
                attempt('fwd-bwd', name, fwd_bwd, name, config, precision,
                        phase, device, setup)
    trained = None
    if 'train' in args.stages:
        data_root = osp.join(work_dir, 'data')
        train_dir = osp.join(work_dir, 'train')
        attempt('synthesize', 'pairs', synthesize, data_root, setup)
        first = attempt('train', 'student', train, 'train', data_root,
                        train_dir, device, setup, args.tiny)
        if first is not None:
            trained = attempt('resume', 'student', train, 'resume',
                              data_root, train_dir, device, setup, args.tiny,
                              True)
    if 'restore' in args.stages:
        if trained is None:
            rows.append(dict(stage='restore', what='', error='needs a '
                             'successful train + resume stage'))
        else:
            attempt('restore', 'photo', restore, trained['checkpoint'],
                    osp.join(work_dir, 'restore'), device, setup)
    if 'benchmark' in args.stages:
        attempt('benchmark', 'models', benchmark, work_dir, device, setup)
    header += f'; all stages {time.perf_counter() - started:.0f} s'
    text = table(rows, header)
    with open(out, 'w') as f:
        f.write(text)
    print('\n' + text)
    print(f'table written to {out}')
    bad = [r for r in rows if 'error' in r or not r.get('finite', True)]
    if bad:
        sys.exit(f'error: {len(bad)} stage(s) failed or gave NaN/Inf')
    return rows


if __name__ == '__main__':
    main()

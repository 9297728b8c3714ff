"""Inference benchmark: RestoRect's teacher and students against MMagic's
NAFNet and Restormer: parameters, GMAC, median latency, peak memory and
(optionally) PSNR/SSIM on a paired test set, as a Markdown table and a plot.

    python tools/analysis_tools/benchmark.py --size full --device cpu \\
        --warmup 1 --repeats 3 --out-md bench.md --out-png bench.png
    python tools/analysis_tools/benchmark.py --size tiny \\
        --test-set data/restorect_demo/test/low data/restorect_demo/test/high \\
        --checkpoints teacher=T.pth student=S.pth compact=C.pth \\
            nafnet-student=N.pth --out-md demo.md --out-png demo.png

Every model is built from a config through the registry: the repository's
configs (teacher, full student at N = 1, 2, 4, 8 Euler steps, the compact
RGFormer student, the NAFNet student) and MMagic's own published configs
(NAFNet SIDD width 64 and, with ``mid_channels=32``, width 32; Restormer dim
48, blocks 4/6/6/8). ``--size tiny`` swaps in the demo widths (the demo
configs; MMagic's models at width 8/16 with one block per level) so that a
run takes seconds. Each (model, size) is measured in its own child process
(forked on the CPU; spawned on CUDA, where a forked child cannot use CUDA, and
the GPU is named by a child: this process never initialises CUDA):

* params: every parameter of the inference model (RestoRect models include
  the frozen 20,548-parameter DecomNet(s) they run; the teacher its GT
  prior encoders and D_high);
* GMAC: MMEngine's ``get_model_complexity_info`` (MACs / 1e9) of the whole
  inference forward (DecomNet, prior flows and G for a student);
* latency: median of ``--repeats`` timed forwards at batch 1 after
  ``--warmup`` untimed ones, under ``torch.inference_mode``;
* peak memory: CUDA ``max_memory_allocated``, or on the CPU the growth of
  the process's resident set over the timed forwards (peak RSS delta);
* PSNR/SSIM: MMagic's metrics through the model's ``test_step`` on the
  given folders (RGB, full resolution, no crop), for rows with a checkpoint.

``--checkpoints KEY=PATH``: KEY is a row key or its prefix before ``-n``
(``student=...`` serves student-n1 ... student-n8). A stage-2 checkpoint
serves a NAFNet student directly (its ``generator.*`` keys are used).
"""
import argparse
import datetime
import json
import math
import os
import os.path as osp
import platform
import sys

import restorect_mm  # noqa: F401  (fixes and registration first)
import mmagic
from mmengine.registry import init_default_scope

from restorect_mm.utils.inference_benchmark import (config_with_options,
                                                    measure_in_child,
                                                    measure_quality,
                                                    measure_speed,
                                                    start_method_for)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMAGIC_CONFIGS = osp.join(osp.dirname(mmagic.__file__), '.mim', 'configs')
NAFNET_SIDD = osp.join(MMAGIC_CONFIGS, 'nafnet',
                       'nafnet_c64eb2248mb12db2222_8xb8-lr1e-3-400k_sidd.py')
RESTORMER = osp.join(MMAGIC_CONFIGS, 'restormer',
                     'restormer_official_rain13k.py')
PAIRED_DATASET = osp.join(ROOT, 'configs', '_base_', 'datasets',
                          'paired_lowlight.py')
DEFAULT_SHAPES = ((256, 256), (400, 600))  # (H, W)
STUDENT_STEPS = (1, 2, 4, 8)


def _row(key, label, config, options=None):
    return dict(key=key, label=label, config=config, options=options or {})


def _tiny_nafnet(width):
    return {'model.generator.mid_channels': width,
            'model.generator.enc_blk_nums': [1, 1, 1, 1],
            'model.generator.middle_blk_num': 1,
            'model.generator.dec_blk_nums': [1, 1, 1, 1]}


def model_rows(size):
    """The benchmark's models: key, label, config path, config options."""
    if size == 'full':
        rows = [_row('teacher', 'RestoRect teacher (GT priors)',
                     'configs/restorect_teacher.py')]
        rows += [
            _row(f'student-n{n}', f'RestoRect student, N={n}',
                 'configs/restorect_student_inference.py',
                 {'model.num_steps': n}) for n in STUDENT_STEPS
        ]
        rows += [
            _row('compact', 'compact student (RGFormer c32, N=4)',
                 'configs/restorect/'
                 'restorect-student-compact-c32-inference_lolv1.py'),
            _row('nafnet-student', 'NAFNet-c32 student (FLEX)',
                 'configs/restorect/'
                 'restorect-student-nafnet-c32-inference_lolv1.py'),
            _row('nafnet-c32', 'MMagic NAFNet c32 (SIDD)', NAFNET_SIDD,
                 {'model.generator.mid_channels': 32}),
            _row('nafnet-c64', 'MMagic NAFNet c64 (SIDD)', NAFNET_SIDD),
            _row('restormer', 'MMagic Restormer (dim 48)', RESTORMER),
        ]
        return rows
    if size != 'tiny':
        raise ValueError(f'size must be "full" or "tiny", got {size!r}')
    rows = [_row('teacher', 'demo teacher (GT priors)',
                 'configs/demo/restorect-teacher_demo.py')]
    rows += [
        _row(f'student-n{n}', f'demo student, N={n}',
             'configs/demo/restorect-student-inference_demo.py',
             {'model.num_steps': n}) for n in STUDENT_STEPS
    ]
    rows += [
        _row('compact', 'demo compact student (c8, N=4)',
             'configs/demo/restorect-student-compact-inference_demo.py'),
        _row('nafnet-student', 'demo NAFNet-c16 student (FLEX)',
             'configs/demo/restorect-student-nafnet-inference_demo.py'),
        _row('nafnet-c32', 'MMagic NAFNet, tiny c8', NAFNET_SIDD,
             _tiny_nafnet(8)),
        _row('nafnet-c64', 'MMagic NAFNet, tiny c16', NAFNET_SIDD,
             _tiny_nafnet(16)),
        _row('restormer', 'MMagic Restormer, tiny dim 8', RESTORMER,
             {'model.generator.dim': 8,
              'model.generator.num_blocks': [1, 1, 1, 1],
              'model.generator.num_refinement_blocks': 1}),
    ]
    return rows


def row_config(row):
    """The row's Config (relative paths from the repository root)."""
    path = row['config']
    if not osp.isabs(path):
        path = osp.join(ROOT, path)
    return config_with_options(path, row['options'])


def checkpoint_for(key, checkpoints):
    """The checkpoint for a row: exact key, else its prefix before '-n'."""
    if key in checkpoints:
        return checkpoints[key]
    return checkpoints.get(key.rsplit('-n', 1)[0])


def shape_name(shape):
    h, w = shape
    return f'{w}x{h}'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', choices=['full', 'tiny'], default='full')
    parser.add_argument('--device', default='cpu',
                        help='cpu, cuda or cuda:N')
    parser.add_argument('--shape', type=int, nargs=2, action='append',
                        metavar=('H', 'W'),
                        help='input size, repeatable (default 256 256 and '
                        '400 600, i.e. 256x256 and 600x400)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--start-method', choices=['fork', 'spawn'],
                        help='how each measurement\'s child process starts '
                        '(default: fork on the CPU, spawn on CUDA)')
    parser.add_argument('--threads', type=int,
                        help='torch threads on the CPU (default: torch\'s)')
    parser.add_argument('--models', nargs='+', metavar='KEY',
                        help='only these row keys (default: all)')
    parser.add_argument('--checkpoints', nargs='+', default=[],
                        metavar='KEY=PATH', help='weights per row key')
    parser.add_argument('--test-set', nargs=2, metavar=('LQ_DIR', 'GT_DIR'),
                        help='paired folders for PSNR/SSIM')
    parser.add_argument('--out-md', help='write the Markdown table here')
    parser.add_argument('--out-png', help='plot quality against latency')
    parser.add_argument('--out-json', help='write all figures here')
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.warmup < 0:
        parser.error('--repeats must be >= 1 and --warmup >= 0')
    checkpoints = {}
    for item in args.checkpoints:
        key, sep, path = item.partition('=')
        if not sep or not path:
            parser.error(f'--checkpoints takes KEY=PATH, got {item!r}')
        checkpoints[key] = path
    args.checkpoints = checkpoints
    if checkpoints and not args.test_set:
        parser.error('--checkpoints needs --test-set LQ_DIR GT_DIR')
    return args


def measure_rows(rows, args, shapes, on_result=None):
    """Measure every row at every shape (one child process each);
    ``on_result(results so far)`` after each row."""
    results = []
    start_method = getattr(args, 'start_method', None) or start_method_for(
        args.device)
    for row in rows:
        cfg = row_config(row)
        result = dict(key=row['key'], label=row['label'],
                      config=osp.relpath(row['config'], ROOT)
                      if row['config'].startswith(ROOT) else row['config'],
                      options=row['options'], shapes={})
        for shape in shapes:
            print(f'{row["key"]} @ {shape_name(shape)} ...', flush=True)
            figures = measure_in_child(measure_speed, cfg, shape, args.device,
                                       args.warmup, args.repeats,
                                       args.threads,
                                       start_method=start_method)
            result['params'] = figures.pop('params')
            if 'device_name' in figures:  # from the child (CUDA)
                args.device_name = figures.pop('device_name')
            result['shapes'][shape_name(shape)] = figures
        checkpoint = checkpoint_for(row['key'], args.checkpoints)
        if checkpoint:
            print(f'{row["key"]}: quality with {checkpoint} ...', flush=True)
            quality = measure_in_child(measure_quality, cfg, checkpoint,
                                       args.test_set[0], args.test_set[1],
                                       PAIRED_DATASET, args.device,
                                       args.threads,
                                       start_method=start_method)
            result['checkpoint'] = checkpoint
            result['PSNR'] = float(quality['PSNR'])
            result['SSIM'] = float(quality['SSIM'])
        results.append(result)
        if on_result:
            on_result(results)
    return results


def markdown_table(results, shapes, memory_name):
    """The results as a Markdown table (one row per model)."""
    names = [shape_name(s) for s in shapes]
    header = ['key', 'model', 'params (M)']
    header += [f'GMAC {n}' for n in names]
    header += [f'latency ms {n}' for n in names]
    header += [f'{memory_name} MiB {n}' for n in names]
    header += ['PSNR', 'SSIM']
    lines = ['| ' + ' | '.join(header) + ' |',
             '| ' + ' | '.join(['---'] * len(header)) + ' |']
    for r in results:
        cells = [r['key'], r['label'], f'{r["params"] / 1e6:.3f}']
        cells += [f'{r["shapes"][n]["macs"] / 1e9:.2f}' for n in names]
        cells += [f'{r["shapes"][n]["latency_ms"]:.1f}' for n in names]
        cells += [f'{r["shapes"][n]["peak_mib"]:.1f}' for n in names]
        cells += [f'{r["PSNR"]:.2f}' if 'PSNR' in r else '',
                  f'{r["SSIM"]:.4f}' if 'SSIM' in r else '']
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def environment_line(args):
    """Date, device, torch and the run's settings. The GPU's name is the
    one a child reported (``args.device_name``): calling CUDA here would
    initialise it in this process."""
    import torch
    if args.device.startswith('cuda'):
        device = getattr(args, 'device_name', None) or args.device
    else:
        device = f'CPU {platform.processor() or platform.machine()}, ' \
                 f'{os.cpu_count()} cores, ' \
                 f'{args.threads or torch.get_num_threads()} torch threads'
    return (f'{datetime.date.today()}, {device}, torch {torch.__version__}, '
            f'--size {args.size}, batch 1, {args.warmup} warm-up + '
            f'{args.repeats} timed runs (median)')


def plot(results, shapes, path):
    """Quality (PSNR) against latency at the last size; where no model has
    a PSNR, GMAC against latency instead."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    name = shape_name(shapes[-1])
    with_quality = [r for r in results if 'PSNR' in r]
    points = with_quality or results
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in points:
        x = r['shapes'][name]['latency_ms']
        y = r['PSNR'] if with_quality else r['shapes'][name]['macs'] / 1e9
        ax.scatter(x, y)
        ax.annotate(r['key'], (x, y), textcoords='offset points',
                    xytext=(4, 4), fontsize=8)
    ax.set_xscale('log')
    ax.set_xlabel(f'median latency at {name} (ms, log scale)')
    if with_quality:
        ax.set_ylabel('PSNR (dB) on the test set')
        ax.set_title('quality against latency')
    else:
        ax.set_yscale('log')
        ax.set_ylabel(f'GMAC at {name}')
        ax.set_title('compute against latency (no --checkpoints given)')
    ax.grid(True, which='both', alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    init_default_scope('mmagic')
    shapes = [tuple(s) for s in args.shape] if args.shape else list(
        DEFAULT_SHAPES)
    rows = model_rows(args.size)
    if args.models:
        unknown = set(args.models) - {r['key'] for r in rows}
        if unknown:
            sys.exit(f'error: unknown model keys {sorted(unknown)}')
        rows = [r for r in rows if r['key'] in args.models]
    for key, path in args.checkpoints.items():
        if not any(checkpoint_for(r['key'], {key: path}) for r in rows):
            sys.exit(f'error: --checkpoints {key}=... matches no model')
        if not osp.isfile(path):
            sys.exit(f'error: checkpoint not found: {path}')
    # the comparison that matters first (teacher vs compact students), so
    # that an interrupted long run has written it; the table keeps row order
    first = ('teacher', 'compact', 'nafnet-student')
    ordered = sorted(rows, key=lambda r: (r['key'] not in first,
                                          first.index(r['key'])
                                          if r['key'] in first else 0))
    order = [r['key'] for r in rows]

    def write(results, final=False):
        results = sorted(results, key=lambda r: order.index(r['key']))
        memory_name = 'CUDA max allocated' if args.device.startswith(
            'cuda') else 'peak RSS delta'
        table = markdown_table(results, shapes, memory_name)
        status = '' if final else (
            f' PARTIAL: {len(results)} of {len(rows)} models so far.')
        text = (f'{environment_line(args)}; sizes are W x H.{status}\n\n'
                f'{table}\n')
        if args.out_md:
            with open(args.out_md, 'w') as f:
                f.write(text)
        if args.out_json:
            with open(args.out_json, 'w') as f:
                json.dump(dict(environment=environment_line(args),
                               complete=final, results=results), f, indent=2)
        return text, results

    results = measure_rows(ordered, args, shapes, on_result=write)
    text, results = write(results, final=True)
    print()
    print(text)
    if args.out_png:
        plot(results, shapes, args.out_png)
    if any(not math.isfinite(r['shapes'][shape_name(s)]['latency_ms'])
           for r in results for s in shapes):
        sys.exit('error: a latency is not finite')
    return results


if __name__ == '__main__':
    main()

"""Plot a training run's logged curves, one PNG per stage.

    python tools/analysis_tools/plot_curves.py WORK_DIR [WORK_DIR ...]
        [--out OUT_DIR]

WORK_DIR: a stage's work dir (tools/train.py --work-dir). The newest
``<WORK_DIR>/<timestamp>/vis_data/scalars.json`` that MMEngine wrote (JSON
lines: training records carry ``iter``, validation records only ``step``)
is read. One subplot per logged loss term (keys containing 'loss'), per
diagnostic scalar the run logs (``hvi_k``, ``texture_scale``, ``kd_kl_*``,
``phase`` when present) and one for the validation PSNR, all over iterations.
Writes ``OUT_DIR/curves_<stage>.png`` (stage: the work dir's name; OUT_DIR
defaults to each work dir's parent) and prints each path.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import sys

DIAGNOSTIC_PREFIXES = ('hvi_k', 'texture_scale', 'kd_kl', 'phase')


def find_scalars(work_dir):
    """Path of the newest ``<work_dir>/<timestamp>/vis_data/scalars.json``
    that holds training records (a test run's log has none)."""
    found = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    for path in reversed(found):
        with open(path) as f:
            if any('"iter"' in line for line in f):
                return path
    raise FileNotFoundError(
        f'no */vis_data/scalars.json with training records in {work_dir}')


def read_curves(path):
    """Series of one scalar log.

    Returns:
        dict[str, tuple[list, list]]: name -> (iterations, values); training
        keys as logged, the validation PSNR as ``val PSNR`` at the iteration
        of the training record before it.
    """
    curves = {}
    last_iter = 0
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            if 'iter' in record:
                last_iter = record['iter']
                keys = [k for k in record
                        if 'loss' in k or k.startswith(DIAGNOSTIC_PREFIXES)]
                for key in keys:
                    xs, ys = curves.setdefault(key, ([], []))
                    xs.append(last_iter)
                    ys.append(record[key])
            elif 'PSNR' in record:
                xs, ys = curves.setdefault('val PSNR', ([], []))
                xs.append(last_iter)
                ys.append(record['PSNR'])
    return curves


def plot_curves(curves, title, out_file, columns=3):
    """One subplot per series, in a grid of ``columns``; saves a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    if not curves:
        raise ValueError(f'{title}: nothing to plot')
    names = sorted(curves, key=lambda n: (n == 'val PSNR', 'loss' not in n,
                                          n != 'loss', n))
    rows = math.ceil(len(names) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.8 * rows),
                             squeeze=False)
    for ax, name in zip(axes.flat, names):
        xs, ys = curves[name]
        ax.plot(xs, ys, marker='o' if len(xs) < 10 else None, lw=1.2)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel('iteration', fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.axis('off')
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out_file, dpi=80)
    plt.close(fig)
    return out_file


def plot_work_dir(work_dir, out_dir=None):
    """``curves_<stage>.png`` of one stage's work dir; returns its path."""
    work_dir = osp.abspath(work_dir)
    stage = osp.basename(work_dir)
    out_dir = out_dir or osp.dirname(work_dir)
    os.makedirs(out_dir, exist_ok=True)
    scalars = find_scalars(work_dir)
    return plot_curves(read_curves(scalars),
                       f'{stage} ({osp.relpath(scalars, work_dir)})',
                       osp.join(out_dir, f'curves_{stage}.png'))


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 2)[2])
    parser.add_argument('work_dirs', nargs='+', help='stage work dirs')
    parser.add_argument('--out', help='folder for the PNGs (default: each '
                        "work dir's parent)")
    args = parser.parse_args(argv)
    try:
        paths = [plot_work_dir(w, args.out) for w in args.work_dirs]
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f'error: {error}')
    for path in paths:
        print(path)
    return paths


if __name__ == '__main__':
    main()

"""The quick-start job: every stage of restorect_mm on the embedded demo data,
driven through the standard tools, ending with a table.

    python tools/run_demo.py [--work-dir work_dirs/demo] [--data data/restorect_demo]

1. makes the demo pairs from scikit-image's real photos (if absent),
2. stage 0: trains the Retinex decomposition nets (tools/train.py), evaluates
   the best checkpoint (tools/test.py --out), publishes its weights
   (tools/publish_model.py) for the later stages.
Each step runs as its own process, exactly as a user would run it.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def run(cmd, log_file):
    """Run one tool; its output goes to ``log_file``; fail loudly."""
    print(f'$ {" ".join(cmd)}', flush=True)
    start = time.time()
    with open(log_file, 'w') as log:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_file) as log:
            tail = log.read()[-3000:]
        sys.exit(f'{tail}\nerror: step failed ({proc.returncode}); full log: '
                 f'{log_file}')
    return time.time() - start


def best_checkpoint(work_dir):
    found = sorted(glob.glob(osp.join(work_dir, 'best_*.pth')))
    if not found:
        found = sorted(glob.glob(osp.join(work_dir, 'iter_*.pth')),
                       key=lambda p: int(p.rsplit('_', 1)[1][:-4]))
    if not found:
        sys.exit(f'error: no checkpoint in {work_dir}')
    return found[-1]


def synthesize(data_root, log_dir):
    if osp.isdir(osp.join(data_root, 'test', 'low')):
        print(f'demo data: {data_root} (exists)')
        return 0.0
    return run([
        sys.executable, 'tools/dataset_converters/synthesize_lowlight.py',
        '--out', data_root
    ], osp.join(log_dir, 'synthesize.log'))


def train_and_test(name, config, work_root, data_root, extra=()):
    """Train a config, test its best checkpoint; returns a result row."""
    work_dir = osp.join(work_root, name)
    os.makedirs(work_dir, exist_ok=True)
    options = [f'train_dataloader.dataset.data_root={data_root}',
               f'val_dataloader.dataset.data_root={data_root}',
               f'test_dataloader.dataset.data_root={data_root}', *extra]
    train_time = run([
        sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
        '--cfg-options', *options
    ], osp.join(work_root, f'{name}_train.log'))
    ckpt = best_checkpoint(work_dir)
    metrics_file = osp.join(work_root, f'{name}_metrics.json')
    run([
        sys.executable, 'tools/test.py', config, ckpt, '--work-dir',
        osp.join(work_dir, 'test'), '--out', metrics_file, '--cfg-options',
        *options
    ], osp.join(work_root, f'{name}_test.log'))
    with open(metrics_file) as f:
        metrics = json.load(f)
    return dict(stage=name, config=config, checkpoint=ckpt,
                train_s=train_time, metrics=metrics)


def publish(ckpt, out, log_dir):
    log = osp.join(log_dir, 'publish.log')
    run([sys.executable, 'tools/publish_model.py', ckpt, out], log)
    with open(log) as f:
        lines = [ln.strip() for ln in f if ln.strip().endswith('.pth')]
    return lines[-1]


def print_table(rows):
    keys = []
    for row in rows:
        keys += [k for k in row['metrics'] if k not in keys]
    header = ['stage', 'train s'] + keys
    lines = [header, ['---'] * len(header)]
    for row in rows:
        values = [row['stage'], f'{row["train_s"]:.0f}']
        for key in keys:
            value = row['metrics'].get(key)
            values.append('' if value is None else f'{value:.4f}')
        lines.append(values)
    print()
    for line in lines:
        print('| ' + ' | '.join(line) + ' |')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data', default='data/restorect_demo')
    args = parser.parse_args()
    work_root = osp.abspath(args.work_dir)
    data_root = osp.abspath(args.data)
    os.makedirs(work_root, exist_ok=True)

    synthesize(data_root, work_root)
    rows = []
    decom = train_and_test('stage0_decom', 'configs/demo/restorect-decom_demo.py',
                           work_root, data_root)
    decom['weights'] = publish(decom['checkpoint'],
                               osp.join(work_root, 'restorect-decom_demo.pth'),
                               work_root)
    rows.append(decom)

    summary = osp.join(work_root, 'summary.json')
    with open(summary, 'w') as f:
        json.dump(rows, f, indent=2)
    print_table(rows)
    print(f'\nStage-0 weights (for stages 1 and 2): {decom["weights"]}')
    print(f'Visualisations: {work_root}/*/*/vis_data; summary: {summary}')


if __name__ == '__main__':
    main()

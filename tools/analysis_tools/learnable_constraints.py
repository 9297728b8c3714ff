"""Do the learnable loss scalars help? HVI ``k`` and the diffusion ``s``,
learned against frozen, on the demo.

    python tools/analysis_tools/learnable_constraints.py \
        [--work-dir work_dirs/learnable_constraints] [--data data/restorect_demo]

For each mode it runs stage 0 and the teacher of the quick start
(configs/demo/restorect-decom_demo.py, configs/demo/restorect-teacher_demo.py)
through tools/train.py and tools/test.py, exactly as tools/run_demo.py does:

* ``learned``: the configs as they are (``k`` and ``s`` learn from their own
  likelihoods, see docs/method.md);
* ``frozen``: the reference's behaviour, ``k`` = 1 and ``s`` = 0.1 as
  constants (``learnable_k=False``, ``learnable_scale=False``).

It prints, per mode, where ``s`` (stage 0 and teacher) and ``k`` (teacher)
ended, the texture term at its first and last logged iteration (it must stay
active, not fade to 0) and the teacher's test PSNR. Only stages 0 and 1 are
run: ``k`` and ``s`` act nowhere else. About 5 minutes per mode on 2 CPU
cores.
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, TOOLS)
import run_demo  # noqa: E402  (tools/ is not a package)

# constants instead of parameters (a zero lr_mult would not hold them: the
# teacher's CosineRestartLR sets every group to its absolute eta_min)
FROZEN_S = ['model.texture_loss.type=TextureConsistencyLoss',
            'model.texture_loss.loss_weight=0.05',
            'model.texture_loss.diffusion.type=AnisotropicDiffusion',
            'model.texture_loss.diffusion.learnable_scale=False']
FROZEN = {
    'stage0': FROZEN_S,
    'teacher': FROZEN_S + ['model.hvi_loss.learnable_k=False'],
}


def logged_scalars(work_dir):
    """MMEngine's training scalars of a work dir: a list of dicts, one per
    logged iteration (``<work_dir>/<timestamp>/vis_data/scalars.json``)."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json')))
    if not logs:
        sys.exit(f'error: no scalars.json under {work_dir}')
    with open(logs[-1]) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [row for row in rows if 'loss' in row]


def first_last(rows, key):
    values = [row[key] for row in rows if key in row]
    return (values[0], values[-1]) if values else (None, None)


def run_mode(mode, work_root, data_root):
    """Stage 0 and the teacher in one mode; returns a result row."""
    root = osp.join(work_root, mode)
    os.makedirs(root, exist_ok=True)
    frozen = mode == 'frozen'
    stage0 = run_demo.train_and_test(
        'stage0_decom', 'configs/demo/restorect-decom_demo.py', root,
        data_root, FROZEN['stage0'] if frozen else ())
    decom = run_demo.publish(stage0['checkpoint'],
                             osp.join(root, 'restorect-decom_demo.pth'), root)
    teacher = run_demo.train_and_test(
        'stage1_teacher', 'configs/demo/restorect-teacher_demo.py', root,
        data_root, [f'model.decom_weights={decom}'] +
        (FROZEN['teacher'] if frozen else []))
    decom_rows = logged_scalars(osp.join(root, 'stage0_decom'))
    teacher_rows = logged_scalars(osp.join(root, 'stage1_teacher'))
    return dict(
        mode=mode,
        s_stage0=first_last(decom_rows, 'texture_scale')[1],
        s_teacher=first_last(teacher_rows, 'texture_scale')[1],
        k_teacher=first_last(teacher_rows, 'hvi_k')[1],
        texture_stage0=first_last(decom_rows, 'loss_texture_gt'),
        texture_teacher=first_last(teacher_rows, 'loss_texture'),
        teacher_psnr=teacher['metrics'].get('PSNR'),
        stage0_recon_gt_psnr=stage0['metrics'].get('recon_gt_PSNR'))


def fmt(value):
    if value is None:
        return '-'
    if isinstance(value, tuple):
        return ' -> '.join(fmt(v) for v in value)
    return f'{value:.4g}'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/learnable_constraints')
    parser.add_argument('--data', default='data/restorect_demo')
    parser.add_argument('--modes', nargs='+', default=['learned', 'frozen'],
                        choices=['learned', 'frozen'])
    args = parser.parse_args(argv)
    work_root = osp.abspath(args.work_dir)
    data_root = osp.abspath(args.data)
    os.makedirs(work_root, exist_ok=True)
    run_demo.synthesize(data_root, work_root)
    rows = [run_mode(mode, work_root, data_root) for mode in args.modes]
    keys = ['mode', 's_stage0', 's_teacher', 'k_teacher', 'texture_stage0',
            'texture_teacher', 'stage0_recon_gt_psnr', 'teacher_psnr']
    print('| ' + ' | '.join(keys) + ' |')
    print('|' + ' --- |' * len(keys))
    for row in rows:
        print('| ' + ' | '.join(
            row[k] if k == 'mode' else fmt(row[k]) for k in keys) + ' |')
    print('s, k: end values; texture_*: the texture term at the first and '
          'last logged iteration; PSNR: tools/test.py on the demo test set '
          '(the teacher sees the GT through its priors).')
    with open(osp.join(work_root, 'summary.json'), 'w') as f:
        json.dump(rows, f, indent=2)
    return rows


if __name__ == '__main__':
    main()

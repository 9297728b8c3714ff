"""The quick-start job: every stage of restorect_mm on the embedded demo data,
driven through the standard tools, ending with a table.

    python tools/run_demo.py [--work-dir work_dirs/demo] [--data data/restorect_demo]

1. makes the demo pairs from scikit-image's real photos (if absent),
2. stage 0: trains the Retinex decomposition nets (tools/train.py), evaluates
   the best checkpoint (tools/test.py --out), publishes its weights
   (tools/publish_model.py) for the later stages,
3. stage 1: trains the tiny teacher on top of the published stage-0 weights
   (--cfg-options model.decom_weights=...), evaluates it, publishes it,
4. stage 2: distils it into the student (model.teacher_weights=...), extracts
   the standalone student (tools/model_converters/extract_student.py),
   evaluates it with tools/test.py, and restores the test images with
   tools/restore.py into WORK_DIR/restored/ (their PSNR is printed next to
   test.py's).
5. figures (in-process, from the files above): the published teacher's
   restorations of the test pairs (with their GT priors) into
   WORK_DIR/teacher_restored/, WORK_DIR/contact_sheet.png (input | teacher |
   student | GT, each panel titled with its PSNR and chroma speckle share),
   and WORK_DIR/curves_<stage>.png (losses, diagnostics, validation PSNR of
   each stage's scalar log); a second table prints the PSNR and speckle
   share of the four columns.
Each step runs as its own process, exactly as a user would run it. The table
also scores the degraded input itself against the ground truth (MMagic's
psnr/ssim, RGB, full resolution, no crop): the baseline any restoration must
beat. The teacher is scored WITH the ground truth feeding its priors
(privileged information), so its row is not a blind restoration result.
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


def run_writing_weights(script, ckpt, out, log_dir):
    """Run a tool that writes a weights file and prints its final path
    (publish_model.py, extract_student.py); returns that path."""
    log = osp.join(log_dir, osp.basename(script).replace('.py', '.log'))
    run([sys.executable, script, ckpt, out], log)
    with open(log) as f:
        lines = [ln.strip() for ln in f if ln.strip().endswith('.pth')]
    return lines[-1]


def publish(ckpt, out, log_dir):
    return run_writing_weights('tools/publish_model.py', ckpt, out, log_dir)


def extract_student(ckpt, out, log_dir):
    return run_writing_weights('tools/model_converters/extract_student.py',
                               ckpt, out, log_dir)


def test_student(weights, work_root, data_root):
    """tools/test.py on the standalone student; returns its metrics."""
    work_dir = osp.join(work_root, 'stage2_student_standalone')
    metrics_file = osp.join(work_root, 'stage2_student_standalone.json')
    run([
        sys.executable, 'tools/test.py',
        'configs/demo/restorect-student-inference_demo.py', weights,
        '--work-dir', work_dir, '--out', metrics_file, '--cfg-options',
        f'test_dataloader.dataset.data_root={data_root}'
    ], osp.join(work_root, 'stage2_student_standalone.log'))
    with open(metrics_file) as f:
        return json.load(f)


def input_baseline(data_root):
    """PSNR/SSIM of the degraded test inputs against their ground truths,
    with MMagic's metric functions (RGB, full resolution, no crop), averaged
    over images as MMagic's metrics do."""
    import cv2
    import restorect_mm  # noqa: F401  (compat fixes before mmagic)
    from mmagic.evaluation.metrics.psnr import psnr
    from mmagic.evaluation.metrics.ssim import ssim
    names = sorted(os.listdir(osp.join(data_root, 'test', 'high')))
    scores = dict(PSNR=[], SSIM=[])
    for name in names:
        gt = cv2.imread(osp.join(data_root, 'test', 'high', name))
        lq = cv2.imread(osp.join(data_root, 'test', 'low', name))
        gt, lq = gt[..., ::-1].astype('float64'), lq[..., ::-1].astype(
            'float64')
        scores['PSNR'].append(float(psnr(lq, gt)))
        scores['SSIM'].append(float(ssim(lq, gt)))
    return {k: sum(v) / len(v) for k, v in scores.items()}


def restore_with_restore_py(weights, work_root, data_root):
    """tools/restore.py on the demo test inputs with the extracted student,
    into WORK_ROOT/restored/; returns that folder and the
    restored files' mean PSNR against the GT (as test.py measures it)."""
    import cv2
    import restorect_mm  # noqa: F401  (compat fixes before mmagic)
    from mmagic.evaluation.metrics.psnr import psnr
    out_dir = osp.join(work_root, 'restored')
    run([
        sys.executable, 'tools/restore.py',
        'configs/demo/restorect-student-inference_demo.py', weights,
        osp.join(data_root, 'test', 'low'), '-o', out_dir
    ], osp.join(work_root, 'restore_py.log'))
    scores = []
    for name in sorted(os.listdir(osp.join(data_root, 'test', 'high'))):
        gt = cv2.imread(osp.join(data_root, 'test', 'high', name))
        restored = cv2.imread(osp.join(out_dir, name))
        scores.append(float(psnr(restored[..., ::-1].astype('float64'),
                                 gt[..., ::-1].astype('float64'))))
    return out_dir, sum(scores) / len(scores)


def analysis_tool(name):
    """Import ``tools/analysis_tools/<name>.py`` as a module."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        f'analysis_{name}', osp.join(ROOT, 'tools', 'analysis_tools',
                                     f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_figures(work_root, data_root, teacher_weights, stages):
    """Teacher restorations, the contact sheet and the training curves.

    Returns:
        tuple[str, list[str], dict, float]: the sheet, the curve PNGs, the
        sheet's column -> (mean PSNR, mean speckle %), and the seconds taken.
    """
    start = time.time()
    test = osp.join(data_root, 'test')
    teacher_dir = osp.join(work_root, 'teacher_restored')
    analysis_tool('restore_teacher').restore_teacher(
        osp.join(ROOT, 'configs/demo/restorect-teacher_demo.py'),
        teacher_weights,
        osp.join(test, 'low'), osp.join(test, 'high'), teacher_dir)
    contact_sheet = analysis_tool('contact_sheet')
    sheet, scores = contact_sheet.contact_sheet(
        osp.join(test, 'high'), dict(input=osp.join(test, 'low'),
                                     teacher=teacher_dir,
                                     student=osp.join(work_root, 'restored')),
        osp.join(work_root, 'contact_sheet.png'))
    plot_curves = analysis_tool('plot_curves')
    curves = [plot_curves.plot_work_dir(osp.join(work_root, stage), work_root)
              for stage in stages]
    return (sheet, curves, contact_sheet.mean_scores(scores),
            time.time() - start)


def print_speckle_table(means):
    """Mean PSNR and chroma speckle share of the contact sheet's columns."""
    print()
    print('| images | PSNR | chroma speckle % |')
    print('| --- | --- | --- |')
    for column, (value_psnr, speckle) in means.items():
        shown = 'inf' if value_psnr == float('inf') else f'{value_psnr:.4f}'
        print(f'| {column} | {shown} | {speckle:.3f} |')


def print_table(rows):
    keys = []
    for row in rows:
        keys += [k for k in row['metrics'] if k not in keys]
    header = ['stage', 'train s'] + keys
    lines = [header, ['---'] * len(header)]
    for row in rows:
        train_s = row['train_s']
        values = [row['stage'], '' if train_s is None else f'{train_s:.0f}']
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

    teacher = train_and_test(
        'stage1_teacher', 'configs/demo/restorect-teacher_demo.py', work_root,
        data_root, extra=[f'model.decom_weights={decom["weights"]}'])
    teacher['weights'] = publish(
        teacher['checkpoint'],
        osp.join(work_root, 'restorect-teacher_demo.pth'), work_root)
    teacher['stage'] = 'stage1_teacher (GT-privileged priors)'
    rows.append(teacher)

    distiller = train_and_test(
        'stage2_student', 'configs/demo/restorect-student_demo.py',
        work_root, data_root,
        extra=[f'model.teacher_weights={teacher["weights"]}'])
    student_weights = extract_student(
        distiller['checkpoint'],
        osp.join(work_root, 'restorect-student_demo.pth'), work_root)
    metrics = test_student(student_weights, work_root, data_root)
    rows.append(dict(stage='stage2_student (input only)',
                     config='configs/demo/restorect-student-inference_demo.py',
                     checkpoint=student_weights,
                     train_s=distiller['train_s'], metrics=metrics))
    rows.append(dict(stage='input (no restoration)', config=None,
                     checkpoint=None, train_s=None,
                     metrics=input_baseline(data_root)))

    summary = osp.join(work_root, 'summary.json')
    with open(summary, 'w') as f:
        json.dump(rows, f, indent=2)
    print_table(rows)
    print('\nPSNR/SSIM: RGB, full resolution, no crop, no GT statistics. '
          'stage0 scores D_high\'s reconstruction of the GT; the teacher '
          'sees the GT through its priors.')
    print(f'Stage-0 weights (for stages 1 and 2): {decom["weights"]}')
    print(f'Stage-1 teacher weights (for stage 2): {teacher["weights"]}')
    gap = teacher['metrics']['PSNR'] - metrics['PSNR']
    print(f'Student weights: {student_weights}')
    print(f'Student vs teacher PSNR: {-gap:+.2f} dB (the student sees only '
          'the input).')
    print(f'Visualisations: {work_root}/*/*/vis_data; summary: {summary}')
    restored, restore_psnr = restore_with_restore_py(
        student_weights, work_root, data_root)
    print(f'tools/restore.py restored the test images into {restored}: '
          f'PSNR {restore_psnr:.4f} dB (8-bit files) vs test.py '
          f'{metrics["PSNR"]:.4f} dB ({restore_psnr - metrics["PSNR"]:+.4f})')
    sheet, curves, means, seconds = make_figures(
        work_root, data_root, teacher['weights'],
        ['stage0_decom', 'stage1_teacher', 'stage2_student'])
    print_speckle_table(means)
    print('\nchroma speckle: percent of pixels whose chroma departs from its '
          '3x3 median by more than 0.2 (restorect_mm.evaluation.functional.'
          'chroma_speckle); the teacher sees the GT through its priors.')
    print(f'Contact sheet: {sheet}')
    for path in curves:
        print(f'Training curves: {path}')
    print(f'Figures made in {seconds:.0f} s')


if __name__ == '__main__':
    main()

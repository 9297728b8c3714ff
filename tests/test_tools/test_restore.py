"""tools/restore.py: reproduces tools/test.py's PSNR, skips bad files with a
non-zero exit, stays within --memory-limit."""
import glob
import json
import os
import os.path as osp

import cv2
import numpy as np

from tests.test_tools.tool_runner import make_pairs, run_tool

from tests.test_apis.tiny_student import INFERENCE_DEMO, make_student_checkpoint  # noqa: E402


def test_restore_reproduces_test_py_psnr(tmp_path):
    import restorect_mm  # noqa: F401
    from mmagic.evaluation.metrics.psnr import psnr
    data = make_pairs(str(tmp_path / 'data'), n_train=0, n_test=3, size=64)
    weights, _ = make_student_checkpoint(tmp_path)
    metrics_file = str(tmp_path / 'm.json')
    run_tool(['tools/test.py', INFERENCE_DEMO, weights, '--work-dir',
              str(tmp_path / 'test'), '--out', metrics_file, '--cfg-options',
              f'test_dataloader.dataset.data_root={data}'])
    out_dir = str(tmp_path / 'restored')
    run_tool(['tools/restore.py', INFERENCE_DEMO, weights,
              osp.join(data, 'test', 'low'), '-o', out_dir])
    scores = []
    for gt_path in sorted(glob.glob(osp.join(data, 'test', 'high', '*'))):
        restored = cv2.imread(osp.join(out_dir, osp.basename(gt_path)))
        gt = cv2.imread(gt_path)
        # as MMagic's PSNR metric: RGB, 0..255, no crop
        scores.append(psnr(restored[..., ::-1].astype(np.float64),
                           gt[..., ::-1].astype(np.float64)))
    with open(metrics_file) as f:
        expected = json.load(f)['PSNR']
    gap = abs(float(np.mean(scores)) - expected)
    print(f'restore.py {np.mean(scores):.4f} dB vs test.py {expected:.4f} dB')
    assert len(scores) == 3
    assert gap < 0.01


def test_bad_inputs_are_skipped_and_summarised(tmp_path):
    weights, _ = make_student_checkpoint(tmp_path)
    src = tmp_path / 'in'
    src.mkdir()
    rgb = np.random.default_rng(0).integers(0, 256, (20, 28, 3), np.uint8)
    cv2.imwrite(str(src / 'good.png'), rgb)
    cv2.imwrite(str(src / 'good16.tif'), rgb.astype(np.uint16) * 257)
    (src / 'corrupt.png').write_bytes(b'\x89PNG garbage')
    (src / 'empty.jpg').write_bytes(b'')
    out_dir = tmp_path / 'out'
    proc = run_tool(['tools/restore.py', INFERENCE_DEMO, weights, str(src),
                     str(tmp_path / 'missing' / '*.png'), '-o',
                     str(out_dir)], check=False)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert sorted(p.name for p in out_dir.iterdir()) == ['good.png',
                                                         'good16.tif']
    assert cv2.imread(str(out_dir / 'good16.tif'),
                      cv2.IMREAD_UNCHANGED).dtype == np.uint16
    for name in ('corrupt.png', 'empty.jpg', 'missing'):
        assert name in proc.stderr
    assert '3 failed' in proc.stderr
    assert 'restored 2 of 5' in proc.stdout


def test_wrong_checkpoint_and_fp16_on_cpu_fail_clearly(tmp_path):
    import torch
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': {'x': torch.zeros(1)}}, bad)
    img = tmp_path / 'a.png'
    cv2.imwrite(str(img), np.zeros((8, 8, 3), np.uint8))
    proc = run_tool(['tools/restore.py', INFERENCE_DEMO, str(bad), str(img),
                     '-o', str(tmp_path / 'o')], check=False)
    assert proc.returncode != 0
    assert 'does not fit' in proc.stderr and str(bad) in proc.stderr
    weights, _ = make_student_checkpoint(tmp_path)
    proc = run_tool(['tools/restore.py', INFERENCE_DEMO, weights, str(img),
                     '-o', str(tmp_path / 'o'), '--fp16'], check=False)
    assert proc.returncode != 0 and '--fp16 needs a GPU' in proc.stderr


def test_memory_limit_bounds_peak_rss(tmp_path):
    """A 960 x 640 image under a limit that forces tiles: the whole
    process's peak resident memory stays within it."""
    weights, _ = make_student_checkpoint(tmp_path)
    img = tmp_path / 'large.png'
    rng = np.random.default_rng(0)
    cv2.imwrite(str(img), cv2.resize(
        rng.integers(0, 256, (64, 96, 3), np.uint8), (960, 640)))
    # above the 1 GiB runtime allowance, the feature maps and the priors'
    # estimate, far below the untiled forward's
    limit_mib = 2000
    # restore.py runs as __main__ in a fresh interpreter that then reports
    # its own peak RSS, VmHWM: ru_maxrss would carry over the forking pytest
    # process's peak across exec. The peak is read before the interpreter
    # exits: the static destructors of torch's (CUDA-build) shared libraries
    # page in ~150 MiB of their file-backed code at exit, even after a bare
    # `import torch`; that is reclaimable page cache, not restoration memory.
    probe = (
        'import runpy, sys; sys.argv = sys.argv[1:]; code = 0\n'
        'try:\n'
        '    runpy.run_path(sys.argv[0], run_name="__main__")\n'
        'except SystemExit as exc:\n'
        '    code = exc.code\n'
        'from restorect_mm.apis.memory_budget import proc_status_kib\n'
        'print("PEAK_KB", proc_status_kib("VmHWM"))\n'
        'sys.exit(code)')
    proc = run_tool(['-c', probe, 'tools/restore.py', INFERENCE_DEMO,
                     weights, str(img), '-o', str(tmp_path / 'o'),
                     '--memory-limit', str(limit_mib)])
    peak_mib = int(proc.stdout.split('PEAK_KB')[1].split()[0]) / 1024
    print(f'peak RSS {peak_mib:.0f} MiB (limit {limit_mib} MiB)')
    assert 'px tiles' in proc.stderr  # the limit did force tiles
    assert peak_mib <= limit_mib
    assert cv2.imread(str(tmp_path / 'o' / 'large.png')).shape == (640, 960,
                                                                   3)


def test_restore_never_overwrites_its_inputs_unless_asked(tmp_path):
    weights, _ = make_student_checkpoint(tmp_path)
    src = tmp_path / 'in'
    src.mkdir()
    rng = np.random.default_rng(1)
    for name in ('a.png', 'b.png'):
        cv2.imwrite(str(src / name), rng.integers(0, 256, (16, 24, 3),
                                                  np.uint8))
    linked = tmp_path / 'linked'  # a result path that is a link to an input
    linked.mkdir()
    os.symlink(src / 'a.png', linked / 'a.png')
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    for out_dir in (src, linked):
        proc = run_tool(['tools/restore.py', INFERENCE_DEMO, weights,
                         str(src), '-o', str(out_dir)], check=False)
        assert proc.returncode != 0
        assert 'refusing to write' in proc.stderr
        assert '--overwrite' in proc.stderr and 'a.png' in proc.stderr
        assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    proc = run_tool(['tools/restore.py', INFERENCE_DEMO, weights, str(src),
                     '-o', str(src), '--overwrite'])
    after = {p.name: p.read_bytes() for p in src.iterdir()}
    assert set(after) == set(before)  # no temporary files left behind
    assert after['a.png'] != before['a.png']  # replaced, as asked


def test_an_image_too_large_for_memory_names_the_tile_options(
        tmp_path, monkeypatch, capsys):
    """The allocator's own error (here raised by a stand-in for the model's
    forward, as torch words it on CPU) becomes a hint to tile; the run goes
    on with the next image and exits non-zero."""
    import runpy
    import sys

    import pytest

    from restorect_mm.apis import Restorer
    weights, _ = make_student_checkpoint(tmp_path)
    src = tmp_path / 'in'
    src.mkdir()
    for name in ('big.png', 'small.png'):
        cv2.imwrite(str(src / name), np.full((40, 48, 3), 90, np.uint8))
    original = Restorer.restore

    def restore(self, rgb):
        if rgb.shape[1] == 48 and not hasattr(restore, 'done'):
            restore.done = True
            raise RuntimeError('[enforce fail at alloc_cpu.cpp:117] '
                               'DefaultCPUAllocator: not enough memory: you '
                               'tried to allocate 30000000000 bytes.')
        return original(self, rgb)

    monkeypatch.setattr(Restorer, 'restore', restore)
    monkeypatch.setattr(sys, 'argv', [
        'restore.py', INFERENCE_DEMO, weights, str(src), '-o',
        str(tmp_path / 'out')])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(osp.join(osp.dirname(osp.dirname(osp.dirname(
            osp.abspath(__file__)))), 'tools', 'restore.py'),
            run_name='__main__')
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert 'big.png' in err and '48 x 40 does not fit in memory' in err
    assert '--tile 512' in err and '--memory-limit' in err
    assert (tmp_path / 'out' / 'small.png').is_file()

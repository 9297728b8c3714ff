"""Acceptance: ``tools/test.py`` on a UIEB-layout set with the underwater
evaluator (restricted to the metrics that need no downloaded weights) writes
PSNR, SSIM, UCIQE and UIQM as JSON numbers."""
import json
import os
import os.path as osp

import cv2
import numpy as np

from tests.test_apis.tiny_student import make_student_checkpoint  # noqa: E402
from tests.test_tools.tool_runner import ROOT, run_tool  # noqa: E402


def make_uieb(root, count=2, size=(40, 48), seed=0):
    """UIEB test layout: input_test / gt_test, paired by their digits."""
    rng = np.random.default_rng(seed)
    for sub in ('input_test', 'gt_test'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    for i in range(count):
        gt = cv2.GaussianBlur(
            rng.integers(0, 256, (*size, 3), dtype=np.uint8), (5, 5), 0)
        # a blue-green cast, as raw underwater photos
        raw = (gt * np.array([0.9, 0.8, 0.4]) + [40, 30, 0]).astype(np.uint8)
        cv2.imwrite(osp.join(root, 'gt_test', f'{i + 1}_img_.png'), gt)
        cv2.imwrite(osp.join(root, 'input_test', f'{i + 1}_img_.png'), raw)


def write_config(tmp_path, data_root):
    """The per-set test config (inference model + uieb.py), with the demo's
    tiny student and an evaluator restricted to PSNR, SSIM, UCIQE, UIQM."""
    cfg = tmp_path / 'uieb_test.py'
    model_cfg = osp.join(ROOT, 'configs/restorect/'
                         'restorect-student_inference-model.py')
    uieb = osp.join(ROOT, 'configs/_base_/datasets/uieb.py')
    cfg.write_text(f"""
_base_ = ['{model_cfg}', '{uieb}']
n_feats = 16
model = dict(
    generator=dict(dim=16, num_blocks=(1, 1, 1, 1), num_refinement_blocks=1,
                   prior_dim=4 * n_feats, rex_split=(3 * n_feats, n_feats)),
    prior_flows=dict(n_feats=n_feats, n_encoder_res=1))
work_dir = '{tmp_path / 'work'}'
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_dataloader = dict(num_workers=0, dataset=dict(data_root='{data_root}'))
test_evaluator = [
    dict(type='PSNR'), dict(type='SSIM'), dict(type='UCIQE'),
    dict(type='UIQM'),
]
""")
    return str(cfg)


def test_tools_test_writes_underwater_metrics(tmp_path):
    data_root = str(tmp_path / 'UIEB')
    make_uieb(data_root)
    ckpt, _ = make_student_checkpoint(str(tmp_path))
    out = tmp_path / 'm.json'
    run_tool(['tools/test.py', write_config(tmp_path, data_root), ckpt,
              '--out', str(out)])
    metrics = json.loads(out.read_text())
    for key in ('PSNR', 'SSIM', 'UCIQE', 'UIQM'):
        value = metrics[key]
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
        assert np.isfinite(value), (key, value)
    assert 0 < metrics['SSIM'] <= 1
    assert 0 < metrics['UCIQE'] < 2

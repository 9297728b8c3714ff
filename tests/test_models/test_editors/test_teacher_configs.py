"""Every stage-1 config builds its model (weights not loaded) and pipelines."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmagic.registry import MODELS, TRANSFORMS
from mmagic.structures import DataSample

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
FULL = ['configs/restorect_teacher.py',
        'configs/restorect/restorect-teacher_8xb8-300k_lolv1.py',
        'configs/restorect/restorect-teacher_8xb8-300k_lolv2-real.py',
        'configs/restorect/restorect-teacher_8xb8-300k_lolv2-syn.py']
DEMO = 'configs/demo/restorect-teacher_demo.py'
DATA = {
    FULL[0]: ('data/LOL-v1', 'our485/low'),
    FULL[1]: ('data/LOL-v1', 'our485/low'),
    FULL[2]: ('data/LOL-v2/Real_captured', 'Train/Low'),
    FULL[3]: ('data/LOL-v2/Synthetic', 'Train/Low'),
}


def _load(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    model_cfg = cfg.model.copy()
    model_cfg.update(decom_weights=None, allow_untrained_decom=True)
    return cfg, model_cfg


def _trainable(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@pytest.mark.parametrize('path', FULL)
def test_full_size_configs(path):
    cfg, model_cfg = _load(path)
    # a documented placeholder the user replaces with --cfg-options
    assert cfg.model.decom_weights.endswith('.pth')
    assert cfg.train_cfg.max_iters == 300_000
    assert cfg.train_cfg.val_interval == 5_000
    assert cfg.train_dataloader.batch_size == 8
    root, low = DATA[path]
    dataset = cfg.train_dataloader.dataset
    assert (dataset.data_root, dataset.data_prefix.img) == (root, low)
    crop = [t for t in dataset.pipeline if t.type == 'PairedRandomCropPad']
    assert crop[0].crop_size == 512
    for transform in dataset.pipeline + cfg.val_dataloader.dataset.pipeline:
        TRANSFORMS.build(transform)
    hooks = {h.type: h for h in cfg.custom_hooks}
    assert hooks['ProgressivePatchHook'].milestones[-1] == 276_000
    assert hooks['ProgressivePatchHook'].same_window_per_batch  # reference
    assert hooks['EMAHook'].momentum == pytest.approx(0.001)
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    network = sum(_trainable(getattr(model, name))
                  for name in ('generator', 'rex_prior', 'img_prior'))
    assert network == 25_888_763


def test_padding_reaches_the_crop_size():
    """LOL's 600 x 400 and LOL-v2-syn's 384 x 384 pad to >= 512."""
    import numpy as np
    for path, shape in ((FULL[0], (400, 600, 3)), (FULL[3], (384, 384, 3))):
        cfg, _ = _load(path)
        crop = [t for t in cfg.train_dataloader.dataset.pipeline
                if t.type == 'PairedRandomCropPad'][0]
        out = TRANSFORMS.build(crop).transform(
            dict(img=np.zeros(shape), gt=np.ones(shape)))
        assert out['img'].shape == out['gt'].shape == (512, 512, 3)


def test_demo_config_builds_and_runs_one_forward():
    cfg, model_cfg = _load(DEMO)
    # the stable name tools/publish_model.py writes in the stage-0 demo's
    # work_dir: the demo stages chain without --cfg-options
    assert cfg.model.decom_weights == (
        'work_dirs/restorect-decom_demo/restorect-decom_demo.pth')
    torch.manual_seed(0)
    model = MODELS.build(model_cfg).eval()
    gt = torch.rand(3, 64, 64) * 255
    sample = DataSample(gt_img=gt)
    sample.set_metainfo(dict(img_channel_order='rgb', gt_channel_order='rgb'))
    with torch.no_grad():
        out = model.val_step(dict(inputs=[gt * 0.3], data_samples=[sample]))
    assert out[0].output.pred_img.shape == (3, 64, 64)

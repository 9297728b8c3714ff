"""The compact-student configs: sizes of the full-size students, and that
their distillers (feature adapters included) run a phase-2 step."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import restorect_mm  # noqa: F401
from mmagic.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FULL_STUDENT_INFERENCE = 26_126_459  # 26,105,911 + the 20,548 of D_low


def build(config, **overrides):
    init_default_scope('mmagic')
    cfg = Config.fromfile(osp.join(ROOT, config))
    model_cfg = cfg.model.copy()
    if model_cfg['type'] == 'RestoRectDistiller':
        model_cfg.update(teacher_weights=None, allow_untrained_teacher=True)
    model_cfg.update(overrides)
    return MODELS.build(model_cfg)


def n_params(module, trainable_only=False):
    return sum(p.numel() for p in module.parameters()
               if p.requires_grad or not trainable_only)


def test_compact_rgformer_student_sizes():
    student = build('configs/restorect/'
                    'restorect-student-compact-c32-inference_lolv1.py')
    assert n_params(student) == 7_028_337
    assert n_params(student.generator) == 4_784_237
    assert n_params(student) * 3 < FULL_STUDENT_INFERENCE
    distiller = build('configs/restorect/'
                      'restorect-student-compact-c32_8xb8-240k_lolv1.py')
    # G with its auxiliary head, both flows, the three 1x1 adapters
    assert n_params(distiller, trainable_only=True) == 7_086_353
    assert distiller.init_student_from_teacher == 'select'
    # the priors still have the teacher's 256 dims (KD / velocity targets)
    assert distiller.prior_flows.rex.velocity_net is not None


def test_nafnet_student_sizes():
    student = build('configs/restorect/'
                    'restorect-student-nafnet-c32-inference_lolv1.py')
    assert type(student.generator).__name__ == 'NAFNet'
    assert n_params(student) == 29_159_715
    distiller = build('configs/restorect/'
                      'restorect-student-nafnet-c32_8xb8-240k_lolv1.py')
    assert distiller.prior_flows is None and distiller.encoder_iters == 0
    assert n_params(distiller, trainable_only=True) == 29_205_283


@pytest.mark.parametrize('config', [
    'configs/restorect/restorect-student-compact-c32_8xb8-240k_lolv1.py',
    'configs/restorect/restorect-student-nafnet-c32_8xb8-240k_lolv1.py',
    'configs/demo/restorect-student-compact_demo.py',
])
def test_compact_distiller_phase2_losses_are_finite(config):
    torch.manual_seed(0)
    distiller = build(config).train()
    lq, gt = torch.rand(1, 3, 32, 32) * 0.3, torch.rand(1, 3, 32, 32)
    losses = distiller.compute_losses(lq, gt, phase=2)
    assert 'loss_flex' in losses and 'loss_pix' in losses
    total = sum(v for k, v in losses.items() if k.startswith('loss_'))
    assert torch.isfinite(total)
    total.backward()
    grads = [p.grad for p in distiller.feature_adapters.parameters()]
    assert grads and all(g is not None and g.abs().sum() > 0 for g in grads)


def test_compact_demo_student_restores_a_tiny_image():
    student = build(
        'configs/demo/restorect-student-compact-inference_demo.py').eval()
    with torch.no_grad():
        out = student(torch.rand(1, 3, 24, 40), mode='tensor')
    assert out.shape == (1, 3, 24, 40) and torch.isfinite(out).all()

"""The shared editor base: all four editors are MMagic BaseEditModels with
one prediction rule (clamped to [0, 1], destructed to 0..255), frozen parts
that stay in eval mode, and optional losses."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmagic.models import BaseEditModel
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from restorect_mm.models.editors.restorect_edit_model import build_optional
from tests.test_tools.tool_runner import ROOT

CONFIGS = {
    'decomposer': 'configs/demo/restorect-decom_demo.py',
    'teacher': 'configs/demo/restorect-teacher_demo.py',
    'distiller': 'configs/demo/restorect-student_demo.py',
    'student': 'configs/demo/restorect-student-inference_demo.py',
}


def _build(name):
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[name])).model
    if name == 'teacher':  # random stage-0 nets, no published file
        cfg.decom_weights, cfg.allow_untrained_decom = None, True
    if name == 'distiller':
        cfg.teacher_weights, cfg.allow_untrained_teacher = None, True
    cfg.pop('weights', None)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def _samples(n=2, size=16):
    gt = torch.rand(n, 3, size, size) * 255
    return [DataSample(gt_img=g, metainfo=dict(
        img_output_channel_order='rgb', gt_img_output_channel_order='rgb'))
            for g in gt]


@pytest.mark.parametrize('name', list(CONFIGS))
def test_every_editor_is_a_base_edit_model(name):
    assert isinstance(_build(name), BaseEditModel)


@pytest.mark.parametrize('name', ['teacher', 'distiller', 'student'])
def test_predictions_are_clamped_and_destructed_alike(name, monkeypatch):
    model = _build(name).eval()
    inputs = torch.rand(2, 3, 16, 16)
    kept = inputs.clone()
    # a restoration far outside [0, 1], as an untrained network gives
    monkeypatch.setattr(model, 'forward_tensor',
                        lambda *a, **k: torch.linspace(-2, 3, 2 * 3 * 16 * 16)
                        .reshape(2, 3, 16, 16))
    samples = model(inputs, _samples(), mode='predict')  # a list is stacked
    assert len(samples) == 2
    pred = torch.stack([s.output.pred_img for s in samples])
    assert pred.min() == 0 and pred.max() == 255
    # the destructed input (0..255, the metrics' channel order) rides along,
    # and the caller's tensor is left as it was
    expected = model.data_preprocessor.destruct(
        kept.clone(), DataSample.stack(_samples()), 'img')
    assert torch.allclose(samples[1].input, expected[1], atol=1e-3)
    assert torch.equal(inputs, kept)


@pytest.mark.parametrize('name', ['teacher', 'distiller'])
def test_frozen_parts_stay_in_eval_mode(name):
    model = _build(name).train()
    frozen = model._frozen
    assert frozen and all(not getattr(model, n).training for n in frozen)
    assert all(not p.requires_grad for n in frozen
               for p in getattr(model, n).parameters())
    assert model.generator.training


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match='Invalid mode "train"'):
        _build('student')(torch.rand(1, 3, 16, 16), mode='train')


def test_the_inference_student_does_not_train():
    with pytest.raises(RuntimeError, match='RestoRectDistiller'):
        _build('student')(torch.rand(1, 3, 16, 16), _samples(1), mode='loss')


def test_build_optional_copies_and_passes_none():
    cfg = dict(type='L1Loss', loss_weight=2.0)
    loss = build_optional(cfg)
    assert loss.loss_weight == 2.0 and cfg == dict(type='L1Loss',
                                                   loss_weight=2.0)
    assert build_optional(None) is None

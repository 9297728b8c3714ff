"""TrainableEMA: frozen parameters are shared with the source, never copied
or averaged; trainable ones average exactly as MMEngine's EMA does."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.hooks import EMAHook
from mmengine.model import ExponentialMovingAverage
from torch import nn

from mmagic.registry import MODELS
from restorect_mm.engine.trainable_ema import TrainableEMA
from tests.test_tools.tool_runner import ROOT


def _model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
    model[0].requires_grad_(False)  # a frozen teacher part
    return model


def test_frozen_parameters_are_shared_and_not_averaged():
    model = _model()
    ema = TrainableEMA(model, momentum=0.5)
    plain = ExponentialMovingAverage(model, momentum=0.5)
    assert ema.module[0].weight.data_ptr() == model[0].weight.data_ptr()
    assert set(ema.avg_parameters) == {'1.weight', '1.bias'}
    assert ema.state_dict().keys() == plain.state_dict().keys()
    for step in range(3):
        ema.update_parameters(model)
        plain.update_parameters(model)
        with torch.no_grad():
            for param in model[1].parameters():
                param.add_(float(step + 1))
    for name, value in plain.module.state_dict().items():
        assert torch.equal(ema.module.state_dict()[name], value), name
    assert not torch.equal(ema.module[1].weight, model[1].weight)


def test_frozen_weights_loaded_later_reach_the_average():
    """EMAHook builds the average before MMEngine's init_weights, which is
    where the distiller loads its teacher."""
    model = _model()
    ema = TrainableEMA(model)
    teacher = {'weight': torch.full((4, 4), 3.), 'bias': torch.zeros(4)}
    model[0].load_state_dict(teacher)
    assert torch.equal(ema.module[0].weight, teacher['weight'])


def test_ema_hook_swap_leaves_frozen_parts_alone():
    model = _model()
    hook = EMAHook()
    hook.src_model, hook.ema_model = model, TrainableEMA(model, momentum=0.5)
    hook.ema_model.update_parameters(model)
    with torch.no_grad():
        model[1].weight.add_(1.0)
    hook.ema_model.update_parameters(model)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hook._swap_ema_parameters()
    assert torch.equal(model[0].weight, before['0.weight'])
    assert not torch.equal(model[1].weight, before['1.weight'])
    hook._swap_ema_parameters()
    for name, value in before.items():
        assert torch.equal(model.state_dict()[name], value), name


def test_the_distiller_averages_the_student_only():
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs/demo/restorect-student_demo.py')).model
    cfg.teacher_weights, cfg.allow_untrained_teacher = None, True
    distiller = MODELS.build(cfg)
    ema = TrainableEMA(distiller)
    averaged = {name.split('.')[0] for name in ema.avg_parameters}
    assert averaged and not averaged & {'teacher_generator',
                                        'teacher_rex_prior',
                                        'teacher_img_prior', 'decom_low',
                                        'decom_high'}
    assert 'generator' in averaged and 'prior_flows' in averaged

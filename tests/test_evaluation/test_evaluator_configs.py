"""The evaluator bases of configs/_base_/evaluators."""
import os.path as osp

import pytest
from mmengine.config import Config

from restorect_mm.registry import METRICS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
EVALUATORS = osp.join(ROOT, 'configs', '_base_', 'evaluators')
OURS = {'NIQEChecked', 'UCIQE', 'UIQM', 'ProtocolPSNR', 'ProtocolSSIM',
        'PSNR', 'SSIM'}


def load(name):
    return Config.fromfile(osp.join(EVALUATORS, f'{name}.py'))


def types(metrics):
    return [m['type'] for m in metrics]


@pytest.mark.parametrize('name', ['paired', 'no_reference', 'underwater',
                                  'paper_protocol'])
def test_val_is_cheap_and_our_metrics_build(name):
    cfg = load(name)
    assert types(cfg.val_evaluator) == ['PSNR', 'SSIM']
    for metric in cfg.test_evaluator:
        if metric['type'] in OURS:  # LPIPS / FID / BRISQUE: other files
            assert METRICS.build(dict(metric)) is not None


def test_families():
    paired, underwater = load('paired'), load('underwater')
    assert types(paired.test_evaluator) == [
        'PSNR', 'SSIM', 'LPIPS', 'InceptionFID', 'NIQEChecked', 'BRISQUE']
    # same order, so the documented --cfg-options indices agree
    assert underwater.test_evaluator[:6] == paired.test_evaluator
    assert types(underwater.test_evaluator[6:]) == ['UCIQE', 'UIQM']
    assert types(load('no_reference').test_evaluator) == [
        'NIQEChecked', 'BRISQUE', 'UCIQE', 'UIQM']
    assert paired.test_evaluator[3]['skip_without_weights'] is True
    protocol = load('paper_protocol').test_evaluator
    assert types(protocol) == ['ProtocolPSNR', 'ProtocolSSIM', 'LPIPS',
                               'InceptionFID', 'NIQEChecked', 'UCIQE',
                               'UIQM']
    assert all(m['paper_protocol'] for m in protocol[:5])
    assert protocol[3]['skip_without_weights'] is True


def test_paper_protocol_metrics_build_offline():
    """LPIPS / FID load their weights on first use: building needs none."""
    for metric in load('paper_protocol').test_evaluator[:5]:
        assert METRICS.build(dict(metric)).paper_protocol is True


def test_documented_weight_keys_point_at_the_right_metrics():
    """The header's ``test_evaluator.N.key=`` examples name real entries."""
    import re
    for name in ('paired', 'underwater', 'no_reference', 'paper_protocol'):
        path = osp.join(EVALUATORS, f'{name}.py')
        metrics = load(name).test_evaluator
        text = open(path).read()
        found = re.findall(r'test_evaluator\.(\d+)\.(\w+)=', text)
        assert found or name == 'paper_protocol', name
        owner = dict(backbone_weights='LPIPS',
                     inception_weights='InceptionFID',
                     svr_model_path='BRISQUE',
                     use_reference_blue_weight_typo='UIQM',
                     protocol_bgr_input='LPIPS',
                     swap_rb_in_y=None)
        for index, key in found:
            expected = owner[key]
            if expected is not None:
                assert metrics[int(index)]['type'] == expected, (name, key)


def test_cfg_options_reach_the_list_entries():
    cfg = load('underwater')
    cfg.merge_from_dict({'test_evaluator.2.backbone_weights': '/w/vgg.pth',
                         'test_evaluator.3.inception_weights': '/w/inc.pth'})
    assert cfg.test_evaluator[2]['backbone_weights'] == '/w/vgg.pth'
    assert cfg.test_evaluator[3]['inception_weights'] == '/w/inc.pth'

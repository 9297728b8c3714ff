"""The configs' test visualisations keep their colours: MMagic's outputs are
BGR and MMEngine's LocalVisBackend expects RGB, so a pure blue prediction
must be saved as pure blue."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine import Config
from mmengine.visualization import Visualizer

import restorect_mm  # noqa: F401  (registers into MMagic's registries)
from mmagic.registry import VISUALIZERS
from mmagic.structures import DataSample

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = ['configs/restorect_decom.py', 'configs/restorect_teacher.py',
           'configs/demo/restorect-student-inference_demo.py',
           'configs/restorect/restorect-student_inference-model.py']


@pytest.mark.parametrize('config', CONFIGS)
def test_saved_prediction_keeps_its_colours(config, tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, config)).visualizer
    cfg.update(name=f'colours_{osp.basename(config)}', save_dir=str(tmp_path),
               img_keys=['pred_img'])
    cfg.vis_backends = [dict(type='LocalVisBackend')]
    visualizer = VISUALIZERS.build(cfg)
    blue_bgr = torch.zeros(3, 4, 4)
    blue_bgr[0] = 255.  # channel 0 of a BGR image
    sample = DataSample(gt_path='x/img.png', img_path='x/img.png',
                        pred_img=blue_bgr)
    visualizer.add_datasample(sample)
    saved = glob.glob(str(tmp_path / '**' / '*.png'), recursive=True)
    assert len(saved) == 1
    bgr = cv2.imread(saved[0])
    assert np.all(bgr[..., 0] == 255) and np.all(bgr[..., 1:] == 0)
    Visualizer._instance_dict.pop(cfg.name, None)

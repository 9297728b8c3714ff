"""A tiny standalone RestoRect student checkpoint for the inference tests:
the demo's inference config, random initialisation, saved with the project's
``save_weights`` (what extract_student.py writes)."""
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import restorect_mm  # noqa: F401
from restorect_mm.engine.checkpoint_io import save_weights
from restorect_mm.registry import MODELS

INFERENCE_DEMO = 'configs/demo/restorect-student-inference_demo.py'
TEACHER_DEMO = 'configs/demo/restorect-teacher_demo.py'


def make_student_checkpoint(out_dir, seed=0):
    """Write a random tiny student; returns (weights path, model)."""
    init_default_scope('mmagic')
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(INFERENCE_DEMO).model).eval()
    path = save_weights(model.state_dict(), dict(model='RestoRectStudent'),
                        f'{out_dir}/tiny-student.pth')
    return path, model


def real_photo(size=(96, 128)):
    """scikit-image's coffee photo, area-resized: (H, W, 3) float in [0, 1]."""
    import cv2
    import skimage.data
    rgb = cv2.resize(skimage.data.coffee(), size[::-1],
                     interpolation=cv2.INTER_AREA)
    return rgb.astype(np.float32) / 255.0


def psnr_01(a, b):
    """PSNR in dB of two [0, 1] images."""
    mse = float(np.mean((np.asarray(a, np.float64) - b)**2))
    return 10 * np.log10(1.0 / mse)

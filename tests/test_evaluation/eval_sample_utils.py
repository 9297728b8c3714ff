"""Data samples as MMagic's test loop hands them to metrics: (3, H, W)
float tensors in 0..255, BGR (the data preprocessor destructs to BGR)."""
import numpy as np
import torch


def bgr_chw(rgb_hwc):
    """(H, W, 3) RGB array -> (3, H, W) BGR float tensor."""
    bgr = np.ascontiguousarray(np.asarray(rgb_hwc, np.float32)[..., ::-1])
    return torch.from_numpy(bgr.transpose(2, 0, 1).copy())


def make_sample(pred_rgb, gt_rgb=None, img_path=None):
    """A metric input dict: ``output.pred_img`` and optional ``gt_img``."""
    sample = {'output': {'pred_img': bgr_chw(pred_rgb)}}
    if gt_rgb is not None:
        sample['gt_img'] = bgr_chw(gt_rgb)
    if img_path is not None:
        sample['img_path'] = img_path
    return sample


def score(metric, samples):
    """Run a metric over ``samples`` as MMagic's loop does; its result
    dict."""
    metric.results.clear()
    metric.process(None, samples)
    metric.size = len(samples)
    return metric.compute_metrics(metric.results)

"""Quality of a stage-0 Retinex decomposition (RestoRectDecomposer)."""
import math
from typing import Dict, List, Optional

import torch

from restorect_mm.registry import METRICS
from .per_image_metric import PerImageMetric


def psnr_255(pred: torch.Tensor, target: torch.Tensor) -> float:
    """PSNR of two images in the 0..255 range (no crop, no quantisation).

    Args:
        pred (Tensor): (C, H, W).
        target (Tensor): (C, H, W).

    Returns:
        float: PSNR in dB; ``inf`` for identical images.
    """
    mse = torch.mean((pred.double() - target.double())**2).item()
    if mse == 0:
        return float('inf')
    return 10.0 * math.log10(255.0**2 / mse)


@METRICS.register_module()
class RetinexDecompositionMetric(PerImageMetric):
    """Per image, averaged over the set:

    * ``recon_lq_PSNR``: PSNR of ``R_lq * L_lq`` against the input;
    * ``recon_gt_PSNR``: PSNR of ``R_gt * L_gt`` against the ground truth;
    * ``reflectance_L1``: mean ``|R_lq - R_gt|`` in [0, 1] units (the
      reflectances as destructed to 0..255, divided by 255).

    Reads what :class:`RestoRectDecomposer` puts in a data sample: ``input``
    and ``gt_img`` (0..255) and, under ``output``, ``recon_lq``,
    ``pred_img`` (the GT reconstruction), ``reflectance_lq`` and
    ``reflectance_gt``. Samples without a ground truth only add to
    ``recon_lq_PSNR``. Values are plain Python floats (JSON-safe).

    A :class:`PerImageMetric` (hence MMagic's BaseSampleWiseMetric, which
    MMagic's MultiValLoop can ``prepare``) with several values per image.

    Args:
        collect_device (str): 'cpu' or 'gpu'. Default: 'cpu'.
        prefix (str, optional): Prefix of the metric names. Default: none.
    """

    default_prefix: Optional[str] = ''
    metric = 'RetinexDecomposition'  # BaseSampleWiseMetric requires a name

    def __init__(self,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

    def score_sample(self, sample: dict, index: int) -> Dict[str, float]:
        """The values of one sample (class docstring); images (C, H, W)."""
        output = sample['output']
        result = {
            'recon_lq_PSNR':
            psnr_255(output['recon_lq'].cpu(), sample['input'].cpu())
        }
        if 'gt_img' in sample and 'reflectance_gt' in output:
            result['recon_gt_PSNR'] = psnr_255(output['pred_img'].cpu(),
                                               sample['gt_img'].cpu())
            diff = output['reflectance_lq'].double().cpu() - \
                output['reflectance_gt'].double().cpu()
            result['reflectance_L1'] = diff.abs().mean().item() / 255.0
        return result

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Average every key over the images that have it.

        Args:
            results (list[dict]): Per-image results of all ranks.

        Returns:
            dict[str, float]: The averaged metrics.
        """
        metrics = {}
        for key in ('recon_lq_PSNR', 'recon_gt_PSNR', 'reflectance_L1'):
            values = [r[key] for r in results if key in r]
            if values:
                metrics[key] = float(sum(values) / len(values))
        return metrics

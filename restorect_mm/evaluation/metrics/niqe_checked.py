"""Registered ``NIQEChecked``: MMagic's NIQE with an up-front size check and
without needing a ground truth."""
from typing import Optional, Sequence, Tuple

import numpy as np
from mmagic.evaluation.metrics import NIQE
from mmagic.evaluation.metrics.metrics_utils import obtain_data

from restorect_mm.registry import METRICS

# MMagic's NIQE scores 96 x 96 blocks (and their 48 x 48 halves) and fits a
# covariance to the per-block features: with fewer than two blocks per side
# the fit is empty or degenerate and numpy fails deep inside (or returns
# NaN). Two blocks per side is the smallest image we accept.
NIQE_BLOCK = 96
NIQE_MIN_SIDE = 2 * NIQE_BLOCK


@METRICS.register_module()
class NIQEChecked(NIQE):
    """NIQE (lower is better), exactly MMagic's number, but

    * an image under 192 px on either side (after ``crop_border``) raises a
      ``ValueError`` naming the sample (its ``img_path`` where it has one)
      and the fix, instead of a numpy error deep in MMagic;
    * only the scored image is read, so sets without a ground truth work
      (MMagic's ``process`` always reads ``gt_img``);
    * ``input_order`` defaults to 'CHW', the layout of data-sample tensors
      (MMagic's default 'HWC' mis-reads them).

    Args:
        key (str): Image to score. Default: 'pred_img'.
        is_predicted (bool): ``key`` under ``output`` (True) or in the sample
            itself (False). Default: True.
        collect_device (str): 'cpu' or 'gpu'. Default: 'cpu'.
        prefix (str, optional): Prefix of the metric name. Default: none.
        crop_border (int): Pixels cropped on each side. Default: 0.
        input_order (str): 'CHW' (default), 'HWC' or 'HW'.
        convert_to (str): 'gray' (MMagic's default) or 'y'; both assume BGR,
            which MMagic's models give to metrics.

    Metrics:
        - NIQE (float)
    """

    def __init__(self,
                 key: str = 'pred_img',
                 is_predicted: bool = True,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 crop_border: int = 0,
                 input_order: str = 'CHW',
                 convert_to: str = 'gray') -> None:
        super().__init__(
            key=key,
            is_predicted=is_predicted,
            collect_device=collect_device,
            prefix=prefix,
            crop_border=crop_border,
            input_order=input_order,
            convert_to=convert_to)

    def scored_size(self, img) -> Tuple[int, int]:
        """(H, W) NIQE will see: the image's after ``crop_border``.

        Args:
            img (Tensor | np.ndarray): One image in ``input_order``.

        Returns:
            tuple[int, int]: Height and width.
        """
        if img.ndim == 2 or self.input_order == 'HW':
            h, w = img.shape[:2]
        elif self.input_order == 'CHW':
            h, w = img.shape[-2:]
        else:
            h, w = img.shape[:2]
        return h - 2 * self.crop_border, w - 2 * self.crop_border

    def check_size(self, img, sample: dict, index: int) -> None:
        """Raise a clear error for an image too small for NIQE.

        Args:
            img (Tensor | np.ndarray): One image in ``input_order``.
            sample (dict): Its data sample (for the name).
            index (int): Its position in the batch (name fallback).
        """
        h, w = self.scored_size(img)
        if min(h, w) >= NIQE_MIN_SIDE:
            return
        name = sample.get('img_path') or sample.get('gt_path') or \
            f'sample {index} of the batch'
        raise ValueError(
            f'NIQE needs images of at least {NIQE_MIN_SIDE} x {NIQE_MIN_SIDE}'
            f' pixels (two {NIQE_BLOCK}-px blocks per side) after '
            f'crop_border={self.crop_border}, but {name} is {h} x {w}. Fix: '
            f'remove NIQEChecked from test_evaluator for this set, or resize '
            f'the test images to at least {NIQE_MIN_SIDE} px per side (plus '
            f'2 x crop_border) in the test pipeline.')

    def process(self, data_batch: dict,
                data_samples: Sequence[dict]) -> None:
        """Score each image of a batch (ground truth not needed).

        Args:
            data_batch (dict): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs, one dict per
                image (MMEngine converts DataSamples with ``to_dict``).
        """
        for index, sample in enumerate(data_samples):
            source = sample['output'] if self.is_predicted else sample
            img = obtain_data(source, self.key, self.device)
            # a (T, C, H, W) clip scores as the mean of its frames, as MMagic
            frames = img if img.ndim == 4 else [img]
            scores = []
            for frame in frames:
                self.check_size(frame, sample, index)
                scores.append(float(self.process_image(None, frame, None)))
            self.results.append({self.metric: float(np.mean(scores))})

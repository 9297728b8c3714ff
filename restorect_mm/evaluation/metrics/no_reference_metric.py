"""Base of the no-reference metrics: score the prediction alone, so that
sets without a ground truth (LIME, DICM, ...; the data sample has no
``gt_img``) can be evaluated, which MMagic's BaseSampleWiseMetric.process
(it always reads ``gt_img``) cannot."""
from typing import Dict, Optional

import numpy as np
import torch

from .image_batch import check_channel_order
from .per_image_metric import PerImageMetric


class NoReferenceMetric(PerImageMetric):
    """Per-image score of ``output[key]``, averaged over the set.

    Subclasses set ``metric`` (the result name) and implement
    :meth:`score_rgb`; :class:`PerImageMetric` reduces the set.

    Args:
        key (str): Image key under the sample's ``output``. Default:
            'pred_img'.
        is_predicted (bool): Read ``output[key]`` (True) or the sample's own
            ``key`` (False, e.g. 'gt_img' to score references). Default: True.
        channel_order (str): Order of the stored image. MMagic's edit models
            destruct predictions (and test-time ``gt_img``) to 'BGR', the
            default; 'RGB' for RGB arrays.
        input_order (str): 'CHW' (tensors of data samples, default) or 'HWC'.
        collect_device (str): 'cpu' or 'gpu'. Default: 'cpu'.
        prefix (str, optional): Prefix of the metric name. Default: none.
    """

    def __init__(self,
                 key: str = 'pred_img',
                 is_predicted: bool = True,
                 channel_order: str = 'BGR',
                 input_order: str = 'CHW',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(pred_key=key, collect_device=collect_device,
                         prefix=prefix)
        self.channel_order = check_channel_order(channel_order)
        if input_order not in ('CHW', 'HWC'):
            raise ValueError(f'input_order must be CHW or HWC, got '
                             f'{input_order}')
        self.key = key
        self.is_predicted = is_predicted
        self.input_order = input_order

    def score_rgb(self, rgb: np.ndarray) -> float:
        """Score one image.

        Args:
            rgb (np.ndarray): (H, W, 3) RGB float64 in 0..255.

        Returns:
            float: The score.
        """
        raise NotImplementedError

    def to_rgb(self, img) -> np.ndarray:
        """A stored image -> (H, W, 3) RGB float64.

        Args:
            img (Tensor | np.ndarray): (3, H, W) or (H, W, 3) per
                ``input_order``, in ``channel_order``.

        Returns:
            np.ndarray: (H, W, 3) float64.
        """
        if isinstance(img, torch.Tensor):
            img = img.detach().cpu().numpy()
        img = np.asarray(img, dtype=np.float64)
        if self.input_order == 'CHW':
            img = img.transpose(1, 2, 0)
        if self.channel_order == 'BGR':
            img = img[..., ::-1]
        return np.ascontiguousarray(img)

    def score_sample(self, sample: dict, index: int) -> Dict[str, float]:
        """Mean :meth:`score_rgb` over the frames of ``key``."""
        img = self.scored_image(sample, self.key, self.is_predicted)
        return {
            self.metric:
            self.frame_mean(img, lambda f: self.score_rgb(self.to_rgb(f)))
        }

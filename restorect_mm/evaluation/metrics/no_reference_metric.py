"""Base of the no-reference metrics: score the prediction alone, so that
sets without a ground truth (LIME, DICM, ...; the data sample has no
``gt_img``) can be evaluated, which MMagic's BaseSampleWiseMetric.process
(it always reads ``gt_img``) cannot."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.evaluation.metrics.metrics_utils import obtain_data


class NoReferenceMetric(BaseSampleWiseMetric):
    """Per-image score of ``output[key]``, averaged over the set.

    Subclasses set ``metric`` (the result name) and implement
    :meth:`score_rgb`. Results are plain Python floats (JSON-safe).

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
        if channel_order.upper() not in ('RGB', 'BGR'):
            raise ValueError(f'channel_order must be RGB or BGR, got '
                             f'{channel_order}')
        if input_order not in ('CHW', 'HWC'):
            raise ValueError(f'input_order must be CHW or HWC, got '
                             f'{input_order}')
        self.key = key
        self.is_predicted = is_predicted
        self.channel_order = channel_order.upper()
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

    def process(self, data_batch: dict,
                data_samples: Sequence[dict]) -> None:
        """Score each image of a batch.

        Args:
            data_batch (dict): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs, one dict per
                image (MMEngine converts DataSamples with ``to_dict``).
        """
        for sample in data_samples:
            source = sample['output'] if self.is_predicted else sample
            img = obtain_data(source, self.key)
            # a (T, C, H, W) clip scores as the mean of its frames, as MMagic
            frames = img if img.ndim == 4 else [img]
            scores = [self.score_rgb(self.to_rgb(f)) for f in frames]
            self.results.append({self.metric: float(np.mean(scores))})

    def evaluate(self, size: Optional[int] = None) -> dict:
        """MMagic's loops call ``evaluate()`` after ``prepare``; MMEngine's
        Evaluator calls ``evaluate(size)``: both work."""
        if size is not None:
            self.size = size
        return super().evaluate()

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Mean over the images.

        Args:
            results (list[dict]): Per-image results of all ranks.

        Returns:
            dict[str, float]: ``{metric: mean}``.
        """
        values = [r[self.metric] for r in results]
        return {self.metric: float(np.mean(values))}

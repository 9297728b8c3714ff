"""Base of the restorect_mm metrics: one result per image, reduced over the
set at the end."""
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.evaluation.metrics.metrics_utils import obtain_data


class PerImageMetric(BaseSampleWiseMetric):
    """What every metric of this package shares on top of MMagic's
    :class:`BaseSampleWiseMetric` (kept as the parent so that MMagic's
    MultiValLoop can ``prepare`` them):

    * :meth:`process` appends :meth:`score_sample` of each data sample, so a
      subclass only says how one sample is scored;
    * :meth:`evaluate` works with and without ``size`` (MMagic's loops call
      ``evaluate()`` after ``prepare``; MMEngine's Evaluator calls
      ``evaluate(size)``);
    * :meth:`compute_metrics` is the mean of ``metric`` over the images, a
      plain Python float (JSON-safe);
    * :meth:`frame_mean` scores a (T, C, H, W) clip as the mean of its
      frames, as MMagic does.

    Subclasses set ``metric`` (the result name) and implement
    :meth:`score_sample` (or override :meth:`process` for a set-level
    metric such as FID).

    Args (MMagic's, as the subclasses pass them on):
        gt_key (str): Key of the ground truth. Default: 'gt_img'.
        pred_key (str): Key of the prediction under ``output``.
            Default: 'pred_img'.
        device (str, optional): Where a metric's network runs; the metrics
            with networks (LPIPS, FID) default to the evaluated model's
            device (None).
        collect_device (str): 'cpu' or 'gpu'. Default: 'cpu'.
        prefix (str, optional): Prefix of the metric names.

    A subclass's ``channel_order`` (str) is the channel order of the stored
    images: MMagic's edit models destruct predictions (and test-time
    ``gt_img``) to 'BGR', the default; 'RGB' for RGB tensors.
    """

    def score_sample(self, sample: dict, index: int) -> Dict[str, float]:
        """The result of one data sample.

        Args:
            sample (dict): One model output (MMEngine converts DataSamples
                with ``to_dict``); images are (C, H, W) or (T, C, H, W).
            index (int): Its position in the batch (for error messages).

        Returns:
            dict[str, float]: Usually ``{metric: value}``.
        """
        raise NotImplementedError

    def process(self, data_batch: dict,
                data_samples: Sequence[dict]) -> None:
        """Score each data sample of a batch.

        Args:
            data_batch (dict): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs, one dict per
                image.
        """
        for index, sample in enumerate(data_samples):
            self.results.append(self.score_sample(sample, index))

    def evaluate(self, size: Optional[int] = None) -> dict:
        """The metrics over all ranks.

        Args:
            size (int, optional): Length of the whole dataset; None when
                ``prepare`` has set it (MMagic's loops).

        Returns:
            dict[str, float]: The (prefixed) metrics.
        """
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
        return {
            self.metric:
            float(np.mean([result[self.metric] for result in results]))
        }

    def scored_image(self, sample: dict, key: str, predicted: bool = True):
        """``sample['output'][key]`` (``predicted``) or ``sample[key]``.

        Returns:
            Tensor | np.ndarray: (C, H, W) or (T, C, H, W) as stored; a
            tensor on the CPU (the networks move it to ``self.device``).
        """
        return obtain_data(sample['output'] if predicted else sample, key)

    @staticmethod
    def frames(image) -> Sequence:
        """The frames of an image: (T, C, H, W) -> T of (C, H, W); a
        (C, H, W) image is its own single frame."""
        return image if image.ndim == 4 else [image]

    def frame_mean(self, image, score: Callable[..., float]) -> float:
        """Mean of ``score`` over :meth:`frames` of ``image``."""
        return float(np.mean([score(frame) for frame in self.frames(image)]))

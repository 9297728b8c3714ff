"""FID of predictions against ground truths with torchvision's Inception-v3.

MMagic's ``FID`` needs its own (downloaded) Inception and a generative
sampler; this one scores a restoration test set as the paper did.
"""
import logging
import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as TF
from mmengine.logging import print_log

from restorect_mm.evaluation.functional.paper_protocol import (
    PROTOCOL_SIZE, to_protocol_size)
from restorect_mm.registry import METRICS
from .frechet_distance import frechet_distance
from .image_batch import as_rgb_batch, check_channel_order
from .per_image_metric import PerImageMetric
from .protocol_psnr_ssim import to_hwc_numpy
from .torchvision_checkpoint import default_torchvision_checkpoint

INCEPTION_V3_WEIGHTS_FILE = 'inception_v3_google-0cc3c7bd.pth'
INCEPTION_SIZE = 299
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def build_inception_pool_extractor(weights: str) -> torch.nn.Module:
    """Inception-v3 returning the 2048-d average-pool features.

    ``transform_input=True`` as torchvision sets for these weights: it maps
    ImageNet-normalised input to the [-1, 1] range Google's weights expect.

    Args:
        weights (str): torchvision's Inception-v3 ImageNet state dict
            (``inception_v3_google-0cc3c7bd.pth``, with ``AuxLogits.*``).

    Returns:
        nn.Module: (N, 3, 299, 299) ImageNet-normalised -> (N, 2048); eval
        mode, on CPU.

    Raises:
        FileNotFoundError: No file at ``weights``.
        ValueError: The file is not an Inception-v3 state dict.
    """
    if not os.path.isfile(weights):
        raise FileNotFoundError(
            f'Inception-v3 weights not found at {weights!r}. Set the config '
            'key `inception_weights` to torchvision\'s Inception-v3 ImageNet '
            f'weights file ({INCEPTION_V3_WEIGHTS_FILE}).')
    model = torchvision.models.inception_v3(
        weights=None, aux_logits=True, init_weights=False,
        transform_input=True)
    state = torch.load(weights, map_location='cpu', weights_only=True)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise ValueError(
            f'{weights!r} does not hold torchvision Inception-v3 weights '
            f'(expected the state dict of {INCEPTION_V3_WEIGHTS_FILE}): '
            f'{error}') from error
    model.fc = torch.nn.Identity()  # logits layer -> pooled features
    return model.eval()


@METRICS.register_module()
class InceptionFID(PerImageMetric):
    """Fréchet Inception Distance, predictions vs ground truths (lower is
    better).

    Per image: optional resize to ``resize_to`` (the paper: 256x256 for
    both sets), bilinear resize to 299x299, ImageNet normalisation,
    Inception-v3 average-pool features (2048-d). Real set = ground truths,
    fake set = predictions; one FID over the whole set.

    Few images give rank-deficient covariances (fewer samples than 2048
    dimensions): the value is then exact but biased upwards and only
    comparable at equal set size (see :mod:`.frechet_distance`). Needs at
    least 2 images; with fewer nothing is reported.

    ``paper_protocol=True`` follows RestoRect's reported FID (arXiv
    2509.23480; the reference evaluation script
    ``RestoRect/evals/evaluation.py`` computes FID on the 256 x 256 ground
    truths and the uncorrected 256 x 256 predictions): both sets
    truncated to uint8 and resized to 256 x 256 as the reference read its
    images (OpenCV bilinear via float [0, 1], truncation; see
    :func:`~restorect_mm.evaluation.functional.paper_protocol.\
to_protocol_size`), the predictions NOT mean / variance corrected, then
    the steps above (299 bilinear, ImageNet normalisation, RGB). It
    replaces ``resize_to`` (which must then be None or 256). Not exactly
    the paper's number: the reference's 256 -> 299 resize (library,
    antialiasing, whether it re-quantised to uint8) is not known; here it
    is torchvision's bilinear on float tensors, not re-quantised. Like the
    paper's, the number is over the (small) test set only: compare it only
    at equal set size.

    Args:
        inception_weights (str, optional): torchvision's Inception-v3
            ImageNet weights. Default: torchvision's cache,
            ``torch.hub.get_dir()/checkpoints/`` +
            ``inception_v3_google-0cc3c7bd.pth``.
        resize_to (int, optional): Square size both images are resized to
            (torchvision bilinear, antialiased) before Inception's own
            resize; the paper used 256 (``paper_protocol=True`` resizes as
            the reference did). Default: None (as given).
        skip_without_weights (bool): When the weights file is missing, log
            one warning and report nothing instead of raising.
            Default: False.
        channel_order (str): 'BGR' (default) or 'RGB', see
            :class:`PerImageMetric`.
        paper_protocol (bool): Default: False (the images as given, or
            ``resize_to``).
        **kwargs: ``gt_key``, ``pred_key``, ``device`` (where Inception
            runs), ``collect_device``, ``prefix`` of
            :class:`PerImageMetric`.
    """

    default_prefix: Optional[str] = ''
    metric = 'FID'

    def __init__(self,
                 inception_weights: Optional[str] = None,
                 resize_to: Optional[int] = None,
                 skip_without_weights: bool = False,
                 channel_order: str = 'BGR',
                 paper_protocol: bool = False,
                 **kwargs) -> None:
        if paper_protocol and resize_to not in (None, PROTOCOL_SIZE):
            raise ValueError(
                f'paper_protocol=True resizes to {PROTOCOL_SIZE} as the '
                f'reference; got resize_to={resize_to!r} (leave it None).')
        super().__init__(**kwargs)
        self.inception_weights = inception_weights or \
            default_torchvision_checkpoint(INCEPTION_V3_WEIGHTS_FILE)
        self.resize_to = resize_to
        self.paper_protocol = paper_protocol
        self.skip_without_weights = skip_without_weights
        self.channel_order = check_channel_order(channel_order)
        self._model = None  # built on first use: configs build offline
        self._skipping = False

    def _weights_missing(self) -> bool:
        """True (after one warning) when skipping for a missing file."""
        if self._skipping:
            return True
        if self.skip_without_weights and not os.path.isfile(
                self.inception_weights):
            print_log(
                f'InceptionFID: no weights at {self.inception_weights!r} '
                '(config key `inception_weights`); FID is not reported.',
                logger='current',
                level=logging.WARNING)
            self._skipping = True
        return self._skipping

    def _get_model(self) -> torch.nn.Module:
        if self._model is None:
            self._model = build_inception_pool_extractor(
                self.inception_weights).to(self.device)
        return self._model

    def _protocol_resize(self, image: torch.Tensor) -> torch.Tensor:
        """(C, H, W) or (T, C, H, W) 0..255 -> same layout, 256 x 256,
        uint8 values (as float), resized as the reference read its
        images."""
        frames = image if image.dim() == 4 else image[None]
        resized = torch.stack([
            torch.from_numpy(
                to_protocol_size(to_hwc_numpy(frame, 'CHW'),
                                 PROTOCOL_SIZE).transpose(2, 0, 1).copy())
            for frame in frames
        ]).float()
        return resized if image.dim() == 4 else resized[0]

    def _preprocess(self, image: torch.Tensor) -> torch.Tensor:
        """(C, H, W) or (T, C, H, W) 0..255 -> (N, 3, 299, 299) normalised.
        """
        if self.paper_protocol:
            image = self._protocol_resize(image)
        image = as_rgb_batch(image.to(self.device), self.channel_order) / 255
        if self.resize_to is not None and not self.paper_protocol:
            image = TF.resize(
                image, [self.resize_to, self.resize_to], antialias=True)
        image = TF.resize(
            image, [INCEPTION_SIZE, INCEPTION_SIZE], antialias=True)
        return TF.normalize(image, IMAGENET_MEAN, IMAGENET_STD)

    @torch.no_grad()
    def process(self, data_batch: dict,
                data_samples: Sequence[dict]) -> None:
        """Extract the features of one batch (FID comes at the end).

        All images of the batch (both sets) go through Inception in one
        forward: after the resize to 299 they share a size.

        Args:
            data_batch (dict): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): One dict per image, with
                ``gt_key`` (C, H, W) 0..255 and ``output[pred_key]``.
        """
        if self._weights_missing():
            return
        model = self._get_model()
        reals = [
            self._preprocess(
                self.scored_image(sample, self.gt_key, predicted=False))
            for sample in data_samples
        ]
        fakes = [
            self._preprocess(self.scored_image(sample, self.pred_key))
            for sample in data_samples
        ]
        features = model(torch.cat(reals + fakes)).double().cpu().numpy()
        # Split back: reals first, then fakes, each image's frames in order.
        counts = [len(batch) for batch in reals + fakes]
        chunks = np.split(features, np.cumsum(counts)[:-1])
        half = len(data_samples)
        for real, fake in zip(chunks[:half], chunks[half:]):
            self.results.append({'real': real, 'fake': fake})

    def evaluate(self, size: Optional[int] = None) -> dict:
        """As :meth:`PerImageMetric.evaluate`; ``{}`` when skipping for
        missing weights."""
        if self._skipping:
            self.results.clear()
            return {}
        return super().evaluate(size)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """FID over all images of all ranks.

        Args:
            results (list[dict]): ``{'real': (k, 2048), 'fake': (k, 2048)}``
                per image.

        Returns:
            dict[str, float]: ``{'FID': value}``, or ``{}`` with fewer than
            2 images.
        """
        real, fake = self._stack(results)
        if len(real) < 2 or len(fake) < 2:
            print_log(
                f'InceptionFID needs at least 2 images, got {len(fake)}; '
                'FID is not reported.',
                logger='current',
                level=logging.WARNING)
            return {}
        return {self.metric: float(frechet_distance(real, fake))}

    @staticmethod
    def _stack(results: List[dict]) -> Tuple[np.ndarray, np.ndarray]:
        if not results:
            return np.zeros((0, 1)), np.zeros((0, 1))
        real = np.concatenate([np.asarray(r['real']) for r in results])
        fake = np.concatenate([np.asarray(r['fake']) for r in results])
        return real, fake

"""FID of predictions against ground truths.

Two registered metrics, one code path (batched features, one Fréchet
distance over the set, :mod:`.frechet_distance`):

* ``InceptionFID`` (result key ``FID``): the FID of the literature. The FID
  Inception of ``pytorch-fid`` (``pytorch_fid.inception.InceptionV3``, the
  TF-ported ``pt_inception-2015-12-05`` weights that pytorch-fid,
  clean-fid, torchmetrics and published restoration tables use), its
  preprocessing (bilinear resize to 299 x 299, [0, 1] scaled to [-1, 1])
  and its 2048-d final average-pool features.
* ``InceptionFIDImageNet`` (result key ``FID_torchvision_imagenet``):
  torchvision's ImageNet Inception-v3 with ImageNet normalisation. Its
  numbers are NOT comparable with any published FID.

MMagic's ``FID`` needs its own (downloaded) Inception and a generative
sampler; these score a restoration test set as the paper did.
"""
import logging
import os
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms.functional as TF
from mmengine.logging import print_log

from restorect_mm.engine.checkpoint_io import load_weights
from restorect_mm.evaluation.functional.paper_protocol import (
    PROTOCOL_SIZE, to_protocol_size)
from restorect_mm.registry import METRICS
from .frechet_distance import frechet_distance
from .image_batch import as_rgb_batch, check_channel_order
from .per_image_metric import PerImageMetric
from .protocol_psnr_ssim import to_hwc_numpy
from .torchvision_checkpoint import default_torchvision_checkpoint

# pytorch-fid's FID_WEIGHTS_URL names this file; torch.hub caches it under
# this name, which makes the default path that of a pytorch-fid download.
FID_INCEPTION_WEIGHTS_FILE = 'pt_inception-2015-12-05-6726825d.pth'
FID_INCEPTION_WEIGHTS_URL = (
    'https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/'
    + FID_INCEPTION_WEIGHTS_FILE)
INCEPTION_V3_WEIGHTS_FILE = 'inception_v3_google-0cc3c7bd.pth'
INCEPTION_SIZE = 299
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _read_state_dict(weights: str, expected: str) -> dict:
    """The state dict of a weights file, read weights-only.

    Raises:
        FileNotFoundError: No file at ``weights``.
        CheckpointError: The file is corrupt or holds more than weights.
    """
    if not os.path.isfile(weights):
        raise FileNotFoundError(
            f'Inception weights not found at {weights!r}. Set the config '
            f'key `inception_weights` to the file {expected}.')
    state = load_weights(weights)
    if isinstance(state.get('state_dict'), dict):
        state = state['state_dict']
    return state


class FIDInceptionPool(torch.nn.Module):
    """pytorch-fid's ``InceptionV3`` with its output as one (N, 2048)
    tensor.

    Args:
        network (nn.Module): ``pytorch_fid.inception.InceptionV3`` returning
            the final average-pool block only.
    """

    def __init__(self, network: torch.nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) RGB in [0, 1] -> (N, 2048)."""
        return self.network(images)[0].flatten(1)


def build_fid_inception_extractor(weights: str) -> torch.nn.Module:
    """pytorch-fid's FID Inception returning the 2048-d pool features.

    The network is ``pytorch_fid.inception.InceptionV3`` itself (the FID
    Inception blocks, its bilinear resize to 299 and its [-1, 1] scaling),
    with the weights read from ``weights`` by the project's weights-only
    loader instead of the package's download.

    Args:
        weights (str): pytorch-fid's FID Inception weights
            (``pt_inception-2015-12-05-6726825d.pth``, the state dict of
            the patched torchvision Inception-v3 with 1008 classes).

    Returns:
        nn.Module: (N, 3, H, W) RGB in [0, 1] -> (N, 2048); eval mode, on
        CPU.

    Raises:
        FileNotFoundError: No file at ``weights``.
        ValueError: The file is not the FID Inception's state dict.
        ImportError: pytorch-fid is not installed.
    """
    try:
        from pytorch_fid import inception as fid_inception
    except ImportError as error:
        raise ImportError(
            'InceptionFID needs pytorch-fid (requirements/runtime.txt): '
            'pip install "pytorch-fid>=0.3,<0.4"') from error
    state = _read_state_dict(weights, FID_INCEPTION_WEIGHTS_FILE)
    # The package downloads its weights inside fid_inception_v3(): hand it
    # the loaded file instead, for the duration of the build only.
    download = fid_inception.load_state_dict_from_url
    fid_inception.load_state_dict_from_url = lambda *args, **kwargs: state
    try:
        network = fid_inception.InceptionV3(
            [fid_inception.InceptionV3.BLOCK_INDEX_BY_DIM[2048]],
            resize_input=True,
            normalize_input=True)
    except RuntimeError as error:  # strict load_state_dict
        raise ValueError(
            f'{weights!r} does not hold the FID Inception weights '
            f'(expected the state dict of {FID_INCEPTION_WEIGHTS_FILE}): '
            f'{error}') from error
    finally:
        fid_inception.load_state_dict_from_url = download
    return FIDInceptionPool(network).eval()


def build_inception_pool_extractor(weights: str) -> torch.nn.Module:
    """torchvision's Inception-v3 returning the 2048-d average-pool features.

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
    state = _read_state_dict(weights, INCEPTION_V3_WEIGHTS_FILE)
    model = torchvision.models.inception_v3(
        weights=None, aux_logits=True, init_weights=False,
        transform_input=True)
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
    """Fréchet Inception Distance of the literature, predictions vs ground
    truths (lower is better).

    Per image: optional resize to ``resize_to``, then pytorch-fid's steps:
    RGB in [0, 1], bilinear resize to 299 x 299 (``F.interpolate``,
    ``align_corners=False``, no antialiasing), scaling to [-1, 1], the FID
    Inception's 2048-d final average-pool features. Real set = ground
    truths, fake set = predictions; one FID over the whole set. pytorch-fid
    reads 8-bit files; the images here are the model's outputs as handed
    over (float 0..255), so a saved-and-reread set differs by the rounding.

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
    the steps above. It replaces ``resize_to`` (which must then be None or
    256). Not exactly the paper's number: the reference's Inception and
    its 256 -> 299 resize are not known. Like the paper's, the number is
    over the (small) test set only: compare it only at equal set size.

    Args:
        inception_weights (str, optional): The network's weights. Default:
            torch.hub's cache, ``torch.hub.get_dir()/checkpoints/`` +
            :attr:`weights_file` (where pytorch-fid's own download lands).
        resize_to (int, optional): Square size both images are resized to
            (torchvision bilinear, antialiased) before Inception's own
            resize. Default: None (as given).
        skip_without_weights (bool): When the weights file is missing, log
            one warning and report nothing instead of raising.
            Default: False.
        channel_order (str): 'BGR' (default) or 'RGB', see
            :class:`PerImageMetric`.
        paper_protocol (bool): Default: False (the images as given, or
            ``resize_to``).
        device (str | torch.device, optional): Where Inception runs. Default
            None: the device of the evaluated model (MMagic's loops
            ``prepare`` the metric with it), else 'cuda' when available,
            else 'cpu'.
        **kwargs: ``gt_key``, ``pred_key``, ``collect_device``, ``prefix``
            of :class:`PerImageMetric`.
    """

    default_prefix: Optional[str] = ''
    metric = 'FID'
    protocol = 'pytorch-fid'
    weights_file = FID_INCEPTION_WEIGHTS_FILE
    weights_hint = (f'pytorch-fid\'s {FID_INCEPTION_WEIGHTS_FILE} '
                    f'({FID_INCEPTION_WEIGHTS_URL})')

    def __init__(self,
                 inception_weights: Optional[str] = None,
                 resize_to: Optional[int] = None,
                 skip_without_weights: bool = False,
                 channel_order: str = 'BGR',
                 paper_protocol: bool = False,
                 device: Union[str, torch.device, None] = None,
                 **kwargs) -> None:
        if paper_protocol and resize_to not in (None, PROTOCOL_SIZE):
            raise ValueError(
                f'paper_protocol=True resizes to {PROTOCOL_SIZE} as the '
                f'reference; got resize_to={resize_to!r} (leave it None).')
        super().__init__(device=device, **kwargs)
        self.inception_weights = inception_weights or \
            default_torchvision_checkpoint(self.weights_file)
        self.resize_to = resize_to
        self.paper_protocol = paper_protocol
        self.skip_without_weights = skip_without_weights
        self.channel_order = check_channel_order(channel_order)
        self._model = None  # built on first use: configs build offline
        self._model_device = None  # the evaluated model's, from prepare()
        self._skipping = False

    def build_extractor(self, weights: str) -> torch.nn.Module:
        """The feature network: images from :meth:`network_input` ->
        (N, 2048)."""
        return build_fid_inception_extractor(weights)

    def network_input(self, image: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) RGB in [0, 1] -> pytorch-fid's resize to 299 (the
        network then scales to [-1, 1])."""
        return F.interpolate(
            image, size=(INCEPTION_SIZE, INCEPTION_SIZE), mode='bilinear',
            align_corners=False)

    def run_device(self) -> torch.device:
        """Where Inception runs: ``device`` when given, else the evaluated
        model's device (set by :meth:`prepare`), else 'cuda' when
        available, else 'cpu'."""
        if self.device is not None:
            return torch.device(self.device)
        if self._model_device is not None:
            return self._model_device
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')

    def prepare(self, module: torch.nn.Module, dataloader) -> None:
        """As MMagic's; also notes the evaluated model's device."""
        super().prepare(module, dataloader)
        parameter = next(iter(module.parameters()), None)
        if parameter is not None:
            self._model_device = parameter.device

    def _weights_missing(self) -> bool:
        """True (after one warning) when skipping for a missing file."""
        if self._skipping:
            return True
        if self.skip_without_weights and not os.path.isfile(
                self.inception_weights):
            print_log(
                f'{type(self).__name__}: no weights at '
                f'{self.inception_weights!r} (config key '
                f'`inception_weights`: {self.weights_hint}); '
                f'{self.metric} is not reported.',
                logger='current',
                level=logging.WARNING)
            self._skipping = True
        return self._skipping

    def _get_model(self) -> torch.nn.Module:
        device = self.run_device()
        if self._model is None:
            self._model = self.build_extractor(self.inception_weights)
        return self._model.to(device)

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
        """(C, H, W) or (T, C, H, W) 0..255 -> (N, 3, 299, 299), the
        network's input."""
        if self.paper_protocol:
            image = self._protocol_resize(image)
        image = as_rgb_batch(
            image.to(self.run_device()), self.channel_order) / 255
        if self.resize_to is not None and not self.paper_protocol:
            image = TF.resize(
                image, [self.resize_to, self.resize_to], antialias=True)
        return self.network_input(image)

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
            dict[str, float]: ``{metric: value}``, or ``{}`` with fewer
            than 2 images.
        """
        real, fake = self._stack(results)
        if len(real) < 2 or len(fake) < 2:
            print_log(
                f'{type(self).__name__} needs at least 2 images, got '
                f'{len(fake)}; {self.metric} is not reported.',
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


@METRICS.register_module()
class InceptionFIDImageNet(InceptionFID):
    """FID with torchvision's ImageNet Inception-v3: NOT comparable with
    published FIDs (result key ``FID_torchvision_imagenet``).

    Everything as :class:`InceptionFID` except the network and its input:
    torchvision's ImageNet Inception-v3 (``inception_v3_google-0cc3c7bd.pth``
    ; ``inception_weights`` defaults to torchvision's cache), images resized
    to 299 x 299 by torchvision's antialiased bilinear resize and ImageNet
    normalised. Other weights and other preprocessing than the FID
    Inception's: kept for numbers computed with it before.
    """

    metric = 'FID_torchvision_imagenet'
    protocol = 'torchvision-imagenet'
    weights_file = INCEPTION_V3_WEIGHTS_FILE
    weights_hint = (f'torchvision\'s Inception-v3 ImageNet weights '
                    f'{INCEPTION_V3_WEIGHTS_FILE}')

    def build_extractor(self, weights: str) -> torch.nn.Module:
        return build_inception_pool_extractor(weights)

    def network_input(self, image: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) RGB in [0, 1] -> 299 x 299, ImageNet-normalised."""
        image = TF.resize(
            image, [INCEPTION_SIZE, INCEPTION_SIZE], antialias=True)
        return TF.normalize(image, IMAGENET_MEAN, IMAGENET_STD)

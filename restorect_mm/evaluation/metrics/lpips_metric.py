"""LPIPS (VGG) between predictions and ground truths, offline weights."""
import os
import warnings
from typing import Dict, Optional, Tuple

import lpips
import numpy as np
import torch

from restorect_mm.evaluation.functional.paper_protocol import (
    PROTOCOL_CORRECTION, PROTOCOL_SIZE, apply_paper_protocol)
from restorect_mm.registry import METRICS
from .image_batch import as_rgb_batch, check_channel_order
from .per_image_metric import PerImageMetric
from .protocol_psnr_ssim import to_hwc_numpy
from .torchvision_checkpoint import default_torchvision_checkpoint

VGG16_WEIGHTS_FILE = 'vgg16-397923af.pth'  # torchvision's ImageNet VGG16


def build_lpips_vgg(backbone_weights: str) -> lpips.LPIPS:
    """LPIPS-VGG (v0.1) with the VGG16 backbone loaded from a local file.

    The lpips package ships its linear-layer weights but asks torchvision
    to download the backbone; here the backbone is built random
    (``pnet_rand=True``, no download) and filled from ``backbone_weights``.

    Args:
        backbone_weights (str): torchvision's VGG16 ImageNet state dict
            (``vgg16-397923af.pth``); ``classifier.*`` keys are ignored.

    Returns:
        lpips.LPIPS: The model in eval mode, on CPU.

    Raises:
        FileNotFoundError: No file at ``backbone_weights``.
        ValueError: The file is not a VGG16 state dict.
    """
    if not os.path.isfile(backbone_weights):
        raise FileNotFoundError(
            f'LPIPS backbone weights not found at {backbone_weights!r}. Set '
            'the config key `backbone_weights` to torchvision\'s VGG16 '
            f'ImageNet weights file ({VGG16_WEIGHTS_FILE}).')
    with warnings.catch_warnings():  # lpips uses torchvision's old API
        warnings.simplefilter('ignore')
        model = lpips.LPIPS(
            net='vgg', pretrained=True, pnet_rand=True, verbose=False)
    state = torch.load(
        backbone_weights, map_location='cpu', weights_only=True)
    # lpips splits ``features`` into slice1..5 keeping torchvision's layer
    # indices as child names: ``features.<i>.*`` -> ``slice<k>.<i>.*``.
    backbone_state = {}
    for slice_name, block in model.net.named_children():
        for index, _ in block.named_children():
            for param in ('weight', 'bias'):
                key = f'features.{index}.{param}'
                if key in state:
                    backbone_state[f'{slice_name}.{index}.{param}'] = \
                        state[key]
    try:
        model.net.load_state_dict(backbone_state, strict=True)
    except RuntimeError as error:
        raise ValueError(
            f'{backbone_weights!r} does not hold torchvision VGG16 weights '
            f'(expected the state dict of {VGG16_WEIGHTS_FILE}): '
            f'{error}') from error
    return model.eval()


@METRICS.register_module()
class LPIPS(PerImageMetric):
    """Learned Perceptual Image Patch Similarity (lower is better).

    The ``lpips`` package, VGG backbone, v0.1 linear layers (as the paper),
    inputs 0..255 scaled to [-1, 1]; mean over images.

    Note: the paper's helper flipped RGB->BGR before LPIPS; by default this
    metric feeds RGB, as LPIPS was trained (``paper_protocol=True`` feeds
    BGR, as the paper).

    ``paper_protocol=True`` reproduces RestoRect's reported LPIPS
    (the reference evaluation script ``RestoRect/evals/evaluation.py`` of
    arXiv 2509.23480, which scores LPIPS after its resize and correction)
    with the preprocessing of :mod:`restorect_mm.evaluation.functional.\
paper_protocol`, per pair:

    1. prediction and ground truth truncated to uint8 and resized to
       256 x 256 (bilinear via float [0, 1], truncation);
    2. the prediction corrected 10 % toward the ground truth's per-channel
       mean / std (the score uses the answer);
    3. both fed to LPIPS-VGG in BGR order (the reference's helper flipped
       its RGB arrays; ``protocol_bgr_input=False`` feeds RGB), uint8 /
       127.5 - 1.

    With torchvision's ``vgg16-397923af.pth`` (the file the reference's
    ``lpips`` loaded itself) protocol numbers should reproduce the paper's
    up to floating point, but they are NOT comparable with standard LPIPS
    (full resolution, RGB input, no ground-truth statistics).

    Args:
        backbone_weights (str, optional): torchvision's VGG16 ImageNet
            weights (``vgg16-397923af.pth``). Default: torchvision's cache,
            ``torch.hub.get_dir()/checkpoints/vgg16-397923af.pth``.
        channel_order (str): 'BGR' (default) or 'RGB', see
            :class:`PerImageMetric`.
        paper_protocol (bool): Default: False (the images as given, RGB).
        protocol_size (int): Protocol resize side. Default: 256.
        protocol_correction (float): Protocol mean / variance correction
            strength. Default: 0.1.
        protocol_bgr_input (bool): Under the protocol, feed BGR as the
            reference (default True); False feeds RGB.
        device (str, optional): Where the network runs. Default: None,
            which follows the evaluation: the device of the model under
            test (given by ``prepare``, as MMagic's loops call it), else of
            the incoming images when they are not on the CPU, else the
            current CUDA device when there is one, else the CPU.
        **kwargs: ``gt_key``, ``pred_key``, ``collect_device``, ``prefix``
            of :class:`PerImageMetric`.
    """

    default_prefix: Optional[str] = ''
    metric = 'LPIPS'

    def __init__(self,
                 backbone_weights: Optional[str] = None,
                 channel_order: str = 'BGR',
                 paper_protocol: bool = False,
                 protocol_size: int = PROTOCOL_SIZE,
                 protocol_correction: float = PROTOCOL_CORRECTION,
                 protocol_bgr_input: bool = True,
                 device: Optional[str] = None,
                 **kwargs) -> None:
        # ``self.device`` is where the network runs, resolved on first use
        super().__init__(device=device or 'cpu', **kwargs)
        self.requested_device = device
        self._model_device = None  # the evaluated model's, from prepare
        self.channel_order = check_channel_order(channel_order)
        self.backbone_weights = backbone_weights or \
            default_torchvision_checkpoint(VGG16_WEIGHTS_FILE)
        self.paper_protocol = paper_protocol
        self.protocol_size = protocol_size
        self.protocol_correction = protocol_correction
        self.protocol_bgr_input = protocol_bgr_input
        self._model = None  # built on first use: configs build offline

    def prepare(self, module: torch.nn.Module, dataloader) -> None:
        """MMagic's loops call this before evaluating: remember where the
        evaluated model lives, where the network then runs by default."""
        super().prepare(module, dataloader)
        from mmengine.model import is_model_wrapper
        if is_model_wrapper(module):  # DDP and the like
            module = module.module
        tensor = next(iter(module.parameters()), None)
        if tensor is None:
            tensor = next(iter(module.buffers()), None)
        self._model_device = None if tensor is None else tensor.device

    def network_device(self, image=None) -> torch.device:
        """Where the network runs (the ``device`` argument's rules).

        Args:
            image (Tensor, optional): an incoming image.
        """
        if self.requested_device is not None:
            device = torch.device(self.requested_device)
            if device.type == 'cuda' and device.index is None:
                device = torch.device('cuda', torch.cuda.current_device())
            return device
        if self._model_device is not None:
            return self._model_device
        if torch.is_tensor(image) and image.device.type != 'cpu':
            return image.device
        if torch.cuda.is_available():
            return torch.device('cuda', torch.cuda.current_device())
        return torch.device('cpu')

    def _get_model(self, device=None) -> lpips.LPIPS:
        """The network, built on first use and moved to ``device`` (default
        :meth:`network_device`); ``self.device`` says where it is."""
        device = torch.device(device or self.network_device())
        if self._model is None:
            self._model = build_lpips_vgg(self.backbone_weights)
        if next(self._model.parameters()).device != device:
            self._model = self._model.to(device)
        self.device = device
        return self._model

    def _to_unit_range(self, image: torch.Tensor) -> torch.Tensor:
        """(C, H, W) or (T, C, H, W) 0..255 -> (N, 3, H, W) RGB [-1, 1]."""
        rgb = as_rgb_batch(image.to(self.device), self.channel_order)
        return rgb / 127.5 - 1

    def _protocol_pair(self, gt: torch.Tensor, pred: torch.Tensor
                       ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Protocol steps 1-3 (class docstring) on one pair.

        Args:
            gt (Tensor): (C, H, W) or (T, C, H, W), 0..255, in
                ``channel_order``.
            pred (Tensor): Same layout (any size).

        Returns:
            tuple[Tensor, Tensor]: ``(gt, pred)``, each (N, 3, size, size)
            in [-1, 1], BGR (or RGB with ``protocol_bgr_input=False``).
        """
        gts = gt if gt.dim() == 4 else gt[None]
        preds = pred if pred.dim() == 4 else pred[None]
        fed_order = 'BGR' if self.protocol_bgr_input else 'RGB'
        gt_batch, pred_batch = [], []
        for gt_frame, pred_frame in zip(gts, preds):
            pair = apply_paper_protocol(
                to_hwc_numpy(gt_frame, 'CHW'), to_hwc_numpy(pred_frame, 'CHW'),
                self.protocol_size, self.protocol_correction)
            for image, batch in zip(pair, (gt_batch, pred_batch)):
                if image.shape[2] == 1:
                    image = np.repeat(image, 3, axis=2)
                elif fed_order != self.channel_order:
                    image = image[..., ::-1]
                batch.append(
                    torch.from_numpy(
                        np.ascontiguousarray(image.transpose(2, 0, 1))))
        return tuple(
            torch.stack(batch).to(self.device).float() / 127.5 - 1
            for batch in (gt_batch, pred_batch))

    @torch.no_grad()
    def score_sample(self, sample: dict, index: int) -> Dict[str, float]:
        """LPIPS of ``output[pred_key]`` against ``gt_key``, each (C, H, W)
        or (T, C, H, W) 0..255 (a clip: the mean over its frames)."""
        gt = self.scored_image(sample, self.gt_key, predicted=False)
        pred = self.scored_image(sample, self.pred_key)
        # a missing weights file fails first; the network follows the data
        model = self._get_model(self.network_device(pred))
        if self.paper_protocol:
            gt, pred = self._protocol_pair(gt, pred)
        else:
            gt, pred = self._to_unit_range(gt), self._to_unit_range(pred)
        return {self.metric: float(model(pred, gt).mean().item())}

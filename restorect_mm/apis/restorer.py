"""The inference API: build a restoration model from a config and a
checkpoint, then restore images of any size, whole or tile by tile.

    from restorect_mm.apis import Restorer
    restorer = Restorer('configs/restorect_student_inference.py',
                        'restorect-student-1a2b3c4d.pth', device='cuda',
                        precision='bf16')
    restored = restorer.restore(rgb)   # (H, W, 3) float in [0, 1]

Any MMagic editor config works whose model restores from the input alone
through the standard predict path (``output.pred_img``). The standalone
RestoRect student samples its priors once per image and runs G tile by
tile exactly: tiled equals untiled up to float summation order (see
:mod:`restorect_mm.apis.student_runner`); other models get overlapping,
blended tiles (:mod:`restorect_mm.apis.tiled_inference`). Models that need the ground truth
(the stage-1 teacher) are refused when built, with the reason.
"""
import contextlib
import math
import warnings
from typing import Optional, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import restorect_mm  # noqa: F401  (compat fixes and registration first)
from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               check_state_dict_fits,
                                               load_weights)
from restorect_mm.models.editors.restorect_student import RestoRectStudent
from restorect_mm.models.rgformer import pad_to_multiple
from restorect_mm.registry import MODELS
from .editor_runner import EditorRunner
from .memory_budget import tile_for_limit
from .student_runner import StudentRunner
from .tiled_inference import tiled_apply

PRECISIONS = {None: None, 'fp32': None, 'fp16': torch.float16,
              'bf16': torch.bfloat16}


class ModelNotSupportedError(ValueError):
    """The config's model cannot restore an image from the input alone."""


def resolve_device(device: str) -> torch.device:
    """``torch.device`` for ``device``, with a clear error for absent GPUs."""
    device = torch.device(device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f'--device {device}: no CUDA GPU is available here; '
                         'use --device cpu')
    return device


def autocast_for(device: torch.device, precision: Optional[str]):
    """An autocast context for ``precision`` ('fp16', 'bf16' or None).

    Raises:
        ValueError: unknown precision, or fp16 on the CPU (CPU kernels for
            half precision are missing or slow; bf16 is fine there).
    """
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of fp16, bf16, fp32; got '
                         f'{precision!r}')
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    if dtype == torch.float16 and device.type == 'cpu':
        raise ValueError('--fp16 needs a GPU (--device cuda); on the CPU use '
                         '--bf16 or full precision')
    return torch.autocast(device_type=device.type, dtype=dtype)


def build_model(config: Union[str, Config], checkpoint: Optional[str],
                device: torch.device, cfg_options: Optional[dict] = None):
    """Build ``cfg.model`` through MMagic's registry and load weights.

    Args:
        config (str | Config): config file or object.
        checkpoint (str, optional): a weights file (published, or extracted
            by ``tools/model_converters/extract_student.py``); None keeps
            what the config itself loads (e.g. ``model.weights``).
        device (torch.device): where the model runs.
        cfg_options (dict, optional): overrides merged into the config.

    Returns:
        BaseModel: the model in eval mode on ``device``.

    Raises:
        CheckpointError: unreadable weights, or weights of another model.
    """
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmagic'))
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        loaded = load_weights(checkpoint)
        state = loaded.get('state_dict', loaded)
        # a wrong checkpoint must fail, not restore with random weights
        check_state_dict_fits(model, state, checkpoint)
        model.load_state_dict(state)
    return model.to(device).eval()


class Restorer:
    """Restores images with a model built from a config and a checkpoint.

    Args:
        config (str | Config): MMagic/restorect_mm config.
        checkpoint (str, optional): weights file (see :func:`build_model`).
        device (str): 'cpu', 'cuda', 'cuda:1', ...
        num_steps (int, optional): Euler steps of the student's samplers
            (or ``num_steps`` of another model that has one).
        seed (int, optional): seed of the sampling noise; the config's when
            None.
        precision (str, optional): 'fp16' (GPU only) or 'bf16' autocast.
        tile (int, optional): tile side; None restores whole images unless
            ``memory_limit`` asks for tiles.
        tile_overlap (int, optional): overlap of neighbouring blended tiles
            in pixels (default 32); only for models without exact tiles (not
            the RestoRect student, where it is ignored with a warning).
        memory_limit (int, optional): bound in bytes on the process's
            resident memory; tiles are sized to stay within it.
        pad_multiple (int): images are reflection-padded to a multiple of
            this (8: RGFormer downsamples three times) and cropped back.
        cfg_options (dict, optional): config overrides.
    """

    def __init__(self,
                 config,
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 num_steps: Optional[int] = None,
                 seed: Optional[int] = None,
                 precision: Optional[str] = None,
                 tile: Optional[int] = None,
                 tile_overlap: Optional[int] = None,
                 memory_limit: Optional[int] = None,
                 pad_multiple: int = 8,
                 cfg_options: Optional[dict] = None):
        self.device = resolve_device(device)
        autocast_for(self.device, precision)  # fail early on a bad choice
        self.precision = precision
        if tile is not None:
            if tile < pad_multiple:
                raise ValueError(f'--tile {tile} is smaller than the padding '
                                 f'multiple {pad_multiple}')
            tile = tile // pad_multiple * pad_multiple
        self.tile = tile
        self.memory_limit = memory_limit
        self.pad_multiple = pad_multiple
        self.seed = seed
        self.model = build_model(config, checkpoint, self.device, cfg_options)
        if isinstance(self.model, RestoRectStudent):
            self.runner = StudentRunner(self.model, num_steps, seed)
        else:
            self.runner = EditorRunner(self.model, num_steps)
        self.tile_overlap = self._overlap(tile_overlap)
        self._check_restores_from_input_alone(config)

    def _overlap(self, tile_overlap: Optional[int]) -> int:
        """The blended tiles' overlap, checked against ``self.tile``; 0 for
        a model with exact tiles (which need none)."""
        if self.runner.exact_tiles:
            if tile_overlap is not None:
                warnings.warn(
                    '--tile-overlap is ignored: this model restores its '
                    'tiles exactly (tiled equals untiled), so tiles need no '
                    'overlap', stacklevel=3)
            return 0
        overlap = 32 if tile_overlap is None else tile_overlap
        if self.tile is not None and not 0 <= overlap < self.tile // 2:
            raise ValueError(f'--tile-overlap must be in [0, tile/2 = '
                             f'{self.tile // 2}), got {overlap}')
        return overlap

    def _run_whole(self, image: torch.Tensor) -> torch.Tensor:
        return self.runner(image, self.runner.prepare(image))

    def _check_restores_from_input_alone(self, config):
        """Restore a small probe image; models that need more than the
        input (a ground truth, a mask) fail here with the reason."""
        probe = torch.rand(1, 3, 2 * self.pad_multiple, 2 * self.pad_multiple,
                           device=self.device)
        name = type(self.model).__name__
        try:
            with torch.no_grad():
                out = self._run_whole(probe)
        except Exception as exc:
            raise ModelNotSupportedError(
                f'{config}: the model {name} cannot restore from the input '
                f'image alone ({type(exc).__name__}: {exc}). restore.py needs '
                'a model whose predict mode returns output.pred_img from the '
                'input, e.g. the standalone student '
                '(configs/restorect_student_inference.py); the stage-1 '
                'teacher needs the ground truth.') from exc
        if tuple(out.shape[-2:]) != tuple(probe.shape[-2:]):
            raise ModelNotSupportedError(
                f'{config}: the model {name} changes the image size '
                f'({tuple(probe.shape[-2:])} -> {tuple(out.shape[-2:])}); '
                'restore.py handles same-size restoration models only')

    def tile_for(self, height: int, width: int) -> Optional[int]:
        """Tile side for an image (None: whole image).

        On the CPU a function of the image size, ``tile``,
        ``memory_limit`` and the model only, so the same command always
        restores with the same tiles (:func:`tile_for_limit`).

        Args:
            height, width (int): the image size (padded here to
                ``pad_multiple``, as :meth:`restore_tensor` pads).

        Raises:
            MemoryError: ``memory_limit`` is too small even for the
                smallest tile; the message names the memory needed.
        """
        multiple = self.pad_multiple
        height = math.ceil(height / multiple) * multiple
        width = math.ceil(width / multiple) * multiple
        tile = self.tile
        if tile is None and self.memory_limit is not None:
            model_bytes = sum(
                t.numel() * t.element_size()
                for t in (*self.model.parameters(), *self.model.buffers()))
            tile = tile_for_limit(
                self.memory_limit, height, width,
                lambda side: self.runner.activation_bytes(
                    height, width, side),
                multiple, device=self.device, model_bytes=model_bytes)
        if tile is not None and tile >= max(height, width):
            return None
        return tile

    @torch.no_grad()
    def restore_tensor(self, image: torch.Tensor,
                       progress=None) -> torch.Tensor:
        """Restore one image tensor.

        Args:
            image (Tensor): (1, 3, H, W) RGB in [0, 1], any H, W.
            progress (callable, optional): called after every blended tile,
                or once after an image restored whole or in exact tiles.

        Returns:
            Tensor: (1, 3, H, W) float32 RGB in [0, 1] on the CPU.
        """
        height, width = image.shape[-2:]
        padded = pad_to_multiple(image.to(self.device).float(),
                                 self.pad_multiple)
        tile = self.tile_for(*padded.shape[-2:])
        if not isinstance(self.runner, StudentRunner) and (
                self.seed is not None):
            torch.manual_seed(self.seed)  # stochastic MMagic models
        with autocast_for(self.device, self.precision):
            # the student's priors come from the same view, tiled or not
            context = self.runner.prepare(padded)
            if tile is None or self.runner.exact_tiles:
                # exact tiles: G itself runs tile by tile (StudentRunner)
                out = (self.runner(padded, context) if tile is None else
                       self.runner(padded, context, tile=tile))
                out = out.float().cpu()
                if progress is not None:
                    progress()
            else:
                # chosen tiles may be small: keep the overlap below a quarter
                overlap = min(self.tile_overlap, tile // 4)
                out = tiled_apply(lambda t: self.runner(t, context), padded,
                                  tile, overlap, progress)
        return out[..., :height, :width].clamp_(0, 1)

    def restore(self, rgb: np.ndarray, progress=None) -> np.ndarray:
        """Restore one image.

        Args:
            rgb (np.ndarray): (H, W, 3) float RGB in [0, 1].
            progress (callable, optional): as in :meth:`restore_tensor`.

        Returns:
            np.ndarray: (H, W, 3) float32 RGB in [0, 1].
        """
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f'expected an (H, W, 3) RGB image, got shape '
                             f'{rgb.shape}')
        image = torch.from_numpy(np.ascontiguousarray(rgb)).permute(
            2, 0, 1)[None]
        out = self.restore_tensor(image, progress)
        return out[0].permute(1, 2, 0).numpy()


__all__ = ['Restorer', 'ModelNotSupportedError', 'CheckpointError',
           'build_model', 'autocast_for', 'resolve_device']

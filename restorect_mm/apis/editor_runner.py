"""Runs any MMagic editor through its standard predict path on one image.

The image is packed with MMagic's ``PackInputs`` exactly as a test pipeline
would after ``LoadImageFromFile(channel_order='rgb')``, and restored with
``model.test_step``, so the model's own data preprocessor normalises it and
destructs the prediction (``output.pred_img``, 0..255).
"""
from typing import Optional

import numpy as np
import torch
from mmagic.datasets.transforms import PackInputs

from .memory_budget import ACTIVATION_MARGIN, activation_bytes_per_pixel


class EditorRunner:
    """Restores (1, 3, h, w) RGB tiles in [0, 1] with ``model.test_step``.

    Args:
        model (BaseModel): an MMagic editor whose predict mode returns
            ``output.pred_img`` from the input alone.
        num_steps (int, optional): sampler steps; set on models that have a
            ``num_steps`` attribute.
    """

    def __init__(self, model, num_steps: Optional[int] = None):
        self.model = model
        self.pack = PackInputs()
        # a plain editor's tiles are blended (its layers need not be local)
        self.exact_tiles = False
        self._probed_bytes_per_pixel = None
        if num_steps is not None:
            if not hasattr(model, 'num_steps'):
                raise ValueError(
                    f'--steps: {type(model).__name__} has no sampler (no '
                    '`num_steps` attribute); drop --steps for this model')
            model.num_steps = num_steps

    def prepare(self, image: torch.Tensor):
        """Nothing is shared between tiles of a plain editor."""
        return None

    def __call__(self, tile: torch.Tensor, context=None) -> torch.Tensor:
        """Restore one tile.

        Args:
            tile (Tensor): (1, 3, h, w) RGB in [0, 1].
            context: unused (see :meth:`prepare`).

        Returns:
            Tensor: (1, 3, h, w) RGB in [0, 1], float32.
        """
        pixels = tile[0].permute(1, 2, 0).float().cpu().numpy() * 255.0
        height, width = pixels.shape[:2]
        packed = self.pack(
            dict(img=np.ascontiguousarray(pixels),
                 img_channel_order='rgb', img_color_type='color',
                 ori_img_shape=(height, width, 3)))
        samples = self.model.test_step(
            dict(inputs=[packed['inputs']],
                 data_samples=[packed['data_samples']]))
        pred = samples[0].output.pred_img
        if pred.dim() == 4:  # video-style outputs: one frame
            pred = pred[0]
        return (pred.float() / 255.0).clamp(0, 1)[None]

    def activation_bytes(self, height: int, width: int,
                         tile: Optional[int]) -> int:
        """Activation memory (bytes) of restoring a height x width image
        whole (``tile`` None) or one blended tile of side ``tile``: the
        model's leaf outputs on a probe (deterministic), scaled."""
        if self._probed_bytes_per_pixel is None:
            device = next(self.model.parameters()).device
            self._probed_bytes_per_pixel = activation_bytes_per_pixel(
                self.model, self, device)
        pixels = height * width if tile is None else tile * tile
        return int(ACTIVATION_MARGIN * self._probed_bytes_per_pixel * pixels)

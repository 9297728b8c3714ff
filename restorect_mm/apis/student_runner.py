"""Runs the standalone RestoRect student with priors shared by all tiles.

The student's priors z_rex, z_img are global vectors (condition encoders end
in an average pool) sampled once per image by the Euler samplers; computing
them per tile would give every tile a different prior and visible seams. So
:meth:`StudentRunner.prepare` samples them once from the whole image (or, for
images over ``prior_max_pixels``, from an area-downscaled copy, to bound the
memory of D_low and the encoders), and every tile is restored by G with them.
Untiled, this is exactly ``RestoRectStudent.restore``: same noise (seeded per
image), same order of operations.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from restorect_mm.models.editors.restorect_student import sample_priors


class StudentRunner:
    """Restores (1, 3, h, w) RGB tiles in [0, 1] with a RestoRectStudent.

    Args:
        model (RestoRectStudent): the standalone student.
        num_steps (int, optional): Euler steps; the model's ``num_steps``
            when None.
        seed (int, optional): seed of the samplers' start noise; the model's
            ``seed`` when None.
        prior_max_pixels (int): priors come from a downscaled copy of
            larger images.
    """

    def __init__(self, model, num_steps: Optional[int] = None,
                 seed: Optional[int] = None,
                 prior_max_pixels: int = 1024 * 1024):
        if num_steps is not None and num_steps < 1:
            raise ValueError(f'--steps must be >= 1, got {num_steps}')
        self.model = model
        self.num_steps = num_steps or model.num_steps
        self.seed = model.seed if seed is None else seed
        self.prior_max_pixels = prior_max_pixels
        preprocessor = model.data_preprocessor
        # the config's normalisation (0..255 -> model space), e.g. /255
        self.mean = preprocessor.mean.view(1, -1, 1, 1)
        self.std = preprocessor.std.view(1, -1, 1, 1)

    def _to_model_space(self, image: torch.Tensor) -> torch.Tensor:
        mean = self.mean.to(image.device)
        std = self.std.to(image.device)
        return (image.float() * 255.0 - mean) / std

    def prior_view(self, image: torch.Tensor) -> torch.Tensor:
        """The image the priors are computed from: ``image`` itself, or an
        area-downscaled copy with at most ``prior_max_pixels`` pixels."""
        height, width = image.shape[-2:]
        if height * width <= self.prior_max_pixels:
            return image
        scale = (self.prior_max_pixels / (height * width))**0.5
        size = (max(8, int(height * scale)), max(8, int(width * scale)))
        return F.interpolate(image.float(), size=size, mode='area')

    @torch.no_grad()
    def prepare(self, image: torch.Tensor) -> Tuple[torch.Tensor,
                                                     torch.Tensor]:
        """Sample the priors of one image.

        Args:
            image (Tensor): (1, 3, H, W) RGB in [0, 1].

        Returns:
            tuple[Tensor, Tensor]: z_rex, z_img, each (1, 4 * n_feats).
        """
        lq = self._to_model_space(self.prior_view(image))
        generator = None
        if self.seed is not None:
            generator = torch.Generator(device=lq.device).manual_seed(
                self.seed)
        return sample_priors(self.model.decom_low, self.model.prior_flows,
                             lq, self.num_steps, generator)

    @torch.no_grad()
    def __call__(self, tile: torch.Tensor, priors) -> torch.Tensor:
        """Restore one tile with the image's priors.

        Args:
            tile (Tensor): (1, 3, h, w) RGB in [0, 1].
            priors (tuple[Tensor, Tensor]): from :meth:`prepare`.

        Returns:
            Tensor: (1, 3, h, w) RGB in [0, 1], float32.
        """
        z_rex, z_img = priors
        restored = self.model.generator(
            self._to_model_space(tile), z_rex, z_img).float()
        # back to 0..255 as the data preprocessor's destruct does, then clamp
        restored = restored * self.std.to(restored.device) + self.mean.to(
            restored.device)
        return (restored / 255.0).clamp(0, 1)

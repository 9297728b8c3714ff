"""Runs the standalone RestoRect student, whole or tile by tile.

The student's priors z_rex, z_img are global vectors (condition encoders end
in an average pool) sampled once per image by the Euler samplers.
:meth:`StudentRunner.prepare` samples them from the whole image (or, for
images over ``prior_max_pixels``, from an area-downscaled copy, to bound the
memory of D_low and the encoders), whether G then runs whole or in tiles, so
tiling never changes them. G (an RGFormer) runs tile by tile through
:func:`~restorect_mm.models.rgformer.streamed_rgformer.streamed_forward`,
equal to its whole-image forward. Untiled and up to ``prior_max_pixels``,
this is exactly ``RestoRectStudent.restore``: same noise (seeded per image),
same order of operations.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from restorect_mm.models.editors.restorect_student import sample_priors
from restorect_mm.models.rgformer import RGFormer
from restorect_mm.models.rgformer.streamed_rgformer import streamed_forward
from .memory_budget import (ACTIVATION_MARGIN, activation_bytes_per_pixel,
                            streamed_rgformer_bytes)


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
        # tiles of G are exact for RGFormer; other generators get blended
        # tiles (restorect_mm.apis.tiled_inference)
        self.exact_tiles = isinstance(model.generator, RGFormer)
        self._probed_bytes_per_pixel = None
        preprocessor = model.data_preprocessor
        # the config's normalisation (0..255 -> model space), e.g. /255
        self.mean = preprocessor.mean.view(1, -1, 1, 1)
        self.std = preprocessor.std.view(1, -1, 1, 1)

    def _to_model_space(self, image: torch.Tensor) -> torch.Tensor:
        mean = self.mean.to(image.device)
        std = self.std.to(image.device)
        return (image.float() * 255.0 - mean) / std

    def prior_view_size(self, height: int, width: int) -> Tuple[int, int]:
        """(h, w) of the image the priors of a height x width image come
        from: the same, or scaled down to at most ``prior_max_pixels``."""
        if height * width <= self.prior_max_pixels:
            return height, width
        scale = (self.prior_max_pixels / (height * width))**0.5
        return max(8, int(height * scale)), max(8, int(width * scale))

    def prior_view(self, image: torch.Tensor) -> torch.Tensor:
        """The image the priors are computed from: ``image`` (B, 3, H, W)
        itself, or an area-downscaled copy of :meth:`prior_view_size`."""
        size = self.prior_view_size(*image.shape[-2:])
        if size == tuple(image.shape[-2:]):
            return image
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
    def __call__(self, image: torch.Tensor, priors,
                 tile: Optional[int] = None) -> torch.Tensor:
        """Restore an image (or a blended tile of it) with its priors.

        Args:
            image (Tensor): (1, 3, h, w) RGB in [0, 1].
            priors (tuple[Tensor, Tensor]): from :meth:`prepare`.
            tile (int, optional): run G tile by tile with this side (even;
                needs ``exact_tiles``); None runs it whole.

        Returns:
            Tensor: (1, 3, h, w) RGB in [0, 1], float32.
        """
        z_rex, z_img = priors
        lq = self._to_model_space(image)
        if tile is None:
            restored = self.model.generator(lq, z_rex, z_img)
        else:
            restored = streamed_forward(self.model.generator, lq, z_rex,
                                        z_img, tile)
        restored = restored.float()
        # back to 0..255 as the data preprocessor's destruct does, then clamp
        restored = restored * self.std.to(restored.device) + self.mean.to(
            restored.device)
        return (restored / 255.0).clamp(0, 1)

    def activation_bytes(self, height: int, width: int,
                         tile: Optional[int]) -> int:
        """Activation memory of restoring a height x width (padded) image.

        The larger of the priors' stage (D_low and the flows on the prior
        view) and G's (whole: a plain forward; tiled: whole maps plus one
        tile, or one blended tile for other generators); deterministic.

        Args:
            height, width (int): the padded image size.
            tile (int, optional): tile side; None for the whole image.

        Returns:
            int: bytes.
        """
        priors_bpp, generator_bpp = self._bytes_per_pixel()
        view_h, view_w = self.prior_view_size(height, width)
        priors = ACTIVATION_MARGIN * priors_bpp * view_h * view_w
        if tile is not None and self.exact_tiles:
            generator = streamed_rgformer_bytes(self.model.generator, height,
                                                width, tile)
        else:
            pixels = height * width if tile is None else tile * tile
            generator = ACTIVATION_MARGIN * generator_bpp * pixels
        # the priors' activations are freed before G runs
        return int(max(priors, generator))

    def _bytes_per_pixel(self) -> Tuple[float, float]:
        """Leaf-output bytes per pixel of the priors' stage and of G, from
        one probe (:func:`activation_bytes_per_pixel`), kept."""
        if self._probed_bytes_per_pixel is None:
            device = self.mean.device
            priors_model = torch.nn.ModuleList(
                [self.model.decom_low, self.model.prior_flows])
            priors = activation_bytes_per_pixel(priors_model, self.prepare,
                                                device)
            generator = activation_bytes_per_pixel(
                self.model.generator,
                lambda probe: self(probe, self.prepare(probe)), device)
            self._probed_bytes_per_pixel = (priors, generator)
        return self._probed_bytes_per_pixel

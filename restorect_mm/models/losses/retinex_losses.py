"""Losses of the Retinex decomposition (stage 0; smoothness and texture also
act on the teacher's auxiliary head). The paper's smoothness and texture
constraints, which the reference code computes under no_grad (no effect),
apply here with gradients.

Each loss is a functional core (``*_loss`` returning an unreduced map and a
shared reduction) plus a thin registered class with ``loss_weight`` and
``reduction``, as MMagic's ``losses/pixelwise_loss.py``.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from restorect_mm.models.retinex.anisotropic_diffusion import \
    AnisotropicDiffusion
from restorect_mm.registry import MODELS

_REDUCTIONS = ('none', 'mean', 'sum')


def reduce_loss(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    """Reduce an element-wise loss map.

    Args:
        loss (Tensor): Element-wise loss, any shape.
        reduction (str): 'none' | 'mean' | 'sum'.

    Returns:
        Tensor: ``loss`` itself, its mean, or its sum.
    """
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    return loss


def calibration_gradient(objective: torch.Tensor) -> torch.Tensor:
    """A zero that carries ``objective``'s gradient.

    Added to a loss term, it leaves the term's value (and the logs) as they
    are, while a loss scalar such as HVI's ``k`` or the diffusion's ``s``
    receives the gradient of its own objective instead of the term's (which
    would let it switch the term off). 0-d in, 0-d out.
    """
    return objective - objective.detach()


def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f'Unsupported reduction mode: {reduction}. '
                         f'Supported ones are: {list(_REDUCTIONS)}')
    return reduction


# --- functional cores --------------------------------------------------------


SMOOTHNESS_FORMS = ('reference', 'replicate')


def illumination_smoothness_loss(illumination: torch.Tensor,
                                 eps: float = 1e-8,
                                 form: str = 'reference') -> torch.Tensor:
    """Gradient-aware smoothness map of an illumination map.

    Forward differences ``dx[j] = L[j+1] - L[j]`` (and ``dy``) give the
    weight map ``w = exp(-sqrt(|dx|^2 + |dy|^2 + eps))``, both differences
    replicate-padded back to H x W first; it lets strong (structural) edges
    of L cost less than small ripples, so L stays piecewise smooth.

    * ``form='reference'`` (the reference code's pairing): ``dx[j]`` is
      weighted by ``w`` at column ``j + 1`` and ``dy[i]`` by ``w`` at row
      ``i + 1``; the loss is ``mean((w dx)^2)`` over H x (W - 1) plus
      ``mean((w dy)^2)`` over (H - 1) x W.
    * ``form='replicate'`` (restorect_mm before the fidelity fix): the
      replicate-padded ``dx, dy`` are weighted at their own pixel and the
      map ``(w dx)^2 + (w dy)^2`` is averaged over H x W (the last column /
      row counted twice).

    Args:
        illumination (Tensor): (B, 1, H, W) (any channel count works).
        eps (float): Keeps the square root differentiable at 0.
        form (str): 'reference' (default) or 'replicate'.

    Returns:
        Tensor: (B, C, H, W) map whose mean is the loss. 'replicate':
        ``(w dx)^2 + (w dy)^2``. 'reference': each pair's term at the pixel
        whose weight it takes, rescaled to the reference's normalisation:
        ``(w dx[j])^2 * W / (W - 1)`` at column ``j + 1`` plus
        ``(w dy[i])^2 * H / (H - 1)`` at row ``i + 1`` (column 0 has no x
        term, row 0 no y term).
    """
    if form not in SMOOTHNESS_FORMS:
        raise ValueError(f'form must be one of {SMOOTHNESS_FORMS}, '
                         f'got {form!r}')
    height, width = illumination.shape[-2:]
    dx = illumination[..., :, 1:] - illumination[..., :, :-1]
    dy = illumination[..., 1:, :] - illumination[..., :-1, :]
    # Replicate the last column / row so both maps are (H, W).
    dx_full = F.pad(dx, (0, 1, 0, 0), mode='replicate')
    dy_full = F.pad(dy, (0, 0, 0, 1), mode='replicate')
    weight = torch.exp(-torch.sqrt(dx_full**2 + dy_full**2 + eps))
    if form == 'replicate':
        return (weight * dx_full)**2 + (weight * dy_full)**2
    term_x = (weight[..., :, 1:] * dx)**2 * (width / max(width - 1, 1))
    term_y = (weight[..., 1:, :] * dy)**2 * (height / max(height - 1, 1))
    return F.pad(term_x, (1, 0, 0, 0)) + F.pad(term_y, (0, 0, 1, 0))


def retinex_reconstruction_loss(reflectance: torch.Tensor,
                                illumination: torch.Tensor,
                                img: torch.Tensor,
                                criterion: str = 'l1') -> torch.Tensor:
    """Element-wise error of ``R * L`` against the image.

    Args:
        reflectance (Tensor): (B, 3, H, W).
        illumination (Tensor): (B, 1, H, W), broadcast over channels.
        img (Tensor): (B, 3, H, W).
        criterion (str): 'l1' or 'mse'.

    Returns:
        Tensor: (B, 3, H, W) error map.
    """
    recon = reflectance * illumination
    if criterion == 'l1':
        return (recon - img).abs()
    if criterion == 'mse':
        return (recon - img)**2
    raise ValueError(f'criterion must be "l1" or "mse", got {criterion!r}')


def texture_consistency_loss(img: torch.Tensor,
                             reflectance: torch.Tensor,
                             diffusion: nn.Module,
                             scale: Optional[torch.Tensor] = None
                             ) -> torch.Tensor:
    """Element-wise ``|A_s(I) - A_s(R)|``.

    Args:
        img (Tensor): (B, 3, H, W) image.
        reflectance (Tensor): (B, 3, H, W) its reflectance.
        diffusion (nn.Module): The operator A_s, e.g.
            :class:`AnisotropicDiffusion`.
        scale (Tensor, optional): 0-d ``s`` handed to the operator (None:
            its own).

    Returns:
        Tensor: (B, 3, H, W) error map.
    """
    return (diffusion(img, scale) - diffusion(reflectance, scale)).abs()


# --- registered classes ------------------------------------------------------


class _WeightedLoss(nn.Module):
    """``loss_weight`` and ``reduction`` handling shared by the classes."""

    def __init__(self, loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.reduction = _check_reduction(reduction)

    def _finish(self, loss_map: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * reduce_loss(loss_map, self.reduction)


@MODELS.register_module()
class IlluminationSmoothnessLoss(_WeightedLoss):
    """Gradient-aware illumination smoothness (the paper's constraint, in
    the reference code's form), see :func:`illumination_smoothness_loss`.

    Args:
        loss_weight (float): Default: 1.0.
        reduction (str): 'none' | 'mean' | 'sum'. Default: 'mean'.
        eps (float): Under the square root of the weight. Default: 1e-8.
        form (str): 'reference' (default: ``dx[j] = L[j+1] - L[j]`` weighted
            at ``j + 1``, each direction averaged over its own H x (W - 1) /
            (H - 1) x W differences, as the reference code) or 'replicate'
            (the earlier restorect_mm form: replicate-padded differences
            weighted at their own pixel, averaged over H x W).
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean',
                 eps: float = 1e-8, form: str = 'reference') -> None:
        super().__init__(loss_weight, reduction)
        if form not in SMOOTHNESS_FORMS:
            raise ValueError(f'form must be one of {SMOOTHNESS_FORMS}, '
                             f'got {form!r}')
        self.eps = eps
        self.form = form

    def forward(self, illumination: torch.Tensor) -> torch.Tensor:
        """
        Args:
            illumination (Tensor): (B, 1, H, W).

        Returns:
            Tensor: Weighted loss (scalar, or (B, 1, H, W) for 'none').
        """
        return self._finish(
            illumination_smoothness_loss(illumination, self.eps, self.form))


@MODELS.register_module()
class RetinexReconstructionLoss(_WeightedLoss):
    """Reconstruction ``R * L ~ I``.

    Args:
        loss_weight (float): Default: 1.0.
        reduction (str): 'none' | 'mean' | 'sum'. Default: 'mean'.
        criterion (str): 'l1' (default) or 'mse' (the reference code's
            reconstruction constraint term).
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean',
                 criterion: str = 'l1') -> None:
        super().__init__(loss_weight, reduction)
        if criterion not in ('l1', 'mse'):
            raise ValueError(
                f'criterion must be "l1" or "mse", got {criterion!r}')
        self.criterion = criterion

    def forward(self, reflectance: torch.Tensor, illumination: torch.Tensor,
                img: torch.Tensor) -> torch.Tensor:
        """
        Args:
            reflectance (Tensor): (B, 3, H, W).
            illumination (Tensor): (B, 1, H, W).
            img (Tensor): (B, 3, H, W).

        Returns:
            Tensor: Weighted loss (scalar, or (B, 3, H, W) for 'none').
        """
        return self._finish(
            retinex_reconstruction_loss(reflectance, illumination, img,
                                        self.criterion))


@MODELS.register_module()
class ReflectanceConsistencyLoss(_WeightedLoss):
    """L1 between the reflectances of a low-quality image and its ground
    truth: reflectance is the illumination-invariant part of a scene.

    Args:
        loss_weight (float): Default: 1.0.
        reduction (str): 'none' | 'mean' | 'sum'. Default: 'mean'.
    """

    def forward(self, reflectance_lq: torch.Tensor,
                reflectance_gt: torch.Tensor) -> torch.Tensor:
        """
        Args:
            reflectance_lq (Tensor): (B, 3, H, W).
            reflectance_gt (Tensor): (B, 3, H, W).

        Returns:
            Tensor: Weighted loss (scalar, or (B, 3, H, W) for 'none').
        """
        return self._finish((reflectance_lq - reflectance_gt).abs())


@MODELS.register_module()
class TextureConsistencyLoss(_WeightedLoss):
    """L1 between ``A_s(I)`` and ``A_s(R)``, with A_s the anisotropic
    diffusion operator owned by this loss.

    The operator's scale ``s`` is a parameter of this module; when the loss
    is a child of the model (as in :class:`RestoRectDecomposer`) it is in
    the optimiser and actually learned (the reference code declares it
    learnable but never optimises it, so it stays 0.1). The term itself sees
    ``s`` detached: ``s`` learns from the likelihood of the image's
    gradients (:meth:`AnisotropicDiffusion.scale_nll`), which this loss adds
    as a zero-valued :func:`calibration_gradient`, so the term cannot fade by
    shrinking ``s``. ``diffusion=dict(type='AnisotropicDiffusion',
    learnable_scale=False)`` holds it at its initial value.

    Args:
        loss_weight (float): Default: 1.0.
        reduction (str): 'none' | 'mean' | 'sum'. Default: 'mean'.
        diffusion (dict, optional): Config of the operator. Default:
            ``dict(type='AnisotropicDiffusion')`` (s initialised to 0.1).
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean',
                 diffusion: Optional[dict] = None) -> None:
        super().__init__(loss_weight, reduction)
        if diffusion is None:
            self.diffusion = AnisotropicDiffusion()
        else:
            self.diffusion = MODELS.build(diffusion)

    def forward(self, img: torch.Tensor,
                reflectance: torch.Tensor) -> torch.Tensor:
        """
        Args:
            img (Tensor): (B, 3, H, W) image.
            reflectance (Tensor): (B, 3, H, W) its reflectance.

        Returns:
            Tensor: Weighted loss (scalar, or (B, 3, H, W) for 'none').
        """
        diffusion = self.diffusion
        if not (hasattr(diffusion, 'scale_nll')
                and isinstance(diffusion.scale, nn.Parameter)):
            # a custom operator, or s held constant
            return self._finish(
                texture_consistency_loss(img, reflectance, diffusion))
        scale = diffusion.effective_scale()
        loss = self._finish(
            texture_consistency_loss(img, reflectance, diffusion,
                                     scale.detach()))
        return loss + self.loss_weight * calibration_gradient(
            diffusion.scale_nll(img))

"""Polarised HVI colour loss of the RestoRect teacher (the paper's
trigonometric colour-space polarisation; default differs from the reference
code, ``hvi_form='reference'`` reproduces it, see docs/method.md).

An RGB image is mapped to HVI: ``H = C_k * S * cos(theta)``,
``V = C_k * S * sin(theta)``, ``I = max(R, G, B)``, with hue ``h`` in [0, 1),
saturation ``S`` and an intensity-dependent "colour sensitivity" ``C_k``
that collapses dark pixels towards the origin. The loss is the L1 distance of
the H, V and I components.

Two forms (``hvi_form``):

* ``'cidnet'`` (default, HVI-CIDNet's transform): ``theta = 2*pi*h`` closes
  the hue circle, so hue 0 and hue 0.999 (both red) are neighbours;
  ``C_k = (sin(pi*I/2) + eps)^k`` with ``k`` a learnable parameter, in the
  optimiser when the loss is a child of the model.
* ``'reference'`` (RestoRect's code): ``theta = pi*h/3`` with pi = 3.14159,
  which spans only [0, pi/3) so hue 0 and hue 0.999 map far apart, and
  ``C_k = clamp(k, 0.1, 5) * sin(pi*I/2) + 1e-6`` with ``k`` a constant 1
  (never optimised there).

How a learnable ``k`` learns: not from this term. Since ``C_k <= 1``,
growing ``k`` shrinks every H/V difference, so descending the term would
move ``k`` to its upper clamp and fade the colour loss. The term therefore
sees ``k`` detached, and ``k`` maximises a likelihood instead
(:func:`sensitivity_nll`): ``C_k`` says how much the chroma of a pixel of
intensity ``I`` counts, so ``k`` is fitted as the exponent under which the
chroma residual ``r`` between prediction and ground truth, scaled by
``C_k``, is equally spread at every intensity (a Laplace model
``r ~ Laplace(0, sigma / C_k(I))``, ``sigma`` profiled out). Where dark
pixels are no less reliable than bright ones, ``k`` goes down and the loss
weighs dark chroma more; where they are noisier, ``k`` goes up. ``k`` stays
clamped to ``k_bounds`` (default [0.1, 5], the reference's bounds); the
logged ``hvi_k`` diagnostic shows its course.
"""
import math
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn

from restorect_mm.registry import MODELS
from .retinex_losses import _check_reduction, calibration_gradient, reduce_loss

HVI_FORMS = ('cidnet', 'reference')
_REFERENCE_PI = 3.14159  # the reference code's approximation of pi


def rgb_to_hsv_parts(img: torch.Tensor, eps: float = 1e-6
                     ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Hue, saturation and value of an RGB image (standard HSV).

    Near grey the hue is undefined: as in the reference code, it is 0 unless
    the chroma ``max(R, G, B) - min(R, G, B)`` exceeds ``eps``, and there
    the sector formula divides by the chroma itself. Both HVI forms use this
    rule (HVI-CIDNet's own code zeroes only exactly grey pixels and adds
    1e-8 to the divisor, which lets the hue of almost-grey pixels, and its
    gradient, swing wildly).

    Args:
        img (Tensor): (B, 3, H, W) RGB in [0, 1] (clamp before).
        eps (float): Chroma up to which a pixel counts as grey (hue 0).
            Default: 1e-6, the reference's.

    Returns:
        tuple[Tensor, Tensor, Tensor]: hue in [0, 1), saturation in [0, 1]
        (0 where the value is <= 1e-6), value ``max(R, G, B)``; each
        (B, H, W).
    """
    r, g, b = img.unbind(1)
    value, argmax = img.max(1)
    chroma = value - img.min(1)[0]
    coloured = chroma > eps
    # exact where coloured; the clamp keeps the unused branch finite
    denom = chroma.clamp_min(eps)
    # sector formula, in sixths of the circle, then wrapped to [0, 1)
    hue = torch.where(
        argmax == 0, (g - b) / denom,
        torch.where(argmax == 1, 2.0 + (b - r) / denom, 4.0 + (r - g) / denom))
    hue = torch.where(coloured, hue, torch.zeros_like(hue))
    hue = torch.remainder(hue / 6.0, 1.0)
    saturation = torch.where(value > 1e-6, chroma / value.clamp_min(1e-6),
                             torch.zeros_like(value))
    return hue, saturation, value


def rgb_to_hvi(img: torch.Tensor,
               k: torch.Tensor,
               hvi_form: str = 'cidnet',
               eps: float = 1e-8) -> torch.Tensor:
    """Map an RGB image to the polarised HVI space.

    Args:
        img (Tensor): (B, 3, H, W) RGB; clamped to [0, 1] here.
        k (Tensor): 0-d colour-sensitivity parameter (already bounded).
        hvi_form (str): 'cidnet' or 'reference', see the module docstring.
        eps (float): The ``eps`` of the CIDNet form's ``C_k``.

    Returns:
        Tensor: (B, 3, H, W) with channels H, V, I.
    """
    if hvi_form not in HVI_FORMS:
        raise ValueError(f'hvi_form must be one of {HVI_FORMS}, '
                         f'got {hvi_form!r}')
    hue, saturation, value = rgb_to_hsv_parts(img.clamp(0.0, 1.0))
    chroma_x, chroma_y = unit_chroma(hue, saturation, hvi_form)
    sensitivity = colour_sensitivity(value, k.to(img.dtype), hvi_form, eps)
    return torch.stack(
        [sensitivity * chroma_x, sensitivity * chroma_y, value], 1)


def unit_chroma(hue: torch.Tensor, saturation: torch.Tensor,
                hvi_form: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """``S * cos(theta)``, ``S * sin(theta)``: the H and V components before
    the colour sensitivity. Inputs and outputs (B, H, W)."""
    if hvi_form == 'cidnet':
        theta = 2.0 * math.pi * hue
    else:
        theta = _REFERENCE_PI * hue / 3.0
    return saturation * torch.cos(theta), saturation * torch.sin(theta)


def colour_sensitivity(value: torch.Tensor, k: torch.Tensor, hvi_form: str,
                       eps: float = 1e-8) -> torch.Tensor:
    """``C_k`` of a value map (B, H, W), see the module docstring."""
    if hvi_form == 'cidnet':
        return (torch.sin(math.pi * value / 2.0) + eps)**k
    return k * torch.sin(_REFERENCE_PI * value / 2.0) + 1e-6


def sensitivity_nll(pred: torch.Tensor,
                    target: torch.Tensor,
                    k: torch.Tensor,
                    hvi_form: str = 'cidnet',
                    eps: float = 1e-8) -> torch.Tensor:
    """Negative log-likelihood of ``k`` for the chroma residual of a batch.

    ``log mean(r * C_k(I)) - mean(log C_k(I))`` with ``r = |dH| + |dV|`` of
    :func:`unit_chroma` between ``pred`` and ``target`` and ``I`` the
    target's value: a Laplace model ``r ~ Laplace(0, sigma / C_k(I))`` with
    ``sigma`` at its maximum-likelihood value, constants dropped. Minimal
    where ``r * C_k`` does not depend on ``I``. Both images are detached
    (this objective trains ``k`` only). In the 'reference' form ``C_k`` is
    proportional to ``k`` and the likelihood does not depend on it.

    Args:
        pred (Tensor): (B, 3, H, W) RGB prediction.
        target (Tensor): (B, 3, H, W) RGB ground truth.
        k (Tensor): 0-d colour-sensitivity parameter (already bounded).
        hvi_form (str): 'cidnet' or 'reference'.
        eps (float): See :func:`rgb_to_hvi`.

    Returns:
        Tensor: 0-d float32.
    """
    with torch.autocast(device_type=pred.device.type, enabled=False):
        pred_parts = rgb_to_hsv_parts(pred.detach().float().clamp(0.0, 1.0))
        target_parts = rgb_to_hsv_parts(
            target.detach().float().clamp(0.0, 1.0))
        pred_x, pred_y = unit_chroma(*pred_parts[:2], hvi_form)
        target_x, target_y = unit_chroma(*target_parts[:2], hvi_form)
        residual = (pred_x - target_x).abs() + (pred_y - target_y).abs()
        sensitivity = colour_sensitivity(target_parts[2], k.float(),
                                         hvi_form, eps)
        # the floor keeps the log finite when prediction equals target
        spread = (residual * sensitivity).mean().clamp_min(1e-12)
        return torch.log(spread) - torch.log(sensitivity).mean()


def polarized_hvi_loss(pred: torch.Tensor,
                       target: torch.Tensor,
                       k: torch.Tensor,
                       hvi_form: str = 'cidnet',
                       eps: float = 1e-8) -> torch.Tensor:
    """Element-wise L1 between the HVI maps of two RGB images.

    Computed in float32 with autocast off (hue and the power are unstable in
    half precision).

    Args:
        pred (Tensor): (B, 3, H, W) RGB prediction.
        target (Tensor): (B, 3, H, W) RGB ground truth.
        k (Tensor): 0-d colour-sensitivity parameter.
        hvi_form (str): 'cidnet' or 'reference'.
        eps (float): See :func:`rgb_to_hvi`.

    Returns:
        Tensor: (B, 3, H, W) map ``|HVI(pred) - HVI(target)|`` (channels
        H, V, I); its channel-wise means summed give the loss.
    """
    with torch.autocast(device_type=pred.device.type, enabled=False):
        k = k.float()
        hvi_pred = rgb_to_hvi(pred.float(), k, hvi_form, eps)
        hvi_target = rgb_to_hvi(target.float(), k, hvi_form, eps)
        return (hvi_pred - hvi_target).abs()


@MODELS.register_module()
class PolarizedHVILoss(nn.Module):
    """L1 over the H, V and I components of the polarised HVI transform.

    ``reduction='mean'`` gives ``mean|dH| + mean|dV| + mean|dI|`` (the three
    component means summed), ``'sum'`` the sum over all elements, ``'none'``
    the (B, 3, H, W) map. A non-finite result is replaced by a zero that
    stays connected to ``k`` (every parameter keeps a gradient, as DDP
    requires).

    Args:
        loss_weight (float): Default: 1.0 (the teacher uses 0.05).
        reduction (str): 'none' | 'mean' | 'sum'. Default: 'mean'.
        hvi_form (str): 'cidnet' (default) or 'reference'.
        init_k (float): Initial ``k``. Default: 1.0.
        learnable_k (bool, optional): ``k`` as an ``nn.Parameter`` (in the
            optimiser) or a constant buffer. Default None: learnable for
            'cidnet', constant for 'reference' (as the reference code).
        k_bounds (Sequence[float], optional): Clamp of ``k`` in the forward
            pass (see the module docstring). Default: (0.1, 5.0).
        eps (float): ``eps`` of the CIDNet ``C_k``. Default: 1e-8.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean',
                 hvi_form: str = 'cidnet',
                 init_k: float = 1.0,
                 learnable_k: Optional[bool] = None,
                 k_bounds: Optional[Sequence[float]] = (0.1, 5.0),
                 eps: float = 1e-8) -> None:
        super().__init__()
        if hvi_form not in HVI_FORMS:
            raise ValueError(f'hvi_form must be one of {HVI_FORMS}, '
                             f'got {hvi_form!r}')
        if k_bounds is not None and (len(k_bounds) != 2
                                     or k_bounds[0] >= k_bounds[1]):
            raise ValueError(f'k_bounds must be (low, high), got {k_bounds}')
        self.loss_weight = loss_weight
        self.reduction = _check_reduction(reduction)
        self.hvi_form = hvi_form
        self.k_bounds = None if k_bounds is None else tuple(k_bounds)
        self.eps = eps
        if learnable_k is None:
            learnable_k = hvi_form == 'cidnet'
        k = torch.tensor(float(init_k))
        if learnable_k:
            self.k = nn.Parameter(k)
        else:
            self.register_buffer('k', k)

    def effective_k(self) -> torch.Tensor:
        """``k`` as used in the forward pass (clamped), 0-d."""
        if self.k_bounds is None:
            return self.k
        return self.k.clamp(*self.k_bounds)

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """
        Args:
            pred (Tensor): (B, 3, H, W) RGB prediction in [0, 1] scale.
            target (Tensor): (B, 3, H, W) RGB ground truth.

        Returns:
            Tensor: Weighted loss (scalar, or (B, 3, H, W) for 'none').
        """
        k = self.effective_k()
        loss_map = polarized_hvi_loss(pred, target, k.detach(),
                                      self.hvi_form, self.eps)
        if self.reduction == 'mean':
            loss = loss_map.mean(dim=(0, 2, 3)).sum()
        else:
            loss = reduce_loss(loss_map, self.reduction)
        if self.reduction != 'none' and not torch.isfinite(loss):
            anchor = pred.new_zeros((), dtype=torch.float32)
            if isinstance(self.k, nn.Parameter):
                anchor = anchor + self.k * 0.0
            return anchor
        loss = self.loss_weight * loss
        if isinstance(self.k, nn.Parameter):
            objective = sensitivity_nll(pred, target, k, self.hvi_form,
                                        self.eps)
            if torch.isfinite(objective):
                loss = loss + self.loss_weight * calibration_gradient(
                    objective)
            else:  # keep k connected (DDP) without a step from NaN
                loss = loss + self.k * 0.0
        return loss

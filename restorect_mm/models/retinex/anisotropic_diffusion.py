"""Single-step anisotropic-diffusion operator with a learnable edge scale.

Used by the texture-consistency constraint of the paper: it keeps
gradients in flat and gently textured regions and suppresses strong edges
(Perona-Malik exponential conduction), so comparing A_s(image) with
A_s(reflectance) asks the reflectance to carry the image's fine texture.

How ``s`` learns: not from the texture term. Every gradient conducts less as
``s`` shrinks, so descending the texture term drives ``s`` to its floor and
switches the term off. ``s`` instead maximises the likelihood of the image's
gradients under the operator's own conduction kernel: read as a density,
``exp(-(|grad| / s)^2)`` is a Rayleigh model of the gradient magnitude, whose
negative log-likelihood ``mean(|grad|^2) / s^2 + 2 log s``
(:meth:`AnisotropicDiffusion.scale_nll`) is minimal at
``s^2 = mean(|grad|^2)``: a gradient at the image's RMS gradient conducts
``exp(-1)``, and edges well above it are stopped.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from restorect_mm.registry import MODELS

# Cross-correlation kernels (what F.conv2d applies), x: left-to-right.
_SOBEL_X = ((-1., 0., 1.), (-2., 0., 2.), (-1., 0., 1.))


@MODELS.register_module()
class AnisotropicDiffusion(nn.Module):
    """``A_s(X) = Box3x3(g * Gx + g * Gy)`` per channel.

    ``Gx, Gy`` are Sobel responses (zero padding),
    ``|grad| = sqrt(Gx^2 + Gy^2 + 1e-8)``,
    ``g = exp(clamp(-(|grad| / s)^2, -10, 0))``, and ``s`` is the learnable
    scalar :attr:`scale`, clamped to ``[s_min, s_max]`` in the forward pass.
    The box filter is a 3x3 mean with zero padding. It is one application,
    not an iterated diffusion and not a true divergence (as in the method).

    Note:
        ``s`` learns from :meth:`scale_nll`, not from what the operator is
        compared with (see the module docstring).

    Args:
        init_scale (float): Initial value of ``s``. Default: 0.1.
        s_min (float): Lower clamp of ``s``. Default: 0.01.
        s_max (float): Upper clamp of ``s``. Default: 1.0.
        eps (float): Added under the square root of the gradient magnitude
            (keeps its derivative finite at 0). Default: 1e-8.
        learnable_scale (bool): ``s`` as an ``nn.Parameter`` (learned) or a
            constant buffer (the reference code's fixed 0.1). A zero
            ``lr_mult`` does not hold it: schedulers with an absolute
            ``eta_min`` (the teacher's CosineRestartLR) give every parameter
            group that learning rate. Default: True.
    """

    def __init__(self,
                 init_scale: float = 0.1,
                 s_min: float = 0.01,
                 s_max: float = 1.0,
                 eps: float = 1e-8,
                 learnable_scale: bool = True) -> None:
        super().__init__()
        scale = torch.tensor(float(init_scale))
        if learnable_scale:
            self.scale = nn.Parameter(scale)
        else:  # same state-dict key, so checkpoints load either way
            self.register_buffer('scale', scale)
        self.s_min = s_min
        self.s_max = s_max
        self.eps = eps
        sobel_x = torch.tensor(_SOBEL_X)
        # Not persistent: constants, so checkpoints hold only `scale`.
        self.register_buffer(
            'sobel', torch.stack([sobel_x, sobel_x.t()])[:, None],
            persistent=False)  # (2, 1, 3, 3): x then y

    def effective_scale(self) -> torch.Tensor:
        """The clamped ``s`` used in the forward pass (0-d tensor)."""
        return self.scale.clamp(self.s_min, self.s_max)

    def _sobel(self, x: torch.Tensor):
        """Sobel responses ``(Gx, Gy)`` of every channel, each (B, C, H, W)."""
        b, c, h, w = x.shape
        kernel = self.sobel.to(dtype=x.dtype).repeat(c, 1, 1, 1)
        # Depthwise: output channels (2c, 2c+1) are (Gx, Gy) of channel c.
        grads = F.conv2d(x, kernel, padding=1, groups=c).view(b, c, 2, h, w)
        return grads[:, :, 0], grads[:, :, 1]

    def scale_nll(self, x: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood of ``s`` for the gradients of ``x``.

        ``mean(|grad|^2) / s^2 + 2 log s`` (the Rayleigh model of the module
        docstring, constants dropped), minimal at ``s^2 = mean(|grad|^2)``.
        ``x`` is detached: this objective trains ``s`` only.

        Args:
            x (Tensor): (B, C, H, W) image the operator is applied to.

        Returns:
            Tensor: 0-d float32.
        """
        gx, gy = self._sobel(x.detach().float())
        mean_square = (gx * gx + gy * gy + self.eps).mean()
        s = self.effective_scale().float()
        return mean_square / (s * s) + 2.0 * torch.log(s)

    def forward(self, x: torch.Tensor,
                scale: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Apply the operator to every channel independently.

        Args:
            x (Tensor): (B, C, H, W).
            scale (Tensor, optional): 0-d ``s`` to use instead of
                :meth:`effective_scale` (the texture term passes it
                detached).

        Returns:
            Tensor: (B, C, H, W).
        """
        gx, gy = self._sobel(x)
        magnitude = torch.sqrt(gx * gx + gy * gy + self.eps)
        s = (self.effective_scale() if scale is None else scale).to(x.dtype)
        conduction = torch.exp(torch.clamp(-(magnitude / s)**2, -10.0, 0.0))
        flux = conduction * gx + conduction * gy
        return F.avg_pool2d(
            flux, 3, stride=1, padding=1, count_include_pad=True)

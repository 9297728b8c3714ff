"""Single-step anisotropic-diffusion operator with a learnable edge scale.

Used by the texture-consistency constraint of the paper: it keeps
gradients in flat and gently textured regions and suppresses strong edges
(Perona-Malik exponential conduction), so comparing A_s(image) with
A_s(reflectance) asks the reflectance to carry the image's fine texture.
"""
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
        The clamp at -10 stops the gradient to ``s`` at pixels where
        ``|grad| > sqrt(10) * s``; ``s`` learns from the remaining pixels.

    Args:
        init_scale (float): Initial value of ``s``. Default: 0.1.
        s_min (float): Lower clamp of ``s``. Default: 0.01.
        s_max (float): Upper clamp of ``s``. Default: 1.0.
        eps (float): Added under the square root of the gradient magnitude
            (keeps its derivative finite at 0). Default: 1e-8.
    """

    def __init__(self,
                 init_scale: float = 0.1,
                 s_min: float = 0.01,
                 s_max: float = 1.0,
                 eps: float = 1e-8) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(float(init_scale)))
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the operator to every channel independently.

        Args:
            x (Tensor): (B, C, H, W).

        Returns:
            Tensor: (B, C, H, W).
        """
        b, c, h, w = x.shape
        kernel = self.sobel.to(dtype=x.dtype).repeat(c, 1, 1, 1)
        # Depthwise: output channels (2c, 2c+1) are (Gx, Gy) of channel c.
        grads = F.conv2d(x, kernel, padding=1, groups=c).view(b, c, 2, h, w)
        gx, gy = grads[:, :, 0], grads[:, :, 1]
        magnitude = torch.sqrt(gx * gx + gy * gy + self.eps)
        s = self.effective_scale().to(x.dtype)
        conduction = torch.exp(torch.clamp(-(magnitude / s)**2, -10.0, 0.0))
        flux = conduction * gx + conduction * gy
        return F.avg_pool2d(
            flux, 3, stride=1, padding=1, count_include_pad=True)

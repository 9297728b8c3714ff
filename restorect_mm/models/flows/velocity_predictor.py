"""Velocity predictor of RestoRect's latent rectified flow (the paper's
velocity predictors for the reflectance and image priors).

The reference calls it a "ResMLP" but it has no residual connection: the
condition, the time input and the state are concatenated and passed through
Linear + LeakyReLU(0.1) stages, the last one included: negative velocity
components are scaled by 0.1, although half of every target velocity
(noise minus prior) is negative. ``output_activation=True`` keeps that, as the
reference code has it; False ends on the Linear, which the demo needs (see
docs/method.md).
"""
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from restorect_mm.registry import MODELS


def time_column(t: Union[float, torch.Tensor], batch: int,
                like: torch.Tensor) -> torch.Tensor:
    """Broadcast a time input to a (B, 1) column.

    Args:
        t (float | Tensor): A number, a 0-d tensor, (B, ) or (B, 1).
        batch (int): B.
        like (Tensor): Gives the dtype and device.

    Returns:
        Tensor: (B, 1) on ``like``'s device with ``like``'s dtype.
    """
    t = torch.as_tensor(t, dtype=like.dtype, device=like.device)
    if t.dim() == 0:
        return t.expand(batch, 1)
    t = t.reshape(-1, 1)
    if t.shape[0] == 1:
        return t.expand(batch, 1)
    if t.shape[0] != batch:
        raise ValueError(f'time input has {t.shape[0]} entries for a batch '
                         f'of {batch}')
    return t


@MODELS.register_module()
class VelocityPredictor(BaseModule):
    """MLP predicting the flow velocity v(x_t, t, c).

    ``concat(c, t_in, x_t)`` -> Linear -> LeakyReLU(0.1) ->
    ``n_denoise_res`` x (Linear -> LeakyReLU(0.1)); every Linear has a bias.
    With the defaults (state and condition 256-d) the input is 513-d and
    the module has 197,376 parameters.

    Args:
        n_feats (int): The state has ``4 * n_feats`` dims. Defaults to 64.
        n_denoise_res (int): Hidden Linear layers after the first one.
            Defaults to 1.
        cond_dim (int, optional): Dims of the condition c. Defaults to the
            state dims ``4 * n_feats``.
        output_activation (bool): end on LeakyReLU(0.1), as the reference
            (True), or on the last Linear (False). Defaults to True.
        init_cfg (dict, optional): MMEngine initialisation config.

    Shapes:
        x (B, 4n), t (B, 1), (B, ), 0-d or a float, c (B, cond_dim);
        output (B, 4n).
    """

    def __init__(self,
                 n_feats: int = 64,
                 n_denoise_res: int = 1,
                 cond_dim: Optional[int] = None,
                 output_activation: bool = True,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.state_dim = 4 * n_feats
        self.cond_dim = self.state_dim if cond_dim is None else cond_dim
        layers = [
            nn.Linear(self.cond_dim + 1 + self.state_dim, self.state_dim),
            nn.LeakyReLU(0.1, inplace=True)
        ]
        for _ in range(n_denoise_res):
            layers += [
                nn.Linear(self.state_dim, self.state_dim),
                nn.LeakyReLU(0.1, inplace=True)
            ]
        if not output_activation:
            layers.pop()
        self.mlp = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, t: Union[float, torch.Tensor],
                cond: torch.Tensor) -> torch.Tensor:
        """Predict the velocity.

        Args:
            x (Tensor): State x_t (B, 4 * n_feats).
            t (float | Tensor): Time input t_in (B, 1), (B, ), 0-d or float.
            cond (Tensor): Condition c (B, cond_dim).

        Returns:
            Tensor: Velocity (B, 4 * n_feats).
        """
        t = time_column(t, x.shape[0], x)
        return self.mlp(torch.cat([cond.to(x.dtype), t, x], dim=1))

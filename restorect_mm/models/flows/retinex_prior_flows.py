"""The student's two prior generators (as in the paper): conditional latent
rectified flows producing z_rex from the LQ Retinex maps and z_img from the LQ
image, each with its own LQ-only condition encoder and velocity MLP."""
from typing import Dict, Optional

import torch
from mmengine.model import BaseModule

from restorect_mm.registry import MODELS


@MODELS.register_module()
class RetinexPriorFlows(BaseModule):
    """Both prior flows of the RestoRect student.

    * ``rex``: condition = RetinexPriorEncoder(LQ [R, L], one image,
      parameter-free LayerNorm) -> c_rex (B, 256); flow target z_rex*.
    * ``img``: condition = ImagePriorEncoder(LQ RGB, one image, LayerNorm)
      -> c_img (B, 256); flow target z_img*.

    Args:
        n_feats (int): encoder width; the prior has 4 * n_feats dims.
        n_encoder_res (int): ResBlocks in each condition encoder.
        n_denoise_res (int): hidden layers of each velocity MLP.
        timesteps (int): training time grid size T.
        num_steps (int): default Euler steps N.
        time_input (str): 'index' (reference, k / 10T) or 'continuous'.
        grad_through_sampler (bool): keep the sampler's graph in training
            (default, so KD and FLEX train the flows) or sample under
            no_grad as the reference code does (False).
        rex_condition, img_condition, velocity (dict, optional): override
            the condition encoders / velocity MLP configs.
    """

    def __init__(self,
                 n_feats: int = 64,
                 n_encoder_res: int = 5,
                 n_denoise_res: int = 1,
                 timesteps: int = 4,
                 num_steps: int = 4,
                 time_input: str = 'index',
                 grad_through_sampler: bool = True,
                 rex_condition: Optional[dict] = None,
                 img_condition: Optional[dict] = None,
                 velocity: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        encoder = dict(
            in_images=1,
            n_feats=n_feats,
            n_encoder_res=n_encoder_res,
            final_norm='layernorm')
        velocity = velocity or dict(
            type='VelocityPredictor',
            n_feats=n_feats,
            n_denoise_res=n_denoise_res)
        conditions = dict(
            rex=rex_condition or dict(type='RetinexPriorEncoder', **encoder),
            img=img_condition or dict(type='ImagePriorEncoder', **encoder))
        flow = dict(
            timesteps=timesteps,
            num_steps=num_steps,
            time_input=time_input,
            grad_through_sampler=grad_through_sampler)
        self.rex = MODELS.build(
            dict(type='ConditionalLatentRectifiedFlow',
                 velocity_net=velocity,
                 condition_net=conditions['rex'],
                 **flow))
        self.img = MODELS.build(
            dict(type='ConditionalLatentRectifiedFlow',
                 velocity_net=velocity,
                 condition_net=conditions['img'],
                 **flow))

    def forward(self,
                retinex_lq: torch.Tensor,
                lq: torch.Tensor,
                targets: Optional[Dict[str, torch.Tensor]] = None,
                num_steps: Optional[int] = None,
                generator: Optional[torch.Generator] = None
                ) -> Dict[str, torch.Tensor]:
        """Sample both priors (and, with targets, their velocity pairs).

        Args:
            retinex_lq (Tensor): [R_lq, L_lq] (B, 4, H, W) from D_low.
            lq (Tensor): the LQ image (B, 3, H, W).
            targets (dict, optional): teacher priors ``rex`` / ``img``
                (B, 256); training mode when given.
            num_steps (int, optional): Euler steps N.
            generator (torch.Generator, optional): noise source.

        Returns:
            dict: ``z_rex``, ``z_img`` (B, 256); with targets also
            ``velocity_rex`` / ``velocity_target_rex`` and ``velocity_img`` /
            ``velocity_target_img`` (B, 256), the inputs of the velocity
            loss.
        """
        out = {}
        for name, flow, cond_input in (('rex', self.rex, retinex_lq),
                                       ('img', self.img, lq)):
            z_star = None if targets is None else targets[name]
            result = flow(cond_input, num_steps, generator, z_star=z_star)
            out[f'z_{name}'] = result['z_hat']
            if z_star is not None:
                out[f'velocity_{name}'] = result['velocity']
                out[f'velocity_target_{name}'] = result['velocity_target']
        return out

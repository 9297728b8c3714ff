"""The standalone RestoRect student: what ``tools/test.py`` evaluates and what
is deployed. No teacher, no ground truth, no D_high, no auxiliary head.

LQ (B, 3, H, W) -> D_low -> [R_lq, L_lq] -> two rectified-flow samplers (Euler,
``num_steps``) -> z_rex, z_img (B, 256) -> G(LQ, z_rex, z_img) -> restored.
"""
from typing import Optional

import torch

from mmagic.structures import DataSample
from restorect_mm.engine.checkpoint_io import check_state_dict_fits, load_weights
from restorect_mm.models.rgformer import pad_to_multiple
from restorect_mm.registry import MODELS
from .restorect_edit_model import RestoRectEditModel, build_optional


def sample_priors(decom_low, prior_flows, lq, num_steps, generator=None):
    """z_rex, z_img (B, 256) from the LQ input alone."""
    with torch.no_grad():
        r_lq, l_lq = decom_low(lq)
    out = prior_flows(
        torch.cat([r_lq, l_lq], dim=1), lq, num_steps=num_steps,
        generator=generator)
    return out['z_rex'], out['z_img']


def restore_with_sampled_priors(generator, decom_low, prior_flows, lq,
                                num_steps, seed=None):
    """The student's inference graph: priors sampled from LQ (B, 3, H, W),
    then G; restored (B, 3, H, W), unclamped. ``seed`` seeds a fresh noise
    generator per batch (reproducible outputs); None draws from the global
    one, as the reference does.

    As the reference's test pass (and :class:`restorect_mm.apis.Restorer`),
    the input is reflection-padded once to a multiple of 8
    (:func:`pad_to_multiple`); D_low, the priors and G all see the padded
    image, and the output is cropped back to H x W."""
    height, width = lq.shape[-2:]
    lq = pad_to_multiple(lq)
    noise = None
    if seed is not None:
        noise = torch.Generator(device=lq.device).manual_seed(seed)
    z_rex, z_img = sample_priors(decom_low, prior_flows, lq, num_steps, noise)
    return generator(lq, z_rex, z_img)[..., :height, :width]


@MODELS.register_module()
class RestoRectStudent(RestoRectEditModel):
    """Inference-only RestoRect student.

    Args:
        generator (dict): RGFormer config, normally with
            ``with_retinex_head=False`` (the inference graph).
        prior_flows (dict): :class:`RetinexPriorFlows` config.
        decom_low (dict): D_low config.
        num_steps (int): Euler steps of the prior samplers. Default 4.
        seed (int, optional): seeds the samplers' noise for reproducible
            outputs (a fresh ``torch.Generator`` per batch); None draws from
            the global generator as the reference does.
        weights (str, optional): a weights-only student file
            (``tools/model_converters/extract_student.py``); test.py's
            checkpoint argument works as well.
        data_preprocessor (dict): MMagic's DataPreprocessor config.
    """

    def __init__(self,
                 generator: dict,
                 prior_flows: dict,
                 decom_low: dict = dict(type='DecomNet'),
                 num_steps: int = 4,
                 seed: Optional[int] = 0,
                 weights: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            generator=generator, init_cfg=init_cfg,
            data_preprocessor=data_preprocessor)
        self.prior_flows = build_optional(prior_flows)
        self.decom_low = build_optional(decom_low)
        self.num_steps = num_steps
        self.seed = seed
        self.weights = weights
        if weights:
            self.load_student_weights(weights)

    def load_student_weights(self, path):
        """Load a weights-only student file strictly (names the file when it
        does not fit)."""
        loaded = load_weights(path)
        state = loaded.get('state_dict', loaded)
        check_state_dict_fits(self, state, path)
        self.load_state_dict(state)

    def init_weights(self):
        super().init_weights()
        if self.weights:
            self.load_student_weights(self.weights)

    def restore(self, lq: torch.Tensor, num_steps: Optional[int] = None,
                seed: Optional[int] = None) -> torch.Tensor:
        """Restore (B, 3, H, W) images in [0, 1]; output unclamped."""
        return restore_with_sampled_priors(
            self.generator, self.decom_low, self.prior_flows, lq,
            num_steps or self.num_steps, self.seed if seed is None else seed)

    def forward_tensor(self,
                       inputs: torch.Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> torch.Tensor:
        """Restored (B, 3, H, W), unclamped."""
        return self.restore(inputs)

    def forward_train(self, inputs, data_samples=None, **kwargs):
        raise RuntimeError(
            'RestoRectStudent is the inference model: train stage 2 with '
            'RestoRectDistiller (configs/restorect_student.py).')

"""Stage 0 of RestoRect: train the two Retinex decomposition nets.

This stage is not in the paper: the reference code loads D_low / D_high
frozen from weights that were never published. restorect_mm trains them from
paired data here, and stages 1-2 load and freeze the result
(:func:`load_decomnet_weights`); any other DecomNet state dict can be loaded
by path instead (see docs/method.md).
"""
from typing import Dict, Optional, Sequence

import torch

from mmagic.structures import DataSample
from restorect_mm.registry import MODELS
from .ground_truth import ground_truth_in_model_space
from .restorect_edit_model import RestoRectEditModel, build_optional

# restorect_mm's own defaults. Reconstruction dominates: it is what makes
# (R, L) a decomposition at all. The rest are regularisers, kept an order of
# magnitude below so they shape, not override, the decomposition.
_DEFAULT_LOSSES = dict(
    recon_lq_loss=dict(type='RetinexReconstructionLoss', loss_weight=1.0),
    recon_gt_loss=dict(type='RetinexReconstructionLoss', loss_weight=1.0),
    # R_lq ~ R_gt: the only term tying the two nets together. 0.1 is strong
    # enough to make L_lq absorb the darkening, weak enough that an exact
    # reconstruction is never traded for it.
    reflectance_loss=dict(
        type='ReflectanceConsistencyLoss', loss_weight=0.1),
    # 0.05 each, the weights of these constraints in the reference code. The
    # smoothness map is a squared difference (values << 1), so it cannot
    # flatten L to a constant.
    smoothness_loss=dict(
        type='IlluminationSmoothnessLoss', loss_weight=0.05),
    texture_loss=dict(type='TextureConsistencyLoss', loss_weight=0.05),
)

_TARGETS = ('lq', 'gt')


@MODELS.register_module()
class RestoRectDecomposer(RestoRectEditModel):
    """Trains D_low (on low-quality inputs) and D_high (on ground truths).

    Losses (each built from a config dict; ``None`` switches a term off):
    ``R_lq * L_lq ~ I_lq`` and ``R_gt * L_gt ~ I_gt`` (reconstruction),
    ``R_lq ~ R_gt`` (reflectance consistency), gradient-aware smoothness of
    L, and texture consistency ``A_s(I) ~ A_s(R)`` through the
    anisotropic-diffusion operator whose scale ``s`` belongs to the texture
    loss module, a child of this model, hence in the optimiser.

    Images in model space must be in [0, 1]: use
    ``data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
    std=[255., 255., 255.])``. Inputs are (B, 3, H, W); the ground truth
    arrives in ``data_samples.gt_img``.

    Args:
        decom_low (dict, optional): Config of D_low. Default:
            ``dict(type='DecomNet')``.
        decom_high (dict, optional): Config of D_high. Default:
            ``dict(type='DecomNet')``.
        recon_lq_loss (dict, optional): Reconstruction of the input.
            Default: RetinexReconstructionLoss, weight 1.0 (L1).
        recon_gt_loss (dict, optional): Reconstruction of the ground truth.
            Default: RetinexReconstructionLoss, weight 1.0 (L1).
        reflectance_loss (dict, optional): ``R_lq ~ R_gt``. Default:
            ReflectanceConsistencyLoss, weight 0.1.
        smoothness_loss (dict, optional): Illumination smoothness. Default:
            IlluminationSmoothnessLoss, weight 0.05.
        texture_loss (dict, optional): Texture consistency. Default:
            TextureConsistencyLoss, weight 0.05.
        smoothness_targets (Sequence[str]): Decompositions the smoothness
            term applies to, from ('lq', 'gt'). Default: both (an
            unconstrained L_lq would absorb texture).
        texture_targets (Sequence[str]): Decompositions the texture term
            applies to. Default: ('gt',), as in the reference (computed on
            D_high(y)). On a dark input, A_s(I_lq) is near zero while R_lq
            must be bright (R_lq ~ R_gt), so an 'lq' term would fight the
            reflectance consistency; it can be added with ('lq', 'gt').
        train_cfg (dict, optional): Unused, kept for the MMagic interface.
        test_cfg (dict, optional): Unused, kept for the MMagic interface.
        init_cfg (dict, optional): Initialisation config.
        data_preprocessor (dict, optional): Config of the preprocessor.
    """

    def __init__(self,
                 decom_low: Optional[dict] = None,
                 decom_high: Optional[dict] = None,
                 recon_lq_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'recon_lq_loss'],
                 recon_gt_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'recon_gt_loss'],
                 reflectance_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'reflectance_loss'],
                 smoothness_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'smoothness_loss'],
                 texture_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'texture_loss'],
                 smoothness_targets: Sequence[str] = ('lq', 'gt'),
                 texture_targets: Sequence[str] = ('gt', ),
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
            data_preprocessor=data_preprocessor)
        self.decom_low = MODELS.build(decom_low or dict(type='DecomNet'))
        self.decom_high = MODELS.build(decom_high or dict(type='DecomNet'))
        self.recon_lq_loss = build_optional(recon_lq_loss)
        self.recon_gt_loss = build_optional(recon_gt_loss)
        self.reflectance_loss = build_optional(reflectance_loss)
        self.smoothness_loss = build_optional(smoothness_loss)
        self.texture_loss = build_optional(texture_loss)

        for name, targets in (('smoothness_targets', smoothness_targets),
                              ('texture_targets', texture_targets)):
            bad = [t for t in targets if t not in _TARGETS]
            if bad:
                raise ValueError(
                    f'{name} entries must be in {_TARGETS}, got {bad}')
        self.smoothness_targets = tuple(smoothness_targets)
        self.texture_targets = tuple(texture_targets)

    # --- MMEngine interface --------------------------------------------------

    def forward_tensor(self,
                       inputs: torch.Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> Dict[str, torch.Tensor]:
        """Decompose the inputs with D_low.

        Args:
            inputs (Tensor): (B, 3, H, W) in model space ([0, 1]).
            data_samples (DataSample, optional): Unused.

        Returns:
            dict: ``reflectance_lq`` (B, 3, H, W), ``illumination_lq``
            (B, 1, H, W), ``recon_lq`` (B, 3, H, W).
        """
        reflectance, illumination = self.decom_low(inputs)
        return dict(
            reflectance_lq=reflectance,
            illumination_lq=illumination,
            recon_lq=reflectance * illumination)

    def forward_train(self, inputs: torch.Tensor, data_samples: DataSample,
                      **kwargs) -> Dict[str, torch.Tensor]:
        """Losses of one batch.

        Args:
            inputs (Tensor): (B, 3, H, W) low-quality images in [0, 1].
            data_samples (DataSample): Stacked samples with ``gt_img``
                (B, 3, H, W) normalised by the preprocessor (training mode).

        Returns:
            dict[str, Tensor]: ``loss_recon_lq``, ``loss_recon_gt``,
            ``loss_reflectance``, ``loss_smooth_lq`` / ``loss_smooth_gt``,
            ``loss_texture_gt`` (/ ``loss_texture_lq``) for the enabled
            terms, and ``texture_scale`` (detached, for the log).
        """
        gt = self._gt_in_model_space(data_samples, True, inputs)
        if gt is None:
            raise ValueError('RestoRectDecomposer needs data_samples.gt_img '
                             'for mode="loss" (paired data).')
        images = dict(lq=inputs, gt=gt)
        decomp = dict(lq=self.decom_low(inputs), gt=self.decom_high(gt))

        losses = {}
        if self.recon_lq_loss is not None:
            losses['loss_recon_lq'] = self.recon_lq_loss(*decomp['lq'],
                                                         inputs)
        if self.recon_gt_loss is not None:
            losses['loss_recon_gt'] = self.recon_gt_loss(*decomp['gt'], gt)
        if self.reflectance_loss is not None:
            losses['loss_reflectance'] = self.reflectance_loss(
                decomp['lq'][0], decomp['gt'][0])
        if self.smoothness_loss is not None:
            for t in self.smoothness_targets:
                losses[f'loss_smooth_{t}'] = self.smoothness_loss(
                    decomp[t][1])
        if self.texture_loss is not None:
            for t in self.texture_targets:
                losses[f'loss_texture_{t}'] = self.texture_loss(
                    images[t], decomp[t][0])
            diffusion = getattr(self.texture_loss, 'diffusion', None)
            if hasattr(diffusion, 'effective_scale'):
                losses['texture_scale'] = \
                    diffusion.effective_scale().detach()
        return losses

    def forward_inference(self,
                          inputs: torch.Tensor,
                          data_samples: Optional[DataSample] = None,
                          **kwargs) -> DataSample:
        """Decompose inputs (and ground truths when present) for evaluation.

        Every image-like output is destructed by the data preprocessor:
        0..255, BGR (when the inputs' channel order is known), un-padded,
        as MMagic's metrics expect.

        Args:
            inputs (Tensor): (B, 3, H, W) inputs in model space.
            data_samples (DataSample, optional): Stacked samples, with
                ``gt_img`` as the preprocessor leaves it in test mode
                (0..255, BGR).

        Returns:
            DataSample: stacked predictions with ``pred_img`` (B, 3, H, W):
            R_gt * L_gt when a ground truth is present (so MMagic's PSNR vs
            gt_img scores D_high's reconstruction), else R_lq * L_lq;
            ``recon_lq``, ``reflectance_lq`` (B, 3, H, W),
            ``illumination_lq`` (B, 1, H, W); with a ground truth also
            ``reflectance_gt`` (B, 3, H, W), ``illumination_gt``
            (B, 1, H, W).
        """
        out = {}
        r_lq, l_lq = self.decom_low(inputs)
        out['recon_lq'] = r_lq * l_lq
        out['reflectance_lq'] = r_lq
        out['illumination_lq'] = l_lq
        gt = self._gt_in_model_space(data_samples, False, inputs)
        if gt is not None:
            r_gt, l_gt = self.decom_high(gt)
            out['pred_img'] = r_gt * l_gt
            out['reflectance_gt'] = r_gt
            out['illumination_gt'] = l_gt
        else:
            out['pred_img'] = out['recon_lq']
        return DataSample(**{
            k: self._destruct(v.detach(), data_samples).cpu()
            for k, v in out.items()
        })

    # --- helpers -------------------------------------------------------------

    def _destruct(self, tensor: torch.Tensor,
                  data_samples: Optional[DataSample]) -> torch.Tensor:
        """Model space -> 0..255 (BGR, un-padded); 1-channel maps too.

        A 1-channel map is expanded to 3 channels for the preprocessor (which
        only converts 3-channel tensors) and averaged back, i.e. it is
        de-normalised with the mean of the per-channel mean/std.
        """
        if tensor.shape[1] == 1:
            tensor = tensor.expand(-1, 3, -1, -1)
            return self.data_preprocessor.destruct(
                tensor.clone(), data_samples, 'img').mean(1, keepdim=True)
        return self.data_preprocessor.destruct(tensor.clone(), data_samples,
                                               'img')

    def _gt_in_model_space(self, data_samples: Optional[DataSample],
                           normalised: bool,
                           like: torch.Tensor) -> Optional[torch.Tensor]:
        """The ground truth in the inputs' channel order and value range
        (see :func:`ground_truth_in_model_space`)."""
        return ground_truth_in_model_space(self.data_preprocessor,
                                           data_samples, normalised, like)

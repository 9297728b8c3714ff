"""Stage 1 of RestoRect: the teacher, trained with privileged priors.

The generator G (RGFormer) restores a low-light image under two 256-d prior
vectors computed from the degraded input **and its ground truth**: z_rex from
the Retinex maps of both (frozen DecomNets of stage 0), z_img from both RGB
images (stage 1 of the paper, arXiv 2509.23480). The teacher therefore needs
the ground truth at test time too; stage 2 distils it into a student that
does not.
"""
from typing import Dict, Optional, Tuple

import torch

from mmagic.structures import DataSample
from restorect_mm.models.retinex.weights import load_decomnet_weights
from restorect_mm.models.rgformer import pad_to_multiple
from restorect_mm.registry import MODELS
from .ground_truth import ground_truth_in_model_space
from .restorect_edit_model import RestoRectEditModel, build_optional

# Pixel, the two reconstruction terms and HVI weigh as in the reference
# code's stage 1. Texture/smoothness: the reference computes them on the
# frozen DecomNet under no_grad (no effect on training); here they act on
# G's auxiliary head with gradients; loss_weight=0 gives the reference.
_DEFAULT_LOSSES = dict(
    pixel_loss=dict(type='L1Loss', loss_weight=1.0),
    recon_in_loss=dict(type='L1Loss', loss_weight=1.0),
    recon_out_loss=dict(type='L1Loss', loss_weight=1.0),
    hvi_loss=dict(type='PolarizedHVILoss', loss_weight=0.05),
    texture_loss=dict(type='TextureConsistencyLoss', loss_weight=0.05),
    smoothness_loss=dict(type='IlluminationSmoothnessLoss', loss_weight=0.05),
)
# losses that read the generator's auxiliary Retinex head
_AUX_LOSSES = ('recon_in_loss', 'recon_out_loss', 'texture_loss',
               'smoothness_loss')

_NO_DECOM_WEIGHTS = (
    'RestoRectTeacher needs the trained Retinex decomposition nets of stage '
    '0 ({missing}). Set model.decom_weights to the stage-0 weights file, e.g. '
    '--cfg-options model.decom_weights=work_dirs/restorect_decom/'
    'restorect-decom-<hash>.pth; to make it, train configs/restorect_decom.py '
    'and run `python tools/publish_model.py <stage-0 checkpoint> '
    'restorect-decom.pth`. Any other DecomNet state dict can be loaded with '
    'model.decom_low_weights / model.decom_high_weights. '
    'allow_untrained_decom=True skips this (tests and smoke runs only).')


@MODELS.register_module()
class RestoRectTeacher(RestoRectEditModel):
    """The RestoRect teacher (stage 1): G with privileged LQ+GT priors.

    Forward (as in the paper): ``(R_lq, L_lq) = D_low(x)``,
    ``(R_gt, L_gt) = D_high(y)`` (frozen, no grad);
    ``z_rex = E_rex([R_lq, L_lq], [R_gt, L_gt])``, ``z_img = E_img(x, y)``;
    ``y_hat, decom_img, decom_mat = G(x, z_rex, z_img)``.

    **The ground truth is needed at test time too** (it feeds the priors):
    'tensor' and 'predict' raise a clear error without ``gt_img``.

    Losses (each a config dict; ``None`` switches it off): pixel
    ``L1(y_hat, y)``; ``L1(decom_img, x)`` (head on e1 reproduces the input);
    ``L1(decom_mat, [R_gt, L_gt])`` (head on the decoder predicts the GT
    Retinex maps); polarised HVI (weight 0.05); and, unlike the reference
    (where they were constants), texture consistency ``A_s(y) ~ A_s(R_hat)``
    and illumination smoothness of ``L_hat`` on ``decom_mat = [R_hat, L_hat]``
    with gradients (0.05 each; ``loss_weight=0`` reproduces the reference,
    see docs/method.md). The HVI ``k`` and the diffusion scale ``s`` live
    in the loss modules, children of this model, so they are in the
    optimiser: 2 learnable scalars beside the 25,888,763
    parameters of G + E_rex + E_img at full size. Weight 0 (not None) keeps
    a term's parameters in the graph.

    Every trainable parameter is used in every iteration (DDP without
    ``find_unused_parameters``): the auxiliary head is required when an
    auxiliary loss is on and refused otherwise.

    Images in model space are RGB in [0, 1]: use
    ``data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
    std=[255., 255., 255.])``.

    Args:
        generator (dict): Config of G, e.g. ``dict(type='RGFormer')``.
        rex_prior (dict, optional): E_rex. Default:
            ``dict(type='RetinexPriorEncoder', in_images=2)``.
        img_prior (dict, optional): E_img. Default:
            ``dict(type='ImagePriorEncoder', in_images=2)``.
        decom_low (dict, optional): D_low. Default ``dict(type='DecomNet')``.
        decom_high (dict, optional): D_high. Default ``dict(type='DecomNet')``.
        decom_weights (str, optional): Stage-0 weights file holding both
            DecomNets (``decom_low.*`` / ``decom_high.*``).
        decom_low_weights (str, optional): Any DecomNet weights file for
            D_low (overrides ``decom_weights`` for it; the reference switch,
            e.g. a URetinex-style ``init_low.pth``).
        decom_high_weights (str, optional): Same for D_high.
        allow_untrained_decom (bool): Allow running without DecomNet weights
            (tests, smoke runs). Default: False.
        pixel_loss, recon_in_loss, recon_out_loss, hvi_loss, texture_loss,
        smoothness_loss (dict, optional): Loss configs, see above.
        train_cfg (dict, optional): Unused, kept for the MMagic interface.
        test_cfg (dict, optional): Unused, kept for the MMagic interface.
        init_cfg (dict, optional): Initialisation config.
        data_preprocessor (dict, optional): Config of the preprocessor.
    """

    def __init__(self,
                 generator: dict,
                 rex_prior: Optional[dict] = None,
                 img_prior: Optional[dict] = None,
                 decom_low: Optional[dict] = None,
                 decom_high: Optional[dict] = None,
                 decom_weights: Optional[str] = None,
                 decom_low_weights: Optional[str] = None,
                 decom_high_weights: Optional[str] = None,
                 allow_untrained_decom: bool = False,
                 pixel_loss: Optional[dict] = _DEFAULT_LOSSES['pixel_loss'],
                 recon_in_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'recon_in_loss'],
                 recon_out_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'recon_out_loss'],
                 hvi_loss: Optional[dict] = _DEFAULT_LOSSES['hvi_loss'],
                 texture_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'texture_loss'],
                 smoothness_loss: Optional[dict] = _DEFAULT_LOSSES[
                     'smoothness_loss'],
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(generator, pixel_loss, train_cfg, test_cfg, init_cfg,
                         data_preprocessor)
        self.rex_prior = MODELS.build(
            rex_prior or dict(type='RetinexPriorEncoder', in_images=2))
        self.img_prior = MODELS.build(
            img_prior or dict(type='ImagePriorEncoder', in_images=2))
        for name, cfg in (('decom_low', decom_low),
                          ('decom_high', decom_high)):
            self.freeze(name, MODELS.build(cfg or dict(type='DecomNet')))
        self._load_decomnets(decom_weights, decom_low_weights,
                             decom_high_weights, allow_untrained_decom)

        self.recon_in_loss = build_optional(recon_in_loss)
        self.recon_out_loss = build_optional(recon_out_loss)
        self.hvi_loss = build_optional(hvi_loss)
        self.texture_loss = build_optional(texture_loss)
        self.smoothness_loss = build_optional(smoothness_loss)

        self.use_aux = any(
            getattr(self, name) is not None for name in _AUX_LOSSES)
        has_head = getattr(self.generator, 'with_retinex_head', False)
        if self.use_aux and not has_head:
            raise ValueError(
                'The auxiliary losses (recon_in_loss, recon_out_loss, '
                'texture_loss, smoothness_loss) need a generator with its '
                'Retinex head (with_retinex_head=True); set them to None '
                'otherwise.')
        if has_head and not self.use_aux:
            raise ValueError(
                'No auxiliary loss is enabled, so the generator\'s Retinex '
                'head would be an unused parameter (breaks DDP): build it '
                'with with_retinex_head=False.')

    # --- construction helpers ------------------------------------------------

    def _load_decomnets(self, decom_weights, low_weights, high_weights,
                        allow_untrained):
        paths = dict(low=low_weights or decom_weights,
                     high=high_weights or decom_weights)
        missing = [f'D_{which}' for which, path in paths.items() if not path]
        if missing and not allow_untrained:
            raise ValueError(_NO_DECOM_WEIGHTS.format(
                missing=', '.join(missing)))
        for which, net in (('low', self.decom_low),
                           ('high', self.decom_high)):
            if paths[which]:
                load_decomnet_weights(net, paths[which], which=which)

    # --- the forward pass ----------------------------------------------------

    @torch.no_grad()
    def decompose(self, lq: torch.Tensor, gt: torch.Tensor
                  ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Frozen Retinex maps ``[R, L]`` of the input and the ground truth.

        Args:
            lq (Tensor): (B, 3, H, W) input in model space.
            gt (Tensor): (B, 3, H, W) ground truth in model space.

        Returns:
            tuple[Tensor, Tensor]: (B, 4, H, W) ``[R_lq, L_lq]`` and
            ``[R_gt, L_gt]``.
        """
        return (torch.cat(self.decom_low(lq), 1),
                torch.cat(self.decom_high(gt), 1))

    def compute_priors(self, lq: torch.Tensor, gt: torch.Tensor,
                       retinex: Optional[Tuple[torch.Tensor, torch.Tensor]]
                       = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """The privileged priors.

        Args:
            lq (Tensor): (B, 3, H, W) input.
            gt (Tensor): (B, 3, H, W) ground truth.
            retinex (tuple[Tensor, Tensor], optional): Output of
                :meth:`decompose`; computed when None.

        Returns:
            tuple[Tensor, Tensor]: ``z_rex`` (B, 256), ``z_img`` (B, 256) at
            the default width.
        """
        retinex_lq, retinex_gt = retinex or self.decompose(lq, gt)
        return (self.rex_prior(retinex_lq, retinex_gt),
                self.img_prior(lq, gt))

    def restore(self, lq: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
        """Restored image ``G(x, z_rex, z_img)`` (B, 3, H, W), model space.

        As the reference's test pass, input and ground truth are
        reflection-padded once to a multiple of 8 (:func:`pad_to_multiple`);
        the DecomNets, both prior encoders and G see the padded pair and the
        output is cropped back to H x W."""
        height, width = lq.shape[-2:]
        lq, gt = pad_to_multiple(lq), pad_to_multiple(gt)
        z_rex, z_img = self.compute_priors(lq, gt)
        return self.generator(lq, z_rex, z_img)[..., :height, :width]

    # --- MMEngine interface --------------------------------------------------

    def forward_tensor(self,
                       inputs: torch.Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> torch.Tensor:
        """The restored image (B, 3, H, W) in model space, unclamped.

        Args:
            inputs (Tensor): (B, 3, H, W) preprocessed inputs.
            data_samples (DataSample): stacked samples; ``gt_img`` is
                required (privileged priors), normalised when the model
                trains (training-mode preprocessing), in 0..255 otherwise
                (validation and test).
        """
        gt = ground_truth_in_model_space(self.data_preprocessor, data_samples,
                                         self.training, inputs)
        self._require_gt(gt, 'tensor/predict')
        return self.restore(inputs, gt)

    def forward_train(self, inputs: torch.Tensor,
                      data_samples: DataSample) -> Dict[str, torch.Tensor]:
        """Losses of one batch.

        Args:
            inputs (Tensor): (B, 3, H, W) low-quality images in [0, 1].
            data_samples (DataSample): Stacked samples with ``gt_img``
                normalised by the preprocessor (training mode).

        Returns:
            dict[str, Tensor]: ``loss_pix``, ``loss_recon_in``,
            ``loss_recon_out``, ``loss_hvi``, ``loss_texture``,
            ``loss_smooth`` for the enabled terms, and the diagnostics
            ``hvi_k`` and ``texture_scale`` (detached; no 'loss' in their
            names, so MMEngine logs but does not sum them).
        """
        gt = ground_truth_in_model_space(self.data_preprocessor, data_samples,
                                         True, inputs)
        self._require_gt(gt, 'loss')
        retinex_lq, retinex_gt = self.decompose(inputs, gt)
        z_rex, z_img = self.compute_priors(inputs, gt,
                                           (retinex_lq, retinex_gt))
        if self.use_aux:
            restored, decom_img, decom_mat = self.generator(
                inputs, z_rex, z_img, return_aux=True)
        else:
            restored = self.generator(inputs, z_rex, z_img)

        losses = {}
        if self.pixel_loss is not None:
            losses['loss_pix'] = self.pixel_loss(restored, gt)
        if self.recon_in_loss is not None:
            losses['loss_recon_in'] = self.recon_in_loss(decom_img, inputs)
        if self.recon_out_loss is not None:
            losses['loss_recon_out'] = self.recon_out_loss(
                decom_mat, retinex_gt)
        if self.hvi_loss is not None:
            losses['loss_hvi'] = self.hvi_loss(restored, gt)
            if hasattr(self.hvi_loss, 'effective_k'):
                losses['hvi_k'] = self.hvi_loss.effective_k().detach()
        if self.texture_loss is not None:
            losses['loss_texture'] = self.texture_loss(gt, decom_mat[:, :3])
            diffusion = getattr(self.texture_loss, 'diffusion', None)
            if hasattr(diffusion, 'effective_scale'):
                losses['texture_scale'] = \
                    diffusion.effective_scale().detach()
        if self.smoothness_loss is not None:
            losses['loss_smooth'] = self.smoothness_loss(decom_mat[:, 3:4])
        return losses

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def _require_gt(gt: Optional[torch.Tensor], mode: str) -> None:
        if gt is None:
            raise ValueError(
                f'RestoRectTeacher needs the ground truth (data_samples.'
                f'gt_img) in mode "{mode}": its priors are computed from the '
                'input and the ground truth (privileged information). Use '
                'paired data, or the stage-2 student (RestoRectStudent) to '
                'restore images without a ground truth.')

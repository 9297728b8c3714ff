"""Stage 2 of RestoRect: distil the teacher into a student whose priors come
from the degraded input alone, through conditional latent rectified flows.

Training has the two phases of the paper's stage 2 with the reference code's
loss terms; where restorect_mm's defaults differ (gradients through the
sampler, FLEX on decoder features) see docs/method.md:

* phase 1 (iter < ``encoder_iters``): only the prior flows (condition nets +
  velocity MLPs) train, optimiser ``prior_flows``:
  ``L = w1 * (L_vel_rex + L_vel_img) + KD(z_hat, z*)``;
* phase 2: the whole student trains, optimiser ``student``:
  ``L = L1(y_hat, y) + L1(decom_img, x) + L1(decom_mat, [R_gt, L_gt])
  + KD + FLEX + w2 * (L_vel_rex + L_vel_img)``.

The phase is chosen by which optimiser wrapper steps (:meth:`train_step`);
``requires_grad`` never changes. ``encoder_iters`` is set once, on the model:
:class:`PhasedParamSchedulerHook` steps only the schedule of the wrapper that
stepped, so each phase's LR schedule counts its own iterations. Under DDP
:class:`PhasedDistributedDataParallel` (one DDP over the whole model, with
``find_unused_parameters=True`` for the generator idle in phase 1) only
supplies the forward pass to this ``train_step``.
"""
from typing import Dict, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub, print_log
from mmengine.model import is_model_wrapper

from mmagic.structures import DataSample
from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               check_state_dict_fits,
                                               load_weights)
from restorect_mm.engine.weight_selection import init_by_weight_selection
from restorect_mm.models.distillation import FeatureCapture
from restorect_mm.registry import MODELS
from .ground_truth import ground_truth_in_model_space
from .restorect_edit_model import RestoRectEditModel, build_optional
from .restorect_student import restore_with_sampled_priors

_TEACHER_PARTS = ('generator', 'rex_prior', 'img_prior', 'decom_low',
                  'decom_high')


def _unwrap(module):
    return module.module if is_model_wrapper(module) else module


def split_teacher_state(state: Dict[str, torch.Tensor], source: str):
    """Split a teacher weights file into its parts by key prefix.

    Args:
        state (dict): ``generator.*``, ``rex_prior.*``, ``img_prior.*``,
            ``decom_low.*``, ``decom_high.*`` tensors (a published
            RestoRectTeacher checkpoint; other keys such as loss parameters
            are ignored).
        source (str): file name for messages.

    Returns:
        dict[str, dict]: part name -> state dict without the prefix.
    """
    parts = {name: {} for name in _TEACHER_PARTS}
    for key, value in state.items():
        prefix, _, rest = key.partition('.')
        if prefix in parts:
            parts[prefix][rest] = value
    missing = [name for name in ('generator', 'rex_prior', 'img_prior')
               if not parts[name]]
    if missing:
        raise CheckpointError(
            f'{source} is not a RestoRect teacher weights file: no '
            f'{", ".join(missing)} weights. Publish the stage-1 checkpoint '
            'with `python tools/publish_model.py <teacher ckpt> teacher.pth` '
            'and set `model.teacher_weights` to the file it prints.')
    return parts


@MODELS.register_module()
class RestoRectDistiller(RestoRectEditModel):
    """The stage-2 training model (teacher frozen, student distilled).

    Inputs are RGB (B, 3, H, W) in [0, 1] after MMagic's DataPreprocessor
    (``mean=0, std=255``); the GT (training only) arrives in
    ``data_samples.gt_img``. Prediction (validation) needs no GT: it runs the
    student alone, exactly as :class:`RestoRectStudent` does.

    Args:
        generator (dict): the student generator. An RGFormer takes the
            generated priors; any other MMagic generator (``NAFNet``, ...)
            with ``student_uses_priors=False`` is trained with pixel and FLEX
            losses only (no flows, no phase 1).
        teacher_generator (dict): the teacher's RGFormer config.
        teacher_rex_prior (dict): the teacher's E_rex (2 images).
        teacher_img_prior (dict): the teacher's E_img (2 images).
        prior_flows (dict): config of :class:`RetinexPriorFlows` (condition
            nets + velocity MLPs of both branches).
        decom_low (dict): D_low config. decom_high (dict): D_high config.
        teacher_weights (str): the published stage-1 weights file
            (weights-only); holds the teacher and both DecomNets.
        init_student_from_teacher (bool | str): True copies the teacher
            generator's weights into the student generator (same
            architecture only); 'select' initialises a smaller student of
            the same family (fewer channels or blocks) by weight selection
            (:mod:`restorect_mm.engine.weight_selection`); False leaves the
            student as initialised.
        allow_untrained_teacher (bool): allow ``teacher_weights=None`` (tests
            and smoke runs only).
        encoder_iters (int): length of phase 1 in iterations.
        num_steps (int): Euler steps of the prior sampler.
        velocity_loss (dict): the flow-matching loss between each flow's
            predicted and target velocity (MMagic's ``MSELoss``).
        velocity_weights (tuple[float]): weight of the velocity losses in
            phase 1 and phase 2.
        pixel_loss, recon_in_loss, recon_out_loss, kd_loss, flex_loss (dict):
            loss configs (None disables a term).
        flex_targets (Sequence[str]): 'features' (decoder maps of teacher
            and student G) and/or 'priors' (the 256-d vectors; the
            reference aligns only these: ``flex_targets=['priors']``).
        teacher_feature_layers (Sequence[str]): teacher G modules to align.
        student_feature_layers (Sequence[str], optional): student G modules,
            in the same order; defaults to ``teacher_feature_layers``.
        feature_channels (Sequence[tuple], optional): (student, teacher)
            channel counts per layer; where they differ a learnable 1x1
            adapter (child ``feature_adapters``, in the optimiser) bridges
            them. Needed only for a student of another architecture.
        student_uses_priors (bool): the student generator takes
            ``(img, z_rex, z_img)`` and returns aux Retinex outputs.
        data_preprocessor (dict): MMagic's DataPreprocessor config.
    """

    #: phase -> the optimiser wrapper (``optim_wrapper`` key) that steps in it
    PHASE_OPTIM_WRAPPERS = {1: 'prior_flows', 2: 'student'}

    def __init__(self,
                 generator: dict,
                 teacher_generator: dict,
                 teacher_rex_prior: dict,
                 teacher_img_prior: dict,
                 prior_flows: dict,
                 decom_low: dict = dict(type='DecomNet'),
                 decom_high: dict = dict(type='DecomNet'),
                 teacher_weights: Optional[str] = None,
                 init_student_from_teacher: Union[bool, str] = True,
                 allow_untrained_teacher: bool = False,
                 encoder_iters: int = 80_000,
                 num_steps: int = 4,
                 velocity_loss: dict = dict(type='MSELoss'),
                 velocity_weights=(0.1, 0.05),
                 pixel_loss: Optional[dict] = dict(type='L1Loss'),
                 recon_in_loss: Optional[dict] = dict(type='L1Loss'),
                 recon_out_loss: Optional[dict] = dict(type='L1Loss'),
                 kd_loss: Optional[dict] = dict(type='KDLoss'),
                 flex_loss: Optional[dict] = dict(
                     type='FLEXLoss',
                     loss_weight=0.5,
                     layer_weights=[2.0, 1.41, 1.0, 2.0, 1.41]),
                 flex_targets: Sequence[str] = ('features', 'priors'),
                 teacher_feature_layers: Sequence[str] = (
                     'decoder_level3', 'decoder_level2', 'decoder_level1'),
                 student_feature_layers: Optional[Sequence[str]] = None,
                 feature_channels: Optional[Sequence] = None,
                 student_uses_priors: bool = True,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None):
        super().__init__(generator, pixel_loss, train_cfg, test_cfg, init_cfg,
                         data_preprocessor)
        unknown = set(flex_targets) - {'features', 'priors'}
        if unknown:
            raise ValueError(f'flex_targets must be among "features", '
                             f'"priors"; got {sorted(unknown)}')
        self.encoder_iters = encoder_iters if student_uses_priors else 0
        self.num_steps = num_steps
        self.velocity_weights = tuple(velocity_weights)
        self.flex_targets = tuple(flex_targets)
        self.student_uses_priors = student_uses_priors
        self.teacher_feature_layers = list(teacher_feature_layers)
        self.student_feature_layers = list(student_feature_layers or
                                           teacher_feature_layers)
        if len(self.student_feature_layers) != len(
                self.teacher_feature_layers):
            raise ValueError('student_feature_layers and '
                             'teacher_feature_layers must pair up one to one')
        self.teacher_weights = teacher_weights
        if init_student_from_teacher not in (True, False, 'select'):
            raise ValueError(f'init_student_from_teacher must be True, False '
                             f"or 'select'; got {init_student_from_teacher!r}")
        self.init_student_from_teacher = init_student_from_teacher
        if teacher_weights is None and not allow_untrained_teacher:
            raise ValueError(
                'RestoRectDistiller needs the stage-1 teacher: set '
                '`model.teacher_weights` to the weights file that '
                '`tools/publish_model.py <teacher checkpoint> teacher.pth` '
                'wrote (allow_untrained_teacher=True only for smoke tests).')

        # trainable children besides the student generator
        self.prior_flows = build_optional(
            prior_flows if student_uses_priors else None)
        self.feature_adapters = MODELS.build(
            dict(type='FeatureAdapters', channels=feature_channels or []))
        for name, cfg in (('teacher_generator', teacher_generator),
                          ('teacher_rex_prior', teacher_rex_prior),
                          ('teacher_img_prior', teacher_img_prior),
                          ('decom_low', decom_low),
                          ('decom_high', decom_high)):
            self.freeze(name, MODELS.build(dict(cfg)))

        self.recon_in_loss = build_optional(recon_in_loss)
        self.recon_out_loss = build_optional(recon_out_loss)
        self.kd_loss = build_optional(kd_loss)
        self.velocity_loss = MODELS.build(velocity_loss)
        self.flex_loss = build_optional(flex_loss)
        self.load_teacher()

    # ------------------------------------------------------------ weights --
    def load_teacher(self):
        """Load the frozen teacher (and DecomNets) from ``teacher_weights``
        and, if asked, initialise the student generator from it."""
        if self.teacher_weights is None:
            return
        loaded = load_weights(self.teacher_weights)
        state = loaded.get('state_dict', loaded)
        parts = split_teacher_state(state, self.teacher_weights)
        targets = dict(
            generator=self.teacher_generator,
            rex_prior=self.teacher_rex_prior,
            img_prior=self.teacher_img_prior,
            decom_low=self.decom_low,
            decom_high=self.decom_high)
        for name, module in targets.items():
            check_state_dict_fits(module, parts[name],
                                  f'{self.teacher_weights} ({name})')
            module.load_state_dict(parts[name])
        if self.init_student_from_teacher == 'select':
            self._select_student_from_teacher(parts['generator'])
        elif self.init_student_from_teacher:
            student = _unwrap(self.generator)
            own = student.state_dict()
            if set(own) - set(parts['generator']) or any(
                    own[k].shape != parts['generator'][k].shape for k in own):
                raise CheckpointError(
                    f'init_student_from_teacher=True but the student '
                    f'generator ({type(student).__name__}) does not match '
                    f'the teacher generator in {self.teacher_weights}; set '
                    'model.init_student_from_teacher=False for a student '
                    'of another architecture.')
            student.load_state_dict(
                {k: parts['generator'][k] for k in own})

    def _select_student_from_teacher(self, teacher_state):
        """Weight selection into a smaller student generator; a student
        that shares no tensor with the teacher is an error, not a silent
        random start."""
        student = _unwrap(self.generator)
        selected, kept = init_by_weight_selection(student, teacher_state)
        if not selected:
            raise CheckpointError(
                f"init_student_from_teacher='select' but the student "
                f'generator ({type(student).__name__}) shares no tensor name '
                f'with the teacher generator in {self.teacher_weights}; set '
                'model.init_student_from_teacher=False for a student of '
                'another architecture.')
        print_log(
            f'student generator: {len(selected)} tensors selected from the '
            f'teacher, {len(kept)} left as initialised', logger='current')

    def init_weights(self):
        """MMEngine initialises weights after building: reload the teacher
        afterwards so that initialisation never overwrites it."""
        super().init_weights()
        self.load_teacher()

    # ------------------------------------------------------------ helpers --
    def current_phase(self) -> int:
        """1 while iter < encoder_iters, else 2 (MMEngine's message hub).
        The phase is the model's alone: the schedule counts each optimiser
        wrapper's own steps (:class:`PhasedParamSchedulerHook`), so no config
        restates where phase 2 begins."""
        iteration = MessageHub.get_current_instance().get_info('iter', 0)
        return 1 if iteration < self.encoder_iters else 2

    @torch.no_grad()
    def teacher_priors(self, lq, gt):
        """Frozen teacher priors z_rex*, z_img* (B, 256) and GT Retinex maps."""
        r_lq, l_lq = self.decom_low(lq)
        r_gt, l_gt = self.decom_high(gt)
        retinex_lq = torch.cat([r_lq, l_lq], dim=1)
        retinex_gt = torch.cat([r_gt, l_gt], dim=1)
        z_rex = self.teacher_rex_prior(retinex_lq, retinex_gt)
        z_img = self.teacher_img_prior(lq, gt)
        return z_rex, z_img, retinex_lq, retinex_gt

    def _capture(self, module, names):
        return FeatureCapture(_unwrap(module), names)

    # --------------------------------------------------------------- loss --
    def compute_losses(self, lq, gt, phase: int) -> Dict[str, torch.Tensor]:
        """All losses of one iteration in the given phase: the prior terms
        (:meth:`prior_losses`) always, the student's (:meth:`student_losses`)
        in phase 2.

        Args:
            lq (Tensor): (B, 3, H, W) inputs; gt (Tensor): (B, 3, H, W).
            phase (int): 1 or 2.

        Returns:
            dict[str, Tensor]: ``loss_*`` terms and detached diagnostics
            (``phase``, ``kd_kl_*``).
        """
        losses = {'phase': torch.tensor(float(phase), device=lq.device)}
        teacher = self.teacher_priors(lq, gt)
        priors = None
        if self.student_uses_priors:
            priors = self.prior_losses(lq, teacher, phase, losses)
        if phase == 2:
            self.student_losses(lq, gt, teacher, priors, losses)
        return losses

    def prior_losses(self, lq, teacher, phase, losses):
        """Velocity and KD terms of the prior flows, added to ``losses``.

        Args:
            lq (Tensor): (B, 3, H, W).
            teacher (tuple): :meth:`teacher_priors`' output.
            phase (int): picks the velocity weight.
            losses (dict): filled in place.

        Returns:
            tuple[Tensor, Tensor]: the sampled priors z_rex, z_img (B, 256).
        """
        z_rex_t, z_img_t, retinex_lq, _ = teacher
        flows = self.prior_flows(
            retinex_lq, lq, targets=dict(rex=z_rex_t, img=z_img_t),
            num_steps=self.num_steps)
        weight = self.velocity_weights[0 if phase == 1 else 1]
        for name, target in (('rex', z_rex_t), ('img', z_img_t)):
            losses[f'loss_velocity_{name}'] = weight * self.velocity_loss(
                flows[f'velocity_{name}'], flows[f'velocity_target_{name}'])
            if self.kd_loss is not None:
                z_hat = flows[f'z_{name}']
                losses[f'loss_kd_{name}'] = self.kd_loss(z_hat, target)
                losses[f'kd_kl_{name}'] = self.kd_loss.kl_divergence(
                    z_hat, target)
        return flows['z_rex'], flows['z_img']

    def student_losses(self, lq, gt, teacher, priors, losses):
        """Pixel, Retinex-head and FLEX terms of the student generator (phase
        2), added to ``losses``. ``priors`` is None for a student that takes
        none (an MMagic generator)."""
        z_rex_t, z_img_t, _, retinex_gt = teacher
        with self._capture(self.generator,
                           self.student_feature_layers) as student_feats:
            if priors is not None:
                y_hat, decom_img, decom_mat = self.generator(
                    lq, *priors, return_aux=True)
            else:
                y_hat, decom_img, decom_mat = self.generator(lq), None, None
        if self.pixel_loss is not None:
            losses['loss_pix'] = self.pixel_loss(y_hat, gt)
        if decom_img is not None and self.recon_in_loss is not None:
            losses['loss_recon_in'] = self.recon_in_loss(decom_img, lq)
        if decom_mat is not None and self.recon_out_loss is not None:
            losses['loss_recon_out'] = self.recon_out_loss(
                decom_mat, retinex_gt)
        if self.flex_loss is None:
            return
        aligned, teacher_feats = {}, {}
        if 'features' in self.flex_targets:
            aligned, teacher_feats = self._feature_pairs(
                lq, z_rex_t, z_img_t, student_feats)
        if 'priors' in self.flex_targets and priors is not None:
            aligned.update(z_rex=priors[0], z_img=priors[1])
            teacher_feats.update(z_rex=z_rex_t, z_img=z_img_t)
        if teacher_feats:
            losses['loss_flex'] = self.flex_loss(aligned, teacher_feats)

    def _feature_pairs(self, lq, z_rex_t, z_img_t, student_feats):
        """(student, teacher) decoder maps by teacher layer name, the student's
        adapted to the teacher's channels and resized to its resolution."""
        with torch.no_grad(), self._capture(
                self.teacher_generator,
                self.teacher_feature_layers) as captured:
            self.teacher_generator(lq, z_rex_t, z_img_t)
        student_maps = self.feature_adapters(
            [student_feats[n] for n in self.student_feature_layers])
        aligned, teacher_feats = {}, {}
        for t_name, s_map in zip(self.teacher_feature_layers, student_maps):
            t_map = captured[t_name]
            if s_map.shape[-2:] != t_map.shape[-2:]:
                s_map = F.interpolate(
                    s_map, size=t_map.shape[-2:], mode='bilinear',
                    align_corners=False)
            aligned[t_name], teacher_feats[t_name] = s_map, t_map
        return aligned, teacher_feats

    def optim_wrapper_name(self) -> str:
        """The optimiser wrapper that steps now (:attr:`PHASE_OPTIM_WRAPPERS`):
        ``prior_flows`` in phase 1 (condition nets + velocity MLPs),
        ``student`` in phase 2. :class:`PhasedParamSchedulerHook` steps the
        LR schedule of this wrapper only."""
        return self.PHASE_OPTIM_WRAPPERS[self.current_phase()]

    def train_step(self, data, optim_wrapper, forward_module=None):
        """One iteration of the current phase: the forward pass, the losses,
        and a step of the phase's optimiser wrapper only.

        Args:
            data (dict): a batch from the dataloader.
            optim_wrapper (OptimWrapperDict): ``prior_flows`` and ``student``.
            forward_module (nn.Module, optional): what runs the forward pass;
                :class:`PhasedDistributedDataParallel` passes itself so that
                DDP synchronises the gradients. Defaults to the model.

        Returns:
            dict[str, Tensor]: log variables.
        """
        name = self.optim_wrapper_name()
        if name not in optim_wrapper:
            raise KeyError(
                f'{type(self).__name__} steps the optimiser wrapper "{name}" '
                f'in phase {self.current_phase()}, but the config defines '
                f'only {list(optim_wrapper.keys())}: name the wrappers of '
                f'optim_wrapper {sorted(set(self.PHASE_OPTIM_WRAPPERS.values()))}')
        forward_module = forward_module or self
        wrapper = optim_wrapper[name]
        with wrapper.optim_context(forward_module):
            data = self.data_preprocessor(data, True)
            losses = (forward_module(**data, mode='loss')
                      if isinstance(data, dict) else
                      forward_module(*data, mode='loss'))
        parsed, log_vars = self.parse_losses(losses)
        wrapper.update_params(parsed)
        return log_vars

    def forward_train(self, inputs: torch.Tensor,
                      data_samples: Optional[DataSample] = None,
                      **kwargs) -> Dict[str, torch.Tensor]:
        """The losses of the current phase (see :meth:`compute_losses`);
        ``data_samples.gt_img`` normalised by the preprocessor."""
        gt = ground_truth_in_model_space(self.data_preprocessor,
                                         data_samples, True, inputs)
        if gt is None:
            raise ValueError('RestoRectDistiller needs gt_img to train')
        return self.compute_losses(inputs, gt, self.current_phase())

    # ---------------------------------------------------------- inference --
    def forward_tensor(self,
                       inputs: torch.Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> torch.Tensor:
        """The student alone, as :class:`RestoRectStudent` runs it (no GT;
        input reflection-padded to a multiple of 8 before D_low, the priors
        and G, output cropped back): restored (B, 3, H, W), unclamped; the
        noise seed is ``test_cfg.seed`` (0; None draws from the global
        generator)."""
        if not self.student_uses_priors:
            return self.generator(inputs)
        return restore_with_sampled_priors(
            self.generator, self.decom_low, self.prior_flows, inputs,
            self.num_steps, self.test_cfg.get('seed', 0))

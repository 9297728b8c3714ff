"""RestoRectDistiller (stage 2) and RestoRectStudent on tiny models."""
import copy

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from restorect_mm.engine.checkpoint_io import CheckpointError

N_FEATS = 16  # priors of 4 * 16 = 64 dims
TINY_G = dict(
    type='RGFormer',
    dim=8,
    num_blocks=(1, 1, 1, 1),
    num_refinement_blocks=1,
    heads=(1, 2, 4, 8),
    prior_dim=4 * N_FEATS,
    rex_split=(3 * N_FEATS, N_FEATS))
ENCODER = dict(in_images=2, n_feats=N_FEATS, n_encoder_res=1)
FLOWS = dict(type='RetinexPriorFlows', n_feats=N_FEATS, n_encoder_res=1)


def tiny_distiller(teacher_weights=None, **kwargs):
    cfg = dict(
        type='RestoRectDistiller',
        generator=TINY_G,
        teacher_generator=TINY_G,
        teacher_rex_prior=dict(type='RetinexPriorEncoder', **ENCODER),
        teacher_img_prior=dict(type='ImagePriorEncoder', **ENCODER),
        prior_flows=FLOWS,
        teacher_weights=teacher_weights,
        allow_untrained_teacher=teacher_weights is None,
        encoder_iters=2,
        flex_loss=dict(type='FLEXLoss', loss_weight=0.5,
                       layer_weights=[2.0, 1.41, 1.0, 2.0, 1.41]),
        data_preprocessor=dict(
            type='DataPreprocessor', mean=[0., 0., 0.],
            std=[255., 255., 255.]))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def teacher_file(tmp_path):
    """A published-teacher-like weights file with random weights."""
    parts = dict(
        generator=MODELS.build(TINY_G),
        rex_prior=MODELS.build(dict(type='RetinexPriorEncoder', **ENCODER)),
        img_prior=MODELS.build(dict(type='ImagePriorEncoder', **ENCODER)),
        decom_low=MODELS.build(dict(type='DecomNet')),
        decom_high=MODELS.build(dict(type='DecomNet')))
    state = {f'{name}.{k}': v for name, m in parts.items()
             for k, v in m.state_dict().items()}
    state['hvi_loss.k'] = torch.ones(())  # loss parameters are ignored
    path = tmp_path / 'teacher.pth'
    torch.save({'state_dict': state}, path)
    return path, parts


def batch(n=2, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    gt = torch.rand(n, 3, size, size, generator=g) * 255
    inputs = [(x * 0.3).round() for x in gt]
    samples = [DataSample(gt_img=y) for y in gt]
    return dict(inputs=inputs, data_samples=samples)


def optim_wrappers(model):
    flows = torch.optim.Adam(model.prior_flows.parameters(), lr=1e-3)
    student = torch.optim.Adam(
        list(model.generator.parameters()) +
        list(model.prior_flows.parameters()), lr=1e-3)
    return OptimWrapperDict(
        prior_flows=OptimWrapper(flows), student=OptimWrapper(student))


def set_iter(iteration):
    MessageHub.get_current_instance().update_info('iter', iteration)


def test_teacher_weights_load_and_initialise_the_student(tmp_path):
    path, parts = teacher_file(tmp_path)
    model = tiny_distiller(str(path))
    for name, own in (('generator', model.teacher_generator),
                      ('rex_prior', model.teacher_rex_prior),
                      ('decom_high', model.decom_high)):
        for key, value in parts[name].state_dict().items():
            assert torch.equal(own.state_dict()[key], value), (name, key)
    for key, value in parts['generator'].state_dict().items():
        assert torch.equal(model.generator.state_dict()[key], value)
    # MMEngine's init_weights must not overwrite the loaded teacher
    model.init_weights()
    key = next(iter(parts['generator'].state_dict()))
    assert torch.equal(model.teacher_generator.state_dict()[key],
                       parts['generator'].state_dict()[key])


def test_teacher_is_frozen_from_the_start():
    model = tiny_distiller()
    for child in (model.teacher_generator, model.teacher_rex_prior,
                  model.teacher_img_prior, model.decom_low, model.decom_high):
        assert not any(p.requires_grad for p in child.parameters())
    model.train()
    assert not model.teacher_generator.training
    assert model.generator.training


def test_missing_or_wrong_teacher_weights_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match='teacher_weights'):
        MODELS.build(dict(
            type='RestoRectDistiller', generator=TINY_G,
            teacher_generator=TINY_G,
            teacher_rex_prior=dict(type='RetinexPriorEncoder', **ENCODER),
            teacher_img_prior=dict(type='ImagePriorEncoder', **ENCODER),
            prior_flows=FLOWS))
    wrong = tmp_path / 'decom_only.pth'
    torch.save({'state_dict': {'decom_low.decom.0.weight': torch.zeros(1)}},
               wrong)
    with pytest.raises(CheckpointError, match='decom_only.pth.*not a RestoRect'):
        tiny_distiller(str(wrong))


def test_phase_switch_at_encoder_iters():
    model = tiny_distiller()
    set_iter(0)
    assert model.optim_wrapper_name() == 'prior_flows'
    set_iter(1)
    assert model.optim_wrapper_name() == 'prior_flows'
    set_iter(2)
    assert model.optim_wrapper_name() == 'student'


def _changed(before, module):
    return [k for k, v in module.state_dict().items()
            if not torch.equal(v, before[k])]


def test_phase_one_trains_only_the_flows_and_phase_two_everything():
    torch.manual_seed(0)
    model = tiny_distiller()
    wrappers = optim_wrappers(model)
    g_before = copy.deepcopy(model.generator.state_dict())
    f_before = copy.deepcopy(model.prior_flows.state_dict())
    t_before = copy.deepcopy(model.teacher_generator.state_dict())
    set_iter(0)
    log = model.train_step(batch(), wrappers)
    assert log['phase'] == 1
    assert {'loss_velocity_rex', 'loss_kd_img', 'kd_kl_rex'} <= set(log)
    assert 'loss_pix' not in log and 'loss_flex' not in log
    assert not _changed(g_before, model.generator)
    assert _changed(f_before, model.prior_flows)
    set_iter(2)
    log = model.train_step(batch(), wrappers)
    assert log['phase'] == 2
    assert {'loss_pix', 'loss_recon_in', 'loss_recon_out', 'loss_flex',
            'loss_kd_rex', 'loss_velocity_img'} <= set(log)
    assert _changed(g_before, model.generator)
    assert not _changed(t_before, model.teacher_generator)


@pytest.mark.parametrize('through', [True, False])
def test_kd_reaches_the_flows_only_through_the_sampler(through):
    model = tiny_distiller(
        prior_flows=dict(FLOWS, grad_through_sampler=through))
    data = model.data_preprocessor(batch(), True)
    losses = model.compute_losses(data['inputs'],
                                  data['data_samples'].gt_img, phase=1)
    kd = losses['loss_kd_rex'] + losses['loss_kd_img']
    model.zero_grad()
    if through:
        kd.backward()
    else:
        assert not kd.requires_grad
    params = list(model.prior_flows.rex.condition_net.parameters()) + list(
        model.prior_flows.img.velocity_net.parameters())
    reached = [p.grad is not None and p.grad.abs().sum() > 0 for p in params]
    assert all(reached) if through else not any(reached)


def test_flex_targets_priors_only_skips_the_teacher_decoder():
    model = tiny_distiller(flex_targets=['priors'])
    calls = []
    model.teacher_generator.register_forward_hook(
        lambda *args: calls.append(1))
    data = model.data_preprocessor(batch(), True)
    losses = model.compute_losses(data['inputs'],
                                  data['data_samples'].gt_img, phase=2)
    assert 'loss_flex' in losses and not calls


def test_mmagic_generator_as_student():
    """NAFNet as the student: no priors, FLEX bridges channels by adapters
    and resolutions by interpolation."""
    model = tiny_distiller(
        generator=dict(type='NAFNet', img_channels=3, mid_channels=8,
                       enc_blk_nums=[1, 1], middle_blk_num=1,
                       dec_blk_nums=[1, 1]),
        student_uses_priors=False,
        init_student_from_teacher=False,
        flex_targets=['features'],
        teacher_feature_layers=['decoder_level2', 'decoder_level1'],
        student_feature_layers=['decoders.0', 'decoders.1'],
        feature_channels=[(16, 16), (8, 16)],
        flex_loss=dict(type='FLEXLoss', loss_weight=0.5))
    assert model.encoder_iters == 0
    adapters = torch.optim.Adam(
        list(model.generator.parameters()) +
        list(model.feature_adapters.parameters()), lr=1e-3)
    wrappers = OptimWrapperDict(student=OptimWrapper(adapters))
    before = copy.deepcopy(model.feature_adapters.state_dict())
    set_iter(0)
    log = model.train_step(batch(), wrappers)
    assert log['phase'] == 2 and 'loss_flex' in log
    assert 'loss_velocity_rex' not in log
    assert _changed(before, model.feature_adapters)
    model.eval()
    out = model(model.data_preprocessor(batch(), False)['inputs'])
    assert out.shape == (2, 3, 32, 32)


def test_predict_and_extracted_student_agree(tmp_path):
    import subprocess
    import sys
    model = tiny_distiller()
    model.eval()
    data = model.data_preprocessor(batch(n=1, size=36), False)
    with torch.no_grad():
        samples = model(data['inputs'], data['data_samples'], mode='predict')
    pred = samples[0].output.pred_img
    assert pred.shape == (3, 36, 36) and 0 <= pred.min() and pred.max() <= 255
    # the standalone student from an extracted weights file
    ckpt = tmp_path / 'iter_1.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {'iter': 1}}, ckpt)
    proc = subprocess.run(
        [sys.executable, 'tools/model_converters/extract_student.py',
         str(ckpt), str(tmp_path / 'student.pth')], capture_output=True,
        text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    weights = proc.stdout.strip().splitlines()[-1]
    state = torch.load(weights, weights_only=True)['state_dict']
    assert not any('teacher' in k or 'decom_high' in k or 'retinex_head' in k
                   for k in state)
    student = MODELS.build(dict(
        type='RestoRectStudent',
        generator=dict(TINY_G, with_retinex_head=False),
        prior_flows=FLOWS, weights=weights, seed=0,
        data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                               std=[255., 255., 255.])))
    student.eval()
    data = student.data_preprocessor(batch(n=1, size=36), False)
    with torch.no_grad():
        again = student(data['inputs'], data['data_samples'],
                        mode='predict')[0].output.pred_img
    assert torch.allclose(again, pred, atol=1e-3)
    with pytest.raises(RuntimeError, match='RestoRectDistiller'):
        student(data['inputs'], data['data_samples'], mode='loss')


def test_full_size_parameter_counts():
    from mmengine.config import Config
    cfg = Config.fromfile('configs/restorect_student.py')
    cfg.model.teacher_weights = None
    cfg.model.allow_untrained_teacher = True
    model = MODELS.build(cfg.model)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == 26_219_003
    student = MODELS.build(dict(
        type='RestoRectStudent',
        generator=dict(cfg.model.generator, with_retinex_head=False),
        prior_flows=cfg.model.prior_flows))
    inference = sum(p.numel() for n, p in student.named_parameters()
                    if not n.startswith('decom_low.'))
    assert inference == 26_105_911


def test_select_initialises_a_narrower_student_from_the_teacher(tmp_path):
    path, parts = teacher_file(tmp_path)
    compact = dict(TINY_G, dim=4)
    model = tiny_distiller(str(path), generator=compact,
                           init_student_from_teacher='select',
                           feature_channels=[(16, 32), (8, 16), (8, 16)])
    teacher_embed = parts['generator'].state_dict()['patch_embed.weight']
    assert torch.equal(model.generator.state_dict()['patch_embed.weight'],
                       teacher_embed[0::2])
    # a student sharing nothing with the teacher is refused, not random
    with pytest.raises(CheckpointError, match='shares no tensor'):
        tiny_distiller(str(path), generator=dict(
            type='NAFNet', img_channels=3, mid_channels=8,
            enc_blk_nums=[1], middle_blk_num=1, dec_blk_nums=[1]),
            student_uses_priors=False, init_student_from_teacher='select',
            flex_targets=['features'],
            teacher_feature_layers=['decoder_level1'],
            student_feature_layers=['decoders.0'],
            feature_channels=[(8, 16)])
    with pytest.raises(ValueError, match='init_student_from_teacher'):
        tiny_distiller(str(path), init_student_from_teacher='slice')

import copy

import pytest
import torch
from mmengine.optim import OptimWrapper

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from restorect_mm.models.editors import RestoRectTeacher
from restorect_mm.models.retinex import DecomNet

TINY = dict(
    type='RestoRectTeacher',
    generator=dict(type='RGFormer', dim=8, num_blocks=(1, 1, 1, 1),
                   num_refinement_blocks=1, prior_dim=64, rex_split=(48, 16)),
    rex_prior=dict(type='RetinexPriorEncoder', in_images=2, n_feats=16,
                   n_encoder_res=1),
    img_prior=dict(type='ImagePriorEncoder', in_images=2, n_feats=16,
                   n_encoder_res=1),
    allow_untrained_decom=True,
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

LOSS_KEYS = {'loss_pix', 'loss_recon_in', 'loss_recon_out', 'loss_hvi',
             'loss_texture', 'loss_smooth'}


def _batch(n=2, size=16, seed=1, with_gt=True):
    """What a dataloader yields: 0..255 CHW RGB tensors + samples."""
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(n):
        gt = (0.3 + 0.4 * torch.rand(3, size, size, generator=g)) * 255
        gt[0] *= 0.8  # distinct channels: catches an RGB/BGR mix-up
        sample = DataSample(gt_img=gt) if with_gt else DataSample()
        sample.set_metainfo(
            dict(img_channel_order='rgb', gt_channel_order='rgb'))
        inputs.append(gt * 0.25)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def _trainable(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(TINY))


@pytest.fixture(scope='module')
def full_teacher():
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='RestoRectTeacher', generator=dict(type='RGFormer'),
        allow_untrained_decom=True))


def test_full_size_parameter_counts(full_teacher):
    network = (_trainable(full_teacher.generator) +
               _trainable(full_teacher.rex_prior) +
               _trainable(full_teacher.img_prior))
    assert network == 25_888_763
    # the loss modules add two learnable scalars, counted separately
    loss_params = {n: p.numel() for n, p in full_teacher.named_parameters()
                   if p.requires_grad and 'loss' in n}
    assert loss_params == {'hvi_loss.k': 1, 'texture_loss.diffusion.scale': 1}
    assert _trainable(full_teacher) == 25_888_763 + 2
    for net in (full_teacher.decom_low, full_teacher.decom_high):
        assert _trainable(net) == 0
        assert sum(p.numel() for p in net.parameters()) == 20_548


def test_full_size_prior_shapes(full_teacher):
    lq, gt = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        retinex_lq, retinex_gt = full_teacher.decompose(lq, gt)
        z_rex, z_img = full_teacher.compute_priors(lq, gt)
    assert retinex_lq.shape == retinex_gt.shape == (2, 4, 32, 32)
    assert z_rex.shape == z_img.shape == (2, 256)


def test_decomnets_frozen_in_eval_mode(model):
    model.train()
    for net in (model.decom_low, model.decom_high):
        assert not net.training
        assert all(not p.requires_grad for p in net.parameters())
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert 'hvi_loss.k' in names and 'texture_loss.diffusion.scale' in names
    assert not any(n.startswith('decom_') for n in names)


def test_loss_keys_and_sum(model):
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    log_vars = model.train_step(_batch(), optim)
    assert set(log_vars) == LOSS_KEYS | {'loss', 'hvi_k', 'texture_scale'}
    summed = sum(v for k, v in log_vars.items() if k.startswith('loss_'))
    assert torch.isclose(log_vars['loss'], summed)


def test_every_trainable_parameter_gets_a_gradient(model):
    """DDP without find_unused_parameters needs this, every iteration."""
    data = model.data_preprocessor(_batch(), True)
    losses = model(**data, mode='loss')
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    missing = [n for n, p in model.named_parameters()
               if p.requires_grad and p.grad is None]
    assert missing == []
    assert model.hvi_loss.k.grad.abs() > 0
    assert model.texture_loss.diffusion.scale.grad.abs() > 0
    # the auxiliary losses train the Retinex head
    assert model.generator.retinex_head.body[0].weight.grad.abs().sum() > 0


def test_loss_falls_and_decomnets_stay_unchanged(model):
    decom_before = {k: v.clone() for k, v in model.state_dict().items()
                    if k.startswith('decom_')}
    k_before = model.hvi_loss.k.item()
    s_before = model.texture_loss.diffusion.scale.item()
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=2e-3))
    batch = _batch()
    history = [model.train_step(copy.deepcopy(batch), optim)['loss'].item()
               for _ in range(25)]
    assert all(torch.isfinite(torch.tensor(history)))
    assert history[-1] < 0.6 * history[0]
    for key, value in decom_before.items():
        assert torch.equal(model.state_dict()[key], value), key
    # k and s are in the optimiser and moved
    assert model.hvi_loss.k.item() != pytest.approx(k_before)
    assert model.texture_loss.diffusion.scale.item() != pytest.approx(
        s_before)


def test_predict_and_tensor_modes_need_the_ground_truth(model):
    model.eval()
    with pytest.raises(ValueError, match='ground truth'):
        model.val_step(_batch(with_gt=False))
    with pytest.raises(ValueError, match='ground truth'):
        model(torch.rand(1, 3, 16, 16), None, mode='tensor')
    outputs = model.val_step(_batch(n=2, size=20))
    assert len(outputs) == 2
    pred = outputs[0].output.pred_img
    assert pred.shape == (3, 20, 20)
    assert outputs[0].input.shape == (3, 20, 20)
    data = model.data_preprocessor(_batch(n=1, size=20), False)
    restored = model(**data, mode='tensor')
    assert restored.shape == (1, 3, 20, 20)


def test_test_mode_ground_truth_matches_training_mode(model):
    """Test-mode preprocessing leaves gt_img in 0..255 (and the metric
    channel order); the priors must see the same GT as in training."""
    model.eval()
    batch = _batch(n=1)
    train_data = model.data_preprocessor(copy.deepcopy(batch), True)
    test_data = model.data_preprocessor(copy.deepcopy(batch), False)
    with torch.no_grad():
        a = model(**train_data, mode='tensor')
        b = model(**test_data, mode='predict')[0].output.pred_img
    expected = model.data_preprocessor.destruct(a, test_data['data_samples'],
                                                'img')[0]
    assert torch.allclose(b, expected, atol=0.05)  # 0..255 scale


def _stage0_file(path, seed=0):
    torch.manual_seed(seed)
    low, high = DecomNet(), DecomNet()
    state = {f'decom_low.{k}': v for k, v in low.state_dict().items()}
    state.update(
        {f'decom_high.{k}': v for k, v in high.state_dict().items()})
    torch.save({'state_dict': state}, path)
    return low, high


def test_decom_weights_are_loaded(tmp_path):
    low, high = _stage0_file(tmp_path / 'decom.pth')
    cfg = copy.deepcopy(TINY)
    cfg.update(allow_untrained_decom=False,
               decom_weights=str(tmp_path / 'decom.pth'))
    teacher = MODELS.build(cfg)
    for mine, ref in ((teacher.decom_low, low), (teacher.decom_high, high)):
        for key, value in ref.state_dict().items():
            assert torch.equal(mine.state_dict()[key], value)
    # separate files (any DecomNet state dict) override per net
    other = DecomNet()
    torch.save(other.state_dict(), tmp_path / 'low_only.pth')
    cfg.update(decom_low_weights=str(tmp_path / 'low_only.pth'))
    teacher = MODELS.build(cfg)
    assert torch.equal(teacher.decom_low.decom[0].weight,
                       other.decom[0].weight)
    assert torch.equal(teacher.decom_high.decom[0].weight,
                       high.decom[0].weight)


def test_missing_decom_weights_is_a_clear_error():
    cfg = copy.deepcopy(TINY)
    cfg['allow_untrained_decom'] = False
    with pytest.raises(ValueError) as err:
        MODELS.build(cfg)
    message = str(err.value)
    assert 'model.decom_weights' in message
    assert 'publish_model.py' in message and 'restorect_decom' in message


def test_aux_head_must_match_the_aux_losses():
    cfg = copy.deepcopy(TINY)
    cfg['generator']['with_retinex_head'] = False
    with pytest.raises(ValueError, match='Retinex head'):
        MODELS.build(cfg)
    for key in ('recon_in_loss', 'recon_out_loss', 'texture_loss',
                'smoothness_loss'):
        cfg[key] = None
    teacher = MODELS.build(cfg)
    data = teacher.data_preprocessor(_batch(), True)
    assert set(teacher(**data, mode='loss')) == {'loss_pix', 'loss_hvi',
                                                 'hvi_k'}
    cfg['generator']['with_retinex_head'] = True
    with pytest.raises(ValueError, match='unused'):
        MODELS.build(cfg)


def test_reference_hvi_form_has_no_learnable_k():
    cfg = copy.deepcopy(TINY)
    cfg['hvi_loss'] = dict(type='PolarizedHVILoss', loss_weight=0.05,
                           hvi_form='reference')
    teacher = MODELS.build(cfg)
    assert isinstance(teacher, RestoRectTeacher)
    names = [n for n, p in teacher.named_parameters() if p.requires_grad]
    assert 'hvi_loss.k' not in names


def test_priors_see_the_reflect_padded_pair_on_odd_sizes():
    """As the reference's test pass: LQ and GT padded to a multiple of 8
    once, DecomNets, both prior encoders and G on the padded pair, output
    cropped back."""
    from restorect_mm.models.rgformer import pad_to_multiple
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(TINY)).eval()
    torch.manual_seed(1)
    lq, gt = torch.rand(1, 3, 13, 18), torch.rand(1, 3, 13, 18)
    with torch.no_grad():
        out = model.restore(lq, gt)
        padded_lq, padded_gt = pad_to_multiple(lq), pad_to_multiple(gt)
        assert padded_lq.shape[-2:] == (16, 24)
        z_rex, z_img = model.compute_priors(padded_lq, padded_gt)
        expected = model.generator(padded_lq, z_rex, z_img)[..., :13, :18]
        unpadded = model.generator(lq, *model.compute_priors(lq, gt))
    assert out.shape == lq.shape
    torch.testing.assert_close(out, expected)
    assert not torch.allclose(out, unpadded, atol=1e-6)  # priors differ

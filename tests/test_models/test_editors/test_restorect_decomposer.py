import copy

import pytest
import torch
from mmengine.optim import OptimWrapper

from mmagic.registry import METRICS, MODELS
from mmagic.structures import DataSample
from restorect_mm.models.editors import RestoRectDecomposer

CFG = dict(
    type='RestoRectDecomposer',
    decom_low=dict(type='DecomNet'),
    decom_high=dict(type='DecomNet'),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))


def _batch(n=2, size=16, seed=1):
    """What a dataloader yields: uint8-range CHW RGB tensors + samples."""
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(n):
        # gentle texture, so the diffusion operator is not saturated
        gt = (0.45 + 0.1 * torch.rand(3, size, size, generator=g)) * 255
        gt[0] *= 0.8  # distinct channels: catches an RGB/BGR mix-up
        sample = DataSample(gt_img=gt)
        sample.set_metainfo(
            dict(img_channel_order='rgb', gt_channel_order='rgb'))
        inputs.append(gt * 0.25)  # darker low-quality input
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(CFG))


def test_build_and_children(model):
    assert isinstance(model, RestoRectDecomposer)
    for net in (model.decom_low, model.decom_high):
        assert sum(p.numel() for p in net.parameters()) == 20548
    # the texture loss's scale is a model parameter, so it is optimised
    names = [n for n, _ in model.named_parameters()]
    assert 'texture_loss.diffusion.scale' in names


def test_train_steps_and_loss_falls(model):
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=2e-3))
    batch = _batch()
    first = model.train_step(copy.deepcopy(batch), optim)
    assert {
        'loss', 'loss_recon_lq', 'loss_recon_gt', 'loss_reflectance',
        'loss_smooth_lq', 'loss_smooth_gt', 'loss_texture_gt',
        'texture_scale'
    } == set(first)
    # diagnostics (no 'loss' in the key) are not summed
    summed = sum(v for k, v in first.items() if k.startswith('loss_'))
    assert torch.isclose(first['loss'], summed)
    history = [first['loss'].item()]
    for _ in range(29):
        log_vars = model.train_step(copy.deepcopy(batch), optim)
        assert torch.isfinite(log_vars['loss'])
        history.append(log_vars['loss'].item())
    assert history[-1] < 0.6 * history[0]
    assert history[2] != history[0]
    # the scale moved: it is really in the optimiser
    assert model.texture_loss.diffusion.scale.item() != pytest.approx(0.1)


def test_gradient_reaches_texture_scale(model):
    data = model.data_preprocessor(_batch(), True)
    losses = model(**data, mode='loss')
    losses['loss_texture_gt'].backward()
    grad = model.texture_loss.diffusion.scale.grad
    assert grad is not None and grad.abs() > 0
    assert model.decom_high.decom[0].weight.grad.abs().sum() > 0


def test_predict_outputs(model):
    model.eval()
    with torch.no_grad():
        samples = model.val_step(_batch(n=2, size=12))
    assert len(samples) == 2
    out = samples[0].output
    for key in ('pred_img', 'recon_lq', 'reflectance_lq', 'reflectance_gt'):
        assert out.get(key).shape == (3, 12, 12), key
    for key in ('illumination_lq', 'illumination_gt'):
        assert out.get(key).shape == (1, 12, 12), key
    for key in out.keys():
        value = out.get(key)
        assert value.min() >= 0 and value.max() <= 255, key
    assert samples[0].input.shape == (3, 12, 12)
    assert samples[0].input.max() > 1  # destructed to 0..255


def test_predict_gt_matches_training_space(model):
    """pred_img is D_high's R*L of the ground truth, whether the GT came in
    normalised RGB (training) or 0..255 BGR (test preprocessing)."""
    model.eval()
    batch = _batch(n=1, size=10)
    train_data = model.data_preprocessor(copy.deepcopy(batch), True)
    with torch.no_grad():
        r, l = model.decom_high(train_data['data_samples'].gt_img)
        expected = (r * l * 255).clamp(0, 255).flip(1)[0]  # RGB -> BGR
        samples = model.val_step(copy.deepcopy(batch))
    assert torch.allclose(samples[0].output.pred_img, expected, atol=1e-3)


def test_tensor_mode_and_without_gt(model):
    inputs = torch.rand(2, 3, 8, 8)
    out = model(inputs, mode='tensor')
    assert out['reflectance_lq'].shape == (2, 3, 8, 8)
    assert out['illumination_lq'].shape == (2, 1, 8, 8)
    with torch.no_grad():
        samples = model(inputs, None, mode='predict')
    assert len(samples) == 2
    assert torch.allclose(samples[0].output.pred_img,
                          samples[0].output.recon_lq)
    with pytest.raises(ValueError, match='gt_img'):
        model(inputs, None, mode='loss')


def test_disabled_terms_and_targets():
    cfg = dict(CFG, texture_loss=None, smoothness_targets=('gt', ),
               reflectance_loss=None)
    model = MODELS.build(cfg)
    losses = model(**model.data_preprocessor(_batch(), True), mode='loss')
    assert set(losses) == {'loss_recon_lq', 'loss_recon_gt',
                           'loss_smooth_gt'}
    with pytest.raises(ValueError):
        MODELS.build(dict(CFG, texture_targets=('hq', )))


def test_metric_on_model_outputs(model):
    metric = METRICS.build(dict(type='RetinexDecompositionMetric'))
    model.eval()
    with torch.no_grad():
        samples = model.val_step(_batch())
    metric.process({}, [s.to_dict() for s in samples])
    result = metric.evaluate(2)
    assert set(result) == {'recon_lq_PSNR', 'recon_gt_PSNR',
                           'reflectance_L1'}
    assert all(isinstance(v, float) and v > 0 for v in result.values())

import pytest
import torch
import torch.nn as nn

from restorect_mm.models.rgformer import (ChannelLayerNorm, RGFormer,
                                          RetinexTransformerBlock,
                                          SpatialChannelLayerNorm)
from restorect_mm.registry import MODELS

TINY = dict(dim=8, num_blocks=(1, 1, 1, 1), num_refinement_blocks=1)


def n_params(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def priors(batch=1):
    return torch.rand(batch, 256), torch.rand(batch, 256)


@pytest.fixture(scope='module')
def full_model():
    torch.manual_seed(0)
    return RGFormer().eval()


def test_parameter_counts(full_model):
    assert n_params(full_model) == 23_552_315
    assert n_params(full_model.retinex_head) == 113_092
    assert n_params(RGFormer(with_retinex_head=False)) == 23_439_223


def test_older_variant_parameter_count():
    model = RGFormer(norm_type='WithBias', qk_norm=False)
    assert n_params(model) == 23_554_235  # + encoders = 25,890,683
    block = model.encoder_level1[0]
    assert isinstance(block.norm1, ChannelLayerNorm)
    assert isinstance(block.attn.attention.q_norm, nn.Identity)


@pytest.mark.parametrize('name,split,head_dim',
                         [('encoder_level1', (48, 16), 64),
                          ('encoder_level2', (96, 32), 64),
                          ('encoder_level3', (192, 64), 64),
                          ('latent', (384, 128), 64),
                          ('decoder_level3', (192, 64), 64),
                          ('decoder_level2', (96, 32), 64),
                          ('decoder_level1', (96, 32), 128)])
def test_retinex_split_and_qk_norm_sizes(full_model, name, split, head_dim):
    for block in getattr(full_model, name):
        assert isinstance(block, RetinexTransformerBlock)
        assert isinstance(block.norm1, SpatialChannelLayerNorm)
        attn = block.attn
        assert (attn.dim_r, attn.dim_i) == split
        assert attn.modulate_r.linear.weight.shape == (split[0], 192)
        assert attn.modulate_i.linear.weight.shape == (split[1], 64)
        assert attn.attention.q_norm.normalized_shape == (head_dim, )
        assert attn.attention.k_norm.normalized_shape == (head_dim, )


def test_refinement_blocks_use_image_prior(full_model):
    for block in full_model.refinement:
        assert block.attn.modulate.linear.weight.shape == (128, 256)
        assert block.attn.attention.q_norm.normalized_shape == (128, )
    assert full_model.reduce_chan_level3.bias is None
    assert full_model.reduce_chan_level2.bias is None


def test_level_shapes_full_width(full_model):
    expected = {
        'encoder_level1': (64, 64), 'encoder_level2': (128, 32),
        'encoder_level3': (256, 16), 'latent': (512, 8),
        'decoder_level3': (256, 16), 'decoder_level2': (128, 32),
        'decoder_level1': (128, 64), 'refinement': (128, 64),
        'up2_1': (64, 64)
    }
    seen = {}
    handles = [
        getattr(full_model, name).register_forward_hook(
            lambda m, i, o, name=name: seen.__setitem__(name, o.shape))
        for name in expected
    ]
    with torch.no_grad():
        out, decom_img, decom_mat = full_model.forward_with_aux(
            torch.rand(1, 3, 64, 64), *priors())
    for handle in handles:
        handle.remove()
    for name, (channels, size) in expected.items():
        assert seen[name] == (1, channels, size, size), name
    assert out.shape == decom_img.shape == (1, 3, 64, 64)
    assert decom_mat.shape == (1, 4, 64, 64)


def test_odd_sizes_come_back_unchanged():
    model = RGFormer(**TINY)
    img = torch.rand(2, 3, 37, 29)
    out, decom_img, decom_mat = model.forward_with_aux(img, *priors(2))
    assert out.shape == (2, 3, 37, 29)
    assert decom_img.shape == (2, 3, 37, 29)
    assert decom_mat.shape == (2, 4, 37, 29)
    assert model(torch.rand(1, 3, 5, 3), *priors()).shape == (1, 3, 5, 3)


def test_forward_matches_forward_with_aux_and_is_residual():
    torch.manual_seed(0)
    model = RGFormer(**TINY)
    img, (z_rex, z_img) = torch.rand(1, 3, 16, 24), priors()
    assert torch.equal(model(img, z_rex, z_img),
                       model.forward_with_aux(img, z_rex, z_img)[0])
    nn.init.zeros_(model.output.weight)
    assert torch.equal(model(img, z_rex, z_img), img)


def test_output_depends_on_both_priors():
    torch.manual_seed(0)
    model = RGFormer(**TINY)
    img, (z_rex, z_img) = torch.rand(1, 3, 16, 16), priors()
    out = model(img, z_rex, z_img)
    assert not torch.allclose(out, model(img, z_rex + 1, z_img))
    assert not torch.allclose(out, model(img, z_rex, z_img + 1))


def test_gradients_reach_every_parameter():
    torch.manual_seed(0)
    model = RGFormer(**TINY)
    out, decom_img, decom_mat = model.forward_with_aux(
        torch.rand(2, 3, 16, 16), *priors(2))
    (out.square().mean() + decom_img.mean() + decom_mat.mean()).backward()
    missing = [
        name for name, p in model.named_parameters()
        if p.grad is None or not p.grad.abs().sum() > 0
    ]
    assert missing == []


def test_inference_graph_has_no_head():
    model = RGFormer(with_retinex_head=False, **TINY)
    assert not hasattr(model, 'retinex_head')
    assert model(torch.rand(1, 3, 8, 8), *priors()).shape == (1, 3, 8, 8)
    with pytest.raises(RuntimeError):
        model.forward_with_aux(torch.rand(1, 3, 8, 8), *priors())


def test_registered_and_configurable():
    model = MODELS.build(dict(type='RGFormer', **TINY))
    assert isinstance(model, RGFormer)
    assert model.encoder_level1[0].attn.dim_r == 6
    assert model.output.out_channels == 3 and model.output.bias is None

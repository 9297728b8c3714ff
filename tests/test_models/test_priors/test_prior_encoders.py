import pytest
import torch

from restorect_mm.models.priors import (ImagePriorEncoder, ResBlock,
                                        RetinexPriorEncoder)
from restorect_mm.models.rgformer import RGFormer
from restorect_mm.registry import MODELS

TINY = dict(n_feats=8, n_encoder_res=2)


def n_params(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def test_resblock_is_residual():
    block = ResBlock(8)
    assert all(conv.bias is not None for conv in block.body[::2])
    torch.nn.init.zeros_(block.body[2].weight)
    torch.nn.init.zeros_(block.body[2].bias)
    x = torch.randn(1, 8, 5, 5)
    assert torch.equal(block(x), x)


def test_teacher_parameter_counts():
    rex, img = RetinexPriorEncoder(), ImagePriorEncoder()
    assert n_params(rex) == 1_263_616
    assert n_params(img) == 1_072_832
    assert n_params(rex) + n_params(img) + n_params(RGFormer()) == 25_888_763
    older = RGFormer(norm_type='WithBias', qk_norm=False)
    assert n_params(rex) + n_params(img) + n_params(older) == 25_890_683


def test_student_condition_parameter_counts():
    rex = RetinexPriorEncoder(in_images=1, final_norm='layernorm')
    img = ImagePriorEncoder(in_images=1, final_norm='layernorm')
    assert n_params(rex) == 1_226_752
    assert n_params(img) == 1_045_184


@pytest.mark.parametrize('in_images', [1, 2])
def test_output_shapes_full_width(in_images):
    rex = RetinexPriorEncoder(in_images=in_images)
    img = ImagePriorEncoder(in_images=in_images)
    maps = [torch.rand(2, 4, 32, 32) for _ in range(in_images)]
    images = [torch.rand(2, 3, 32, 32) for _ in range(in_images)]
    with torch.no_grad():
        assert rex(*maps).shape == (2, 256)
        assert img(*images).shape == (2, 256)


def test_non_multiple_of_four_is_padded():
    rex, img = RetinexPriorEncoder(**TINY), ImagePriorEncoder(**TINY)
    assert rex(torch.rand(1, 4, 13, 10), torch.rand(1, 4, 13, 10)).shape == (
        1, 32)
    assert img(torch.rand(1, 3, 13, 10), torch.rand(1, 3, 13, 10)).shape == (
        1, 32)


def test_wrong_number_of_inputs_raises():
    with pytest.raises(ValueError):
        ImagePriorEncoder(**TINY)(torch.rand(1, 3, 8, 8))
    with pytest.raises(ValueError):
        RetinexPriorEncoder(in_images=1, **TINY)(
            torch.rand(1, 4, 8, 8), torch.rand(1, 4, 8, 8))
    with pytest.raises(ValueError):
        ImagePriorEncoder(final_norm='batchnorm')


def test_resblocks_shared_between_paths():
    enc = RetinexPriorEncoder()
    resblocks = [m for m in enc.modules() if isinstance(m, ResBlock)]
    assert len(resblocks) == len(set(map(id, resblocks))) == 5
    calls = []
    enc.resblocks.register_forward_hook(
        lambda m, i, o: calls.append(i[0].shape))
    with torch.no_grad():
        enc(torch.rand(1, 4, 16, 16), torch.rand(1, 4, 16, 16))
    assert len(calls) == 2  # one module object, run by the R and I paths


def test_reflectance_and_illumination_paths_are_separate():
    torch.manual_seed(0)
    enc = RetinexPriorEncoder(in_images=1, **TINY)
    x = torch.rand(2, 4, 16, 16)
    x_l = x.clone()
    x_l[:, 3] = torch.rand(2, 16, 16)  # change the illumination only
    z, z_l = enc(x), enc(x_l)
    assert torch.equal(z[:, :24], z_l[:, :24])  # z_R: 3 * n_feats
    assert not torch.allclose(z[:, 24:], z_l[:, 24:])


def test_layernorm_final_output_is_standardised():
    torch.manual_seed(0)
    for enc, x in ((RetinexPriorEncoder(1, final_norm='layernorm'),
                    torch.rand(3, 4, 16, 16)),
                   (ImagePriorEncoder(1, final_norm='layernorm'),
                    torch.rand(3, 3, 16, 16))):
        with torch.no_grad():
            z = enc(x)
            enc.final_norm = None
            raw = enc(x)
        assert torch.allclose(z.mean(1), torch.zeros(3), atol=1e-5)
        # unit variance up to LayerNorm's eps=1e-5 on small raw features
        assert torch.allclose(z.var(1, unbiased=False), torch.ones(3),
                              atol=0.05)
        mu, var = raw.mean(1, keepdim=True), raw.var(1, False, keepdim=True)
        assert torch.allclose(z, (raw - mu) / torch.sqrt(var + 1e-5),
                              atol=1e-4)


def test_teacher_prior_is_not_normalised():
    torch.manual_seed(0)
    z = ImagePriorEncoder(**TINY)(torch.rand(3, 3, 16, 16),
                                  torch.rand(3, 3, 16, 16))
    assert not torch.allclose(z.var(1, unbiased=False), torch.ones(3),
                              atol=1e-2)


def test_registered():
    for name, cls in (('ImagePriorEncoder', ImagePriorEncoder),
                      ('RetinexPriorEncoder', RetinexPriorEncoder)):
        enc = MODELS.build(dict(type=name, in_images=1, **TINY))
        assert isinstance(enc, cls) and enc.in_images == 1

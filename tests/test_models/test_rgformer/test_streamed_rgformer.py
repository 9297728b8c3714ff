"""RGFormer run tile by tile equals the plain modules: each re-implemented
pass against its module on random weights and odd sizes, and the whole
streamed generator against ``RGFormer.forward`` at several tile sizes."""
from fractions import Fraction

import pytest
import torch
import torch.nn as nn

from restorect_mm.models.rgformer import (ChannelAttentionCore, Downsample,
                                          PriorTransformerBlock, RGFormer,
                                          RetinexTransformerBlock,
                                          SpatialChannelLayerNorm, Upsample)
from restorect_mm.models.rgformer.spatial_channel_layernorm import (
    statistics_from_sums, sum_statistics)
from restorect_mm.models.rgformer.streamed_blocks import (attention_residual,
                                                          ffn_residual,
                                                          whole_map_norm)
from restorect_mm.models.rgformer.streamed_rgformer import streamed_forward
from restorect_mm.models.rgformer.tile_grid import map_tiles, tile_grid

TOL = dict(rtol=1e-4, atol=1e-5)
# through the whole generator float32 rounding adds up (mostly in the plain
# forward's one-GEMM Gram sums); a wrong tile pass is off by > 1e-2
GENERATOR_TOL = dict(rtol=1e-4, atol=1e-4)


def randomise(module, seed=0, scale=0.3):
    """Perturb every parameter, so that weights at their init (ones, zeros)
    hide no mistake."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in module.parameters():
            param.add_(torch.randn(param.shape, generator=gen) * scale)
    return module.eval()


def test_tiles_cover_the_map_once():
    seen = torch.zeros(13, 21, dtype=torch.int64)
    for piece in tile_grid(13, 21, 4, halo=1):
        seen[piece.top:piece.bottom, piece.left:piece.right] += 1
        assert 0 <= piece.window_top and piece.window_bottom <= 13
        assert 0 <= piece.window_left and piece.window_right <= 21
    assert (seen == 1).all()


@pytest.mark.parametrize('tile', [2, 6, 64])
def test_map_tiles_equals_convs_and_resampling(tile):
    torch.manual_seed(0)
    conv = nn.Conv2d(5, 7, 3, padding=1)
    x = torch.randn(2, 5, 14, 22)  # even: Downsample needs it
    with torch.no_grad():
        torch.testing.assert_close(map_tiles(conv, [x], tile, 1), conv(x),
                                   **TOL)
        down, up = Downsample(6).eval(), Upsample(6).eval()
        y = torch.randn(1, 6, 14, 22)
        torch.testing.assert_close(
            map_tiles(down, [y], tile, 2, Fraction(1, 2)), down(y), **TOL)
        torch.testing.assert_close(map_tiles(up, [y], tile, 1, 2), up(y),
                                   **TOL)


def test_map_tiles_with_too_small_a_halo_differs():
    """The equality above is no accident: without the halo the border
    pixels of every tile change."""
    conv = nn.Conv2d(3, 3, 3, padding=1)
    x = torch.randn(1, 3, 12, 12)
    with torch.no_grad():
        assert not torch.allclose(map_tiles(conv, [x], 4, 0), conv(x),
                                  atol=1e-3)


def test_scln_from_tile_sums_equals_scln():
    norm = randomise(SpatialChannelLayerNorm(6))
    x = torch.randn(2, 6, 17, 23) * 3 + 5  # an offset mean, two samples
    sums = sum(sum_statistics(piece.region(x))
               for piece in tile_grid(17, 23, 5))
    mu, var = statistics_from_sums(sums)
    torch.testing.assert_close(mu.flatten(), x.mean(dim=(1, 2, 3)))
    torch.testing.assert_close(var.flatten(),
                               x.var(dim=(1, 2, 3), unbiased=False))
    normalize = whole_map_norm(norm, x, 5)
    with torch.no_grad():
        torch.testing.assert_close(normalize(x[..., 3:11, 4:19]),
                                   norm(x)[..., 3:11, 4:19], **TOL)


def test_similarity_from_sums_equals_normalised_gram():
    core = ChannelAttentionCore(8, 2)
    q, k = torch.randn(1, 2, 4, 50), torch.randn(1, 2, 4, 50)
    halves = [core.similarity_sums(q[..., :20], k[..., :20]),
              core.similarity_sums(q[..., 20:], k[..., 20:])]
    sums = [a + b for a, b in zip(*halves)]
    expected = (torch.nn.functional.normalize(q, dim=-1) @
                torch.nn.functional.normalize(k, dim=-1).transpose(-2, -1))
    torch.testing.assert_close(core.similarity_from_sums(*sums), expected)


def make_block(kind, norm_type='SpatialChannel', qk_norm=True):
    if kind == 'retinex':
        block = RetinexTransformerBlock(8, 2, norm_type=norm_type,
                                        rex_split=(6, 2), qk_norm=qk_norm)
        z = torch.randn(2, 8)
    else:
        block = PriorTransformerBlock(8, 2, norm_type=norm_type,
                                      prior_dim=5, qk_norm=qk_norm)
        z = torch.randn(2, 5)
    return randomise(block), z


@pytest.mark.parametrize('kind', ['retinex', 'prior'])
@pytest.mark.parametrize('norm_type,qk_norm', [('SpatialChannel', True),
                                               ('WithBias', False)])
@pytest.mark.parametrize('tile', [3, 8, 40])
def test_half_blocks_equal_the_block(kind, norm_type, qk_norm, tile):
    torch.manual_seed(1)
    block, z = make_block(kind, norm_type, qk_norm)
    x = torch.randn(2, 8, 13, 21)
    with torch.no_grad():
        mid = x + block.attn(block.norm1(x), z)
        torch.testing.assert_close(attention_residual(block, x, z, tile), mid,
                                   **TOL)
        torch.testing.assert_close(ffn_residual(block, mid, z, tile),
                                   block(x, z), **TOL)


def tiny_rgformer(**kw):
    torch.manual_seed(0)
    return randomise(RGFormer(dim=8, num_blocks=(1, 2, 1, 1),
                              num_refinement_blocks=1, prior_dim=12,
                              rex_split=(9, 3), with_retinex_head=False,
                              **kw), scale=0.1)


@pytest.mark.parametrize('tile', [4, 16, 64])
def test_streamed_forward_equals_forward(tile):
    model = tiny_rgformer()
    img = torch.rand(1, 3, 45, 67)  # padded to 48 x 72 inside
    z_rex, z_img = torch.randn(1, 12), torch.randn(1, 12)
    with torch.no_grad():
        expected = model(img, z_rex, z_img)
    out = streamed_forward(model, img, z_rex, z_img, tile)
    assert out.shape == expected.shape == img.shape
    torch.testing.assert_close(out, expected, **GENERATOR_TOL)


def test_streamed_forward_older_variant_and_batch():
    model = tiny_rgformer(norm_type='WithBias', qk_norm=False)
    img = torch.rand(2, 3, 24, 40)
    z_rex, z_img = torch.randn(2, 12), torch.randn(2, 12)
    with torch.no_grad():
        expected = model(img, z_rex, z_img)
    torch.testing.assert_close(streamed_forward(model, img, z_rex, z_img, 8),
                               expected, **GENERATOR_TOL)


def test_odd_tile_is_refused():
    model = tiny_rgformer()
    with pytest.raises(ValueError, match='even'):
        streamed_forward(model, torch.rand(1, 3, 16, 16), torch.randn(1, 12),
                         torch.randn(1, 12), 7)

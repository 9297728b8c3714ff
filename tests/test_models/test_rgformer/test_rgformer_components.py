import pytest
import torch
import torch.nn as nn

from restorect_mm.models.rgformer import (ChannelAttentionCore, Downsample,
                                          GatedDconvFFN,
                                          PriorChannelAttention,
                                          PriorModulation, RetinexHead,
                                          RetinexSplitAttention, Upsample)


def test_prior_modulation_is_x_times_one_plus_wz():
    mod = PriorModulation(5, 3)
    assert mod.linear.bias is None
    x, z = torch.randn(2, 3, 4, 4), torch.randn(2, 5)
    expected = x * (1 + (z @ mod.linear.weight.t()).view(2, 3, 1, 1))
    assert torch.allclose(mod(x, z), expected, atol=1e-6)
    nn.init.zeros_(mod.linear.weight)
    assert torch.equal(mod(x, z), x)


def test_channel_attention_core_qk_norm_and_temperature():
    core = ChannelAttentionCore(16, 4)
    for norm in (core.q_norm, core.k_norm):
        assert isinstance(norm, nn.LayerNorm)
        assert norm.weight.shape == (4, ) and norm.bias.shape == (4, )
    assert core.q_norm is not core.k_norm
    assert core.temperature.shape == (4, 1, 1)
    assert torch.equal(core.temperature, torch.ones(4, 1, 1))
    assert core.project_out.bias is None
    plain = ChannelAttentionCore(16, 4, qk_norm=False)
    assert isinstance(plain.q_norm, nn.Identity)
    q, k, v = (torch.randn(2, 16, 3, 5) for _ in range(3))
    assert core(q, k, v).shape == (2, 16, 3, 5)
    with pytest.raises(ValueError):
        ChannelAttentionCore(16, 3)


def test_channel_attention_mixes_channels_per_head_only():
    core = ChannelAttentionCore(8, 2, qk_norm=False)
    nn.init.dirac_(core.project_out.weight)
    q, k, v = (torch.randn(1, 8, 4, 4) for _ in range(3))
    v2 = v.clone()
    v2[:, 4:] += 1.  # second head's values only
    out, out2 = core(q, k, v), core(q, k, v2)
    assert torch.allclose(out[:, :4], out2[:, :4], atol=1e-6)
    assert not torch.allclose(out[:, 4:], out2[:, 4:])


def test_retinex_split_attention_routes_prior_parts():
    attn = RetinexSplitAttention(16, 2, rex_split=(192, 64))
    assert (attn.dim_r, attn.dim_i) == (12, 4)
    assert attn.modulate_r.linear.weight.shape == (12, 192)
    assert attn.modulate_i.linear.weight.shape == (4, 64)
    assert attn.q.in_channels == 12 and attn.kv.in_channels == 4
    assert attn.kv.out_channels == 32
    assert all(m.bias is None for m in attn.modules()
               if isinstance(m, nn.Conv2d))
    x, z = torch.randn(2, 16, 8, 8), torch.randn(2, 256)
    nn.init.zeros_(attn.modulate_r.linear.weight)
    z2 = z.clone()
    z2[:, :192] += 1.
    assert torch.allclose(attn(x, z), attn(x, z2), atol=1e-6)
    z3 = z.clone()
    z3[:, 192:] += 1.
    assert not torch.allclose(attn(x, z), attn(x, z3))


def test_prior_channel_attention_shapes():
    attn = PriorChannelAttention(16, 4, prior_dim=32)
    assert attn.qkv.out_channels == 48 and attn.qkv.bias is None
    assert attn(torch.randn(2, 16, 6, 4), torch.randn(2, 32)).shape == (2, 16,
                                                                       6, 4)


@pytest.mark.parametrize('dim,hidden', [(64, 170), (128, 340), (256, 680),
                                        (512, 1361)])
def test_ffn_hidden_width_is_truncated(dim, hidden):
    ffn = GatedDconvFFN(dim, 2.66)
    assert ffn.hidden_features == hidden
    assert ffn.project_in.out_channels == 2 * hidden
    assert ffn.project_out.in_channels == hidden


def test_ffn_forward_and_modulation():
    ffn = GatedDconvFFN(8, 2.66, prior_dim=16)
    x, z = torch.randn(2, 8, 5, 5), torch.randn(2, 16)
    assert ffn(x, z).shape == x.shape
    assert not torch.allclose(ffn(x, z), ffn(x, z + 1))


def test_downsample_upsample_shapes():
    down, up = Downsample(16), Upsample(32)
    y = down(torch.randn(2, 16, 8, 12))
    assert y.shape == (2, 32, 4, 6)
    assert up(y).shape == (2, 16, 8, 12)
    assert down.body[0].bias is None and up.body[0].bias is None


def test_retinex_head_outputs():
    head = RetinexHead(8)
    assert all(m.bias is not None for m in head.modules()
               if isinstance(m, nn.Conv2d))
    refl, illum, product = head(torch.randn(2, 8, 6, 6))
    assert refl.shape == (2, 3, 6, 6) and illum.shape == (2, 1, 6, 6)
    assert (refl >= 0).all() and (illum >= 0).all()
    assert torch.allclose(product, refl * illum)

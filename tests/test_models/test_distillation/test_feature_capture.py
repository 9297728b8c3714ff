import pytest
import torch

from restorect_mm.models.distillation import FeatureAdapters, FeatureCapture
from restorect_mm.models.losses import FLEXLoss
from restorect_mm.models.rgformer import RGFormer
from restorect_mm.registry import MODELS

DECODERS = ('decoder_level3', 'decoder_level2', 'decoder_level1')


@pytest.fixture(scope='module')
def rgformer():
    torch.manual_seed(0)
    return RGFormer(dim=8, num_blocks=(1, 1, 1, 1), num_refinement_blocks=1)


def nafnet():
    return MODELS.build(
        dict(
            type='NAFNet',
            img_channels=3,
            mid_channels=8,
            enc_blk_nums=[1, 1],
            middle_blk_num=1,
            dec_blk_nums=[1, 1]))


def test_capture_rgformer_decoder_levels(rgformer):
    x = torch.rand(2, 3, 32, 32)
    z = torch.rand(2, 256), torch.rand(2, 256)
    with FeatureCapture(rgformer, DECODERS) as feats:
        rgformer(x, *z)
    assert feats['decoder_level3'].shape == (2, 32, 8, 8)
    assert feats['decoder_level2'].shape == (2, 16, 16, 16)
    assert feats['decoder_level1'].shape == (2, 16, 32, 32)
    assert feats['decoder_level1'].requires_grad
    # hooks are gone after the block
    assert all(not getattr(rgformer, n)._forward_hooks for n in DECODERS)


def test_attach_detach_api_and_detach_option(rgformer):
    capture = FeatureCapture(rgformer, ['decoder_level2'], detach=True)
    x, z = torch.rand(1, 3, 16, 16), (torch.rand(1, 256), torch.rand(1, 256))
    rgformer(x, *z)
    assert capture.features == {}  # not attached yet
    capture.attach()
    rgformer(x, *z)
    capture.detach()
    assert not capture['decoder_level2'].requires_grad
    assert capture['decoder_level2'].shape == (1, 16, 8, 8)
    capture.clear()
    rgformer(x, *z)
    with pytest.raises(KeyError, match='decoder_level2'):
        capture['decoder_level2']


def test_missing_module_error_names_it_and_lists_names(rgformer):
    with pytest.raises(KeyError) as err:
        FeatureCapture(rgformer, ['decoder_level4', 'decoder_level1'])
    message = str(err.value)
    assert "'decoder_level4'" in message
    assert 'decoder_level3' in message and 'refinement' in message


def test_capture_nafnet_decoders():
    net = nafnet()
    names = [n for n, _ in net.named_modules()]
    assert 'decoders.0' in names and 'decoders.1' in names
    with FeatureCapture(net, ['decoders.0', 'decoders.1']) as feats:
        out = net(torch.rand(2, 3, 16, 16))
    assert out.shape == (2, 3, 16, 16)
    assert feats['decoders.0'].shape == (2, 16, 8, 8)
    assert feats['decoders.1'].shape == (2, 8, 16, 16)


def test_adapters_bridge_channels_and_train(rgformer):
    student = nafnet()
    adapters = MODELS.build(
        dict(
            type='FeatureAdapters',
            channels={
                'decoders.1': (8, 16),
                'same': (5, 5),
                'vec': (8, 12)
            }))
    assert isinstance(adapters, FeatureAdapters)
    assert sum(p.numel() for p in adapters.parameters()) == (8 * 16 + 16 +
                                                             8 * 12 + 12)
    x = torch.rand(2, 3, 16, 16)
    z = torch.rand(2, 256), torch.rand(2, 256)
    with torch.no_grad(), FeatureCapture(rgformer,
                                         ['decoder_level1']) as t_feats:
        rgformer(x, *z)
    with FeatureCapture(student, ['decoders.1']) as s_feats:
        student(x)
    vec = torch.randn(2, 8, requires_grad=True)
    adapted = adapters({'decoders.1': s_feats['decoders.1'], 'vec': vec,
                        'same': torch.ones(2, 5)})
    assert adapted['decoders.1'].shape == (2, 16, 16, 16)
    assert adapted['vec'].shape == (2, 12)
    assert torch.equal(adapted['same'], torch.ones(2, 5))
    loss = FLEXLoss()([adapted['decoders.1'], adapted['vec']],
                      [t_feats['decoder_level1'], torch.randn(2, 12)])
    loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in adapters.parameters())
    assert student.intro.weight.grad.abs().sum() > 0
    assert vec.grad.abs().sum() > 0


def test_adapters_by_position_pass_unknown_through():
    adapters = FeatureAdapters([(4, 6)])
    maps = [torch.randn(1, 4, 3, 3), torch.randn(1, 7, 3, 3)]
    out = adapters(maps)
    assert out[0].shape == (1, 6, 3, 3) and out[1] is maps[1]
    assert list(FeatureAdapters().parameters()) == []

import pytest
import torch

from restorect_mm.models.flows import VelocityPredictor
from restorect_mm.registry import MODELS


def test_default_parameter_count_and_shapes():
    net = MODELS.build(dict(type='VelocityPredictor'))
    assert sum(p.numel() for p in net.parameters()) == 197_376
    first = net.mlp[0]
    assert first.weight.shape == (256, 513) and first.bias is not None
    out = net(torch.randn(3, 256), torch.full((3, 1), 0.05),
              torch.randn(3, 256))
    assert out.shape == (3, 256)


def test_input_order_is_cond_time_state():
    net = VelocityPredictor(n_feats=2, n_denoise_res=0)
    lin = net.mlp[0]
    with torch.no_grad():
        lin.weight.zero_()
        lin.bias.zero_()
        lin.weight[0, 0] = 1.0  # first input = c[0]
        lin.weight[1, 8] = 1.0  # 9th input = t
        lin.weight[2, 9] = 1.0  # 10th input = x[0]
    cond, x = torch.full((1, 8), 2.0), torch.full((1, 8), 3.0)
    out = net(x, 0.5, cond)
    assert out[0, :3].tolist() == [2.0, 0.5, 3.0]


@pytest.mark.parametrize('t', [0.025, torch.tensor(0.025),
                               torch.full((2, ), 0.025),
                               torch.full((2, 1), 0.025)])
def test_time_input_forms_agree(t):
    torch.manual_seed(0)
    net = VelocityPredictor(n_feats=4)
    x, c = torch.randn(2, 16), torch.randn(2, 16)
    ref = net(x, torch.full((2, 1), 0.025), c)
    torch.testing.assert_close(net(x, t, c), ref)


def test_output_passes_leaky_relu_and_depth():
    torch.manual_seed(0)
    net = VelocityPredictor(n_feats=4, n_denoise_res=3, cond_dim=6)
    assert len([m for m in net.mlp if isinstance(m, torch.nn.Linear)]) == 4
    out = net(torch.randn(64, 16), 0.0, torch.randn(64, 6))
    neg = out[out < 0]
    assert neg.numel() > 0
    # negative outputs are LeakyReLU(0.1)-scaled: small in magnitude
    assert neg.abs().max() < out[out > 0].max()


def test_batch_mismatch_raises():
    net = VelocityPredictor(n_feats=4)
    with pytest.raises(ValueError, match='batch'):
        net(torch.randn(2, 16), torch.zeros(3), torch.randn(2, 16))


def test_linear_output_ends_on_the_last_linear_with_the_same_weights():
    torch.manual_seed(0)
    reference = VelocityPredictor(n_feats=4, cond_dim=6)
    linear = VelocityPredictor(n_feats=4, cond_dim=6,
                               output_activation=False)
    linear.load_state_dict(reference.state_dict())  # same keys, same file
    assert isinstance(linear.mlp[-1], torch.nn.Linear)
    x, c = torch.randn(64, 16), torch.randn(64, 6)
    plain = linear(x, 0.0, c)
    assert (plain < 0).any()
    # the reference output is LeakyReLU(0.1) of the same pre-activation
    torch.testing.assert_close(reference(x, 0.0, c),
                               torch.nn.functional.leaky_relu(plain, 0.1))

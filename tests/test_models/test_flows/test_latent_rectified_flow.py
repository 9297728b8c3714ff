import pytest
import torch
import torch.nn.functional as F
import torch.nn as nn

from restorect_mm.models.flows import (ConditionalLatentRectifiedFlow,
                                       VelocityPredictor)
from restorect_mm.registry import MODELS

DIM = 16


class RecordingVelocity(nn.Module):
    """Velocity stub: records (x, t_in, c) and returns fn(x, t_in, c)."""

    def __init__(self, fn, state_dim=DIM):
        super().__init__()
        self.fn = fn
        self.state_dim = state_dim
        self.calls = []
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x, t, c):
        self.calls.append((x.detach().clone(), t.detach().clone(),
                           c.detach().clone()))
        return self.fn(x, t, c) + 0 * self.dummy


class CountingCondition(nn.Linear):

    def __init__(self, in_dim=8, out_dim=DIM):
        super().__init__(in_dim, out_dim)
        self.n_calls = 0

    def forward(self, x):
        self.n_calls += 1
        return super().forward(x)


def make_flow(velocity, condition=None, **kwargs):
    return ConditionalLatentRectifiedFlow(
        velocity_net=velocity,
        condition_net=condition or nn.Identity(),
        **kwargs)


def test_velocity_loss_target_interpolation_and_time_input():
    torch.manual_seed(0)
    z_star, eps, cond = (torch.randn(4, DIM) for _ in range(3))
    k = torch.tensor([0, 1, 2, 3])
    stub = RecordingVelocity(lambda x, t, c: torch.zeros_like(x))
    flow = make_flow(stub)
    v, target = flow.velocity_pair(z_star, cond, k=k, noise=eps)
    torch.testing.assert_close(v, torch.zeros_like(z_star))
    torch.testing.assert_close(target, eps - z_star)
    x, t_in, c = stub.calls[0]
    t = (k / 3.0)[:, None]
    torch.testing.assert_close(x, (1 - t) * z_star + t * eps)
    torch.testing.assert_close(x[0], z_star[0])  # k = 0 sees the data
    torch.testing.assert_close(t_in, (k / 40.0)[:, None])
    torch.testing.assert_close(c, cond)
    # a net predicting eps - z* exactly meets its target
    exact = make_flow(RecordingVelocity(lambda x, t, c: eps - z_star))
    v, target = exact.velocity_pair(z_star, cond, k=k, noise=eps)
    torch.testing.assert_close(v, target)


def test_drawn_indices_cover_the_grid():
    stub = RecordingVelocity(lambda x, t, c: torch.zeros_like(x))
    flow = make_flow(stub)
    gen = torch.Generator().manual_seed(0)
    flow.velocity_pair(torch.randn(256, DIM), torch.randn(256, DIM), gen)
    t_in = stub.calls[0][1].flatten()
    k = t_in * 40
    torch.testing.assert_close(k, k.round())
    assert set(k.round().long().tolist()) == {0, 1, 2, 3}


@pytest.mark.parametrize('n,expected', [(4, [3, 2, 1, 0]),
                                        (5, [3, 2, 1, 1, 0]), (1, [3]),
                                        (3, [3, 2, 1]),
                                        (8, [3, 2, 2, 1, 1, 1, 0, 0])])
def test_index_sequence(n, expected):
    flow = make_flow(RecordingVelocity(lambda x, t, c: x))
    assert flow.index_sequence(n) == expected
    assert flow.sampler_time_inputs(n) == [k / 40 for k in expected]


def test_sampler_feeds_the_index_time_inputs():
    stub = RecordingVelocity(lambda x, t, c: torch.zeros_like(x))
    flow = make_flow(stub, num_steps=5)
    assert flow.time_grid() == [1.0, 0.8, 0.6, 0.4, 0.2]
    flow.sample(torch.randn(2, DIM))
    seen = torch.stack([call[1][:, 0] for call in stub.calls])
    expected = torch.tensor([3, 2, 1, 1, 0])[:, None].expand(5, 2) / 40
    torch.testing.assert_close(seen, expected)


@pytest.mark.parametrize('n', [1, 2, 4, 5, 7])
def test_constant_field_is_integrated_exactly(n):
    torch.manual_seed(0)
    z0, eps = torch.randn(3, DIM), torch.randn(3, DIM)
    flow = make_flow(RecordingVelocity(lambda x, t, c: eps - z0))
    out = flow.sample(torch.zeros(3, DIM), num_steps=n, noise=eps)
    torch.testing.assert_close(out, z0)


@pytest.mark.parametrize('time_input', ['index', 'continuous'])
@pytest.mark.parametrize('n', [3, 4, 5])
def test_linear_field_matches_euler_product(n, time_input):
    a = 0.7
    eps = torch.randn(2, DIM, dtype=torch.float64)
    # time-dependent linear field v = a (1 + t_in) x
    flow = make_flow(
        RecordingVelocity(lambda x, t, c: a * (1 + t) * x),
        time_input=time_input)
    out = flow.sample(
        torch.zeros(2, DIM, dtype=torch.float64), num_steps=n, noise=eps)
    factor = 1.0
    for t_in in flow.sampler_time_inputs(n):
        factor *= 1 - a * (1 + t_in) / n
    torch.testing.assert_close(out, factor * eps)


def _real_flow(grad_through_sampler, **kwargs):
    torch.manual_seed(0)
    return make_flow(
        VelocityPredictor(n_feats=DIM // 4),
        CountingCondition(),
        grad_through_sampler=grad_through_sampler,
        **kwargs)


def _grads(module):
    return [p.grad for p in module.parameters()]


def test_grad_through_sampler_trains_condition_and_velocity():
    flow = _real_flow(True)
    out = flow(torch.randn(4, 8))
    assert set(out) == {'z_hat', 'cond'}
    z_hat, cond = out['z_hat'], out['cond']
    assert z_hat.shape == (4, DIM) and cond.shape == (4, DIM)
    z_hat.pow(2).mean().backward()
    for grads in (_grads(flow.condition_net), _grads(flow.velocity_net)):
        assert all(g is not None and g.abs().sum() > 0 for g in grads)


def test_no_grad_sampler_trains_through_velocity_loss_only():
    flow = _real_flow(False)
    out = flow(torch.randn(4, 8), z_star=torch.randn(4, DIM))
    assert not out['z_hat'].requires_grad
    F.mse_loss(out['velocity'], out['velocity_target']).backward()
    for grads in (_grads(flow.condition_net), _grads(flow.velocity_net)):
        assert all(g is not None and g.abs().sum() > 0 for g in grads)


def test_training_forward_computes_condition_once():
    flow = _real_flow(True, num_steps=5)
    out = flow(
        torch.randn(4, 8), z_star=torch.randn(4, DIM),
        generator=torch.Generator().manual_seed(1))
    assert set(out) == {'velocity', 'velocity_target', 'z_hat', 'cond'}
    assert flow.condition_net.n_calls == 1
    assert out['velocity'].shape == out['velocity_target'].shape == (4, DIM)
    assert out['z_hat'].shape == (4, DIM) and out['z_hat'].requires_grad


def test_generator_makes_training_and_sampling_reproducible():
    flow = _real_flow(True)
    z_star, lq = torch.randn(4, DIM), torch.randn(4, 8)

    def run(seed):
        gen = torch.Generator().manual_seed(seed)
        out = flow(lq, generator=gen, z_star=z_star)
        loss = F.mse_loss(out['velocity'], out['velocity_target'])
        return loss.item(), out['z_hat'].detach()

    (l1, z1), (l2, z2), (l3, z3) = run(0), run(0), run(1)
    assert l1 == l2 and torch.equal(z1, z2)
    assert l1 != l3 and not torch.equal(z1, z3)
    gen_a = torch.Generator().manual_seed(5)
    gen_b = torch.Generator().manual_seed(5)
    torch.testing.assert_close(
        flow(lq, generator=gen_a)['z_hat'], flow(lq, generator=gen_b)['z_hat'])


def test_continuous_mode():
    torch.manual_seed(0)
    z_star, eps, cond = (torch.randn(3, DIM) for _ in range(3))
    stub = RecordingVelocity(lambda x, t, c: torch.zeros_like(x))
    flow = make_flow(stub, time_input='continuous')
    t = torch.tensor([0.1, 0.5, 0.93])
    flow.velocity_pair(z_star, cond, t=t, noise=eps)
    x, t_in, _ = stub.calls[-1]
    torch.testing.assert_close(t_in, t[:, None])
    torch.testing.assert_close(x, (1 - t[:, None]) * z_star + t[:, None] * eps)
    flow.velocity_pair(z_star.repeat(100, 1), cond.repeat(100, 1))
    drawn = stub.calls[-1][1]
    assert drawn.min() >= 0 and drawn.max() <= 1
    assert len(drawn.unique()) > 50  # not a 4-point grid
    assert flow.sampler_time_inputs(4) == [1.0, 0.75, 0.5, 0.25]
    assert flow.sampler_time_inputs(3) == pytest.approx([1.0, 2 / 3, 1 / 3])


def test_built_from_configs_with_condition_encoder_and_image_input():
    flow = MODELS.build(
        dict(
            type='ConditionalLatentRectifiedFlow',
            velocity_net=dict(type='VelocityPredictor', n_feats=4),
            condition_net=dict(
                type='ImagePriorEncoder',
                in_images=1,
                n_feats=4,
                n_encoder_res=1,
                final_norm='layernorm')))
    lq = torch.rand(2, 3, 16, 16)
    out = flow(lq)
    assert out['z_hat'].shape == (2, 16) and out['cond'].shape == (2, 16)
    out = flow([lq], num_steps=5)  # a list is unpacked
    assert out['z_hat'].shape == (2, 16)


def test_invalid_arguments():
    with pytest.raises(ValueError, match='time_input'):
        make_flow(nn.Identity(), time_input='logit')
    with pytest.raises(ValueError, match='timesteps'):
        make_flow(nn.Identity(), timesteps=1)

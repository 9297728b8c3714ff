import math

import pytest
import torch

from restorect_mm.models.losses import KDLoss
from restorect_mm.registry import MODELS


def test_l1_and_kl_values():
    torch.manual_seed(0)
    z_hat = torch.randn(3, 8, requires_grad=True)
    z_star = torch.randn(3, 8, requires_grad=True)
    kd = MODELS.build(dict(type='KDLoss', loss_weight=2.0))
    loss, kl_logged = kd(z_hat, z_star), kd.kl_divergence(z_hat, z_star)
    expected_l1 = (z_hat - z_star).abs().mean()
    torch.testing.assert_close(loss, 2.0 * expected_l1)
    p_t = torch.softmax(z_star / 0.15, dim=1)
    p_s = torch.softmax(z_hat / 0.15, dim=1)
    kl = (p_t * (p_t.log() - p_s.log())).sum() / 3  # batchmean
    torch.testing.assert_close(kl_logged, 2.0 * kl.detach())
    assert not kl_logged.requires_grad
    loss.backward()
    assert z_star.grad is None  # teacher detached
    assert z_hat.grad is not None and z_hat.grad.abs().sum() > 0


def test_identical_priors_give_zero_and_temperature_matters():
    z = torch.randn(2, 16)
    kd = KDLoss()
    assert kd(z, z.clone()).item() == 0.0
    assert kd.kl_divergence(z, z.clone()).item() == pytest.approx(0.0,
                                                                   abs=1e-6)
    # two classes, swapped logits 0/1: KL = d * tanh(d / 2) with d = 1 / T
    z_star, z_hat = torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 0.0]])
    for temperature in (1.0, 0.15):
        d = 1 / temperature
        kl = KDLoss(temperature=temperature).kl_divergence(z_hat, z_star)
        assert kl.item() == pytest.approx(d * math.tanh(d / 2), rel=1e-5)


def test_reductions():
    z_hat, z = torch.zeros(2, 4), torch.ones(2, 4)
    assert KDLoss(reduction='sum')(z_hat, z).item() == 8.0
    assert KDLoss(reduction='none')(z_hat, z).shape == (2, 4)
    with pytest.raises(ValueError):
        KDLoss(reduction='max')

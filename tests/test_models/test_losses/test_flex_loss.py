import math

import numpy as np
import pytest
import torch

from restorect_mm.models.losses import FLEXLoss
from restorect_mm.models.losses.flex_loss import (default_layer_weight,
                                                  flex_layer_loss, percentile,
                                                  resolution_weight)
from restorect_mm.registry import MODELS


def test_zero_for_identical_features():
    torch.manual_seed(0)
    feats = [torch.randn(2, 4, 8, 8), torch.randn(2, 32)]
    loss = FLEXLoss()([f.clone() for f in feats], feats)
    assert loss.item() == 0.0


def test_hand_computed_vector_case():
    student = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    teacher = torch.full((1, 4), 2.0)
    # mu = 2.5, biased var = 1.25; T - S = [1, 0, -1, -2] -> sum sq 6
    # mean over 4 entries of 6 / 1.25 / 4 = 1.2; lambda_0 = 1 / sqrt(4)
    loss = FLEXLoss(loss_weight=1.0)([student], [teacher])
    assert loss.item() == pytest.approx(0.5 * 1.2, rel=1e-6)
    loss = FLEXLoss(loss_weight=2.0, layer_weights=[3.0])(student, teacher)
    assert loss.item() == pytest.approx(2.0 * 3.0 * 1.2, rel=1e-6)


def test_hand_computed_map_case_with_mask_and_resolution():
    student = torch.tensor([[[[0.0, 1.0], [2.0, 5.0]]]])
    teacher = torch.ones(1, 1, 2, 2)
    # mu = 2, var = 3.5; |S_hat| ranks 5 highest -> masked by the 95th
    # percentile (q between the 3rd and 4th order statistics)
    # kept T - S = [1, 0, -1] -> 2 / 3.5 / 3; rho = (4096 / 4) ** 0.25
    rho = 1024**0.25
    expected = 0.5 * rho * 2 / 3.5 / 3
    loss = FLEXLoss(loss_weight=1.0)([student], [teacher])
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    # without the mask all 4 positions count: 18 / 3.5 / 4
    loss = FLEXLoss(loss_weight=1.0, outlier_percentile=None)(student, teacher)
    assert loss.item() == pytest.approx(0.5 * rho * 18 / 3.5 / 4, rel=1e-6)


def _numpy_flex_map(t, s, p=95.0, eps=1e-8):
    mu = s.mean(axis=(2, 3), keepdims=True)
    sd = s.std(axis=(2, 3), keepdims=True) + eps
    sh, th = (s - mu) / sd, (t - mu) / sd
    mag = np.abs(sh).reshape(*sh.shape[:2], -1)
    q = np.percentile(mag, p, axis=-1)[..., None, None]
    m = (np.abs(sh) <= q).astype(np.float64)
    h, w = s.shape[-2:]
    rho = max((4096 / (h * w))**0.25, 0.1)
    return rho * (m * (th - sh)**2).sum() / (m.sum() + eps)


def test_matches_independent_numpy_reference():
    rng = np.random.default_rng(0)
    s, t = rng.normal(size=(2, 3, 12, 10)), rng.normal(size=(2, 3, 12, 10))
    ours = flex_layer_loss(torch.from_numpy(t), torch.from_numpy(s))
    assert ours.item() == pytest.approx(_numpy_flex_map(t, s), rel=1e-6)


def test_masked_top_positions_are_ignored():
    torch.manual_seed(0)
    student = torch.randn(2, 3, 10, 10)
    teacher = student + 0.1 * torch.randn_like(student)
    flex = FLEXLoss()
    base = flex([student], [teacher])
    flat = student.flatten(2)
    mag = (flat - flat.mean(-1, keepdim=True)).abs()
    top = mag.topk(5, dim=-1).indices  # 5 % of 100 positions
    kept = mag.topk(6, dim=-1).indices[..., 5:]  # the largest kept one
    outliers = teacher.flatten(2).clone().scatter_add(
        -1, top, torch.full(top.shape, 50.0))
    changed = teacher.flatten(2).clone().scatter_add(
        -1, kept, torch.full(kept.shape, 50.0))
    same = flex([student], [outliers.view_as(teacher)])
    other = flex([student], [changed.view_as(teacher)])
    assert same.item() == pytest.approx(base.item(), rel=1e-6)
    assert other.item() > 2 * base.item()


def test_resolution_and_layer_weights():
    assert resolution_weight(64, 64) == 1.0
    assert resolution_weight(128, 128) == pytest.approx(2**-0.5)
    assert resolution_weight(32, 32) == pytest.approx(2**0.5)
    assert resolution_weight(1024, 1024) == pytest.approx(0.25)
    assert resolution_weight(8192, 8192) == 0.1  # floored
    assert [default_layer_weight(i) for i in range(5)] == pytest.approx(
        [0.5, 1 / math.sqrt(2), 1.0, 1.0, 1.0])
    # the map weight is applied: same content at 128x128 costs 2^-0.5 of it
    torch.manual_seed(0)
    s, t = torch.randn(1, 1, 128, 128), torch.randn(1, 1, 128, 128)
    full = flex_layer_loss(t, s, outlier_percentile=None)
    plain = ((t - s) / s.std(unbiased=False))**2
    assert full.item() == pytest.approx(2**-0.5 * plain.mean().item(),
                                        rel=1e-4)


def test_non_finite_values_never_propagate():
    torch.manual_seed(0)
    student = torch.randn(2, 3, 8, 8)
    teacher = torch.randn(2, 3, 8, 8)
    student[0, 0, 0, 0] = float('nan')
    student[1, 2, 3, 3] = float('inf')
    teacher[0, 1, 2, 2] = float('-inf')
    teacher[1, 0, 5, 5] = float('nan')
    vec_s, vec_t = torch.randn(2, 16), torch.randn(2, 16)
    vec_s[0, 3] = float('nan')
    vec_t[1, 4] = float('inf')
    student.requires_grad_(True)
    vec_s.requires_grad_(True)
    loss = FLEXLoss()([student, vec_s], [teacher, vec_t])
    assert torch.isfinite(loss)
    loss.backward()
    assert torch.isfinite(student.grad).all()
    assert torch.isfinite(vec_s.grad).all()
    assert student.grad[0, 0, 0, 0] == 0 and vec_s.grad[0, 3] == 0
    # an all-finite pair without a mask equals the loss with the bad entry
    # of a vector removed
    s, t = torch.tensor([[1.0, 2.0, float('nan'), 3.0, 4.0]]), torch.full(
        (1, 5), 2.0)
    ref = flex_layer_loss(torch.full((1, 4), 2.0),
                          torch.tensor([[1.0, 2.0, 3.0, 4.0]]))
    assert flex_layer_loss(t, s).item() == pytest.approx(ref.item())


def test_constant_student_map_has_finite_gradient():
    student = torch.ones(1, 2, 4, 4, requires_grad=True)
    loss = FLEXLoss()(student, torch.ones(1, 2, 4, 4))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(student.grad).all()


def test_dict_inputs_keys_and_layer_weights():
    torch.manual_seed(0)
    t = {'a': torch.randn(2, 4, 8, 8), 'b': torch.randn(2, 16)}
    s = {'b': torch.randn(2, 16), 'a': torch.randn(2, 4, 8, 8)}
    as_list = FLEXLoss()([s['a'], s['b']], [t['a'], t['b']])
    torch.testing.assert_close(FLEXLoss()(s, t), as_list)
    per_layer = FLEXLoss(reduction='none')(s, t)
    assert per_layer.shape == (2, )
    by_key = FLEXLoss(layer_weights={'b': 4.0}, reduction='none')(s, t)
    torch.testing.assert_close(by_key[0], per_layer[0] / 0.5)  # a: 1.0
    torch.testing.assert_close(by_key[1], per_layer[1] / (2**-0.5) * 4.0)
    with pytest.raises(KeyError):
        FLEXLoss()({'a': s['a']}, t)
    with pytest.raises(ValueError, match="'a'"):
        FLEXLoss()({'a': s['a'][:, :2], 'b': s['b']}, t)


def test_teacher_detached_and_float32_under_autocast():
    teacher = torch.randn(2, 4, 8, 8, requires_grad=True)
    student = torch.randn(2, 4, 8, 8, requires_grad=True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = MODELS.build(dict(type='FLEXLoss'))(
            [student.bfloat16()], [teacher.bfloat16()])
    assert loss.dtype == torch.float32
    loss.backward()
    assert teacher.grad is None and student.grad is not None


def test_percentile_matches_quantile():
    torch.manual_seed(0)
    x = torch.randn(6, 1001)
    for q in (0.0, 50.0, 95.0, 99.9, 100.0):
        torch.testing.assert_close(
            percentile(x, q), torch.quantile(x, q / 100, dim=-1,
                                             keepdim=True))

"""FLEX: Feature Layer EXtraction loss (the paper's multi-scale feature
alignment; the reference code applies it to the two prior vectors only,
the distiller's ``flex_targets=['priors']``, see docs/method.md).

Aligns teacher and student features layer by layer. For each pair:

1. cross-normalisation with the student's statistics: mu, sigma = mean and
   biased std of the student over dims (2, 3) of a (B, C, H, W) map or over
   dim 1 of a (B, D) vector, sigma += eps; ``T_hat = (T - mu) / sigma``,
   ``S_hat = (S - mu) / sigma``;
2. outlier mask (maps only): per sample and channel, q = the
   ``outlier_percentile`` percentile of |S_hat| over H * W and
   ``M = |S_hat| <= q`` (the largest 5 % student magnitudes are dropped);
3. resolution weight (maps only):
   ``rho = max((resolution_ref / (H W)) ** 0.25, min_resolution_weight)``;
4. layer weight lambda: ``layer_weights`` or ``1 / sqrt(r)`` with r from
   ``default_ratios`` (1 beyond the list);
5. ``l = lambda * rho * sum(M (T_hat - S_hat)^2) / (sum(M) + eps)``.

``L = loss_weight * mean_l l``. Teacher features are detached, everything is
computed in float32 (autocast off), and non-finite values of either input
are left out of the statistics and of the mask, so they never reach the
loss or the gradients.
"""
import math
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from restorect_mm.registry import MODELS

Features = Union[torch.Tensor, Sequence[torch.Tensor], Mapping[str,
                                                               torch.Tensor]]
_REDUCTIONS = ('none', 'mean', 'sum')


def percentile(values: torch.Tensor, q: float) -> torch.Tensor:
    """The q-th percentile along the last dim, with linear interpolation
    between order statistics (as ``torch.quantile``'s default), through
    ``kthvalue`` so that inputs beyond ``torch.quantile``'s 2**24-element
    limit work.

    Args:
        values (Tensor): (..., n).
        q (float): Percentile in [0, 100].

    Returns:
        Tensor: (..., 1).
    """
    n = values.shape[-1]
    pos = q / 100.0 * (n - 1)
    low = int(math.floor(pos))
    frac = pos - low
    v_low = values.kthvalue(low + 1, dim=-1, keepdim=True).values
    if frac == 0 or low + 1 >= n:
        return v_low
    v_high = values.kthvalue(low + 2, dim=-1, keepdim=True).values
    return v_low + frac * (v_high - v_low)


def resolution_weight(height: int, width: int, resolution_ref: float = 4096,
                      min_weight: float = 0.1) -> float:
    """``max((resolution_ref / (H W)) ** 0.25, min_weight)``."""
    return max((resolution_ref / (height * width))**0.25, min_weight)


def default_layer_weight(index: int,
                         ratios: Sequence[float] = (4, 2, 1, 1)) -> float:
    """``1 / sqrt(ratios[index])``; 1 beyond the list."""
    return 1.0 / math.sqrt(ratios[index]) if index < len(ratios) else 1.0


def flex_layer_loss(teacher: torch.Tensor,
                    student: torch.Tensor,
                    outlier_percentile: Optional[float] = 95.0,
                    resolution_ref: float = 4096,
                    min_resolution_weight: float = 0.1,
                    eps: float = 1e-8) -> torch.Tensor:
    """FLEX term of one layer before its layer weight: ``rho * sum(M (T_hat -
    S_hat)^2) / (sum(M) + eps)``.

    Args:
        teacher (Tensor): (B, C, H, W) or (B, D); detached here.
        student (Tensor): Same shape.
        outlier_percentile (float, optional): Percentile of the outlier
            mask on maps; None disables the mask.
        resolution_ref (float): H * W at which rho = 1.
        min_resolution_weight (float): Lower bound of rho.
        eps (float): Added to sigma and to the mask count. sigma is also
            kept at least eps before adding, so a constant student map has a
            finite gradient.

    Returns:
        Tensor: Scalar, float32 (float64 for float64 inputs).
    """
    if teacher.shape != student.shape:
        raise ValueError(f'teacher {tuple(teacher.shape)} and student '
                         f'{tuple(student.shape)} features differ in shape')
    if student.dim() not in (2, 4):
        raise ValueError('FLEX takes (B, C, H, W) maps or (B, D) vectors, '
                         f'got shape {tuple(student.shape)}')
    dtype = torch.promote_types(student.dtype, torch.float32)
    student = student.to(dtype)
    teacher = teacher.detach().to(dtype)
    is_map = student.dim() == 4
    dims = (2, 3) if is_map else (1, )

    finite_s = torch.isfinite(student)
    valid = finite_s & torch.isfinite(teacher)
    # zero non-finite entries before any arithmetic (where's backward sends
    # no gradient to them)
    student = torch.where(finite_s, student, torch.zeros_like(student))
    teacher = torch.where(valid, teacher, torch.zeros_like(teacher))

    count = finite_s.sum(dims, keepdim=True).clamp_min(1)
    mean = student.sum(dims, keepdim=True) / count
    centred = torch.where(finite_s, student - mean, torch.zeros_like(student))
    var = (centred**2).sum(dims, keepdim=True) / count
    sigma = var.clamp_min(eps**2).sqrt() + eps
    s_hat = (student - mean) / sigma
    t_hat = (teacher - mean) / sigma

    mask = valid
    rho = 1.0
    if is_map:
        height, width = student.shape[-2:]
        rho = resolution_weight(height, width, resolution_ref,
                                min_resolution_weight)
        if outlier_percentile is not None and outlier_percentile < 100:
            with torch.no_grad():
                mag = s_hat.abs().flatten(2)  # (B, C, H * W)
                q = percentile(mag, outlier_percentile)
                mask = mask & (mag <= q).view_as(s_hat)
    mask = mask.to(dtype)
    sq = mask * (t_hat - s_hat)**2
    return rho * sq.sum() / (mask.sum() + eps)


def _pairs(teacher_feats: Features, student_feats: Features
           ) -> List[Tuple[Union[str, int], torch.Tensor, torch.Tensor]]:
    """(key, teacher, student) triples from matching lists or dicts."""
    if isinstance(teacher_feats, torch.Tensor):
        teacher_feats, student_feats = [teacher_feats], [student_feats]
    if isinstance(teacher_feats, Mapping):
        if not isinstance(student_feats, Mapping):
            raise TypeError('teacher features are a dict, student features '
                            'must be one too')
        if set(teacher_feats) != set(student_feats):
            raise KeyError(f'teacher keys {sorted(teacher_feats)} and '
                           f'student keys {sorted(student_feats)} differ')
        return [(k, teacher_feats[k], student_feats[k]) for k in teacher_feats]
    teacher_feats, student_feats = list(teacher_feats), list(student_feats)
    if len(teacher_feats) != len(student_feats):
        raise ValueError(f'{len(teacher_feats)} teacher but '
                         f'{len(student_feats)} student features')
    return [(i, t, s)
            for i, (t, s) in enumerate(zip(teacher_feats, student_feats))]


@MODELS.register_module()
class FLEXLoss(nn.Module):
    """FLEX feature alignment loss (the reference code's final form).

    Args:
        loss_weight (float): w in ``L = w * mean_l l``. Defaults to 0.5
            (the configs; the reference class default is 0.15).
        outlier_percentile (float, optional): Percentile of the outlier mask
            on (B, C, H, W) maps; None disables it. Defaults to 95.0.
        layer_weights (Sequence[float] | dict, optional): lambda per layer,
            by position (1 beyond the list) or, for dict inputs, by key
            (1 for missing keys). None: ``1 / sqrt(r)`` with r from
            ``default_ratios``.
        default_ratios (Sequence[float]): Defaults to (4, 2, 1, 1), i.e.
            lambda = 0.5, 0.707, 1, 1.
        resolution_ref (float): H * W at which rho = 1. Defaults to 64 * 64.
        min_resolution_weight (float): Lower bound of rho. Defaults to 0.1.
        eps (float): Defaults to 1e-8.
        reduction (str): Over layers: 'mean' (default), 'sum' or 'none'
            (the weighted per-layer terms, shape (L, )).
    """

    def __init__(self,
                 loss_weight: float = 0.5,
                 outlier_percentile: Optional[float] = 95.0,
                 layer_weights: Optional[Union[Sequence[float],
                                               Dict[str, float]]] = None,
                 default_ratios: Sequence[float] = (4, 2, 1, 1),
                 resolution_ref: float = 64 * 64,
                 min_resolution_weight: float = 0.1,
                 eps: float = 1e-8,
                 reduction: str = 'mean'):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f'Unsupported reduction mode: {reduction}. '
                             f'Supported ones are: {list(_REDUCTIONS)}')
        self.loss_weight = loss_weight
        self.outlier_percentile = outlier_percentile
        self.layer_weights = layer_weights
        self.default_ratios = tuple(default_ratios)
        self.resolution_ref = resolution_ref
        self.min_resolution_weight = min_resolution_weight
        self.eps = eps
        self.reduction = reduction

    def layer_weight(self, index: int, key: Union[str, int]) -> float:
        """lambda of the layer at ``index`` (named ``key`` for dicts)."""
        weights = self.layer_weights
        if weights is None:
            return default_layer_weight(index, self.default_ratios)
        if isinstance(weights, Mapping):
            return float(weights.get(key, 1.0))
        return float(weights[index]) if index < len(weights) else 1.0

    def forward(self, student_feats: Features,
                teacher_feats: Features) -> torch.Tensor:
        """Prediction first, target second, as every loss here.

        Args:
            student_feats (Tensor | Sequence[Tensor] | dict): Student
                features, each (B, C, H, W) or (B, D).
            teacher_feats (Tensor | Sequence[Tensor] | dict): Teacher
                features with the same shapes (same keys for dicts);
                detached.

        Returns:
            Tensor: Scalar loss (float32), or (L, ) for reduction 'none'.
        """
        pairs = _pairs(teacher_feats, student_feats)
        if not pairs:
            raise ValueError('FLEXLoss got no features')
        terms = []
        device_type = pairs[0][2].device.type
        with torch.autocast(device_type=device_type, enabled=False):
            for index, (key, teacher, student) in enumerate(pairs):
                try:
                    term = flex_layer_loss(teacher, student,
                                           self.outlier_percentile,
                                           self.resolution_ref,
                                           self.min_resolution_weight,
                                           self.eps)
                except ValueError as err:
                    raise ValueError(f'FLEX layer {key!r}: {err}') from None
                terms.append(self.layer_weight(index, key) * term)
        terms = torch.stack(terms)
        if self.reduction == 'mean':
            terms = terms.mean()
        elif self.reduction == 'sum':
            terms = terms.sum()
        return self.loss_weight * terms

"""DiffIR-style knowledge-distillation loss on prior vectors (the paper's KD
term, computed as the reference code does).

Only the L1 term trains (``forward``); the KL divergence between temperature
softmaxes is a diagnostic (``kl_divergence``), logged by the distiller under a
key without "loss" (MMEngine's ``parse_losses`` sums every key with "loss").
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from restorect_mm.registry import MODELS

_REDUCTIONS = ('none', 'mean', 'sum')


def kd_l1(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Element-wise ``|pred - target|`` with the target detached."""
    return (pred - target.detach()).abs()


def kd_kl(pred: torch.Tensor, target: torch.Tensor,
          temperature: float = 0.15) -> torch.Tensor:
    """``KL(p_T || p_S)`` with ``p = softmax(z / temperature)`` over the
    last dim, summed over it and averaged over the batch ('batchmean').

    Args:
        pred (Tensor): Student vectors z_hat (B, D).
        target (Tensor): Teacher vectors z* (B, D), detached here.
        temperature (float): Softmax temperature.

    Returns:
        Tensor: Scalar, float32 (float64 for float64 inputs).
    """
    dtype = torch.promote_types(pred.dtype, torch.float32)
    log_p_s = F.log_softmax(pred.to(dtype) / temperature, dim=-1)
    log_p_t = F.log_softmax(target.detach().to(dtype) / temperature, dim=-1)
    return F.kl_div(
        log_p_s.reshape(-1, log_p_s.shape[-1]),
        log_p_t.reshape(-1, log_p_t.shape[-1]),
        reduction='batchmean',
        log_target=True)


@MODELS.register_module()
class KDLoss(nn.Module):
    """L1 distillation of a generated prior towards the teacher prior; the
    softmax KL is a separate diagnostic (:meth:`kl_divergence`).

    Args:
        loss_weight (float): Weight of both returned values. Defaults to 1.0.
        temperature (float): Softmax temperature of the KL. Defaults to 0.15.
        reduction (str): Of the L1: 'mean' (default), 'sum' or 'none'.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 temperature: float = 0.15,
                 reduction: str = 'mean'):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f'Unsupported reduction mode: {reduction}. '
                             f'Supported ones are: {list(_REDUCTIONS)}')
        self.loss_weight = loss_weight
        self.temperature = temperature
        self.reduction = reduction

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """``loss_weight * mean|z_hat - z*|``, the term to optimise.

        Args:
            pred (Tensor): Generated prior z_hat (B, D).
            target (Tensor): Teacher prior z* (B, D); detached.

        Returns:
            Tensor: scalar (the element-wise map for reduction 'none').
        """
        l1 = kd_l1(pred, target)
        if self.reduction == 'mean':
            l1 = l1.mean()
        elif self.reduction == 'sum':
            l1 = l1.sum()
        return self.loss_weight * l1

    @torch.no_grad()
    def kl_divergence(self, pred: torch.Tensor,
                      target: torch.Tensor) -> torch.Tensor:
        """``loss_weight * KL(p_T || p_S)`` of the softmaxed priors, detached:
        a diagnostic to log, not a term to optimise (scalar)."""
        return self.loss_weight * kd_kl(pred, target, self.temperature)

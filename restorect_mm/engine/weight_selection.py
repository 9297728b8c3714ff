"""Initialise a smaller network from a larger trained one by weight
selection.

A compact student (fewer channels, fewer blocks) cannot load the teacher's
weights as they are. Weight selection (Xu et al., "Initializing Models with
Larger Ones", ICLR 2024) gives it a warm start instead: every student tensor
whose name also exists in the teacher takes evenly spaced elements of the
teacher's tensor along each dimension where the sizes differ, and blocks the
student lacks (``encoder_level1.2`` in a 2-block level) are dropped, which
is the paper's "first-N layer" selection. Evenly spaced selection keeps
channel groups consistent from layer to layer whenever a group's size is
divisible by the ratio: the heads of an attention layer, the q/k/v thirds of
a fused projection, the Retinex (3C/4 | C/4) split and the two halves of a
gated FFN all shrink in place.

Written by hand: neither MMEngine nor MMagic initialises a network from a
differently shaped one.
"""
from typing import Dict, List, Tuple

import torch
from torch import nn


def evenly_spaced(source: int, target: int) -> torch.Tensor:
    """Indices of ``target`` evenly spaced elements among ``source``.

    A whole ratio gives a plain stride (0, 2, 4, ... for 64 -> 32), so that
    groups of channels stay aligned; otherwise the indices are rounded from
    a uniform grid that keeps the first and the last element.
    """
    if target > source:
        raise ValueError(f'cannot select {target} of {source} elements')
    if source % target == 0:
        return torch.arange(0, source, source // target)
    return torch.linspace(0, source - 1, target).round().long()


def select_tensor(teacher: torch.Tensor,
                  shape: Tuple[int, ...]) -> torch.Tensor:
    """Elements of ``teacher`` (any shape >= ``shape`` in every dimension,
    same number of dimensions) selected down to ``shape``."""
    selected = teacher
    for dim, size in enumerate(shape):
        if selected.shape[dim] != size:
            index = evenly_spaced(selected.shape[dim], size)
            selected = selected.index_select(dim, index.to(teacher.device))
    return selected


def init_by_weight_selection(student: nn.Module,
                             teacher_state: Dict[str, torch.Tensor]
                             ) -> Tuple[List[str], List[str]]:
    """Load ``student`` with weights selected from ``teacher_state``.

    Args:
        student (nn.Module): the smaller network (weights replaced in
            place where the teacher has a same-named tensor that is at least
            as large in every dimension).
        teacher_state (dict): the larger network's state dict.

    Returns:
        tuple[list[str], list[str]]: names of the student tensors that were
        selected from the teacher, and of those left as initialised (absent
        from the teacher, or larger than the teacher's).
    """
    own = student.state_dict()
    loaded, kept = {}, []
    for name, tensor in own.items():
        source = teacher_state.get(name)
        if (source is None or source.dim() != tensor.dim() or any(
                s < t for s, t in zip(source.shape, tensor.shape))):
            kept.append(name)
            continue
        loaded[name] = select_tensor(source, tuple(tensor.shape)).to(
            dtype=tensor.dtype)
    student.load_state_dict(loaded, strict=False)
    return sorted(loaded), kept

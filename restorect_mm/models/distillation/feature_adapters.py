"""Learnable student-to-teacher channel adapters for feature distillation,
used when a smaller student is distilled from the teacher."""
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from restorect_mm.registry import MODELS

ChannelPairs = Union[Sequence[Tuple[int, int]], Mapping[str, Tuple[int, int]]]


@MODELS.register_module()
class FeatureAdapters(BaseModule):
    """Learnable 1x1 adapters from student to teacher channels.

    One adapter per given (student_channels, teacher_channels) pair: a 1x1
    conv with bias where the counts differ, the identity where they are
    equal. The same adapter serves (B, C, H, W) maps and (B, C) vectors (a
    1x1 conv on a vector is a Linear layer). The adapters are built in the
    constructor, from the pairs, so that they are in the optimiser that the
    owner (the distiller) builds before the first forward pass.

    Args:
        channels (Sequence[tuple[int, int]] | dict, optional): Pairs by
            position (for list features) or by name (for dict features).
            Defaults to none: everything passes through.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 channels: Optional[ChannelPairs] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        # a ModuleList and a key -> position map: names such as NAFNet's
        # 'decoders.1' cannot be ModuleDict keys
        self.adapters = nn.ModuleList()
        self.keys: Dict[str, int] = {}
        channels = channels or []
        items = channels.items() if isinstance(channels, Mapping) else \
            enumerate(channels)
        for key, pair in items:
            s_ch, t_ch = (int(c) for c in pair)
            self.keys[str(key)] = len(self.adapters)
            self.adapters.append(
                nn.Identity() if s_ch == t_ch else nn.Conv2d(s_ch, t_ch, 1))

    def adapt(self, key: Union[str, int], x: torch.Tensor) -> torch.Tensor:
        """Apply the adapter of ``key`` (identity when there is none).

        Args:
            key (str | int): Name or position of the feature.
            x (Tensor): (B, C_s, H, W) or (B, C_s).

        Returns:
            Tensor: (B, C_t, H, W) or (B, C_t).
        """
        index = self.keys.get(str(key))
        if index is None or isinstance(self.adapters[index], nn.Identity):
            return x
        adapter = self.adapters[index]
        if x.dim() == 2:
            return adapter(x[:, :, None, None]).flatten(1)
        return adapter(x)

    def forward(
        self, features: Union[Sequence[torch.Tensor], Mapping[str,
                                                              torch.Tensor]]
    ) -> Union[List[torch.Tensor], Dict[str, torch.Tensor]]:
        """Adapt a list (by position) or a dict (by name) of features.

        Returns:
            list | dict: The adapted features, same structure.
        """
        if isinstance(features, Mapping):
            return {k: self.adapt(k, v) for k, v in features.items()}
        return [self.adapt(i, f) for i, f in enumerate(features)]

"""What the four RestoRect editors share, on MMagic's ``BaseEditModel``.

``BaseEditModel`` supplies the mode dispatch (``forward`` -> ``forward_tensor``
/ ``forward_inference`` + ``convert_to_datasample`` / ``forward_train``) and
the prediction packing; each editor writes only its ``forward_tensor`` and
``forward_train``. This base adds the rules every RestoRect editor follows:

* every loss, and the pixel loss too, may be switched off with ``None``
  (``BaseEditModel`` builds ``pixel_loss`` unconditionally, and the inference
  student has none), so its ``__init__`` is replaced by one that builds both
  optionally;
* predictions are clamped to the model space's [0, 1] before MMagic's
  preprocessor brings them to 0..255, for every editor alike;
* frozen sub-networks (DecomNets, the stage-2 teacher) are frozen once, at
  construction, and stay in eval mode whatever ``train()`` is called with;
* data samples may arrive as a list (``val_step``) or stacked.
"""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel
from torch import nn

from mmagic.models import BaseEditModel
from mmagic.structures import DataSample
from restorect_mm.registry import MODELS

_MODES = ('tensor', 'predict', 'loss')


def build_optional(cfg: Optional[dict]) -> Optional[nn.Module]:
    """Build a config, or None for None. The dict is copied: default
    arguments are shared between instances."""
    return None if cfg is None else MODELS.build(dict(cfg))


class RestoRectEditModel(BaseEditModel):
    """``BaseEditModel`` with optional generator / pixel loss, frozen parts
    and clamped predictions.

    Inputs are (B, 3, H, W) RGB in [0, 1] (MMagic's DataPreprocessor with
    ``mean=0, std=255``); ``forward_tensor`` returns the restored
    (B, 3, H, W) in the same space, ``'predict'`` one DataSample per image
    with ``output.pred_img`` in 0..255.

    Args:
        generator (dict, optional): the network ``forward_tensor`` runs.
        pixel_loss (dict, optional): ``None`` switches it off.
        train_cfg, test_cfg (dict, optional): kept as attributes ({} when
            None).
        init_cfg (dict, optional): initialisation config.
        data_preprocessor (dict, optional): MMagic's DataPreprocessor config.
    """

    def __init__(self,
                 generator: Optional[dict] = None,
                 pixel_loss: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        # BaseEditModel.__init__ would build both unconditionally
        BaseModel.__init__(
            self, init_cfg=init_cfg, data_preprocessor=data_preprocessor)
        self.train_cfg = train_cfg or {}
        self.test_cfg = test_cfg or {}
        self.generator = build_optional(generator)
        self.pixel_loss = build_optional(pixel_loss)
        self._frozen: List[str] = []

    def freeze(self, name: str, module: nn.Module) -> nn.Module:
        """Register ``module`` as child ``name``, frozen for the whole run
        (never toggled: DDP decides what to synchronise from
        ``requires_grad`` when it wraps the model)."""
        module.requires_grad_(False)
        setattr(self, name, module.eval())
        self._frozen.append(name)
        return module

    def train(self, mode: bool = True) -> 'RestoRectEditModel':
        """As ``nn.Module.train``; the frozen parts stay in eval."""
        super().train(mode)
        for name in self._frozen:
            getattr(self, name).eval()
        return self

    def forward(self,
                inputs: Union[torch.Tensor, Dict[str, torch.Tensor]],
                data_samples: Optional[Union[DataSample,
                                             List[DataSample]]] = None,
                mode: str = 'tensor',
                **kwargs):
        """``BaseEditModel``'s dispatch; a list of samples is stacked and an
        unknown mode is an error instead of None."""
        if mode not in _MODES:
            raise ValueError(f'Invalid mode "{mode}": use "tensor", '
                             '"predict" or "loss".')
        if isinstance(data_samples, list):
            data_samples = DataSample.stack(data_samples)
        return super().forward(inputs, data_samples, mode, **kwargs)

    def forward_inference(self,
                          inputs: torch.Tensor,
                          data_samples: Optional[DataSample] = None,
                          **kwargs) -> DataSample:
        """Stacked predictions: ``pred_img`` (B, 3, H, W) in 0..255, the
        restored image clamped to [0, 1] and destructed by the
        preprocessor (metric channel order, un-padded)."""
        restored = self.forward_tensor(inputs, data_samples, **kwargs)
        pred = self.data_preprocessor.destruct(
            restored.detach().clamp(0, 1), data_samples)
        return DataSample(pred_img=pred.cpu())

    def convert_to_datasample(self, predictions: DataSample,
                              data_samples: Optional[DataSample],
                              inputs: Optional[torch.Tensor]
                              ) -> List[DataSample]:
        """``BaseEditModel``'s, also without data samples (a bare
        ``model(x, mode='predict')``), and leaving ``inputs`` intact."""
        if data_samples is None:
            data_samples = DataSample()
        if inputs is not None:
            inputs = inputs.detach().clone()
        return super().convert_to_datasample(predictions, data_samples,
                                             inputs)

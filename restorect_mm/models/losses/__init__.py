"""Losses of restorect_mm (registered into MMagic's MODELS on import)."""
from .retinex_losses import (IlluminationSmoothnessLoss,
                             ReflectanceConsistencyLoss,
                             RetinexReconstructionLoss, TextureConsistencyLoss)

__all__ = [
    'IlluminationSmoothnessLoss', 'ReflectanceConsistencyLoss',
    'RetinexReconstructionLoss', 'TextureConsistencyLoss'
]

from .flex_loss import FLEXLoss  # noqa: E402
from .kd_loss import KDLoss  # noqa: E402

__all__ += ['FLEXLoss', 'KDLoss']

from .hvi_loss import PolarizedHVILoss  # noqa: E402

__all__ += ['PolarizedHVILoss']

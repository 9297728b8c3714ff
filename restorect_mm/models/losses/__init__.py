"""Losses of restorect_mm (registered into MMagic's MODELS on import)."""
from .retinex_losses import (IlluminationSmoothnessLoss,
                             ReflectanceConsistencyLoss,
                             RetinexReconstructionLoss, TextureConsistencyLoss)

__all__ = [
    'IlluminationSmoothnessLoss', 'ReflectanceConsistencyLoss',
    'RetinexReconstructionLoss', 'TextureConsistencyLoss'
]

"""Metrics of restorect_mm (registered into MMagic's METRICS on import)."""
from .retinex_metric import RetinexDecompositionMetric

__all__ = ['RetinexDecompositionMetric']

"""Stage-2 distillation helpers that are not losses: feature capture
through forward hooks and the channel adapters (registered on import)."""
from .feature_adapters import FeatureAdapters
from .feature_capture import FeatureCapture

__all__ = ['FeatureAdapters', 'FeatureCapture']

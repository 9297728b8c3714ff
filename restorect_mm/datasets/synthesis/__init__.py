"""Synthetic degradations for demo data and tests."""
from .lowlight_degradation import (LowLightParams, add_poisson_gaussian_noise,
                                   degrade_lowlight, linear_to_srgb,
                                   srgb_to_linear)

__all__ = [
    'LowLightParams', 'add_poisson_gaussian_noise', 'degrade_lowlight',
    'linear_to_srgb', 'srgb_to_linear'
]

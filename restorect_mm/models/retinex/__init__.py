"""Retinex decomposition (stage 0): DecomNet, the anisotropic-diffusion
operator, and loading DecomNet weights."""
from .anisotropic_diffusion import AnisotropicDiffusion
from .decom_net import DecomNet
from .weights import load_decomnet_weights

__all__ = ['AnisotropicDiffusion', 'DecomNet', 'load_decomnet_weights']

"""Latent rectified flow of the stage-2 student: velocity predictor and the
conditional flow (training objective and Euler sampler)."""
from .latent_rectified_flow import ConditionalLatentRectifiedFlow
from .velocity_predictor import VelocityPredictor

__all__ = ['ConditionalLatentRectifiedFlow', 'VelocityPredictor']

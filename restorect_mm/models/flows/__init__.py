"""Latent rectified flow of the stage-2 student: velocity predictor, the
conditional flow (training objective and Euler sampler) and the pair of prior
flows the student uses."""
from .latent_rectified_flow import ConditionalLatentRectifiedFlow
from .retinex_prior_flows import RetinexPriorFlows
from .velocity_predictor import VelocityPredictor

__all__ = [
    'ConditionalLatentRectifiedFlow', 'RetinexPriorFlows', 'VelocityPredictor'
]

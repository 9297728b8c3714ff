"""Prior encoders: the teacher's E_img / E_rex and, with ``in_images=1`` and
``final_norm='layernorm'``, the student's condition nets."""
from .image_prior_encoder import ImagePriorEncoder
from .resblock import ResBlock
from .retinex_prior_encoder import RetinexPriorEncoder

__all__ = ['ImagePriorEncoder', 'ResBlock', 'RetinexPriorEncoder']

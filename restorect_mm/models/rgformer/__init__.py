"""RGFormer, the Retinex-guided transformer generator, and its pieces."""
from .blocks import PriorSequential, PriorTransformerBlock, \
    RetinexTransformerBlock
from .channel_attention import ChannelAttentionCore
from .gated_dconv_ffn import GatedDconvFFN
from .prior_channel_attention import PriorChannelAttention
from .prior_modulation import PriorModulation
from .retinex_head import RetinexHead
from .retinex_split_attention import RetinexSplitAttention
from .rgformer import RGFormer, pad_to_multiple
from .sampling import Downsample, Upsample
from .spatial_channel_layernorm import ChannelLayerNorm, \
    SpatialChannelLayerNorm, build_norm

__all__ = [
    'ChannelAttentionCore', 'ChannelLayerNorm', 'Downsample',
    'GatedDconvFFN', 'PriorChannelAttention', 'PriorModulation',
    'PriorSequential', 'PriorTransformerBlock', 'RGFormer', 'RetinexHead',
    'RetinexSplitAttention', 'RetinexTransformerBlock',
    'SpatialChannelLayerNorm', 'Upsample', 'build_norm', 'pad_to_multiple'
]

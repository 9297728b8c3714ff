"""RGFormer's transformer blocks run tile by tile, equal to the whole-map
forward up to float summation order.

Two parts of a block are not local. SCLN normalises with one mean and
variance over the whole (C, H, W) map, and the channel attention mixes
channels with a softmax of ``Q_hat K_hat^T``, where Q and K are
L2-normalised over all positions. Both are functions of sums over positions
(x, x^2; the Gram Q K^T and the squared norms of Q and K), so a first pass
over the tiles adds those sums up, and a second pass applies the whole map's
statistics to every tile. Everything else (prior modulation, 1x1 convs, the
3x3 depthwise convs, QK-LayerNorm, GELU gating) is local within a 1-pixel
halo. Every pass calls the block's own submodules.
"""
from functools import partial
from typing import Callable, Iterator

import torch
import torch.nn as nn

from .spatial_channel_layernorm import (SpatialChannelLayerNorm,
                                        statistics_from_sums, sum_statistics)
from .tile_grid import map_tiles, tile_grid

HALO = 1  # the 3x3 depthwise convolutions of the attention and the FFN

MapStep = Callable[[torch.Tensor], torch.Tensor]


def whole_map_norm(norm: nn.Module, x: torch.Tensor,
                   tile: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """``norm`` as a per-tile function that uses the whole map's statistics.

    Args:
        norm (nn.Module): an SCLN (statistics gathered here, tile by tile)
            or a per-pixel norm such as ChannelLayerNorm (already local).
        x (Tensor): (B, C, H, W) the map the norm is applied to.
        tile (int): tile side of the statistics pass.

    Returns:
        callable: a window of ``x`` (B, C, h, w) -> its normalisation
        (B, C, h, w), equal to that window of ``norm(x)``.
    """
    if not isinstance(norm, SpatialChannelLayerNorm):
        return norm
    sums = sum(sum_statistics(piece.region(x))
               for piece in tile_grid(*x.shape[-2:], tile))
    mu, var = statistics_from_sums(sums)
    return partial(norm.normalize, mu=mu, var=var)


def whole_map_attention(attention: nn.Module, normalize: Callable,
                        x: torch.Tensor, z: torch.Tensor,
                        tile: int) -> torch.Tensor:
    """The channel-attention map of ``attention(normalize(x), z)``, gathered
    tile by tile.

    Args:
        attention (nn.Module): RetinexSplitAttention or
            PriorChannelAttention (``project_qkv`` and ``attention``).
        normalize (callable): from :func:`whole_map_norm`.
        x (Tensor): (B, C, H, W) the block's input.
        z (Tensor): (B, D) the prior.
        tile (int): tile side.

    Returns:
        Tensor: (B, heads, d, d) float32 softmax map, as the whole-map
        forward forms it.
    """
    core = attention.attention
    sums = None
    for piece in tile_grid(*x.shape[-2:], tile, HALO):
        q, k, _ = attention.project_qkv(normalize(piece.window(x)), z)
        q, k = core.qk_heads(piece.crop(q), piece.crop(k))
        tile_sums = core.similarity_sums(q, k)
        sums = tile_sums if sums is None else [
            total + part for total, part in zip(sums, tile_sums)]
    return core.attention_map(core.similarity_from_sums(*sums))


def attention_residual(block: nn.Module, x: torch.Tensor, z: torch.Tensor,
                       tile: int) -> torch.Tensor:
    """``x + attn(norm1(x), z)`` of a transformer block, tile by tile.

    Args:
        block (nn.Module): RetinexTransformerBlock or PriorTransformerBlock.
        x (Tensor): (B, C, H, W).
        z (Tensor): (B, D) the block's prior.
        tile (int): tile side.

    Returns:
        Tensor: (B, C, H, W), a new map.
    """
    normalize = whole_map_norm(block.norm1, x, tile)
    attn = whole_map_attention(block.attn, normalize, x, z, tile)

    def residual(window):
        value = block.attn.project_qkv(normalize(window), z)[2]
        return window + block.attn.attention.mix(attn, value)

    return map_tiles(residual, [x], tile, HALO)


def ffn_residual(block: nn.Module, x: torch.Tensor, z: torch.Tensor,
                 tile: int) -> torch.Tensor:
    """``x + ffn(norm2(x), z)`` of a transformer block, tile by tile.

    Shapes and args: as :func:`attention_residual`.
    """
    normalize = whole_map_norm(block.norm2, x, tile)
    return map_tiles(lambda window: window + block.ffn(normalize(window), z),
                     [x], tile, HALO)


def block_steps(blocks: nn.ModuleList, z: torch.Tensor,
                tile: int) -> Iterator[MapStep]:
    """The half-blocks of a level (a PriorSequential) in order, each a
    function (B, C, H, W) -> (B, C, H, W). A caller that rebinds one name,
    ``x = step(x)``, holds at most two maps at once."""
    for block in blocks:
        yield partial(attention_residual, block, z=z, tile=tile)
        yield partial(ffn_residual, block, z=z, tile=tile)

"""Choosing tiles from a memory limit.

On the CPU the limit bounds the process's resident memory (RSS), and the
tile is a function of the limit, the image size and the model alone, never
of the RSS at the moment: the same command picks the same tiles and writes
the same bytes. What the process holds before any image (Python, torch,
MMEngine/MMagic) is the constant :data:`RUNTIME_BYTES`; the model's weights
are counted from its parameters. On CUDA the limit bounds what this process
allocates on the GPU, and the room is what the GPU has free now
(``torch.cuda.mem_get_info``, plus what PyTorch's caching allocator holds
unused), whichever is smaller: the host's RSS says nothing about GPU memory.

Estimates of the activations, each an upper bound and a function of tensor
shapes only:

* plain forwards (untiled G, D_low and the prior flows, MMagic editors):
  forward hooks add up the bytes of every leaf module's output on a probe
  image (:func:`activation_bytes_per_pixel`); under ``no_grad`` most are
  freed early, and :data:`ACTIVATION_MARGIN` covers functional temporaries;
* RGFormer run tile by tile
  (:mod:`restorect_mm.models.rgformer.streamed_rgformer`): its whole maps
  (:func:`peak_map_channels`) plus the largest working set of one tile
  window (:func:`streamed_rgformer_bytes`).

Written by hand: neither MMEngine nor MMagic estimates activation memory.
"""
import math
from typing import Callable, Optional

import torch

from restorect_mm.models.rgformer.streamed_blocks import HALO
from restorect_mm.models.rgformer.streamed_rgformer import (LEVEL_DOWNSCALE,
                                                            peak_map_channels)

PROBE_SIDE = 64
FLOAT_BYTES = 4
# Whole-image buffers besides the networks, in bytes per pixel: the float32
# input, its padded and model-space copies, the output and its conversion
# back from model space (12 each, 60), and writing the file (the quantised
# up-to-16-bit image and its BGR copy, 6 + 8; blended tiles' weights fit in
# the same room).
IMAGE_BYTES_PER_PIXEL = 12 * 5 + 6 + 8
# Resident memory of the interpreter with torch (CUDA build), MMEngine, MMagic
# and restorect_mm imported, before any model or image: 0.86-0.89 GiB measured
# on the project's CPU machine (torch 2.14.1); a CPU-only torch needs less.
RUNTIME_BYTES = 2**30
# On CUDA the same buffers but the file writing's live on the GPU.
GPU_IMAGE_BYTES_PER_PIXEL = 12 * 5
# Leaf outputs and the counted block tensors miss the temporaries of
# functional ops and the kernels' layout copies; estimates are this much more.
ACTIVATION_MARGIN = 1.5
# The counted maps and tile tensors of the tiled RGFormer against its measured
# peak: 960 x 640 in 432 px tiles counts 0.67 GiB and grows the RSS by 1.16
# GiB (layout copies, and the allocator's fragmentation across thousands of
# tile-sized blocks); estimates are twice the count.
STREAMED_MARGIN = 2.0
# The share of the CPU room (limit less runtime and weights) the estimates may
# fill. Peaks of one command vary between runs and machines: 960 x 640 in
# 328 px tiles under a 2000 MiB limit peaked at 1764-1861 MiB here and at
# 2050 MiB on the CI machine (glibc's per-thread arenas keep freed tile blocks
# for different times); a quarter of the room absorbs that.
CPU_ROOM_SHARE = 0.75
# The smallest tile --memory-limit chooses: smaller ones only add halo
# recomputation and per-tile overhead.
MIN_TILE = 32


def proc_status_kib(field: str) -> Optional[int]:
    """A kB field of ``/proc/self/status`` (``'VmRSS'``: resident set now,
    ``'VmHWM'``: its peak since exec); None where Linux /proc is missing."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def activation_bytes_per_pixel(model: torch.nn.Module,
                               run_probe: Callable[[torch.Tensor], object],
                               device: torch.device,
                               multiple: int = 8) -> float:
    """Upper bound of the activation bytes one input pixel costs.

    Deterministic: the sum depends on tensor shapes only.

    Args:
        model (nn.Module): whose leaf modules are hooked.
        run_probe (callable): runs the inference part to measure on a probe
            image (1, 3, PROBE_SIDE, PROBE_SIDE) in [0, 1].
        device (torch.device): where the probe runs.
        multiple (int): the probe side is rounded up to this.

    Returns:
        float: summed leaf-output bytes / probe pixels.
    """
    side = math.ceil(PROBE_SIDE / multiple) * multiple
    total = [0]

    def count(_module, _inputs, output):
        for tensor in (output if isinstance(output, (tuple, list)) else
                       (output, )):
            if torch.is_tensor(tensor):
                total[0] += tensor.numel() * tensor.element_size()

    # an in-place module (ReLU(inplace=True)) returns its input: counted once
    handles = [m.register_forward_hook(count) for m in model.modules()
               if not list(m.children()) and not getattr(m, 'inplace', False)]
    try:
        with torch.no_grad():
            run_probe(torch.rand(1, 3, side, side, device=device))
    finally:
        for handle in handles:
            handle.remove()
    return total[0] / (side * side)


def gpu_room_bytes(device, limit_bytes: Optional[int] = None) -> int:
    """Bytes this process can still allocate on a CUDA device: free device
    memory (``torch.cuda.mem_get_info``) plus what PyTorch's caching
    allocator has reserved but not allocated, and, with ``limit_bytes``, no
    more than the limit minus what is allocated already (the weights)."""
    free, _total = torch.cuda.mem_get_info(device)
    allocated = torch.cuda.memory_allocated(device)
    room = free + max(torch.cuda.memory_reserved(device) - allocated, 0)
    if limit_bytes is not None:
        room = min(room, limit_bytes - allocated)
    return room


def _block_window_floats(block: torch.nn.Module) -> int:
    """Floats per window pixel that one half-block pass keeps alive at
    once: the FFN's window copy, normalised and modulated copies, its
    2h-channel 1x1 and depthwise outputs and the gated h-channel pair
    (4h + 4C), plus room for oneDNN's layout copies of the depthwise conv's
    input and output (2h + 2C; measured peaks exceed 4h + 4C by about that
    at 528 px tiles); the attention's Q, K, V before and after the
    depthwise conv and the QK-normed heads (12C, and as much again)."""
    channels = block.ffn.project_out.out_channels
    return max(6 * block.ffn.hidden_features + 6 * channels, 16 * channels)


def streamed_rgformer_bytes(generator: torch.nn.Module, height: int,
                            width: int, tile: int) -> int:
    """Memory of RGFormer run tile by tile on a height x width (padded)
    image: its whole maps plus the largest tile window's working set.

    Args:
        generator (RGFormer): the generator (its widths are read).
        height, width (int): the padded image size.
        tile (int): tile side at every level.

    Returns:
        int: bytes.
    """
    maps = peak_map_channels(generator.patch_embed.out_channels)
    working = 0
    for name, downscale in LEVEL_DOWNSCALE.items():
        level_h, level_w = height // downscale, width // downscale
        window = ((min(tile, level_h) + 2 * HALO) *
                  (min(tile, level_w) + 2 * HALO))
        for block in getattr(generator, name):
            working = max(working, window * _block_window_floats(block))
    return int(STREAMED_MARGIN * FLOAT_BYTES *
               (maps * height * width + working))


class MemoryLimitError(MemoryError):
    """The memory limit cannot be met even with the smallest tile; the
    message names the memory needed."""


def tile_for_limit(limit_bytes: int, height: int, width: int,
                   activation_bytes: Callable[[Optional[int]], int],
                   multiple: int = 8, min_tile: int = MIN_TILE,
                   device=None, model_bytes: int = 0) -> Optional[int]:
    """The whole image if it fits the limit, else the largest tile that does.

    Args:
        limit_bytes (int): the bound on the process's resident memory (CPU)
            or on what it allocates on the GPU (CUDA ``device``).
        height, width (int): the (padded) image size.
        activation_bytes (callable): tile side, or None for the whole image
            -> the networks' activation bytes (deterministic).
        multiple (int): tile sides are multiples of this.
        min_tile (int): the smallest tile tried.
        device (torch.device | str, optional): a CUDA device takes its room
            from :func:`gpu_room_bytes`; None or the CPU from the limit less
            :data:`RUNTIME_BYTES` and ``model_bytes``, of which the
            estimates may fill :data:`CPU_ROOM_SHARE`.
        model_bytes (int): the model's parameters and buffers (CPU only; on
            CUDA they are in what is allocated already).

    Returns:
        int | None: tile side; None restores the image whole.

    Raises:
        MemoryLimitError: not even ``min_tile`` fits; names the memory
            needed.
    """
    on_gpu = device is not None and torch.device(device).type == 'cuda'
    if on_gpu:
        room = gpu_room_bytes(device, limit_bytes)
        image_bytes = height * width * GPU_IMAGE_BYTES_PER_PIXEL
    else:
        room = int((limit_bytes - RUNTIME_BYTES - model_bytes) *
                   CPU_ROOM_SHARE)
        image_bytes = height * width * IMAGE_BYTES_PER_PIXEL
    if image_bytes + activation_bytes(None) <= room:
        return None
    largest = max(max(height, width) // multiple * multiple, min_tile)
    for tile in range(largest, min_tile - 1, -multiple):
        if image_bytes + activation_bytes(tile) <= room:
            return tile
    smallest = activation_bytes(min_tile)
    if on_gpu:
        raise MemoryLimitError(
            f'{device}: {room / 2**20:.0f} MiB of GPU memory left (free '
            f'memory, --memory-limit {limit_bytes / 2**20:.0f} MiB) is too '
            f'little for a {width} x {height} image: it needs '
            f'{math.ceil((image_bytes + smallest) / 2**20)} MiB on the GPU '
            f'(image buffers {image_bytes / 2**20:.0f} MiB, {min_tile}-px '
            f'tiles with the whole feature maps {smallest / 2**20:.0f} MiB); '
            'free the GPU, give a larger limit or restore a smaller image')
    needed = (RUNTIME_BYTES + model_bytes +
              (image_bytes + smallest) / CPU_ROOM_SHARE)
    raise MemoryLimitError(
        f'--memory-limit {limit_bytes / 2**20:.0f} MiB is too small for a '
        f'{width} x {height} image: it needs at least '
        f'{math.ceil(needed / 2**20)} MiB (runtime '
        f'{RUNTIME_BYTES / 2**20:.0f} MiB, model {model_bytes / 2**20:.0f} '
        f'MiB, image buffers {image_bytes / 2**20:.0f} MiB, {min_tile}-px '
        f'tiles with the whole feature maps {smallest / 2**20:.0f} MiB, and '
        f'{100 * (1 - CPU_ROOM_SHARE):.0f} % of the room for the allocator); '
        'give at least that limit or restore a smaller image')

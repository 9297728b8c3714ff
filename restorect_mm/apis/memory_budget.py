"""Choosing a tile size that keeps inference within a memory limit.

The cost of a tile is estimated on a small probe tile: forward hooks add up
the bytes of every leaf module's output. Under ``no_grad`` most of those
tensors are freed early, so the sum is an upper bound of what the tile keeps
alive at once, and tiles chosen from it stay within the limit. Written by
hand: neither MMEngine nor MMagic estimates activation memory.

On the CPU the limit bounds the process's resident memory (RSS), and the
tile is a function of the limit, the image size, the model's weights and the
probe alone, never of the RSS at the moment: the same command picks the same
tiles and writes the same bytes. What the process holds before any image
(Python, torch, MMEngine/MMagic) is the constant :data:`RUNTIME_BYTES`. On CUDA it
bounds what this process allocates on the GPU, and the room is what the GPU
has free now (``torch.cuda.mem_get_info``, plus what PyTorch's caching
allocator holds unused), whichever is smaller: the host's RSS says nothing
about GPU memory.
"""
import math
from typing import Callable, Optional

import torch

PROBE_SIDE = 64
# Whole-image buffers held beside a tile, in bytes per pixel: the float32
# input, its padded copy, the blended output and its blend weights (4 * 10),
# plus what writing the result needs at the end (a float32 scaled copy, the
# quantised up-to-16-bit image and its BGR(A) copy: 12 + 6 + 8).
IMAGE_BYTES_PER_PIXEL = 4 * 10 + 12 + 6 + 8
# Resident memory of the interpreter with torch (CUDA build), MMEngine, MMagic
# and restorect_mm imported, before any model or image: 0.86-0.89 GiB measured
# on the project's CPU machine (torch 2.14.1); a CPU-only torch needs less.
RUNTIME_BYTES = 2**30
# Leaf outputs miss the temporaries of functional ops inside modules and the
# allocator's fragmentation; tiles are sized for this much more.
ACTIVATION_MARGIN = 1.5
# On CUDA only the float32 input and its padded copy live on the GPU beside a
# tile (the blended output and its weights are kept on the CPU).
GPU_IMAGE_BYTES_PER_PIXEL = 4 * 3 * 2


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

    Args:
        model (nn.Module): whose leaf modules are hooked.
        run_probe (callable): runs the whole inference on a probe image
            (1, 3, PROBE_SIDE, PROBE_SIDE) in [0, 1].
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

    handles = [m.register_forward_hook(count) for m in model.modules()
               if not list(m.children())]
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


def _side(room: float, bytes_per_pixel: float, multiple: int) -> int:
    side = int(math.sqrt(
        max(room, 0) / (ACTIVATION_MARGIN * max(bytes_per_pixel, 1.0))))
    return side // multiple * multiple


def tile_for_budget(limit_bytes: int, bytes_per_pixel: float,
                    image_pixels: int, multiple: int = 8,
                    min_tile: int = 32, device=None,
                    model_bytes: int = 0) -> int:
    """Largest square tile whose activations fit into what the limit leaves.

    Args:
        limit_bytes (int): bound on the whole process's resident memory
            (CPU), or on what it allocates on the GPU (CUDA ``device``).
        bytes_per_pixel (float): from :func:`activation_bytes_per_pixel`.
        image_pixels (int): H * W of the (padded) image; its buffers
            (:data:`IMAGE_BYTES_PER_PIXEL`) are held beside the tile.
        multiple (int): the tile side is a multiple of this.
        min_tile (int): smallest tile accepted.
        device (torch.device | str, optional): where the tiles run; a CUDA
            device sizes them from its free memory (:func:`gpu_room_bytes`)
            and the image buffers on it; None or the CPU from the limit
            less :data:`RUNTIME_BYTES` and ``model_bytes``.
        model_bytes (int): bytes of the model's parameters and buffers
            (CPU only; on CUDA they are in what is allocated already).

    Returns:
        int: tile side in pixels.

    Raises:
        MemoryError: the limit leaves no room even for ``min_tile``; the
            message names the memory that tile would need.
    """
    smallest_tile_bytes = ACTIVATION_MARGIN * max(bytes_per_pixel,
                                                  1.0) * min_tile**2
    if device is not None and torch.device(device).type == 'cuda':
        room = gpu_room_bytes(device, limit_bytes)
        image_bytes = image_pixels * GPU_IMAGE_BYTES_PER_PIXEL
        side = _side(room - image_bytes, bytes_per_pixel, multiple)
        if side < min_tile:
            raise MemoryError(
                f'{device}: {room / 2**20:.0f} MiB of GPU memory left (free '
                f'memory, --memory-limit {limit_bytes / 2**20:.0f} MiB) is '
                f'too little: the image needs {image_bytes / 2**20:.0f} MiB '
                f'on the GPU and {min_tile}-px tiles '
                f'{smallest_tile_bytes / 2**20:.0f} MiB besides; free the '
                'GPU, give a larger limit or restore a smaller image')
        return side
    image_bytes = image_pixels * IMAGE_BYTES_PER_PIXEL
    fixed = RUNTIME_BYTES + model_bytes + image_bytes
    side = _side(limit_bytes - fixed, bytes_per_pixel, multiple)
    if side < min_tile:
        needed = fixed + smallest_tile_bytes
        raise MemoryError(
            f'--memory-limit {limit_bytes / 2**20:.0f} MiB is too small for '
            f'this image: it needs at least {math.ceil(needed / 2**20)} MiB '
            f'(runtime {RUNTIME_BYTES / 2**20:.0f} MiB, model '
            f'{model_bytes / 2**20:.0f} MiB, image buffers '
            f'{image_bytes / 2**20:.0f} MiB, {min_tile}-px tiles '
            f'{smallest_tile_bytes / 2**20:.0f} MiB); give at least that '
            'limit or a smaller image')
    return side

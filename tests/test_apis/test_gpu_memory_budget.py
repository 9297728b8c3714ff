"""--memory-limit on CUDA sizes tiles from the GPU's free memory
(torch.cuda.mem_get_info), not from the host's resident memory; the CPU path
is unchanged. Checked on the CPU with faked CUDA memory figures."""

import pytest
import torch

from restorect_mm.apis import Restorer, memory_budget
from restorect_mm.apis.memory_budget import (GPU_IMAGE_BYTES_PER_PIXEL,
                                             tile_for_limit)
from tests.test_apis.tiny_student import (INFERENCE_DEMO,
                                          make_student_checkpoint)

GIB = 2**30


def fake_gpu(monkeypatch, free, allocated=0, reserved=0):
    """torch.cuda's memory figures, as a GPU with ``free`` bytes would give
    them; the host's /proc figures made absurd so that a use of them shows."""
    calls = []

    def mem_get_info(device=None):
        calls.append(device)
        return free, 141 * GIB

    monkeypatch.setattr(torch.cuda, 'mem_get_info', mem_get_info)
    monkeypatch.setattr(torch.cuda, 'memory_allocated', lambda d=None:
                        allocated)
    monkeypatch.setattr(torch.cuda, 'memory_reserved', lambda d=None:
                        reserved)
    monkeypatch.setattr(memory_budget, 'proc_status_kib', lambda f: 10**12)
    return calls


def per_pixel(bpp, pixels):
    """An activation estimate of ``bpp`` bytes per pixel of the whole image
    (tile None) or of a square tile."""
    return lambda tile: bpp * (pixels if tile is None else tile * tile)


def largest_square(room, bpp):
    return int((room / bpp)**0.5) // 8 * 8


def test_tile_follows_free_gpu_memory(monkeypatch):
    (h, w), bpp = (3000, 4000), 1500.0
    act = per_pixel(bpp, h * w)
    calls = fake_gpu(monkeypatch, free=2 * GIB)
    small = tile_for_limit(100 * GIB, h, w, act, device='cuda')
    fake_gpu(monkeypatch, free=8 * GIB)
    large = tile_for_limit(100 * GIB, h, w, act, device='cuda:0')
    assert calls == ['cuda']
    room = 2 * GIB - h * w * GPU_IMAGE_BYTES_PER_PIXEL
    assert small == largest_square(room, bpp)
    assert large == largest_square(room + 6 * GIB, bpp) > small
    # memory PyTorch reserved but does not use is this process's to reuse
    fake_gpu(monkeypatch, free=2 * GIB, allocated=GIB, reserved=7 * GIB)
    assert tile_for_limit(100 * GIB, h, w, act, device='cuda') == large


def test_limit_below_free_memory_binds(monkeypatch):
    fake_gpu(monkeypatch, free=80 * GIB, allocated=GIB)
    (h, w), bpp = (3000, 4000), 1500.0
    act = per_pixel(bpp, h * w)
    limited = tile_for_limit(3 * GIB, h, w, act, device='cuda')
    room = 2 * GIB - h * w * GPU_IMAGE_BYTES_PER_PIXEL  # 3 GiB - weights
    assert limited == largest_square(room, bpp)
    with pytest.raises(MemoryError, match='GPU memory'):
        tile_for_limit(GIB, h, w, act, device='cuda')


def test_cpu_path_ignores_the_gpu(monkeypatch):
    def no_gpu(*args):
        raise AssertionError('the CPU path asked the GPU')

    monkeypatch.setattr(torch.cuda, 'mem_get_info', no_gpu)
    act = per_pixel(3000.0, 1000 * 1000)
    expected = tile_for_limit(3 * GIB, 1000, 1000, act)
    assert expected is not None
    assert tile_for_limit(3 * GIB, 1000, 1000, act, device='cpu') == expected


def test_restorer_sizes_cuda_tiles_from_the_gpu(tmp_path, monkeypatch):
    """The Restorer (restore.py and the Python API) budgets CUDA tiles from
    the GPU's free memory."""
    weights, _ = make_student_checkpoint(str(tmp_path))
    restorer = Restorer(INFERENCE_DEMO, weights, memory_limit=100 * GIB)
    restorer.runner.activation_bytes(8, 8, None)  # probe on the CPU first
    restorer.device = torch.device('cuda')  # as if built there
    fake_gpu(monkeypatch, free=12 * GIB)
    small = restorer.tile_for(3000, 4000)
    fake_gpu(monkeypatch, free=48 * GIB)
    large = restorer.tile_for(3000, 4000)
    assert small % 8 == 0 and small < large
    assert restorer.tile_for(64, 64) is None  # fits whole
    # on the CPU the limit alone, whatever /proc says
    restorer.device = torch.device('cpu')
    monkeypatch.setattr(torch.cuda, 'mem_get_info', None)
    assert restorer.tile_for(3000, 4000) is None  # 100 GiB: whole
    restorer.memory_limit = GIB + 2**20
    with pytest.raises(MemoryError, match='--memory-limit'):
        restorer.tile_for(3000, 4000)

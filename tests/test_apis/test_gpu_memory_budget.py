"""--memory-limit on CUDA sizes tiles from the GPU's free memory
(torch.cuda.mem_get_info), not from the host's resident memory; the CPU path
is unchanged. Checked on the CPU with faked CUDA memory figures."""

import pytest
import torch

from restorect_mm.apis import Restorer, memory_budget
from restorect_mm.apis.memory_budget import (GPU_IMAGE_BYTES_PER_PIXEL,
                                             tile_for_budget)
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


def test_tile_follows_free_gpu_memory(monkeypatch):
    pixels, bpp = 4000 * 3000, 1000.0
    calls = fake_gpu(monkeypatch, free=2 * GIB)
    small = tile_for_budget(100 * GIB, bpp, pixels, device='cuda')
    fake_gpu(monkeypatch, free=8 * GIB)
    large = tile_for_budget(100 * GIB, bpp, pixels, device='cuda:0')
    assert calls == ['cuda']
    room = 2 * GIB - pixels * GPU_IMAGE_BYTES_PER_PIXEL
    assert small == int((room / (1.5 * bpp))**0.5) // 8 * 8
    assert 1.9 * small < large < 2.3 * small
    # memory PyTorch reserved but does not use is this process's to reuse
    fake_gpu(monkeypatch, free=2 * GIB, allocated=GIB, reserved=7 * GIB)
    assert tile_for_budget(100 * GIB, bpp, pixels, device='cuda') == large


def test_limit_below_free_memory_binds(monkeypatch):
    fake_gpu(monkeypatch, free=80 * GIB, allocated=GIB)
    pixels, bpp = 4000 * 3000, 1000.0
    limited = tile_for_budget(3 * GIB, bpp, pixels, device='cuda')
    room = 2 * GIB - pixels * GPU_IMAGE_BYTES_PER_PIXEL  # 3 GiB - weights
    assert limited == int((room / (1.5 * bpp))**0.5) // 8 * 8
    with pytest.raises(MemoryError, match='GPU memory'):
        tile_for_budget(GIB, bpp, pixels, device='cuda')


def test_cpu_path_ignores_the_gpu(monkeypatch):
    def no_gpu(*args):
        raise AssertionError('the CPU path asked the GPU')

    monkeypatch.setattr(torch.cuda, 'mem_get_info', no_gpu)
    expected = tile_for_budget(3 * GIB, 1000.0, 10**6)
    assert tile_for_budget(3 * GIB, 1000.0, 10**6, device='cpu') == expected


def test_restorer_sizes_cuda_tiles_from_the_gpu(tmp_path, monkeypatch):
    """The Restorer (restore.py and the Python API) budgets CUDA tiles from
    the GPU's free memory."""
    weights, _ = make_student_checkpoint(str(tmp_path))
    restorer = Restorer(INFERENCE_DEMO, weights, memory_limit=100 * GIB)
    restorer._bytes_per_pixel = 1000.0  # the probe would run on the GPU
    restorer.device = torch.device('cuda')  # as if built there
    fake_gpu(monkeypatch, free=2 * GIB)
    small = restorer.tile_for(3000, 4000)
    fake_gpu(monkeypatch, free=8 * GIB)
    large = restorer.tile_for(3000, 4000)
    assert small % 8 == 0 and 1.9 * small < large < 2.3 * small
    assert restorer.tile_for(64, 64) is None  # fits whole
    # on the CPU the limit alone, whatever /proc says
    restorer.device = torch.device('cpu')
    monkeypatch.setattr(torch.cuda, 'mem_get_info', None)
    assert restorer.tile_for(3000, 4000) is None  # 100 GiB: whole
    restorer.memory_limit = GIB + 2**20
    with pytest.raises(MemoryError, match='--memory-limit'):
        restorer.tile_for(3000, 4000)

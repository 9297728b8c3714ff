"""--memory-limit on the CPU: tiles follow from the limit, the image size and
the model alone (never from the momentary RSS), so the same command writes
the same bytes; a limit that cannot be met names the memory needed."""
import math

import numpy as np
import pytest

from restorect_mm.apis import Restorer, memory_budget
from restorect_mm.apis.memory_budget import (ACTIVATION_MARGIN,
                                             IMAGE_BYTES_PER_PIXEL,
                                             RUNTIME_BYTES, tile_for_budget)
from tests.test_apis.tiny_student import (INFERENCE_DEMO,
                                          make_student_checkpoint)

MIB = 2**20


def test_tile_is_a_function_of_limit_image_and_model(monkeypatch):
    pixels, bpp, model = 2000 * 3000, 5000.0, 40 * MIB
    limit = 4 * 2**30
    tiles = set()
    for rss_kib in (10, 10**9):  # whatever /proc says
        monkeypatch.setattr(memory_budget, 'proc_status_kib',
                            lambda field, v=rss_kib: v)
        tiles.add(tile_for_budget(limit, bpp, pixels, model_bytes=model))
    room = limit - RUNTIME_BYTES - model - pixels * IMAGE_BYTES_PER_PIXEL
    expected = int(math.sqrt(room / (ACTIVATION_MARGIN * bpp))) // 8 * 8
    assert tiles == {expected}


def test_too_small_limit_names_the_memory_needed():
    pixels, bpp = 2000 * 3000, 5000.0
    with pytest.raises(MemoryError) as info:
        tile_for_budget(RUNTIME_BYTES, bpp, pixels)
    message = str(info.value)
    needed_mib = int(message.split('needs at least ')[1].split(' MiB')[0])
    # the named amount is enough for the smallest tile, one MiB less is not
    assert tile_for_budget(needed_mib * MIB, bpp, pixels) >= 32
    with pytest.raises(MemoryError):
        tile_for_budget((needed_mib - 1) * MIB, bpp, pixels)


def test_same_limit_same_bytes_whatever_the_rss(tmp_path, monkeypatch):
    weights, _ = make_student_checkpoint(str(tmp_path))
    rng = np.random.default_rng(0)
    image = rng.random((80, 104, 3)).astype(np.float32)
    restorer = Restorer(INFERENCE_DEMO, weights, memory_limit=64 * 2**30)
    assert restorer.tile_for(80, 104) is None  # runs the activation probe
    model_bytes = sum(p.numel() * p.element_size()
                      for p in restorer.model.parameters())
    # a limit that leaves room for tiles of about 48 px
    restorer.memory_limit = int(
        RUNTIME_BYTES + model_bytes + 80 * 104 * IMAGE_BYTES_PER_PIXEL +
        ACTIVATION_MARGIN * restorer._bytes_per_pixel * 52**2)
    outputs, tiles = [], []
    for rss_kib in (10, 10**8):
        monkeypatch.setattr(memory_budget, 'proc_status_kib',
                            lambda field, v=rss_kib: v)
        tiles.append(restorer.tile_for(80, 104))
        outputs.append(restorer.restore(image))
    assert tiles[0] == tiles[1] and tiles[0] is not None and tiles[0] < 80
    assert np.array_equal(outputs[0], outputs[1])

"""--memory-limit: tiles follow from the limit, the image size and the model
alone (never from the momentary RSS), so the same command writes the same
bytes; a limit that cannot be met names the memory needed."""
import math

import cv2
import numpy as np
import pytest

from restorect_mm.apis import Restorer, memory_budget
from restorect_mm.apis.memory_budget import (CPU_ROOM_SHARE,
                                             IMAGE_BYTES_PER_PIXEL,
                                             RUNTIME_BYTES,
                                             streamed_rgformer_bytes)
from tests.test_apis.tiny_student import (INFERENCE_DEMO,
                                          make_student_checkpoint,
                                          real_photo)
from tests.test_tools.tool_runner import load_tool

MIB = 2**20
SIZE = (200, 264)


@pytest.fixture(scope='module')
def student(tmp_path_factory):
    weights, _ = make_student_checkpoint(tmp_path_factory.mktemp('student'))
    restorer = Restorer(INFERENCE_DEMO, weights, memory_limit=64 * 2**30)
    return weights, restorer


def limit_for_tile(restorer, tile, height=SIZE[0], width=SIZE[1]):
    """The smallest limit under which the Restorer picks ``tile``: the
    runtime and the weights, then the image buffers and the activations in
    CPU_ROOM_SHARE of the rest."""
    weights = sum(t.numel() * t.element_size()
                  for t in (*restorer.model.parameters(),
                            *restorer.model.buffers()))
    estimate = (height * width * IMAGE_BYTES_PER_PIXEL +
                restorer.runner.activation_bytes(height, width, tile))
    return RUNTIME_BYTES + weights + math.ceil(estimate / CPU_ROOM_SHARE) + 1


def test_largest_tile_that_fits_whatever_the_rss(student, monkeypatch):
    _, restorer = student
    restorer.memory_limit = 64 * 2**30
    assert restorer.tile_for(*SIZE) is None  # 64 GiB: whole
    limit = restorer.memory_limit = limit_for_tile(restorer, 96)
    tiles = set()
    for rss_kib in (10, 10**9):  # whatever /proc says
        monkeypatch.setattr(memory_budget, 'proc_status_kib',
                            lambda field, v=rss_kib: v)
        tiles.add(restorer.tile_for(*SIZE))
    (tile, ) = tiles
    # the largest that fits (the next larger needs more than the limit)
    assert 96 <= tile < 264 and limit_for_tile(restorer, tile) <= limit
    assert limit_for_tile(restorer, tile + 8) > limit


def test_streamed_estimate_grows_with_tile_and_image(student):
    generator = student[1].model.generator
    assert (streamed_rgformer_bytes(generator, 200, 264, 32) <
            streamed_rgformer_bytes(generator, 200, 264, 128) <
            streamed_rgformer_bytes(generator, 400, 528, 128))


def test_too_small_limit_names_the_memory_needed(student):
    _, restorer = student
    restorer.memory_limit = RUNTIME_BYTES
    with pytest.raises(MemoryError) as info:
        restorer.tile_for(*SIZE)
    message = str(info.value)
    assert '264 x 200' in message
    needed_mib = int(message.split('needs at least ')[1].split(' MiB')[0])
    # the named amount is enough for the smallest tile, one MiB less is not
    restorer.memory_limit = needed_mib * MIB
    assert restorer.tile_for(*SIZE) >= 32
    restorer.memory_limit = (needed_mib - 1) * MIB
    with pytest.raises(MemoryError):
        restorer.tile_for(*SIZE)


def test_two_identical_memory_limit_commands_write_identical_bytes(
        student, tmp_path, capsys):
    weights, restorer = student
    src = tmp_path / 'in'
    src.mkdir()
    cv2.imwrite(str(src / 'photo.png'),
                np.rint(real_photo(SIZE)[..., ::-1] * 0.3 * 255).astype(
                    np.uint8))
    # rounded up to the KiB
    limit_mib = math.ceil(limit_for_tile(restorer, 64) / 1024) / 1024
    restore = load_tool('tools/restore.py')
    outputs, logs = [], []
    for run in ('a', 'b'):
        restore.main([INFERENCE_DEMO, weights, str(src), '-o',
                      str(tmp_path / run), '--memory-limit',
                      repr(limit_mib)])
        logs.append([line for line in capsys.readouterr().err.splitlines()
                     if 'px tiles' in line])
        outputs.append((tmp_path / run / 'photo.png').read_bytes())
    assert logs[0] == logs[1] and len(logs[0]) == 1  # tiled, the same way
    assert outputs[0] == outputs[1]


def test_restore_py_reports_an_unmet_limit_as_it_is(student, tmp_path,
                                                    capsys):
    weights, _ = student
    src = tmp_path / 'photo.png'
    cv2.imwrite(str(src), np.full((SIZE[0], SIZE[1], 3), 60, np.uint8))
    restore = load_tool('tools/restore.py')
    with pytest.raises(SystemExit) as exit_:
        restore.main([INFERENCE_DEMO, weights, str(src), '-o',
                      str(tmp_path / 'out'), '--memory-limit', '1024'])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert 'needs at least' in err and 'give at least that limit' in err
    assert 'restore it in tiles' not in err  # no misleading OOM hint

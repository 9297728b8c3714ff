"""Tiling with overlap and blending: coverage, exactness for pointwise
functions, and the student restored tiled within 0.1 dB of untiled."""
import numpy as np
import pytest
import torch

from restorect_mm.apis import Restorer, tile_starts, tiled_apply
from tests.test_apis.tiny_student import (INFERENCE_DEMO, make_student_checkpoint, psnr_01,
                          real_photo)


@pytest.mark.parametrize('size,tile,overlap', [(100, 32, 8), (64, 64, 16),
                                               (40, 64, 8), (97, 40, 13)])
def test_tiles_cover_the_image_and_end_at_its_edge(size, tile, overlap):
    starts = tile_starts(size, tile, overlap)
    assert starts[0] == 0
    assert min(starts[-1] + tile, size) == size  # the last tile ends there
    assert all(0 <= start and start + min(tile, size) <= size
               for start in starts)
    for before, after in zip(starts, starts[1:]):
        assert after - before <= tile - overlap  # neighbours share >= overlap


def test_blending_is_exact_for_a_pointwise_function():
    image = torch.rand(1, 3, 70, 90)
    out = tiled_apply(lambda t: t * 2 + 1, image, tile=32, overlap=8)
    assert out.shape == image.shape
    torch.testing.assert_close(out, image * 2 + 1, rtol=1e-6, atol=1e-6)


def test_bad_overlap_is_refused():
    with pytest.raises(ValueError, match='overlap'):
        tiled_apply(lambda t: t, torch.rand(1, 3, 8, 8), tile=8, overlap=8)


def test_tiled_student_within_0_1_db_of_untiled(tmp_path):
    weights, _ = make_student_checkpoint(tmp_path)
    gt = real_photo((96, 128))
    lq = gt * 0.3  # a darker input, the GT is the photo
    whole = Restorer(INFERENCE_DEMO, weights).restore(lq)
    calls = []
    tiled = Restorer(INFERENCE_DEMO, weights, tile=64,
                     tile_overlap=16).restore(
                         lq, progress=lambda: calls.append(1))
    assert len(calls) == 2 * 3  # tiling really happened: 2 x 3 tiles
    assert not np.array_equal(whole, tiled)
    gap = abs(psnr_01(whole, gt) - psnr_01(tiled, gt))
    print(f'tiled vs untiled PSNR difference: {gap:.5f} dB')
    assert gap < 0.1

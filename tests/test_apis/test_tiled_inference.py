"""Tiles: the blended tiles of plain editors (coverage, exactness for
pointwise functions) and the RestoRect student's exact tiles (tiled equals
untiled at 64, 128 and 256 px)."""
import numpy as np
import pytest
import torch

from restorect_mm.apis import Restorer, tile_starts, tiled_apply
from restorect_mm.models.rgformer.streamed_rgformer import streamed_forward
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


@pytest.fixture(scope='module')
def student_weights(tmp_path_factory):
    return make_student_checkpoint(tmp_path_factory.mktemp('student'))[0]


@pytest.fixture(scope='module')
def dark_photo_and_untiled(student_weights):
    gt = real_photo((200, 264))
    lq = gt * 0.3  # a darker input, the GT is the photo
    return gt, lq, Restorer(INFERENCE_DEMO, student_weights).restore(lq)


@pytest.mark.parametrize('tile', [64, 128, 256])
def test_tiled_student_equals_untiled(student_weights,
                                      dark_photo_and_untiled, tile,
                                      monkeypatch):
    """RGFormer runs tile by tile exactly: within 0.1 dB of untiled against
    the GT, and equal to it up to float rounding (PSNR between them far
    above any visible difference, so no seams)."""
    from restorect_mm.apis import student_runner
    gt, lq, whole = dark_photo_and_untiled
    used = []

    def spy(generator, image, z_rex, z_img, side):
        used.append(side)
        return streamed_forward(generator, image, z_rex, z_img, side)

    monkeypatch.setattr(student_runner, 'streamed_forward', spy)
    tiled = Restorer(INFERENCE_DEMO, student_weights, tile=tile).restore(lq)
    assert used == [tile]  # tiling really happened (264 > 256)
    gap = abs(psnr_01(whole, gt) - psnr_01(tiled, gt))
    print(f'{tile} px: tiled vs untiled against the GT {gap:.6f} dB, '
          f'tiled against untiled {psnr_01(tiled, whole):.1f} dB')
    assert gap < 0.1
    assert psnr_01(tiled, whole) > 80
    assert np.abs(tiled - whole).max() < 1e-3


def test_tile_overlap_is_ignored_for_the_student(student_weights):
    with pytest.warns(UserWarning, match='--tile-overlap is ignored'):
        restorer = Restorer(INFERENCE_DEMO, student_weights, tile=64,
                            tile_overlap=16)
    assert restorer.tile_overlap == 0

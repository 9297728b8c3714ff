"""Paired transforms: pad-crop, dihedral, long-edge resize, chaos resize."""
import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose

import restorect_mm  # noqa: F401
from restorect_mm.datasets.transforms import (ChaosResize, PairedRandomCropPad,
                                              RandomDihedral,
                                              ResizeLongEdgeMultiple,
                                              inverse_dihedral,
                                              long_edge_multiple_size)
from restorect_mm.registry import TRANSFORMS


def _pair(h, w, c=3, offset=100):
    img = np.arange(h * w * c, dtype=np.int64).reshape(h, w, c) % 97
    img = img.astype(np.uint8)
    return dict(img=img, gt=img + np.uint8(offset))


@pytest.mark.parametrize(
    'name, cls',
    [('PairedRandomCropPad', PairedRandomCropPad),
     ('RandomDihedral', RandomDihedral),
     ('ResizeLongEdgeMultiple', ResizeLongEdgeMultiple),
     ('ChaosResize', ChaosResize)])
def test_built_from_registry(name, cls):
    from mmagic.registry import TRANSFORMS as MMAGIC_TRANSFORMS
    t = TRANSFORMS.build(dict(type=name))
    assert type(t) is cls
    assert MMAGIC_TRANSFORMS.get(name) is cls
    assert name in repr(t)


# ---------------------------------------------------------------- crop / pad
def test_crop_sizes_and_same_location():
    np.random.seed(0)
    crop = TRANSFORMS.build(dict(type='PairedRandomCropPad', crop_size=8))
    bboxes = set()
    for _ in range(10):
        out = crop(_pair(20, 30))
        assert out['img'].shape == (8, 8, 3) and out['gt'].shape == (8, 8, 3)
        np.testing.assert_array_equal(out['gt'], out['img'] + np.uint8(100))
        top, left, ch, cw = out['crop_bbox']
        np.testing.assert_array_equal(
            out['img'],
            _pair(20, 30)['img'][top:top + 8, left:left + 8])
        assert out['crop_pad'] == (0, 0)
        bboxes.add((top, left))
    assert len(bboxes) > 1  # the location is random


def test_crop_rectangular_and_grey():
    crop = PairedRandomCropPad(crop_size=(4, 6))
    grey = np.zeros((10, 10), np.uint8)
    out = crop(dict(img=grey, gt=grey.copy()))
    assert out['img'].shape == (4, 6) and out['gt'].shape == (4, 6)


def test_pad_is_reflection():
    np.random.seed(1)
    crop = PairedRandomCropPad(crop_size=64)
    src = _pair(20, 30)
    out = crop(_pair(20, 30))
    img, gt = out['img'], out['gt']
    assert img.shape == (64, 64, 3) and out['crop_pad'] == (44, 34)
    assert out['crop_bbox'] == (0, 0, 64, 64)
    np.testing.assert_array_equal(img[:20, :30], src['img'])
    # row 20 + k mirrors row 18 - k (reflection without repeating the edge)
    for k in range(5):
        np.testing.assert_array_equal(img[20 + k, :30], src['img'][18 - k])
        np.testing.assert_array_equal(img[:20, 30 + k], src['img'][:, 28 - k])
    # the same padding for gt
    np.testing.assert_array_equal(gt, img + np.uint8(100))


def test_pad_much_smaller_than_crop_reflects_repeatedly():
    img = np.arange(3, dtype=np.uint8)[None, :, None].repeat(2, 0)  # 2x3
    out = PairedRandomCropPad(keys='img', crop_size=11)(dict(img=img))
    assert out['img'].shape == (11, 11, 1)
    np.testing.assert_array_equal(out['img'][0, :, 0],
                                  [0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2])
    sym = PairedRandomCropPad(keys='img', crop_size=7, pad_mode='symmetric')
    np.testing.assert_array_equal(
        sym(dict(img=img))['img'][0, :, 0], [0, 1, 2, 2, 1, 0, 0])


def test_mismatched_shapes_error_names_keys_and_paths():
    crop = PairedRandomCropPad(crop_size=4)
    results = dict(
        img=np.zeros((10, 12, 3), np.uint8),
        gt=np.zeros((10, 14, 3), np.uint8),
        img_path='/data/low/1.png',
        gt_path='/data/high/1.png')
    with pytest.raises(ValueError) as err:
        crop(results)
    msg = str(err.value)
    assert "'img'" in msg and "'gt'" in msg
    assert '(10, 12, 3)' in msg and '(10, 14, 3)' in msg
    assert '/data/low/1.png' in msg and '/data/high/1.png' in msg


def test_crop_bad_arguments_and_missing_key():
    with pytest.raises(ValueError, match='pad_mode'):
        PairedRandomCropPad(pad_mode='wrap')
    with pytest.raises(ValueError, match='crop_size'):
        PairedRandomCropPad(crop_size=0)
    with pytest.raises(KeyError, match="'gt'"):
        PairedRandomCropPad(crop_size=2)(dict(img=np.zeros((4, 4, 3))))


# ------------------------------------------------------------------ dihedral
def test_dihedral_all_eight_reachable_identical_and_invertible():
    np.random.seed(0)
    t = TRANSFORMS.build(dict(type='RandomDihedral'))
    src = _pair(3, 5)
    seen = {}
    for _ in range(200):
        out = t({k: v.copy() for k, v in src.items()})
        idx = out['dihedral']
        np.testing.assert_array_equal(out['gt'], out['img'] + np.uint8(100))
        np.testing.assert_array_equal(
            inverse_dihedral(out['img'], idx), src['img'])
        np.testing.assert_array_equal(
            inverse_dihedral(out['gt'], idx), src['gt'])
        seen[idx] = out['img']
    assert sorted(seen) == list(range(8))
    # a non-symmetric array has 8 distinct images under the group
    assert len({(v.shape, v.tobytes()) for v in seen.values()}) == 8
    assert seen[0].shape == (3, 5, 3) and seen[1].shape == (5, 3, 3)
    np.testing.assert_array_equal(seen[4], src['img'][:, ::-1])
    np.testing.assert_array_equal(seen[2], src['img'][::-1, ::-1])


def test_dihedral_output_contiguous():
    np.random.seed(3)
    out = RandomDihedral(keys=['img'])(dict(img=np.zeros((2, 4, 3))))
    assert out['img'].flags['C_CONTIGUOUS']


# -------------------------------------------------------------------- resize
def test_long_edge_multiple_3000x2000():
    img = np.zeros((3000, 2000, 3), np.uint8)
    t = TRANSFORMS.build(dict(type='ResizeLongEdgeMultiple'))
    out = t(dict(img=img, gt=img.copy()))
    h, w = out['img'].shape[:2]
    assert max(h, w) <= 2048 and h % 32 == 0 and w % 32 == 0
    assert (h, w) == (2048, 1376)  # 2000 * 2048 / 3000 = 1365.3 -> 1376
    assert out['gt'].shape == out['img'].shape == (2048, 1376, 3)


def test_long_edge_multiple_compliant_unchanged_and_round_up():
    img = np.random.RandomState(0).randint(0, 255, (64, 96, 3), np.uint8)
    t = ResizeLongEdgeMultiple(max_long_edge=128, multiple=32)
    out = t(dict(img=img, gt=img))
    assert out['img'] is img and out['gt'] is img
    assert long_edge_multiple_size(600, 401, 2048, 32) == (608, 416)
    assert long_edge_multiple_size(4000, 10, None, 32) == (4000, 32)
    out = ResizeLongEdgeMultiple(keys='img')(
        dict(img=np.zeros((33, 40, 1), np.uint8)))
    assert out['img'].shape == (64, 64, 1)


def test_long_edge_multiple_errors():
    with pytest.raises(ValueError, match='max_long_edge'):
        ResizeLongEdgeMultiple(max_long_edge=2000, multiple=32)
    with pytest.raises(ValueError, match='interpolation'):
        ResizeLongEdgeMultiple(interpolation='cubic')
    with pytest.raises(ValueError, match="'gt'"):
        ResizeLongEdgeMultiple()(
            dict(img=np.zeros((8, 8, 3)), gt=np.zeros((8, 9, 3))))


def test_chaos_resize_exact_size():
    t = TRANSFORMS.build(dict(type='ChaosResize', size=(16, 24)))
    out = t(dict(img=np.zeros((50, 70, 3), np.uint8),
                 gt=np.full((40, 30, 3), 9, np.uint8)))
    assert out['img'].shape == (16, 24, 3) and out['gt'].shape == (16, 24, 3)
    assert out['img'].dtype == np.uint8 and int(out['gt'].min()) == 9
    out = ChaosResize(keys='img', size=8)(dict(img=np.zeros((5, 6, 1))))
    assert out['img'].shape == (8, 8, 1)


# ------------------------------------------------------------------ pipeline
def test_pipeline_load_crop_dihedral_pack(tmp_path):
    rng = np.random.RandomState(0)
    low = rng.randint(0, 100, (20, 30, 3)).astype(np.uint8)
    cv2.imwrite(str(tmp_path / 'low.png'), low)
    cv2.imwrite(str(tmp_path / 'high.png'), low + np.uint8(100))
    pipeline = Compose([
        dict(type='LoadImageStrict', key='img'),
        dict(type='LoadImageStrict', key='gt'),
        dict(type='PairedRandomCropPad', crop_size=16),
        dict(type='RandomDihedral'),
        dict(type='PackInputs', meta_keys=['dihedral', 'crop_bbox'])
    ])
    np.random.seed(0)
    for _ in range(4):
        out = pipeline(
            dict(
                img_path=str(tmp_path / 'low.png'),
                gt_path=str(tmp_path / 'high.png')))
        inputs, gt = out['inputs'], out['data_samples'].gt_img
        assert tuple(inputs.shape) == (3, 16, 16)
        assert tuple(gt.shape) == (3, 16, 16)
        assert (gt.int() - inputs.int() == 100).all()
        assert out['data_samples'].metainfo['dihedral'] in range(8)
        assert out['data_samples'].metainfo['crop_bbox'][2:] == (16, 16)

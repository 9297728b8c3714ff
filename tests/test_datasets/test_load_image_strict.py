"""LoadImageStrict: clear errors for bad files, normalised 8-bit output."""
import cv2
import numpy as np
import pytest

import restorect_mm  # noqa: F401
from restorect_mm.datasets.transforms import (ImageLoadError,
                                              ImageNotFoundError,
                                              LoadImageStrict, to_uint8)
from restorect_mm.registry import TRANSFORMS


def _load(path, **kwargs):
    kwargs.setdefault('key', 'img')
    t = TRANSFORMS.build(dict(type='LoadImageStrict', **kwargs))
    return t(dict(img_path=str(path)))['img']


def _rgb(h=5, w=4):
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 10, 20, 30  # R, G, B
    return img


def test_registered_subclass():
    assert TRANSFORMS.get('LoadImageStrict') is LoadImageStrict
    from mmagic.datasets.transforms import LoadImageFromFile
    assert issubclass(LoadImageStrict, LoadImageFromFile)


def test_missing_file(tmp_path):
    path = tmp_path / 'gone.png'
    load_gt = TRANSFORMS.build(dict(type='LoadImageStrict', key='gt'))
    with pytest.raises(ImageNotFoundError) as err:
        load_gt(dict(gt_path=str(path)))
    assert isinstance(err.value, FileNotFoundError)
    assert str(path) in str(err.value) and "'gt'" in str(err.value)


def test_zero_byte_file(tmp_path):
    path = tmp_path / 'empty.png'
    path.write_bytes(b'')
    with pytest.raises(ImageLoadError, match='0 bytes') as err:
        _load(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize('ext', ['.png', '.jpg'])
def test_truncated_file(tmp_path, ext):
    ok, buf = cv2.imencode(ext, np.random.default_rng(0).integers(
        0, 255, (32, 32, 3), dtype=np.uint8))
    path = tmp_path / f'cut{ext}'
    path.write_bytes(buf.tobytes()[:len(buf) // 2])
    with pytest.raises(ImageLoadError, match='cannot decode') as err:
        _load(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize('backend', [None, 'pillow'])
def test_not_an_image(tmp_path, backend):
    path = tmp_path / 'text.png'
    path.write_text('this is not a PNG')
    with pytest.raises(ImageLoadError, match='cannot decode') as err:
        _load(path, imdecode_backend=backend)
    assert str(path) in str(err.value)


@pytest.mark.parametrize('order', ['bgr', 'rgb'])
def test_channel_order(tmp_path, order):
    path = tmp_path / 'c.png'
    cv2.imwrite(str(path), cv2.cvtColor(_rgb(), cv2.COLOR_RGB2BGR))
    img = _load(path, channel_order=order)
    assert img.dtype == np.uint8 and img.shape == (5, 4, 3)
    expect = [10, 20, 30] if order == 'rgb' else [30, 20, 10]
    assert img[0, 0].tolist() == expect


def test_grayscale_becomes_three_channels(tmp_path):
    path = tmp_path / 'g.png'
    gray = np.arange(20, dtype=np.uint8).reshape(5, 4)
    cv2.imwrite(str(path), gray)
    img = _load(path)
    assert img.shape == (5, 4, 3)
    for c in range(3):
        np.testing.assert_array_equal(img[..., c], gray)
    assert _load(path, color_type='grayscale').shape == (5, 4, 1)


@pytest.mark.parametrize('backend', [None, 'pillow'])
def test_rgba_drops_alpha(tmp_path, backend):
    path = tmp_path / 'a.png'
    bgra = np.dstack([cv2.cvtColor(_rgb(), cv2.COLOR_RGB2BGR),
                      np.zeros((5, 4), np.uint8)])  # fully transparent
    cv2.imwrite(str(path), bgra)
    img = _load(path, channel_order='rgb', imdecode_backend=backend)
    assert img.shape == (5, 4, 3)
    assert img[2, 2].tolist() == [10, 20, 30]  # colour kept, not composited


@pytest.mark.parametrize('channels', [1, 3])
def test_16bit_scaled_to_8bit(tmp_path, channels):
    path = tmp_path / 'deep.png'
    values = np.array([0, 257, 32896, 65535, 383], np.uint16)  # 383/257=1.49
    img16 = np.tile(values, (3, 1))
    if channels == 3:
        img16 = np.dstack([img16] * 3)
    assert cv2.imwrite(str(path), img16)
    img = _load(path, to_float32=False)
    assert img.dtype == np.uint8 and img.shape == (3, 5, 3)
    assert img[1, :, 0].tolist() == [0, 1, 128, 255, 1]


def test_to_float32_and_to_uint8_errors(tmp_path):
    path = tmp_path / 'c.png'
    cv2.imwrite(str(path), _rgb())
    assert _load(path, to_float32=True).dtype == np.float32
    with pytest.raises(ImageLoadError, match=r'x\.tif.*\[0, 1\]'):
        to_uint8(np.full((2, 2), 1.5, np.float32), 'x.tif')
    with pytest.raises(ImageLoadError, match='NaN'):
        to_uint8(np.full((2, 2), np.nan, np.float32), 'x.tif')
    with pytest.raises(ImageLoadError, match='uint32'):
        to_uint8(np.full((2, 2), 2**20, np.uint32), 'x.tif')


def test_float_tiff_in_unit_range_is_scaled_to_8bit(tmp_path):
    path = tmp_path / 'linear.tif'
    values = np.array([0.0, 0.5, 1.0, 0.002], np.float32)
    # uncompressed: OpenCV 4.11 compresses float TIFFs lossily by default
    assert cv2.imwrite(str(path), np.dstack([np.tile(values, (2, 1))] * 3),
                       [cv2.IMWRITE_TIFF_COMPRESSION, 1])
    img = _load(path, to_float32=False)
    assert img.dtype == np.uint8 and img.shape == (2, 4, 3)
    assert img[0, :, 0].tolist() == [0, 128, 255, 1]


def test_unchanged_color_type_refused():
    with pytest.raises(ValueError, match='unchanged'):
        LoadImageStrict(key='img', color_type='unchanged')


def test_a_pair_of_two_sizes_names_both_files(tmp_path):
    low, high = tmp_path / 'low.png', tmp_path / 'high.png'
    cv2.imwrite(str(low), _rgb(3, 4))
    cv2.imwrite(str(high), _rgb())
    results = LoadImageStrict(key='img').transform({'img_path': str(low),
                                                    'gt_path': str(high)})
    check = LoadImageStrict(key='gt', same_size_as='img')
    with pytest.raises(ImageLoadError, match='differ in size') as err:
        check.transform(dict(results))
    assert str(low) in str(err.value) and str(high) in str(err.value)
    # without the check (a pipeline that resizes both) the pair loads
    assert LoadImageStrict(key='gt').transform(dict(results))['gt'].shape[:2] \
        != results['img'].shape[:2]

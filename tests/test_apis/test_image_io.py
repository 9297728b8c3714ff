"""Image reading/writing: 8/16-bit, EXIF orientation, alpha, clear errors."""
import cv2
import numpy as np
import pytest
from PIL import Image

from restorect_mm.apis import ImageReadError, read_image, write_image
from restorect_mm.apis.image_io import quantize


def test_16bit_colour_png_round_trips_at_16_bits(tmp_path):
    rgb16 = np.random.default_rng(0).integers(0, 65536, (9, 7, 3),
                                              dtype=np.uint16)
    src = str(tmp_path / 'in.png')
    cv2.imwrite(src, rgb16[..., ::-1])
    rgb, info = read_image(src)
    assert info.bit_depth == 16
    np.testing.assert_allclose(rgb * 65535, rgb16, atol=0.01)
    out = write_image(str(tmp_path / 'out.png'), rgb, info)
    back = cv2.imread(out, cv2.IMREAD_UNCHANGED)[..., ::-1]
    assert back.dtype == np.uint16
    np.testing.assert_array_equal(back, rgb16)


def test_16bit_grey_png_is_read_as_rgb(tmp_path):
    grey = np.arange(0, 65535, 1000, dtype=np.uint16).reshape(6, 11)
    src = str(tmp_path / 'g.png')
    cv2.imwrite(src, grey)
    rgb, info = read_image(src)
    assert info.bit_depth == 16 and rgb.shape == (6, 11, 3)
    np.testing.assert_allclose(rgb[..., 1] * 65535, grey, atol=0.01)


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :10] = 255  # a white band on the left of the stored image
    img = Image.fromarray(pixels)
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    src = str(tmp_path / 'rot.jpg')
    img.save(src, exif=exif, quality=100)
    rgb, info = read_image(src)
    assert info.bit_depth == 8
    assert rgb.shape == (40, 20, 3)  # upright: portrait
    assert rgb[:10].mean() > 0.9 and rgb[-10:].mean() < 0.1  # band on top


def test_alpha_is_kept_and_8bit_is_rounded(tmp_path):
    rgba = np.zeros((4, 5, 4), np.uint8)
    rgba[..., 3] = 77
    src = str(tmp_path / 'a.png')
    Image.fromarray(rgba).save(src)
    rgb, info = read_image(src)
    restored = np.full_like(rgb, 100.4 / 255)
    out = write_image(str(tmp_path / 'o.png'), restored, info)
    back = np.asarray(Image.open(out))
    assert back.shape == (4, 5, 4)
    assert (back[..., 3] == 77).all() and (back[..., :3] == 100).all()
    assert quantize(np.array([100.6 / 255]), 8)[0] == 101  # rounds


@pytest.mark.parametrize('content,match', [(b'', 'empty'),
                                           (b'not an image', 'cannot decode')])
def test_bad_files_raise_naming_the_file(tmp_path, content, match):
    bad = tmp_path / 'bad.png'
    bad.write_bytes(content)
    with pytest.raises(ImageReadError, match=match) as err:
        read_image(str(bad))
    assert str(bad) in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ImageReadError, match='no such file'):
        read_image(str(tmp_path / 'nope.png'))


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    """write_image goes through a temporary file and a rename: a failure
    before the rename keeps the previous file and leaves no temporary."""
    import os

    from restorect_mm.engine import atomic_local_backend
    path = tmp_path / 'out.png'
    rgb = np.random.default_rng(0).random((8, 8, 3))
    _, info = read_image(_write_png(tmp_path / 'src.png'))
    write_image(str(path), rgb, info)
    old = path.read_bytes()

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic_local_backend.os, 'replace', interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_image(str(path), 1 - rgb, info)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ['out.png', 'src.png']


def _write_png(path):
    cv2.imwrite(str(path), np.zeros((8, 8, 3), np.uint8))
    return str(path)


def test_float_tiff_is_read_in_unit_range_and_written_at_16_bits(tmp_path):
    """Pillow cannot open float RGB TIFFs: they are read through OpenCV,
    not called corrupt; values outside [0, 1] are named."""
    rgb = np.random.default_rng(1).random((6, 5, 3)).astype(np.float32)
    path = tmp_path / 'linear.tif'
    # uncompressed: OpenCV 4.11 compresses float TIFFs lossily by default
    lossless = [cv2.IMWRITE_TIFF_COMPRESSION, 1]
    assert cv2.imwrite(str(path), rgb[..., ::-1], lossless)
    read, info = read_image(str(path))
    assert info.bit_depth == 16 and np.array_equal(read, rgb)
    out = write_image(str(tmp_path / 'out.png'), read, info)
    assert cv2.imread(out, cv2.IMREAD_UNCHANGED).dtype == np.uint16
    assert cv2.imwrite(str(path), rgb * 3, lossless)
    with pytest.raises(ImageReadError, match=r'linear\.tif.*\[0, 1\]'):
        read_image(str(path))

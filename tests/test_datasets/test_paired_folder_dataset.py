"""PairedFolderDataset: pairing rule, data info, and every layout error."""
import os

import cv2
import numpy as np
import pytest
import torch

import restorect_mm  # noqa: F401  (registers the modules)
from restorect_mm.datasets import (DatasetLayoutError, DatasetNotFoundError,
                                   PairedFolderDataset, pairing_key)
from restorect_mm.registry import DATASETS


def _write(folder, name, value=0, shape=(8, 6, 3)):
    os.makedirs(folder, exist_ok=True)
    img = np.full(shape, value, np.uint8)
    assert cv2.imwrite(os.path.join(folder, name), img)


def _build(root, **kwargs):
    return DATASETS.build(
        dict(type='PairedFolderDataset', data_root=str(root), **kwargs))


@pytest.fixture
def lol_like(tmp_path):
    """low/low3.png.. <-> high/normal3.png.., written in shuffled order."""
    for i in (12, 3, 7):
        _write(tmp_path / 'low', f'low{i:05d}.png', value=i)
        _write(tmp_path / 'high', f'normal{i:05d}.png', value=100 + i)
    return tmp_path


def test_pairing_key():
    assert pairing_key('low00001.png') == pairing_key('normal1.jpg') == (0, 1)
    assert pairing_key('a12b34.png') == (0, 12)  # first run only
    assert pairing_key('cat.png') == (1, 'cat')
    assert pairing_key('IMG_7.png', match_by='stem') == (1, 'IMG_7')


def test_pairs_by_first_digits_and_sorts(lol_like):
    ds = _build(lol_like)
    assert isinstance(ds, PairedFolderDataset)
    assert len(ds) == 3
    infos = [ds.get_data_info(i) for i in range(3)]
    assert [d['pair_id'] for d in infos] == ['3', '7', '12']
    first = infos[0]
    assert first['key'] == 'low00003'
    assert first['img_path'] == str(lol_like / 'low' / 'low00003.png')
    assert first['gt_path'] == str(lol_like / 'high' / 'normal00003.png')
    for d in infos:
        assert os.path.basename(d['img_path'])[3:] == \
            os.path.basename(d['gt_path'])[6:]


def test_ignores_hidden_non_image_and_subfolders(lol_like):
    (lol_like / 'low' / '.DS_Store').write_bytes(b'x')
    (lol_like / 'low' / '._low00099.png').write_bytes(b'x')
    (lol_like / 'low' / 'notes00099.txt').write_text('x')
    os.makedirs(lol_like / 'high' / 'sub00099.png')
    _write(lol_like / 'high', 'NORMAL00020.JPG')  # upper-case extension
    _write(lol_like / 'low', 'low20.tiff')
    ds = _build(lol_like)
    assert [ds.get_data_info(i)['pair_id'] for i in range(4)] == \
        ['3', '7', '12', '20']


def test_names_without_digits_match_by_stem(tmp_path):
    for name in ('cat', 'dog'):
        _write(tmp_path / 'in', f'{name}.png')
        _write(tmp_path / 'gt', f'{name}.jpg')
    ds = _build(tmp_path, data_prefix=dict(img='in', gt='gt'))
    assert [ds.get_data_info(i)['key'] for i in range(2)] == ['cat', 'dog']
    assert ds.get_data_info(0)['gt_path'].endswith('gt/cat.jpg')


def test_same_folder_for_input_and_gt(tmp_path):
    for i in range(2):
        _write(tmp_path / 'imgs', f'{i}.png')
    ds = _build(tmp_path, data_prefix=dict(img='imgs', gt='imgs'))
    assert len(ds) == 2
    assert ds.get_data_info(1)['img_path'] == ds.get_data_info(1)['gt_path']


def test_missing_data_root(tmp_path):
    with pytest.raises(DatasetNotFoundError, match='data_root') as err:
        _build(tmp_path / 'nope')
    assert isinstance(err.value, FileNotFoundError)
    assert str(tmp_path / 'nope') in str(err.value)


@pytest.mark.parametrize('missing', ['low', 'high'])
def test_missing_lq_or_gt_folder(tmp_path, missing):
    present = 'high' if missing == 'low' else 'low'
    _write(tmp_path / present, '1.png')
    with pytest.raises(DatasetNotFoundError) as err:
        _build(tmp_path)
    msg = str(err.value)
    assert str(tmp_path / missing) in msg and 'does not exist' in msg
    assert ('LQ' if missing == 'low' else 'GT') in msg


def test_empty_folder(tmp_path):
    _write(tmp_path / 'low', '1.png')
    os.makedirs(tmp_path / 'high')
    (tmp_path / 'high' / 'readme.txt').write_text('only text here')
    with pytest.raises(DatasetLayoutError, match='holds no images') as err:
        _build(tmp_path)
    assert str(tmp_path / 'high') in str(err.value)


def test_unequal_counts_lists_extra_files(lol_like):
    _write(lol_like / 'low', 'low00044.png')
    with pytest.raises(DatasetLayoutError) as err:
        _build(lol_like)
    msg = str(err.value)
    assert 'unequal counts (LQ 4, GT 3)' in msg
    assert 'low00044.png' in msg and 'without GT' in msg


def test_unmatched_names_with_equal_counts(lol_like):
    os.remove(lol_like / 'high' / 'normal00007.png')
    _write(lol_like / 'high', 'normal00008.png')
    with pytest.raises(DatasetLayoutError) as err:
        _build(lol_like)
    msg = str(err.value)
    assert 'unequal' not in msg
    assert 'low00007.png' in msg and 'normal00008.png' in msg


def test_unmatched_list_is_truncated(tmp_path):
    for i in range(8):
        _write(tmp_path / 'low', f'a{i}.png')
        _write(tmp_path / 'high', f'b{i + 100}.png')
    with pytest.raises(DatasetLayoutError, match=r'and 3 more'):
        _build(tmp_path)


def test_duplicate_keys(lol_like):
    _write(lol_like / 'low', 'low3_copy.png')  # first digits: 3 again
    with pytest.raises(DatasetLayoutError, match='duplicate') as err:
        _build(lol_like)
    msg = str(err.value)
    assert 'low00003.png' in msg and 'low3_copy.png' in msg
    assert "match_by='stem'" in msg


def test_match_by_stem_resolves_shared_numbers(tmp_path):
    for name in ('IMG_2023_01', 'IMG_2023_02'):
        _write(tmp_path / 'low', name + '.png')
        _write(tmp_path / 'high', name + '.png')
    with pytest.raises(DatasetLayoutError, match='duplicate'):
        _build(tmp_path)
    assert len(_build(tmp_path, match_by='stem')) == 2


def test_bad_data_prefix_keys(tmp_path):
    with pytest.raises(DatasetLayoutError, match="'img'"):
        _build(tmp_path, data_prefix=dict(lq='low', gt='high'))


def test_pipeline_load_strict_and_pack(lol_like):
    ds = _build(
        lol_like,
        pipeline=[
            dict(type='LoadImageStrict', key='img', channel_order='rgb'),
            dict(type='LoadImageStrict', key='gt', channel_order='rgb'),
            dict(type='PackInputs')
        ])
    out = ds[1]  # pair 7
    assert out['inputs'].shape == (3, 8, 6)
    assert out['inputs'].dtype == torch.uint8
    assert int(out['inputs'].max()) == 7 and int(out['inputs'].min()) == 7
    sample = out['data_samples']
    assert tuple(sample.gt_img.shape) == (3, 8, 6)
    assert int(sample.gt_img.float().mean()) == 107
    assert sample.img_path.endswith('low00007.png')
    assert sample.gt_path.endswith('normal00007.png')

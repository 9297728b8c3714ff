"""SIDListDataset: pairs from SID's split lists, matched by file stem."""
import os.path as osp

import pytest

from tests.test_datasets.published_layouts import SID_PAIRS, make_sid, write_image
from restorect_mm.datasets import (DatasetLayoutError, DatasetNotFoundError,
                                   SIDListDataset)
from restorect_mm.registry import DATASETS


def _build(root, ann_file='Sony_test_list.txt', **kwargs):
    return DATASETS.build(dict(type='SIDListDataset', data_root=str(root),
                               ann_file=ann_file, **kwargs))


def _write_list(root, lines, name='Sony_test_list.txt'):
    (root / name).write_text(''.join(line + '\n' for line in lines))


def test_original_lists_map_arw_to_resized_png(tmp_path):
    make_sid(tmp_path)
    ds = _build(tmp_path)
    assert isinstance(ds, SIDListDataset)
    assert len(ds) == len(SID_PAIRS)
    for i, (short, long) in enumerate(SID_PAIRS):
        info = ds.get_data_info(i)
        assert info['key'] == short
        assert info['img_path'] == str(
            tmp_path / 'Sony' / 'short_resized' / f'{short}.png')
        assert info['gt_path'] == str(
            tmp_path / 'Sony' / 'long_resized' / f'{long}.png')
        assert info['list_line'] == i + 1


def test_absolute_foreign_paths_comments_and_blank_lines(tmp_path):
    make_sid(tmp_path, lists=())
    short, long = SID_PAIRS[1]
    _write_list(tmp_path, [
        '# exported on another machine', '',
        f'/home/someone/SSID/Sony/short_resized/{short}.png '
        f'/home/someone/SSID/Sony/long_resized/{long}.png',
        f'C:\\data\\Sony\\short\\{short}.ARW C:\\data\\Sony\\long\\{long}.ARW'
    ])
    ds = _build(tmp_path)
    assert len(ds) == 2
    assert [ds.get_data_info(i)['list_line'] for i in range(2)] == [3, 4]
    assert all(ds.get_data_info(i)['key'] == short for i in range(2))


def test_missing_list_file(tmp_path):
    make_sid(tmp_path, lists=('train', ))
    with pytest.raises(DatasetNotFoundError,
                       match=r'Sony_test_list\.txt.*does not exist'):
        _build(tmp_path)


def test_entry_whose_file_is_missing_names_the_line(tmp_path):
    make_sid(tmp_path, lists=())
    short, long = SID_PAIRS[0]
    _write_list(tmp_path, [f'{short}.ARW {long}.ARW',
                           f'{short}.ARW 00099_00_10s.ARW'])
    with pytest.raises(DatasetLayoutError,
                       match=r"Sony_test_list\.txt:2: '00099_00_10s\.ARW' -> "
                       r"no image.*long_resized"):
        _build(tmp_path)


def test_empty_list_and_short_line(tmp_path):
    make_sid(tmp_path, lists=())
    _write_list(tmp_path, ['', '# nothing'])
    with pytest.raises(DatasetLayoutError, match='has no entries'):
        _build(tmp_path)
    _write_list(tmp_path, [f'{SID_PAIRS[0][0]}.ARW'])
    with pytest.raises(DatasetLayoutError, match=r':1: expected'):
        _build(tmp_path)


def test_ambiguous_stem(tmp_path):
    make_sid(tmp_path)
    write_image(tmp_path / 'Sony' / 'short_resized' /
                f'{SID_PAIRS[0][0]}.jpg')
    with pytest.raises(DatasetLayoutError, match='several images'):
        _build(tmp_path)


def test_missing_image_folder(tmp_path):
    make_sid(tmp_path)
    with pytest.raises(DatasetNotFoundError, match='short-exposure folder'):
        _build(tmp_path, data_prefix=dict(img='Sony/short', gt=osp.join(
            'Sony', 'long_resized')))

"""UIEB / LSUI / BAID folders through PairedFolderDataset and their
pipelines: counts, unmatched names, empty folders, image formats."""
import numpy as np
import pytest
import torch

from tests.test_datasets.published_layouts import write_image, write_paired
from restorect_mm.datasets import DatasetLayoutError
from restorect_mm.datasets.transforms import ImageLoadError
from restorect_mm.registry import DATASETS

CHAOS_TEST = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb'),
    dict(type='ChaosResize', keys=['img', 'gt'], size=(16, 16)),
    dict(type='PackInputs'),
]
LAYOUTS = {  # set: (LQ folder, GT folder, LQ names, GT names)
    'UIEB': ('input_test', 'gt_test', ['3_img_.png', '12_img_.png'], None),
    'LSUI': ('input_test', 'gt_test', ['7.jpg', '41.jpg'], None),
    'BAID': ('BAID-test/resize_input', 'BAID-test/resize_gt',
             ['0001.png', '0002.png'], ['0001.png', '0002.png']),
}


def _build(root, lq, gt, pipeline=()):
    return DATASETS.build(dict(
        type='PairedFolderDataset', data_root=str(root),
        data_prefix=dict(img=lq, gt=gt), pipeline=list(pipeline)))


@pytest.mark.parametrize('name', sorted(LAYOUTS))
def test_published_names_pair(tmp_path, name):
    lq, gt, names, gt_names = LAYOUTS[name]
    write_paired(tmp_path, lq, gt, names, gt_names)
    ds = _build(tmp_path, lq, gt, CHAOS_TEST)
    assert len(ds) == 2
    for i in range(2):
        info = ds.get_data_info(i)
        assert info['img_path'].split('/')[-1] == \
            info['gt_path'].split('/')[-1]
    item = ds[0]
    assert item['inputs'].shape == (3, 16, 16)
    assert item['data_samples'].gt_img.shape == (3, 16, 16)


def test_unequal_counts_and_unmatched_names(tmp_path):
    write_paired(tmp_path, 'input_test', 'gt_test', ['1.png', '2.png'])
    write_image(tmp_path / 'input_test' / '3.png')
    with pytest.raises(DatasetLayoutError,
                       match=r'unequal counts \(LQ 3, GT 2\).*3\.png'):
        _build(tmp_path, 'input_test', 'gt_test')
    write_image(tmp_path / 'gt_test' / '4.png')
    with pytest.raises(DatasetLayoutError,
                       match=r'without GT: 3\.png.*without LQ: 4\.png'):
        _build(tmp_path, 'input_test', 'gt_test')


def test_empty_folder(tmp_path):
    write_paired(tmp_path, 'input_test', 'gt_test', ['1.png'])
    (tmp_path / 'gt_test' / '1.png').unlink()
    with pytest.raises(DatasetLayoutError, match=r"gt_test' holds no images"):
        _build(tmp_path, 'input_test', 'gt_test')


def test_mixed_formats_are_converted_in_pairs(tmp_path):
    """Grey input, RGBA reference; 16-bit input, grey 16-bit reference."""
    write_image(tmp_path / 'in' / '1.png', 60, shape=(8, 8))
    write_image(tmp_path / 'gt' / '1.png', 70, shape=(8, 8, 4))
    write_image(tmp_path / 'in' / '2.png', 257 * 80, shape=(8, 8, 3),
                dtype=np.uint16)
    write_image(tmp_path / 'gt' / '2.png', 257 * 90, shape=(8, 8),
                dtype=np.uint16)
    ds = _build(tmp_path, 'in', 'gt', CHAOS_TEST[:2] + CHAOS_TEST[3:])
    expected = {0: (60, 70), 1: (80, 90)}
    for i, (lq_value, gt_value) in expected.items():
        item = ds[i]
        lq, gt = item['inputs'], item['data_samples'].gt_img
        assert lq.shape == gt.shape == (3, 8, 8)
        assert lq.dtype == torch.uint8
        assert (lq == lq_value).all() and (gt == gt_value).all()


def test_corrupt_reference_names_the_file(tmp_path):
    write_paired(tmp_path, 'in', 'gt', ['1.jpg'])
    (tmp_path / 'gt' / '1.jpg').write_bytes(b'\xff\xd8\xff truncated')
    ds = _build(tmp_path, 'in', 'gt', CHAOS_TEST)
    with pytest.raises(ImageLoadError, match=r"gt/1\.jpg.*'gt'"):
        ds[0]

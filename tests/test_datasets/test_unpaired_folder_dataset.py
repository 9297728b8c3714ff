"""UnpairedFolderDataset: input-only items that MMagic's PackInputs and the
standalone student accept; image formats through the dataset pipeline."""
import os

import cv2
import numpy as np
import pytest
import torch

from tests.test_datasets.published_layouts import make_unpaired, write_image
from restorect_mm.datasets import (DatasetLayoutError, DatasetNotFoundError,
                                   UnpairedFolderDataset)
from restorect_mm.datasets.transforms import ImageLoadError
from restorect_mm.registry import DATASETS

PIPELINE = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='PackInputs'),
]


def _build(root, folder='LIME', pipeline=PIPELINE):
    return DATASETS.build(
        dict(type='UnpairedFolderDataset', data_root=str(root),
             data_prefix=dict(img=folder), pipeline=pipeline))


def test_items_carry_only_the_input(tmp_path):
    make_unpaired(tmp_path, 'LIME', count=3, ext='.bmp')
    (tmp_path / 'LIME' / '.DS_Store').write_bytes(b'x')
    ds = _build(tmp_path)
    assert isinstance(ds, UnpairedFolderDataset)
    assert len(ds) == 3
    info = ds.get_data_info(0)
    assert info['key'] == '1'
    assert info['img_path'] == str(tmp_path / 'LIME' / '1.bmp')
    assert 'gt_path' not in info
    packed = ds[0]
    assert packed['inputs'].shape == (3, 12, 16)
    assert 'gt_img' not in packed['data_samples']
    assert packed['data_samples'].img_path == info['img_path']


def test_standalone_student_predicts_without_gt(tmp_path):
    """The test path: collate -> DataPreprocessor -> student 'predict'."""
    from mmengine.dataset import pseudo_collate
    from restorect_mm.registry import MODELS
    make_unpaired(tmp_path, 'LIME', count=2)
    ds = _build(tmp_path)
    model = MODELS.build(dict(
        type='RestoRectStudent',
        generator=dict(type='RGFormer', dim=16, num_blocks=(1, 1, 1, 1),
                       num_refinement_blocks=1, prior_dim=64,
                       rex_split=(48, 16), with_retinex_head=False),
        prior_flows=dict(type='RetinexPriorFlows', n_feats=16,
                         n_encoder_res=1),
        data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                               std=[255., 255., 255.])))
    model.eval()
    with torch.no_grad():
        out = model.test_step(pseudo_collate([ds[0], ds[1]]))
    assert len(out) == 2
    assert out[0].output.pred_img.shape == (3, 12, 16)
    assert out[0].img_path.endswith('1.bmp')


def test_grey_rgba_and_16bit_are_converted(tmp_path):
    write_image(tmp_path / 'mix' / 'grey.png', 90, shape=(8, 10))
    write_image(tmp_path / 'mix' / 'rgba.png', 50, shape=(8, 10, 4))
    write_image(tmp_path / 'mix' / 'deep.png', 257 * 200, shape=(8, 10, 3),
                dtype=np.uint16)
    ds = _build(tmp_path, 'mix')
    by_key = {ds.get_data_info(i)['key']: ds[i]['inputs'] for i in range(3)}
    for key, img in by_key.items():
        assert img.shape == (3, 8, 10) and img.dtype == torch.uint8, key
    assert (by_key['grey'] == 90).all()
    assert (by_key['rgba'] == 50).all()
    assert (by_key['deep'] == 200).all()


def test_corrupt_image_names_the_file(tmp_path):
    make_unpaired(tmp_path, 'LIME', count=1)
    (tmp_path / 'LIME' / '2.png').write_bytes(b'\x89PNG\r\n\x1a\n broken')
    ds = _build(tmp_path)
    with pytest.raises(ImageLoadError, match=r'LIME/2\.png.*cannot decode'):
        ds[1]


def test_errors(tmp_path):
    with pytest.raises(DatasetNotFoundError, match='data_root'):
        _build(tmp_path / 'nowhere')
    with pytest.raises(DatasetNotFoundError, match=r"LIME' does not exist"):
        _build(tmp_path)
    os.makedirs(tmp_path / 'LIME')
    with pytest.raises(DatasetLayoutError, match='holds no images'):
        _build(tmp_path)
    write_image(tmp_path / 'LIME' / 'a.png')
    write_image(tmp_path / 'LIME' / 'a.jpg')
    with pytest.raises(DatasetLayoutError, match='share a stem.*a'):
        _build(tmp_path)
    with pytest.raises(DatasetLayoutError, match="only the key 'img'"):
        DATASETS.build(dict(type='UnpairedFolderDataset',
                            data_root=str(tmp_path),
                            data_prefix=dict(img='LIME', gt='LIME')))


def test_cv2_reads_the_written_16bit_file(tmp_path):
    """Guard for the fixture above: the file really is 16-bit."""
    path = write_image(tmp_path / 'deep.png', 1000, shape=(4, 4, 3),
                       dtype=np.uint16)
    assert cv2.imread(path, cv2.IMREAD_UNCHANGED).dtype == np.uint16

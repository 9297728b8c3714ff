"""SICEMultiExposureDataset: exposures x scene references, and its errors;
the SICE eval / Mix / Grad folders through PairedFolderDataset."""
import os
import os.path as osp
import shutil

import pytest

from tests.test_datasets.published_layouts import make_sice, write_image
from restorect_mm.datasets import (DatasetLayoutError, DatasetNotFoundError,
                                   SICEMultiExposureDataset)
from restorect_mm.registry import DATASETS


def _train(root, **kwargs):
    return DATASETS.build(
        dict(type='SICEMultiExposureDataset', data_root=osp.join(root,
                                                                  'Dataset'),
             **kwargs))


def test_every_exposure_pairs_with_its_scene_label(tmp_path):
    root = make_sice(tmp_path, exposures=(3, 2))
    ds = _train(root)
    assert isinstance(ds, SICEMultiExposureDataset)
    assert len(ds) == 5
    infos = [ds.get_data_info(i) for i in range(5)]
    assert [d['key'] for d in infos] == ['1_1', '1_2', '1_3', '2_1', '2_2']
    for d in infos:
        assert osp.basename(d['gt_path']) == f"{d['scene']}.JPG"
        assert osp.dirname(d['img_path']).endswith(
            osp.join('train', d['scene']))


def test_scenes_sort_numerically_and_hidden_entries_are_ignored(tmp_path):
    root = make_sice(tmp_path, exposures=(1, ) * 10)  # scenes 1..10
    os.makedirs(osp.join(root, 'Dataset', 'train', '.cache'))
    (tmp_path / 'Dataset' / 'train' / '1' / 'notes.txt').write_text('x')
    ds = _train(root)
    assert [ds.get_data_info(i)['scene'] for i in range(len(ds))] == \
        [str(s) for s in range(1, 11)]


def test_scene_without_label(tmp_path):
    root = make_sice(tmp_path, exposures=(1, 1))
    write_image(osp.join(root, 'Dataset', 'train', '7', 'a.JPG'))
    with pytest.raises(DatasetLayoutError, match=r"without reference.*: 7"):
        _train(root)


def test_label_without_scene(tmp_path):
    root = make_sice(tmp_path, exposures=(1, 1))
    write_image(osp.join(root, 'Dataset', 'label', '9.JPG'))
    with pytest.raises(DatasetLayoutError, match=r'without scene.*9\.JPG'):
        _train(root)


def test_empty_scene_folder(tmp_path):
    root = make_sice(tmp_path, exposures=(1, 1))
    shutil.rmtree(osp.join(root, 'Dataset', 'train', '2'))
    os.makedirs(osp.join(root, 'Dataset', 'train', '2'))
    with pytest.raises(DatasetLayoutError, match=r"train/2' holds no images"):
        _train(root)


def test_two_labels_for_one_scene(tmp_path):
    root = make_sice(tmp_path, exposures=(1, ))
    write_image(osp.join(root, 'Dataset', 'label', '1.png'))
    with pytest.raises(DatasetLayoutError, match=r'1\.JPG / 1\.png'):
        _train(root)


def test_missing_folders(tmp_path):
    with pytest.raises(DatasetNotFoundError, match='data_root'):
        _train(tmp_path / 'nowhere')
    os.makedirs(tmp_path / 'Dataset' / 'label')
    with pytest.raises(DatasetNotFoundError, match='scene folder'):
        _train(tmp_path)
    os.makedirs(tmp_path / 'Dataset' / 'train')
    with pytest.raises(DatasetLayoutError, match='no scene folders'):
        _train(tmp_path)


def test_eval_and_mix_grad_folders_pair_by_digits(tmp_path):
    """<id>.jpg vs <id>.JPG, SICE_Mix / SICE_Grad vs SICE_Reshape need no
    dedicated dataset: PairedFolderDataset's digit rule covers them."""
    root = make_sice(tmp_path, with_eval=3, with_mix=4)
    val = DATASETS.build(dict(
        type='PairedFolderDataset', data_root=osp.join(root, 'Dataset'),
        data_prefix=dict(img='eval/test', gt='eval/target')))
    assert len(val) == 3
    assert val.get_data_info(0)['gt_path'].endswith('target/1.JPG')
    for folder in ('SICE_Mix', 'SICE_Grad'):
        test = DATASETS.build(dict(
            type='PairedFolderDataset', data_root=str(root),
            data_prefix=dict(img=folder, gt='SICE_Reshape')))
        assert len(test) == 4

"""FolderDataset, the base of the folder datasets: per-dataset defaults of
``test_mode`` and ``data_prefix`` and the fix a missing data root names."""
import pytest

from tests.test_datasets.published_layouts import make_unpaired, write_paired
from restorect_mm.datasets import DatasetNotFoundError
from restorect_mm.registry import DATASETS


def test_test_mode_defaults_per_dataset(tmp_path):
    make_unpaired(tmp_path, 'LIME', count=2)
    write_paired(tmp_path, 'low', 'high', ['1.png', '2.png'])
    unpaired = dict(type='UnpairedFolderDataset', data_root=str(tmp_path),
                    data_prefix=dict(img='LIME'))
    assert DATASETS.build(unpaired).test_mode is True  # never trained on
    assert DATASETS.build(dict(unpaired, test_mode=False)).test_mode is False
    paired = DATASETS.build(
        dict(type='PairedFolderDataset', data_root=str(tmp_path)))
    assert paired.test_mode is False
    # the default data_prefix (low / high) was used and joined to the root
    assert paired.data_prefix == dict(img=str(tmp_path / 'low'),
                                      gt=str(tmp_path / 'high'))


@pytest.mark.parametrize('dataset, fix', [
    ('PairedFolderDataset', 'synthesize_lowlight.py'),
    ('SICEMultiExposureDataset', '--cfg-options'),
])
def test_missing_data_root_names_the_dataset_fix(tmp_path, dataset, fix):
    with pytest.raises(DatasetNotFoundError) as err:
        DATASETS.build(dict(type=dataset, data_root=str(tmp_path / 'nope')))
    assert str(err.value).startswith(f'{dataset}: data_root ')
    assert fix in str(err.value)

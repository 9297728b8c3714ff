"""PairedFolderDataset(split_file=...) and the split-file reader."""
import pytest

from tests.test_datasets.published_layouts import write_paired
from restorect_mm.datasets import (DatasetLayoutError, DatasetNotFoundError,
                                   read_split_file)
from restorect_mm.registry import DATASETS

# UIEB's published names: raw-890/<n>_img_.png <-> reference-890/<n>_img_.png
NAMES = [f'{n}_img_.png' for n in (2, 10, 31, 100)]


@pytest.fixture
def uieb(tmp_path):
    return write_paired(tmp_path, 'raw-890', 'reference-890', NAMES)


def _build(root, split_file):
    return DATASETS.build(dict(
        type='PairedFolderDataset', data_root=str(root),
        data_prefix=dict(img='raw-890', gt='reference-890'),
        split_file=split_file))


def test_split_file_selects_listed_pairs(uieb, tmp_path):
    # file names or stems, comments, blank lines, extra fields all accepted
    (tmp_path / 'test.txt').write_text(
        '# UIEB test\n100_img_.png\n\n2_img_ 2_img_.png\n')
    ds = _build(uieb, 'test.txt')
    assert len(ds) == 2
    assert [ds.get_data_info(i)['key'] for i in range(2)] == \
        ['2_img_', '100_img_']  # pairing-key order, not file order
    assert ds.get_data_info(1)['gt_path'].endswith('reference-890/100_img_'
                                                   '.png')


def test_without_split_file_all_pairs(uieb):
    assert len(_build(uieb, None)) == len(NAMES)


def test_unknown_name_names_the_line(uieb, tmp_path):
    (tmp_path / 'test.txt').write_text('2_img_.png\n\n999_img_.png\n')
    with pytest.raises(DatasetLayoutError,
                       match=r"line 3: '999_img_\.png'.*regenerate"):
        _build(uieb, 'test.txt')


def test_missing_empty_and_duplicate_split_files(uieb, tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r'split file.*make_split'):
        _build(uieb, 'nope.txt')
    (tmp_path / 'empty.txt').write_text('# nothing\n\n')
    with pytest.raises(DatasetLayoutError, match='lists no names'):
        _build(uieb, 'empty.txt')
    (tmp_path / 'dup.txt').write_text('2_img_.png\n10_img_.png\n2_img_.png\n')
    with pytest.raises(DatasetLayoutError, match=r'twice \(lines 1 and 3\)'):
        read_split_file(str(tmp_path / 'dup.txt'), 'test')


def test_pairing_is_still_checked_over_the_whole_folders(uieb, tmp_path):
    """An unpaired file outside the split is still an error: a split never
    hides a broken set."""
    write_paired(tmp_path, 'raw-890', 'elsewhere', ['555_img_.png'])
    (tmp_path / 'test.txt').write_text('2_img_.png\n')
    with pytest.raises(DatasetLayoutError, match=r'unequal counts.*555'):
        _build(uieb, 'test.txt')

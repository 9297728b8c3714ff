"""tools/dataset_converters/synthesize_lowlight.py, run as a real CLI."""
import filecmp
import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
TOOL = os.path.join(REPO, 'tools', 'dataset_converters',
                    'synthesize_lowlight.py')


def _run(*args, check=True):
    proc = subprocess.run([sys.executable, TOOL, *map(str, args)],
                          capture_output=True, text=True, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _names(folder):
    return sorted(os.listdir(folder))


def _check_layout(out, n_train, n_test, size):
    for split, n in (('train', n_train), ('test', n_test)):
        low, high = _names(out / split / 'low'), _names(out / split / 'high')
        assert low == high == [f'{i:05d}.png' for i in range(1, n + 1)]
        for name in (low[0], low[-1]):
            lo = cv2.imread(str(out / split / 'low' / name))
            hi = cv2.imread(str(out / split / 'high' / name))
            assert lo.shape == hi.shape == (size, size, 3)
            assert lo.mean() < hi.mean()


def _identical_trees(a, b):
    cmp = filecmp.dircmp(a, b)
    stack = [cmp]
    while stack:
        c = stack.pop()
        if c.left_only or c.right_only or c.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(
            c.left, c.right, c.common_files, shallow=False)
        if mismatch or errors:
            return False
        stack.extend(c.subdirs.values())
    return True


@pytest.fixture
def src(tmp_path):
    """Four tiny photos, one unreadable file, one non-image file."""
    folder = tmp_path / 'src'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        img = rng.integers(0, 256, (30 + 4 * i, 40, 3), dtype=np.uint8)
        cv2.imwrite(str(folder / f'photo{i}.png'), img)
    (folder / 'broken.jpg').write_bytes(b'not a jpeg')
    (folder / 'notes.txt').write_text('ignored')
    return folder


def test_src_folder_layout_and_determinism(tmp_path, src):
    out_a, out_b = tmp_path / 'a', tmp_path / 'b'
    proc = _run('--src', src, '--out', out_a, '--size', 24,
                '--crops-per-image', 3, '--test-ratio', 0.25, '--seed', 5)
    assert 'broken.jpg' in proc.stderr and 'unreadable' in proc.stderr
    _check_layout(out_a, n_train=9, n_test=3, size=24)
    log = json.loads((out_a / 'synthesis.json').read_text())
    train_src = {p['source'] for k, p in log['pairs'].items()
                 if k.startswith('train/')}
    test_src = {p['source'] for k, p in log['pairs'].items()
                if k.startswith('test/')}
    assert len(train_src) == 3 and len(test_src) == 1
    assert not train_src & test_src  # held-out source images

    _run('--src', src, '--out', out_b, '--size', 24, '--crops-per-image', 3,
         '--test-ratio', 0.25, '--seed', 5)
    assert _identical_trees(out_a, out_b)

    # refuses to mix with existing output unless --overwrite
    proc = _run('--src', src, '--out', out_a, '--seed', 6, check=False)
    assert proc.returncode != 0 and '--overwrite' in proc.stderr
    _run('--src', src, '--out', out_a, '--size', 24, '--crops-per-image', 3,
         '--test-ratio', 0.25, '--seed', 6, '--overwrite')
    assert not _identical_trees(out_a, out_b)  # other seed, other data


def test_single_source_image_uses_disjoint_regions(tmp_path, src):
    one = tmp_path / 'one'
    one.mkdir()
    os.rename(src / 'photo3.png', one / 'photo3.png')
    out = tmp_path / 'out'
    _run('--src', one, '--out', out, '--size', 8, '--crops-per-image', 2)
    _check_layout(out, n_train=2, n_test=2, size=8)
    regions = {p['region'] for p in
               json.loads((out / 'synthesis.json').read_text())
               ['pairs'].values()}
    assert regions == {'rows 0-34', 'rows 34-42'}


def test_skimage_photos_without_src(tmp_path):
    out = tmp_path / 'demo'
    proc = _run('--out', out, '--size', 32, '--crops-per-image', 2)
    _check_layout(out, n_train=10, n_test=2, size=32)
    assert 'skimage.data.astronaut' in proc.stdout


@pytest.mark.parametrize('problem', ['missing', 'empty', 'all_broken'])
def test_bad_src_is_a_clear_error(tmp_path, problem):
    folder = tmp_path / 'src'
    if problem != 'missing':
        folder.mkdir()
    if problem == 'all_broken':
        (folder / 'x.png').write_bytes(b'')
    proc = _run('--src', folder, '--out', tmp_path / 'o', check=False)
    assert proc.returncode != 0
    assert str(folder) in proc.stderr
    assert 'Traceback' not in proc.stderr


def test_heldout_test_split_comes_from_other_packages(tmp_path, src):
    import importlib.util
    out = tmp_path / 'out'
    proc = _run('--src', src, '--out', out, '--size', 24,
                '--crops-per-image', 2, '--test-crops-per-image', 1,
                '--heldout-test')
    has_sklearn = importlib.util.find_spec('sklearn') is not None
    n_heldout = 3 if has_sklearn else 1
    if not has_sklearn:
        assert 'requirements/demo.txt' in proc.stderr
    # every readable --src photo trains (4 x 2 crops); each package photo
    # gives one test crop
    _check_layout(out, n_train=8, n_test=n_heldout, size=24)
    log = json.loads((out / 'synthesis.json').read_text())
    sources = {split: {p['source'] for k, p in log['pairs'].items()
                       if k.startswith(split + '/')}
               for split in ('train', 'test')}
    assert sources['train'] == {f'photo{i}.png' for i in range(4)}
    assert 'matplotlib/mpl-data/sample_data/grace_hopper.jpg' in \
        sources['test']
    assert len(sources['test']) == n_heldout
    assert log['heldout_test'] and log['test_crops_per_image'] == 1

"""tools/dataset_converters/make_split.py through the command line: seeded,
reproducible split files and the folders the UIEB / LSUI configs read."""
import os
import os.path as osp


import cv2
import numpy as np

from tests.test_tools.tool_runner import load_tool, run_tool

TOOL = 'tools/dataset_converters/make_split.py'


def _uieb_like(root, count=10):
    """raw-890/<n>_img_.png and reference-890/<n>_img_.png, n = 1..count."""
    for sub in ('raw-890', 'reference-890'):
        os.makedirs(osp.join(root, sub))
    for n in range(1, count + 1):
        img = np.full((8, 8, 3), n, np.uint8)
        cv2.imwrite(osp.join(root, 'raw-890', f'{n}_img_.png'), img)
        cv2.imwrite(osp.join(root, 'reference-890', f'{n}_img_.png'),
                    img + 100)
    return root


def _split(root, out, *extra):
    return run_tool([TOOL, '--lq', osp.join(root, 'raw-890'), '--gt',
                     osp.join(root, 'reference-890'), '--out', out, *extra])


def _lines(path):
    with open(path) as f:
        return f.read().split()


def test_seeded_split_is_reproducible_and_materialised(tmp_path):
    root = _uieb_like(str(tmp_path / 'UIEB'))
    out_a, out_b = str(tmp_path / 'a'), str(tmp_path / 'b')
    proc = _split(root, out_a, '--test-ratio', '0.2', '--seed', '42',
                  '--materialize', 'symlink')
    assert '10 pairs -> train 8, test 2 (seed 42)' in proc.stdout
    _split(root, out_b, '--num-test', '2', '--seed', '42')  # 0.2 * 10 == 2

    for split in ('train', 'test'):
        assert _lines(osp.join(out_a, f'{split}.txt')) == \
            _lines(osp.join(out_b, f'{split}.txt'))
    train, test = (_lines(osp.join(out_a, f'{s}.txt'))
                   for s in ('train', 'test'))
    assert len(train) == 8 and len(test) == 2
    assert sorted(train + test, key=lambda n: int(n.split('_')[0])) == \
        [f'{n}_img_.png' for n in range(1, 11)]

    # the folders the configs read: symlinks to the sources, names kept
    for split, names in (('train', train), ('test', test)):
        assert sorted(os.listdir(osp.join(out_a, f'input_{split}'))) == \
            sorted(names)
        assert sorted(os.listdir(osp.join(out_a, f'gt_{split}'))) == \
            sorted(names)
        link = osp.join(out_a, f'gt_{split}', names[0])
        assert osp.islink(link)
        assert osp.realpath(link) == osp.realpath(
            osp.join(root, 'reference-890', names[0]))
    assert not osp.exists(osp.join(out_b, 'input_train'))

    # materialising again into filled folders is refused, nothing mixed
    again = run_tool([TOOL, '--lq', osp.join(root, 'raw-890'), '--gt',
                      osp.join(root, 'reference-890'), '--out', out_a,
                      '--materialize', 'copy'], check=False)
    assert again.returncode != 0
    assert 'already hold files' in again.stderr


def test_bad_pairing_is_reported_before_writing(tmp_path):
    root = _uieb_like(str(tmp_path / 'UIEB'), count=4)
    os.remove(osp.join(root, 'reference-890', '3_img_.png'))
    out = str(tmp_path / 'out')
    proc = run_tool([TOOL, '--lq', osp.join(root, 'raw-890'), '--gt',
                     osp.join(root, 'reference-890'), '--out', out],
                    check=False)
    assert proc.returncode != 0
    assert 'without GT: 3_img_.png' in proc.stderr
    assert not osp.exists(out)


def test_choose_test_depends_on_seed_only():
    tool = load_tool(TOOL)
    first = tool.choose_test(890, 178, 42)
    assert first == tool.choose_test(890, 178, 42)
    assert first == sorted(set(first)) and len(first) == 178
    assert 0 <= first[0] and first[-1] < 890
    assert tool.choose_test(890, 178, 7) != first

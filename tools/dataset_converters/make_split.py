"""Write a reproducible, seeded train / test split of a paired folder.

For sets published without an official split (UIEB: 890 pairs, 178 = 20 %
for test; LSUI: 80 / 20 with seed 42). The LQ and GT folders are paired
exactly as ``PairedFolderDataset`` pairs them (first run of digits, or
``--match-by stem``), and every layout problem is reported before anything
is written.

Output in ``--out``::

    OUT/
    ├── train.txt            LQ file names of the training pairs, one a line
    ├── test.txt             LQ file names of the test pairs
    ├── input_train/ gt_train/ input_test/ gt_test/   (--materialize only)

``train.txt`` / ``test.txt`` feed ``PairedFolderDataset(split_file=...)``
directly; ``--materialize symlink|copy`` also builds the four folders the
UIEB / LSUI configs read (``data/UIEB/input_train`` ...), keeping the file
names. The test pairs are ``round(test_ratio * n)`` (or ``--num-test``)
drawn with Python's ``random.Random(seed).sample`` from the pairs sorted
by pairing key: the same folders and seed give the same files.

Examples::

    python tools/dataset_converters/make_split.py --lq data/UIEB/raw-890 \
        --gt data/UIEB/reference-890 --out data/UIEB --num-test 178 \
        --seed 42 --materialize symlink
    python tools/dataset_converters/make_split.py --lq data/LSUI/input \
        --gt data/LSUI/GT --out data/LSUI --test-ratio 0.2 --seed 42 \
        --materialize symlink
"""
import argparse
import os
import os.path as osp
import random
import shutil
import sys
from typing import List, Tuple

SPLIT_FOLDERS = ('input_train', 'gt_train', 'input_test', 'gt_test')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Seeded train/test split files (and folders) for a '
        'paired LQ/GT folder.')
    parser.add_argument('--lq', required=True, help='folder of inputs')
    parser.add_argument('--gt', required=True, help='folder of references')
    parser.add_argument('--out', required=True,
                        help='where train.txt / test.txt (and the split '
                        'folders) are written')
    size = parser.add_mutually_exclusive_group()
    size.add_argument('--test-ratio', type=float, default=0.2,
                      help='share of pairs for test (default 0.2)')
    size.add_argument('--num-test', type=int,
                      help='exact number of test pairs (overrides ratio)')
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--match-by', choices=('digits', 'stem'),
                        default='digits',
                        help="pairing rule of PairedFolderDataset")
    parser.add_argument('--materialize', choices=('none', 'symlink', 'copy'),
                        default='none',
                        help='also build input_/gt_ train/test folders')
    args = parser.parse_args(argv)
    if args.num_test is None and not 0 < args.test_ratio < 1:
        parser.error(f'--test-ratio must lie in (0, 1), got {args.test_ratio}')
    return args


def read_pairs(lq: str, gt: str, match_by: str) -> List[Tuple[str, str]]:
    """(LQ path, GT path) of every pair, sorted by pairing key; exits with
    the dataset's own error message on a bad layout."""
    from restorect_mm.datasets import DatasetLayoutError, PairedFolderDataset
    try:
        dataset = PairedFolderDataset(
            data_prefix=dict(img=osp.abspath(lq), gt=osp.abspath(gt)),
            match_by=match_by, serialize_data=False)
    except DatasetLayoutError as err:
        raise SystemExit(f'error: {err}')
    return [(d['img_path'], d['gt_path']) for d in dataset.data_list]


def choose_test(num_pairs: int, num_test: int, seed: int) -> List[int]:
    """Sorted indices of the test pairs."""
    return sorted(random.Random(seed).sample(range(num_pairs), num_test))


def place(src: str, dst_dir: str, mode: str) -> None:
    dst = osp.join(dst_dir, osp.basename(src))
    if mode == 'symlink':
        os.symlink(osp.abspath(src), dst)
    else:
        shutil.copy2(src, dst)


def main(argv=None):
    args = parse_args(argv)
    pairs = read_pairs(args.lq, args.gt, args.match_by)
    n = len(pairs)
    num_test = args.num_test if args.num_test is not None else \
        round(args.test_ratio * n)
    if not 0 < num_test < n:
        raise SystemExit(
            f'error: {num_test} test pairs out of {n} leaves an empty split; '
            'choose --num-test / --test-ratio so both splits get pairs')
    test = set(choose_test(n, num_test, args.seed))
    splits = dict(
        train=[p for i, p in enumerate(pairs) if i not in test],
        test=[p for i, p in enumerate(pairs) if i in test])

    if args.materialize != 'none':
        busy = [f for f in SPLIT_FOLDERS if osp.isdir(osp.join(args.out, f))
                and os.listdir(osp.join(args.out, f))]
        if busy:
            raise SystemExit(
                f'error: {", ".join(busy)} in {args.out!r} already hold '
                'files; remove them or choose another --out (mixing splits '
                'would leak test images into training)')
    os.makedirs(args.out, exist_ok=True)
    for split, members in splits.items():
        with open(osp.join(args.out, f'{split}.txt'), 'w',
                  encoding='utf-8') as f:
            f.writelines(osp.basename(lq) + '\n' for lq, _ in members)
        if args.materialize == 'none':
            continue
        lq_dir = osp.join(args.out, f'input_{split}')
        gt_dir = osp.join(args.out, f'gt_{split}')
        os.makedirs(lq_dir, exist_ok=True)
        os.makedirs(gt_dir, exist_ok=True)
        for lq, gt in members:
            place(lq, lq_dir, args.materialize)
            place(gt, gt_dir, args.materialize)
    print(f'{n} pairs -> train {len(splits["train"])}, test '
          f'{len(splits["test"])} (seed {args.seed}); wrote '
          f'{osp.join(args.out, "train.txt")}, '
          f'{osp.join(args.out, "test.txt")}'
          + ('' if args.materialize == 'none' else
             f' and {"/".join(SPLIT_FOLDERS)} ({args.materialize})'))
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""A strict paired-folder dataset: low-quality (LQ) and ground-truth (GT)
images in two folders, paired by file name, with clear errors up front."""
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

from restorect_mm.registry import DATASETS
from .folder_dataset import FolderDataset
from .image_folder import (DatasetLayoutError, DatasetNotFoundError,
                           list_image_files)
from .split_file import read_split_file, select_by_split

_FIRST_DIGITS = re.compile(r'\d+')
_SHOW = 5  # how many offending names an error message lists


def pairing_key(filename: str, match_by: str = 'digits'):
    """The key that pairs an LQ file with its GT file.

    Args:
        filename: File name (no folder), e.g. ``'low00001.png'``.
        match_by: ``'digits'``: the first run of digits as an int (leading
            zeros ignored), falling back to the stem for names without
            digits; ``'stem'``: the stem (name without extension).

    Returns:
        tuple: ``(0, int)`` for a digit key, ``(1, str)`` for a stem key, so
        keys of both kinds sort (numbers first).
    """
    stem = osp.splitext(filename)[0]
    if match_by == 'digits':
        found = _FIRST_DIGITS.search(stem)
        if found:
            return (0, int(found.group()))
    return (1, stem)


def _describe(key) -> str:
    return f'number {key[1]}' if key[0] == 0 else f'stem {key[1]!r}'


def _examples(names: Sequence[str]) -> str:
    names = sorted(names)
    more = f' (and {len(names) - _SHOW} more)' if len(names) > _SHOW else ''
    return ', '.join(names[:_SHOW]) + more


@DATASETS.register_module()
class PairedFolderDataset(FolderDataset):
    """Paired LQ / GT images in two folders, matched by file name.

    Layout (LOL-v1 shown; any two folders work)::

        data/LOL-v1
        ├── our485            <- data_root of the training set
        │   ├── low           <- data_prefix['img']   (LQ inputs)
        │   │   ├── 2.png
        │   │   └── ...
        │   └── high          <- data_prefix['gt']    (ground truth)
        │       ├── 2.png
        │       └── ...
        └── eval15            <- data_root of the test set
            ├── low
            └── high

    Pairing rule (``match_by='digits'``): LQ and GT are matched by the first
    run of digits in the file name, compared as numbers, so
    ``low00001.png`` <-> ``normal00001.png`` and ``7.png`` <-> ``007.jpg``.
    A name without digits is matched by identical stem. ``match_by='stem'``
    matches every file by identical stem (for names such as
    ``IMG_2023_0001.png`` whose first number is shared).

    Only ``.png .jpg .jpeg .bmp .tif .tiff`` files (any case) directly in the
    folders count; hidden files and sub-folders are ignored. The folders may
    be the same (unpaired test sets that use the input as "GT").

    Every layout problem is reported at construction with a
    :class:`DatasetLayoutError` (:class:`DatasetNotFoundError`, also a
    ``FileNotFoundError``, for missing folders) that names the folder or
    files and the fix: missing data root or folder, empty folder, unequal
    counts, unmatched names, duplicate keys.

    ``split_file`` restricts the set to the LQ files it lists (one file
    name or stem per line, e.g. the ``train.txt`` / ``test.txt`` written by
    ``tools/dataset_converters/make_split.py``), so one pair of folders can
    serve a train and a test split. Pairing is still checked over the whole
    folders; a listed name that is not an LQ file is an error naming the
    line.

    Each item's data info holds ``key`` (LQ file stem, used to name saved
    outputs), ``img_path``, ``gt_path`` (what MMagic's ``LoadImageFromFile``
    / ``LoadImageStrict`` read) and ``pair_id`` (the matching key as text).

    Args:
        *args: ``data_root``, ``data_prefix``, ... of :class:`FolderDataset`;
            ``data_prefix`` is ``dict(img=LQ folder, gt=GT folder)``, by
            default ``dict(img='low', gt='high')``.
        match_by: ``'digits'`` or ``'stem'``, see above.
        split_file: Optional text file of LQ names to keep, relative to
            ``data_root`` unless absolute. Defaults to None (all pairs).
        **kwargs: The other arguments of :class:`FolderDataset` (no
            ``ann_file``).
    """

    METAINFO = dict(dataset_type='paired_folder_dataset',
                    task_name='restoration')
    DEFAULT_PREFIX = dict(img='low', gt='high')
    PREFIX_RULE = ("needs exactly the keys 'img' (LQ folder) and 'gt' (GT "
                   'folder)')
    DATA_ROOT_FIX = ('fix data_root in the config (or create the data, e.g. '
                     'with tools/dataset_converters/synthesize_lowlight.py)')

    def __init__(self,
                 *args,
                 match_by: str = 'digits',
                 split_file: Optional[str] = None,
                 **kwargs):
        if match_by not in ('digits', 'stem'):
            raise ValueError("PairedFolderDataset: match_by must be 'digits' "
                             f"or 'stem', got {match_by!r}")
        if kwargs.get('ann_file'):
            raise ValueError('PairedFolderDataset pairs files by name and '
                             'takes no ann_file')
        self.match_by = match_by
        self.split_file = split_file
        super().__init__(*args, **kwargs)

    def _join_prefix(self) -> None:
        """MMEngine's joins of ``data_root``, and that of ``split_file``."""
        super()._join_prefix()
        if self.split_file and self.data_root and \
                not osp.isabs(self.split_file):
            self.split_file = osp.join(self.data_root, self.split_file)

    def _list_images(self, role: str, folder: str) -> List[str]:
        """Image file names directly in ``folder``, sorted."""
        what = 'LQ (data_prefix img)' if role == 'img' else \
            'GT (data_prefix gt)'
        if not osp.isdir(folder):
            raise DatasetNotFoundError(
                f'PairedFolderDataset: {what} folder {folder!r} does not '
                f'exist; check data_root={self.data_root!r} and '
                f'data_prefix={self._raw_prefix()}')
        return list_image_files(folder, f'{what} folder',
                                'PairedFolderDataset', self.extensions)

    def _raw_prefix(self) -> dict:
        return {k: osp.relpath(v, self.data_root) if self.data_root else v
                for k, v in self.data_prefix.items()}

    def _index(self, folder: str, names: List[str]) -> Dict[Tuple, str]:
        """Map pairing key -> file name; refuse duplicate keys."""
        by_key: Dict[Tuple, List[str]] = {}
        for name in names:
            by_key.setdefault(pairing_key(name, self.match_by),
                              []).append(name)
        clashes = {k: v for k, v in by_key.items() if len(v) > 1}
        if clashes:
            shown = '; '.join(f'{_describe(k)}: {", ".join(v)}'
                              for k, v in sorted(clashes.items())[:_SHOW])
            fix = ("rename them so the first number in each name is unique, "
                   "or pass match_by='stem'") if self.match_by == 'digits' \
                else 'rename them'
            raise DatasetLayoutError(
                f'PairedFolderDataset: {len(clashes)} duplicate pairing '
                f'key(s) in {folder!r} ({shown}); {fix}')
        return {k: v[0] for k, v in by_key.items()}

    def load_data_list(self) -> List[dict]:
        """Pair the files of the two folders.

        Returns:
            list[dict]: One dict per pair with ``key``, ``img_path``,
            ``gt_path`` and ``pair_id``, sorted by pairing key.

        Raises:
            DatasetLayoutError: See the class docstring.
        """
        lq_dir, gt_dir = self.data_prefix['img'], self.data_prefix['gt']
        lq = self._index(lq_dir, self._list_images('img', lq_dir))
        gt = self._index(gt_dir, self._list_images('gt', gt_dir))
        lq_only = [lq[k] for k in lq if k not in gt]
        gt_only = [gt[k] for k in gt if k not in lq]
        if lq_only or gt_only:
            counts = '' if len(lq) == len(gt) else \
                f'unequal counts (LQ {len(lq)}, GT {len(gt)}); '
            parts = []
            if lq_only:
                parts.append(f'{len(lq_only)} LQ file(s) in {lq_dir!r} '
                             f'without GT: {_examples(lq_only)}')
            if gt_only:
                parts.append(f'{len(gt_only)} GT file(s) in {gt_dir!r} '
                             f'without LQ: {_examples(gt_only)}')
            rule = ('the first run of digits in the name (or the stem when '
                    'there are none)') if self.match_by == 'digits' \
                else 'identical stems'
            raise DatasetLayoutError(
                f'PairedFolderDataset: {counts}' + '; '.join(parts) +
                f'. Files are paired by {rule}; add the missing '
                'counterparts or remove the extra files.')
        keys = sorted(lq)
        if self.split_file:
            wanted = read_split_file(self.split_file,
                                     type(self).__name__)
            keys = select_by_split(keys, lambda k: lq[k], wanted,
                                   self.split_file, lq_dir)
        data_list = []
        for k in keys:
            data_list.append(
                dict(
                    key=osp.splitext(lq[k])[0],
                    pair_id=str(k[1]),
                    img_path=osp.join(lq_dir, lq[k]),
                    gt_path=osp.join(gt_dir, gt[k])))
        return data_list

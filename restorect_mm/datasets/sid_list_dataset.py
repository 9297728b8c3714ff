"""SID (See-in-the-Dark, Sony subset): pairs from the published split lists,
read against folders of resized PNGs."""
import os
import os.path as osp
from typing import Dict, List

from restorect_mm.registry import DATASETS
from .folder_dataset import FolderDataset
from .image_folder import (DatasetLayoutError, DatasetNotFoundError,
                           is_image_file)


@DATASETS.register_module()
class SIDListDataset(FolderDataset):
    """SID Sony pairs (Chen et al., CVPR 2018), as RestoRect reads them.

    Layout (``SSID`` = SID with the RAW files converted to resized PNGs)::

        data/SSID                       <- data_root
        ├── Sony_train_list.txt         <- ann_file (or _val_ / _test_)
        ├── Sony_val_list.txt
        ├── Sony_test_list.txt
        └── Sony
            ├── short_resized           <- data_prefix['img']
            │   ├── 00001_00_0.1s.png
            │   └── ...
            └── long_resized            <- data_prefix['gt']
                ├── 00001_00_10s.png
                └── ...

    Each non-blank list line names a short (input) and a long (reference)
    exposure as its first two fields, e.g. the original SID line
    ``./Sony/short/00001_00_0.1s.ARW ./Sony/long/00001_00_10s.ARW ISO200
    F9`` or an absolute ``/home/x/SSID/Sony/short_resized/00001_00_0.1s.png
    ...`` from another machine. Only the file *stem* is used: it is looked
    up among the images of the short / long folder, so any folder part and
    any extension (``.ARW`` maps to the resized ``.png``) work. Further
    fields (ISO, F-number) and lines starting with ``#`` are ignored.

    Errors (:class:`DatasetLayoutError`, :class:`DatasetNotFoundError` for
    missing files / folders) name the list file, the line number and the
    fix: missing list file, list without entries, a line with fewer than two
    fields, a listed stem with no image in its folder, or a stem with
    several images (``a.png`` and ``a.jpg``).

    Each item's data info holds ``key`` (short-exposure stem, unique per
    line), ``img_path``, ``gt_path`` and ``list_line``.

    Args:
        ann_file: The split list, relative to ``data_root`` unless absolute.
            Defaults to ``'Sony_train_list.txt'``.
        *args, **kwargs: Those of :class:`FolderDataset`; ``data_prefix``
            is ``dict(img=short folder, gt=long folder)``, by default
            ``dict(img='Sony/short_resized', gt='Sony/long_resized')``.
    """

    METAINFO = dict(dataset_type='sid_list_dataset', task_name='restoration')
    DEFAULT_PREFIX = dict(img='Sony/short_resized', gt='Sony/long_resized')
    PREFIX_RULE = ("needs exactly the keys 'img' (short exposures) and 'gt' "
                   '(long exposures)')

    def __init__(self, ann_file: str = 'Sony_train_list.txt', *args,
                 **kwargs):
        if not ann_file:
            raise DatasetLayoutError(
                f'{type(self).__name__}: ann_file must name a split list '
                'such as Sony_test_list.txt')
        super().__init__(*args, ann_file=ann_file, **kwargs)

    def _images_by_stem(self, folder: str, what: str) -> Dict[str, List[str]]:
        if not osp.isdir(folder):
            raise DatasetNotFoundError(
                f'{type(self).__name__}: {what} folder {folder!r} does not '
                'exist; check data_root / data_prefix')
        by_stem: Dict[str, List[str]] = {}
        for f in os.listdir(folder):
            if is_image_file(folder, f, self.extensions):
                by_stem.setdefault(osp.splitext(f)[0], []).append(f)
        return by_stem

    def load_data_list(self) -> List[dict]:
        """One item per list line, in list order.

        Returns:
            list[dict]: ``key``, ``img_path``, ``gt_path``, ``list_line``.

        Raises:
            DatasetLayoutError: See the class docstring.
        """
        name, list_file = type(self).__name__, self.ann_file
        if not osp.isfile(list_file):
            raise DatasetNotFoundError(
                f'{name}: split list {list_file!r} does not exist; put '
                'Sony_{train,val,test}_list.txt of SID there or fix '
                'ann_file / data_root')
        folders = dict(img=self.data_prefix['img'],
                       gt=self.data_prefix['gt'])
        images = dict(
            img=self._images_by_stem(folders['img'], 'short-exposure'),
            gt=self._images_by_stem(folders['gt'], 'long-exposure'))
        data_list = []
        with open(list_file, encoding='utf-8') as f:
            for number, line in enumerate(f, start=1):
                fields = line.split()
                if not fields or fields[0].startswith('#'):
                    continue
                if len(fields) < 2:
                    raise DatasetLayoutError(
                        f'{name}: {list_file}:{number}: expected "short_path '
                        f'long_path [...]", got {line.strip()!r}; fix the '
                        'line')
                item = dict(list_line=number)
                for role, entry in zip(('img', 'gt'), fields[:2]):
                    # lists from other machines: drop any folder part (either
                    # separator) and the extension
                    stem = osp.splitext(entry.replace('\\', '/')
                                        .rsplit('/', 1)[-1])[0]
                    found = images[role].get(stem, [])
                    if len(found) != 1:
                        problem = 'no image' if not found else \
                            f'several images ({", ".join(sorted(found))})'
                        raise DatasetLayoutError(
                            f'{name}: {list_file}:{number}: {entry!r} -> '
                            f'{problem} with stem {stem!r} in '
                            f'{folders[role]!r}; restore the file, or '
                            'remove the line from the list')
                    item[f'{role}_path'] = osp.join(folders[role], found[0])
                item['key'] = osp.splitext(
                    osp.basename(item['img_path']))[0]
                data_list.append(item)
        if not data_list:
            raise DatasetLayoutError(
                f'{name}: split list {list_file!r} has no entries; it needs '
                'one "short_path long_path" line per pair')
        return data_list

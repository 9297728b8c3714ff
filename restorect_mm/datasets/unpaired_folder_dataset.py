"""Input images without reference, for no-reference evaluation."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset

from restorect_mm.registry import DATASETS
from .image_folder import (IMG_EXTENSIONS, DatasetLayoutError, check_data_root,
                           list_image_files, mmagic_default_scope)


@DATASETS.register_module()
class UnpairedFolderDataset(BaseDataset):
    """Degraded images in one folder, no ground truth.

    For the unpaired test sets (LIME, DICM, MEF, NPE, VV, Fundus): items
    carry only the input, so only no-reference metrics (NIQE, BRISQUE,
    UCIQE, UIQM) can score the results; nothing pretends the input is a
    reference. Layout (the IDIR collection shown; any folder works)::

        data/IDIR               <- data_root
        ├── LIME                <- data_prefix['img']
        │   ├── 1.bmp
        │   └── ...
        ├── DICM
        ├── MEF
        ├── NPE
        └── VV

    Images directly in the folder (``.png .jpg .jpeg .bmp .tif .tiff``, any
    case; hidden files and sub-folders ignored) are the items, sorted by
    name. Missing folder: :class:`DatasetNotFoundError`; folder without
    images: :class:`DatasetLayoutError`; both name the folder.

    Each item's data info holds ``key`` (file stem, used to name saved
    outputs) and ``img_path``; pipelines load only ``img`` (e.g.
    ``LoadImageStrict`` with ``key='img'`` then ``PackInputs``).

    Args:
        data_root: Folder that ``data_prefix`` is relative to.
        data_prefix: ``dict(img=folder)``. Defaults to ``dict(img='')``
            (the data root itself).
        pipeline: Transforms applied to each item.
        test_mode: Test phase flag. Defaults to True (never trained on).
        metainfo: Extra meta information.
        extensions: File extensions that count as images (lower case).
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments.
    """

    METAINFO = dict(dataset_type='unpaired_folder_dataset',
                    task_name='restoration')

    def __init__(self,
                 data_root: Optional[str] = None,
                 data_prefix: Optional[Dict[str, str]] = None,
                 pipeline: Optional[List[Union[dict, Callable]]] = None,
                 test_mode: bool = True,
                 metainfo: Optional[dict] = None,
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 **kwargs):
        name = type(self).__name__
        data_prefix = dict(data_prefix or dict(img=''))
        if set(data_prefix) != {'img'}:
            raise DatasetLayoutError(
                f"{name}: data_prefix takes only the key 'img' (the image "
                f'folder); these sets have no ground truth, got '
                f'{data_prefix}')
        check_data_root(data_root, name)
        self.extensions = tuple(e.lower() for e in extensions)
        with mmagic_default_scope():
            super().__init__(
                data_root=data_root,
                data_prefix=data_prefix,
                pipeline=pipeline or [],
                test_mode=test_mode,
                metainfo=metainfo,
                **kwargs)

    def load_data_list(self) -> List[dict]:
        """One item per image file.

        Returns:
            list[dict]: ``key`` and ``img_path``, sorted by file name.
        """
        folder = self.data_prefix['img']
        names = list_image_files(folder, 'image folder (data_prefix img)',
                                 type(self).__name__, self.extensions)
        stems = [osp.splitext(n)[0] for n in names]
        clashes = sorted({s for s in stems if stems.count(s) > 1})
        if clashes:  # outputs are saved by stem and would overwrite
            raise DatasetLayoutError(
                f'{type(self).__name__}: several images share a stem in '
                f'{folder!r} ({", ".join(clashes[:5])}); rename them, since '
                'results are saved by stem')
        return [dict(key=s, img_path=osp.join(folder, n))
                for s, n in zip(stems, names)]

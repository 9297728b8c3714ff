"""Input images without reference, for no-reference evaluation."""
import os.path as osp
from typing import List

from restorect_mm.registry import DATASETS
from .folder_dataset import FolderDataset
from .image_folder import DatasetLayoutError, list_image_files


@DATASETS.register_module()
class UnpairedFolderDataset(FolderDataset):
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

    Args: those of :class:`FolderDataset`; ``data_prefix`` is
    ``dict(img=folder)``, by default ``dict(img='')`` (the data root
    itself), and ``test_mode`` defaults to True (never trained on).
    """

    METAINFO = dict(dataset_type='unpaired_folder_dataset',
                    task_name='restoration')
    DEFAULT_PREFIX = dict(img='')
    PREFIX_RULE = ("takes only the key 'img' (the image folder); these sets "
                   'have no ground truth')
    DEFAULT_TEST_MODE = True

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

"""Registered on import."""
from . import synthesis, transforms  # noqa: E402,F401
from .image_folder import (IMG_EXTENSIONS, DatasetLayoutError,  # noqa: F401
                           DatasetNotFoundError, list_image_files)
from .folder_dataset import FolderDataset  # noqa: F401
from .paired_folder_dataset import PairedFolderDataset, pairing_key  # noqa
from .sice_multi_exposure_dataset import SICEMultiExposureDataset  # noqa
from .sid_list_dataset import SIDListDataset  # noqa: F401
from .split_file import read_split_file, select_by_split  # noqa: F401
from .unpaired_folder_dataset import UnpairedFolderDataset  # noqa: F401

"""Registered on import."""
from . import synthesis, transforms  # noqa: E402,F401
from .paired_folder_dataset import (DatasetLayoutError,  # noqa: E402,F401
                                    DatasetNotFoundError, PairedFolderDataset,
                                    pairing_key)

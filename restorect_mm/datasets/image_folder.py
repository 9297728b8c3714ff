"""Helpers shared by the folder datasets: listing image files with clear
errors, and building a dataset's pipeline in MMagic's registry scope."""
import os
import os.path as osp
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence

from mmengine.registry import DefaultScope

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


class DatasetLayoutError(ValueError):
    """The folders of a dataset do not form a valid set of samples."""


class DatasetNotFoundError(DatasetLayoutError, FileNotFoundError):
    """The data root, a folder or a list file of a dataset does not exist."""


def is_image_file(folder: str, name: str,
                  extensions: Sequence[str] = IMG_EXTENSIONS) -> bool:
    """Whether ``folder/name`` counts as an image: a visible regular file
    whose extension (any case) is in ``extensions``."""
    return (not name.startswith('.')
            and osp.splitext(name)[1].lower() in extensions
            and osp.isfile(osp.join(folder, name)))


def list_image_files(folder: str, what: str, owner: str,
                     extensions: Sequence[str] = IMG_EXTENSIONS,
                     fix_empty: str = 'put the images there or fix '
                     'data_prefix') -> List[str]:
    """Image file names directly in ``folder``, sorted, never empty.

    Args:
        folder: Folder to list.
        what: How error messages call the folder, e.g. ``'LQ folder'``.
        owner: Class or tool named in error messages.
        extensions: Lower-case extensions that count as images.
        fix_empty: The remedy the error for an empty folder proposes.

    Returns:
        list[str]: File names (no folder).

    Raises:
        DatasetNotFoundError: ``folder`` does not exist.
        DatasetLayoutError: ``folder`` holds no image.
    """
    if not osp.isdir(folder):
        raise DatasetNotFoundError(
            f'{owner}: {what} {folder!r} does not exist; check data_root / '
            'data_prefix in the config or put the data there')
    names = sorted(n for n in os.listdir(folder)
                   if is_image_file(folder, n, extensions))
    if not names:
        raise DatasetLayoutError(
            f'{owner}: {what} {folder!r} holds no images '
            f'({" ".join(extensions)}); {fix_empty}')
    return names


def check_data_root(data_root, owner: str, fix: Optional[str] = None) -> None:
    """Refuse a ``data_root`` that is given but is not a folder; ``fix`` is
    the remedy the message proposes (None: the generic one)."""
    if fix is None:
        fix = ('fix data_root in the config (e.g. --cfg-options '
               'test_dataloader.dataset.data_root=...) or put the data there')
    if data_root is not None and not osp.isdir(data_root):
        raise DatasetNotFoundError(
            f'{owner}: data_root {data_root!r} does not exist or is not a '
            f'folder; {fix}')


@contextmanager
def mmagic_default_scope() -> Iterator[None]:
    """Build pipelines in MMagic's scope when no scope is set.

    A Runner sets ``default_scope='mmagic'``; outside one (scripts,
    notebooks, tests) MMEngine's own registry would not know MMagic's
    transforms such as ``PackInputs``.
    """
    scope = None if DefaultScope.get_current_instance() else 'mmagic'
    with DefaultScope.overwrite_default_scope(scope):
        yield

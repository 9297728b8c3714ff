"""Base of the folder datasets: what they check and set up before MMEngine's
BaseDataset lists the samples."""
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset

from .image_folder import (IMG_EXTENSIONS, DatasetLayoutError, check_data_root,
                           mmagic_default_scope)


class FolderDataset(BaseDataset):
    """A dataset read from image folders, with clear errors up front.

    Before MMEngine's :class:`BaseDataset` (which calls
    :meth:`load_data_list` unless ``lazy_init``) it

    * fills in ``DEFAULT_PREFIX`` when ``data_prefix`` is not given and
      refuses a ``data_prefix`` with other keys (``PREFIX_RULE`` says what
      the keys mean);
    * refuses a ``data_root`` that is given but is not a folder
      (:class:`DatasetNotFoundError`; ``DATA_ROOT_FIX`` is the fix the
      message proposes, None for the generic one);
    * keeps ``extensions`` in lower case for the subclass's listing;
    * builds the pipeline in MMagic's registry scope when none is set.

    Subclasses set the class attributes and implement
    :meth:`load_data_list`.

    Args:
        data_root: Folder that ``data_prefix`` is relative to. Defaults to
            None (prefixes are used as given).
        data_prefix: Folders by role, e.g. ``dict(img=..., gt=...)``.
            Defaults to ``DEFAULT_PREFIX``.
        pipeline: Transforms applied to each item. Defaults to ``[]``.
        test_mode: Test phase flag (kept for MMEngine). Defaults to
            ``DEFAULT_TEST_MODE``.
        metainfo: Extra meta information. Defaults to None.
        extensions: File extensions that count as images (any case).
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments
            (``ann_file``, ``serialize_data``, ``lazy_init``, ``indices``,
            ``max_refetch``, ...).
    """

    DEFAULT_PREFIX: Dict[str, str] = {}
    PREFIX_RULE = ''  # e.g. "needs exactly the keys 'img' (...) and 'gt'"
    DATA_ROOT_FIX: Optional[str] = None
    DEFAULT_TEST_MODE = False

    def __init__(self,
                 data_root: Optional[str] = None,
                 data_prefix: Optional[Dict[str, str]] = None,
                 pipeline: Optional[List[Union[dict, Callable]]] = None,
                 test_mode: Optional[bool] = None,
                 metainfo: Optional[dict] = None,
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 **kwargs):
        name = type(self).__name__
        data_prefix = dict(data_prefix or self.DEFAULT_PREFIX)
        if set(data_prefix) != set(self.DEFAULT_PREFIX):
            raise DatasetLayoutError(
                f'{name}: data_prefix {self.PREFIX_RULE}, got {data_prefix}')
        check_data_root(data_root, name, self.DATA_ROOT_FIX)
        self.extensions = tuple(e.lower() for e in extensions)
        with mmagic_default_scope():
            super().__init__(
                data_root=data_root,
                data_prefix=data_prefix,
                pipeline=pipeline or [],
                test_mode=self.DEFAULT_TEST_MODE
                if test_mode is None else test_mode,
                metainfo=metainfo,
                **kwargs)

"""SICE training set: many exposures of a scene against one reference."""
import os
import os.path as osp
from typing import Dict, List, Sequence

from restorect_mm.registry import DATASETS
from .folder_dataset import FolderDataset
from .image_folder import DatasetLayoutError, list_image_files

_SHOW = 5  # how many offending names an error message lists


def _scene_order(name: str):
    """Numeric scene names sort as numbers (2 before 10), others after."""
    return (0, int(name), name) if name.isdigit() else (1, 0, name)


def _examples(names: Sequence[str]) -> str:
    more = f' (and {len(names) - _SHOW} more)' if len(names) > _SHOW else ''
    return ', '.join(names[:_SHOW]) + more


@DATASETS.register_module()
class SICEMultiExposureDataset(FolderDataset):
    """SICE (Cai et al., TIP 2018) training pairs: every exposure of a scene
    is one sample, paired with the scene's single reference image.

    Published layout (the part RestoRect trains on)::

        data/SICE
        └── Dataset                 <- data_root
            ├── train               <- data_prefix['img']
            │   ├── 1               <- one folder per scene
            │   │   ├── 1.JPG       <- exposures (any number, any names)
            │   │   ├── 2.JPG
            │   │   └── ...
            │   ├── 2
            │   └── ...
            └── label               <- data_prefix['gt']
                ├── 1.JPG           <- reference of scene 1
                ├── 2.JPG
                └── ...

    Scene folders are the visible sub-folders of the train folder; the
    reference of scene ``s`` is the image in the label folder whose stem is
    ``s`` (any image extension, any case). Only images directly in a scene
    folder count.

    Errors (:class:`DatasetLayoutError`, :class:`DatasetNotFoundError` for
    missing folders), each naming the scene / file and the fix: missing
    folders, no scene folder, a scene without reference, a reference without
    scene, an empty scene folder, two references with one stem.

    Each item's data info holds ``key`` (``<scene>_<exposure stem>``, unique
    and used to name saved outputs), ``scene``, ``img_path`` and ``gt_path``.

    Args: those of :class:`FolderDataset`; ``data_prefix`` is
    ``dict(img=scenes folder, gt=references folder)``, by default
    ``dict(img='train', gt='label')``.
    """

    METAINFO = dict(dataset_type='sice_multi_exposure_dataset',
                    task_name='restoration')
    DEFAULT_PREFIX = dict(img='train', gt='label')
    PREFIX_RULE = ("needs exactly the keys 'img' (scene folders) and 'gt' "
                   '(references)')

    def _labels_by_scene(self, label_dir: str) -> Dict[str, str]:
        """Reference file name per scene name (the file stem)."""
        by_stem: Dict[str, List[str]] = {}
        for f in list_image_files(label_dir, 'reference (label) folder',
                                  type(self).__name__, self.extensions):
            by_stem.setdefault(osp.splitext(f)[0], []).append(f)
        clashes = [' / '.join(v) for v in by_stem.values() if len(v) > 1]
        if clashes:
            raise DatasetLayoutError(
                f'{type(self).__name__}: several references for one scene '
                f'in {label_dir!r}: {_examples(clashes)}; keep one file per '
                'scene')
        return {stem: files[0] for stem, files in by_stem.items()}

    def load_data_list(self) -> List[dict]:
        """One item per exposure image.

        Returns:
            list[dict]: Sorted by scene (numerically where numeric) and
            exposure file name.

        Raises:
            DatasetLayoutError: See the class docstring.
        """
        name = type(self).__name__
        train_dir, label_dir = self.data_prefix['img'], self.data_prefix['gt']
        if not osp.isdir(train_dir):
            list_image_files(train_dir, 'scene folder (data_prefix img)',
                             name)  # raises the not-found error
        scenes = sorted((d for d in os.listdir(train_dir)
                         if not d.startswith('.')
                         and osp.isdir(osp.join(train_dir, d))),
                        key=_scene_order)
        if not scenes:
            raise DatasetLayoutError(
                f'{name}: {train_dir!r} holds no scene folders; SICE expects '
                'one sub-folder of exposures per scene (train/1/, train/2/, '
                '...)')
        labels = self._labels_by_scene(label_dir)
        no_label = [s for s in scenes if s not in labels]
        no_scene = sorted(labels[s] for s in labels if s not in scenes)
        if no_label or no_scene:
            parts = []
            if no_label:
                parts.append(f'{len(no_label)} scene folder(s) in '
                             f'{train_dir!r} without reference '
                             f'{label_dir}/<scene>.JPG: '
                             f'{_examples(no_label)}')
            if no_scene:
                parts.append(f'{len(no_scene)} reference(s) in '
                             f'{label_dir!r} without scene folder: '
                             f'{_examples(no_scene)}')
            raise DatasetLayoutError(
                f'{name}: ' + '; '.join(parts) + '. Each scene folder '
                '<s> needs a reference whose stem is <s>; add the missing '
                'ones or remove the extra scenes / references.')
        data_list = []
        for scene in scenes:
            scene_dir = osp.join(train_dir, scene)
            exposures = list_image_files(
                scene_dir, 'scene folder', name, self.extensions,
                fix_empty='put its exposures there or delete the folder '
                'and its reference')
            for f in exposures:
                data_list.append(
                    dict(
                        key=f'{scene}_{osp.splitext(f)[0]}',
                        scene=scene,
                        img_path=osp.join(scene_dir, f),
                        gt_path=osp.join(label_dir, labels[scene])))
        return data_list

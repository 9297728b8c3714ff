"""Every dataset base config and the per-set RestoRect configs load with
MMEngine and build their datasets and pipelines on fixture trees laid out as
their header comments document (data roots under a tmp ``data/``)."""
import copy
import glob
import os.path as osp

import pytest
from mmengine import Config

from restorect_mm.datasets.image_folder import mmagic_default_scope
from restorect_mm.registry import DATASETS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
from tests.test_datasets.published_layouts import (make_sice, make_sid,  # noqa: E402
                               make_unpaired, write_paired)

DATASET_DIR = osp.join(ROOT, 'configs', '_base_', 'datasets')
RESTORECT_DIR = osp.join(ROOT, 'configs', 'restorect')
IDIR_SETS = ('LIME', 'DICM', 'MEF', 'NPE', 'VV')
PER_SET_TAGS = ('uieb', 'lsui', 'baid', 'sice', 'sid')

# (train, val, test) lengths of the fixture tree per dataset base; None: the
# split does not exist in that base.
PAIRED_SICE = (5, 2, 2)
EXPECTED = {
    'lol_v1': (3, 2, 2),
    'lol_v2_real': (3, 2, 2),
    'lol_v2_syn': (3, 2, 2),
    'paired_lowlight': (3, 2, 2),  # LOL-v1 roots
    'restorect_demo': (3, 2, 2),
    'uieb': (3, 2, 2),
    'lsui': (3, 2, 2),
    'paired_chaos': (3, 2, 2),  # LOL-v1 roots
    'baid': (3, 2, 2),
    'paired_resize_long_edge': (3, 2, 2),  # LOL-v1 roots
    'sice': PAIRED_SICE,
    'sice_mix': PAIRED_SICE,
    'sice_grad': PAIRED_SICE,
    'sid_sony': (3, 3, 3),
    'fundus': (None, None, 2),
    'unpaired_folder': (None, None, 3),  # LIME
    **{s.lower(): (None, None, 3) for s in IDIR_SETS},
}


def make_published_tree(data):
    """All sets under ``data`` (= the configs' ``data/``), tiny images."""
    train3 = [f'{i}.png' for i in (1, 2, 3)]
    test2 = [f'{i}.png' for i in (4, 5)]
    write_paired(osp.join(data, 'LOL-v1'), 'our485/low', 'our485/high',
                 train3)
    write_paired(osp.join(data, 'LOL-v1'), 'eval15/low', 'eval15/high',
                 test2)
    write_paired(osp.join(data, 'restorect_demo'), 'train/low', 'train/high',
                 train3, shape=(128, 128, 3))
    write_paired(osp.join(data, 'restorect_demo'), 'test/low', 'test/high',
                 test2)
    for sub in ('Real_captured', 'Synthetic'):
        for split, names in (('Train', train3), ('Test', test2)):
            write_paired(osp.join(data, 'LOL-v2', sub), f'{split}/Low',
                         f'{split}/Normal', ['low' + n for n in names],
                         ['normal' + n for n in names])
    for name in ('UIEB', 'LSUI'):
        write_paired(osp.join(data, name), 'input_train', 'gt_train', train3)
        write_paired(osp.join(data, name), 'input_test', 'gt_test', test2)
    for split, names in (('train', train3), ('test', test2)):
        write_paired(osp.join(data, 'BAID'), f'BAID-{split}/resize_input',
                     f'BAID-{split}/resize_gt', names)
    make_sice(osp.join(data, 'SICE'), exposures=(3, 2), with_eval=2,
              with_mix=2)
    make_sid(osp.join(data, 'SSID'))
    for name in IDIR_SETS:
        make_unpaired(osp.join(data, 'IDIR'), name, count=3)
    make_unpaired(osp.join(data, 'eyeq', 'dataset'), 'sample', count=2,
                  ext='.jpg')


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    data = str(tmp_path_factory.mktemp('published') / 'data')
    make_published_tree(data)
    return data


def build_split(cfg, split, data):
    """Build ``cfg[split + '_dataloader'].dataset`` with its data root moved
    under ``data``; None when the config has no such loader."""
    loader = cfg.get(f'{split}_dataloader')
    if loader is None:
        return None
    ds_cfg = copy.deepcopy(loader['dataset'])
    assert ds_cfg['data_root'].startswith('data/'), ds_cfg['data_root']
    ds_cfg['data_root'] = osp.join(data, ds_cfg['data_root'][len('data/'):])
    with mmagic_default_scope():
        return DATASETS.build(ds_cfg)


def lengths(cfg, data):
    return tuple(None if ds is None else len(ds)
                 for ds in (build_split(cfg, s, data)
                            for s in ('train', 'val', 'test')))


def test_every_dataset_base_is_listed():
    found = {osp.splitext(osp.basename(p))[0]
             for p in glob.glob(osp.join(DATASET_DIR, '*.py'))}
    assert found == set(EXPECTED)


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_dataset_base_builds(name, data_dir):
    cfg = Config.fromfile(osp.join(DATASET_DIR, f'{name}.py'))
    assert lengths(cfg, data_dir) == EXPECTED[name]
    test_set = build_split(cfg, 'test', data_dir)
    item = test_set[0]  # the test pipeline runs end to end
    assert item['inputs'].ndim == 3 and item['inputs'].shape[0] == 3
    has_gt = 'gt_path' in test_set.get_data_info(0)
    assert ('gt_img' in item['data_samples']) == has_gt
    if name == 'paired_lowlight':
        return  # the generic base leaves evaluators to the set bases
    assert cfg.test_evaluator, name
    if cfg.get('train_dataloader') is not None:
        # training-time validation stays cheap, as lol_v1.py
        assert [m['type'] for m in cfg.val_evaluator] == ['PSNR', 'SSIM']
        item = build_split(cfg, 'train', data_dir)[0]
        assert item['inputs'].shape == item['data_samples'].gt_img.shape
        # the demo trains on 128-px crops, the published sets on 512
        crop = 128 if name == 'restorect_demo' else 512
        assert item['inputs'].shape[1:] == (crop, crop)


@pytest.mark.parametrize('name,size', [('uieb', 256), ('lsui', 256),
                                       ('baid', 32), ('sice_mix', 32),
                                       ('sid_sony', 32)])
def test_test_pipelines_resize_as_the_reference(name, size, data_dir):
    """Chaos sets score at 256 x 256; BAID / SICE / SID round both sides up
    to a multiple of 32 (the fixtures are 12 x 16), as the reference code's
    test loaders do."""
    cfg = Config.fromfile(osp.join(DATASET_DIR, f'{name}.py'))
    item = build_split(cfg, 'test', data_dir)[0]
    assert item['inputs'].shape[1:] == (size, size)


def test_evaluator_families():
    def evaluator(name):
        return Config.fromfile(osp.join(ROOT, 'configs', '_base_',
                                        'evaluators', f'{name}.py'))

    def test_metrics(name):
        return Config.fromfile(osp.join(DATASET_DIR,
                                        f'{name}.py')).test_evaluator

    families = dict(
        paired=('baid', 'sice', 'sice_mix', 'sice_grad', 'sid_sony'),
        underwater=('uieb', 'lsui'),
        no_reference=('lime', 'dicm', 'mef', 'npe', 'vv', 'fundus'))
    for family, names in families.items():
        for name in names:
            assert test_metrics(name) == evaluator(family).test_evaluator, \
                (family, name)


def _per_set_configs():
    names = [f'restorect-teacher_8xb8-300k_{t}' for t in PER_SET_TAGS]
    names += [f'restorect-student_8xb8-400k_{t}' for t in PER_SET_TAGS]
    names += [f'restorect-student_test_{t}' for t in
              ('lime', 'dicm', 'mef', 'npe', 'vv', 'fundus', 'sice-mix',
               'sice-grad')]
    return names


# config -> its dataset base
DATASET_OF = {'sid': 'sid_sony', 'sice-mix': 'sice_mix',
              'sice-grad': 'sice_grad'}


@pytest.mark.parametrize('name', _per_set_configs())
def test_per_set_config_builds(name, data_dir):
    cfg = Config.fromfile(osp.join(RESTORECT_DIR, f'{name}.py'))
    assert cfg.experiment_name == name
    tag = name.rsplit('_', 1)[1]
    expected = EXPECTED[DATASET_OF.get(tag, tag)]
    if '_test_' in name:  # evaluation only
        expected = (None, None, expected[2])
        assert cfg.model.type == 'RestoRectStudent'
        assert cfg.get('train_cfg') is None and cfg.get('val_cfg') is None
    assert lengths(cfg, data_dir) == expected
    if 'student_8xb8-400k' in name:
        assert cfg.train_cfg.max_iters == 400_000
        assert cfg.model.encoder_iters == 100_000
        assert cfg.default_hooks.progressive_patch.milestones[-1] < 400_000
        assert cfg.model.teacher_weights.startswith(
            f'work_dirs/restorect-teacher_8xb8-300k_{tag}/')
    # progressive patches: one window per mini-batch, as the reference
    patches = [h for h in cfg.get('custom_hooks', [])
               if h.type == 'ProgressivePatchHook']
    if cfg.get('default_hooks', {}).get('progressive_patch'):
        patches.append(cfg.default_hooks.progressive_patch)
    assert all(h.same_window_per_batch for h in patches)
    assert patches or '_test_' in name


def test_inference_model_matches_the_inference_config():
    """The data-free student of the test configs is the deployed one."""
    ours = Config.fromfile(
        osp.join(RESTORECT_DIR, 'restorect-student_inference-model.py'))
    theirs = Config.fromfile(
        osp.join(ROOT, 'configs', 'restorect_student_inference.py'))
    assert ours.model.to_dict() == theirs.model.to_dict()
    assert ours.visualizer.fn_key == 'img_path'  # no gt_path without GT

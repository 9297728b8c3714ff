"""model-index.yml and configs/restorect/metafile.yml as mim and MMEngine read
them through ``restorect_mm/.mim``: every imported metafile exists, every
listed config exists, every config of configs/restorect/ is listed once, and
no weights are claimed while none are released."""
import glob
import os.path as osp

import yaml

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MIM = osp.join(ROOT, 'restorect_mm', '.mim')


def _models():
    with open(osp.join(MIM, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    models = []
    for meta in index['Import']:
        path = osp.join(MIM, meta)
        assert osp.isfile(path), f'model-index.yml imports a missing {meta}'
        with open(path) as f:
            metafile = yaml.safe_load(f)
        collections = {c['Name'] for c in metafile['Collections']}
        for model in metafile['Models']:
            assert model['In Collection'] in collections, model['Name']
            models.append(model)
    return models


def test_metafile_lists_every_restorect_config_once():
    models = _models()
    listed = [m['Config'] for m in models]
    assert len(listed) == len(set(listed))
    assert len({m['Name'] for m in models}) == len(models)
    for model in models:
        assert osp.isfile(osp.join(MIM, model['Config'])), model['Config']
        assert model['Name'] == osp.splitext(osp.basename(model['Config']))[0]
    on_disk = sorted(
        osp.relpath(p, ROOT)
        for p in glob.glob(osp.join(ROOT, 'configs', 'restorect', '*.py')))
    assert sorted(listed) == on_disk


def test_no_weights_are_claimed():
    for model in _models():
        assert 'Weights' not in model, model['Name']
        assert not model.get('Results'), model['Name']


def test_mmengine_finds_the_configs_through_the_index():
    import restorect_mm  # noqa: F401  (restorect_mm:: for mmengine)
    from mmengine.config import Config
    from mmengine.config.utils import _get_cfg_metainfo

    name = 'restorect/restorect-teacher_8xb8-300k_lolv1.py'
    meta = _get_cfg_metainfo(osp.join(ROOT, 'restorect_mm'), name)
    assert meta['Config'] == 'configs/' + name
    cfg = Config.fromfile(osp.join(MIM, meta['Config']))
    assert cfg.model.type == 'RestoRectTeacher'

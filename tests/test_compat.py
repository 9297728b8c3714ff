"""One test per compatibility fix of restorect_mm.compat."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import restorect_mm  # noqa: F401
from restorect_mm import compat
from tests.test_tools.tool_runner import free_port


def test_numpy_bool8_alias_restored():
    assert np.bool8 is np.bool_
    import mmagic.utils.trans_utils  # noqa: F401  (uses np.bool8)


def test_albumentations_placeholder_is_importable_but_fails_on_use():
    import albumentations
    if not getattr(albumentations, '__restorect_placeholder__', False):
        pytest.skip('the real albumentations is installed')
    assert albumentations.__spec__ is not None
    assert not hasattr(albumentations, '__file__')  # dunder lookups behave
    with pytest.raises(ImportError, match='albumentations is not installed'):
        albumentations.Compose([])


def test_mmcv_ext_placeholder_has_spec_and_raises_clearly():
    ext = sys.modules['mmcv._ext']
    if not getattr(ext, '__restorect_placeholder__', False):
        pytest.skip('full mmcv is installed: its real compiled ops are used')
    assert ext.__spec__ is not None and ext.__spec__.name == 'mmcv._ext'
    with pytest.raises(NotImplementedError, match='mmcv compiled ops'):
        ext.deform_conv_forward()
    # mmengine's revert_sync_batchnorm inspects module specs: must not fail
    from mmengine.model import revert_sync_batchnorm
    revert_sync_batchnorm(torch.nn.Sequential(torch.nn.BatchNorm2d(2)))


def test_mmagic_models_import():
    import mmagic.models  # noqa: F401
    from mmagic.registry import MODELS
    assert 'NAFNet' in MODELS.module_dict


def test_metric_results_become_python_floats():
    from mmagic.evaluation import Evaluator
    from mmengine.evaluator import Evaluator as EngineEvaluator
    pred = torch.rand(3, 32, 32) * 255
    sample = dict(output=dict(pred_img=pred), gt_img=(pred * 0.9).clone())
    metrics = [dict(type='PSNR'), dict(type='MAE'), dict(type='SSIM')]
    magic = Evaluator(metrics)
    for metric in magic.metrics:
        metric.size = 1  # what prepare() sets from the dataloader
        metric.process([], [sample])
    results = magic.evaluate()
    assert set(results) == {'PSNR', 'MAE', 'SSIM'}
    assert hasattr(EngineEvaluator.evaluate, '__wrapped__')
    assert json.loads(json.dumps(results)) == results
    assert all(type(v) is float for v in results.values())


def test_to_python_scalars_handles_nested_values():
    value = {'a': np.float32(1.5), 'b': [torch.tensor(2.0), np.int64(3)]}
    assert compat.to_python_scalars(value) == {'a': 1.5, 'b': [2.0, 3]}


def test_cpu_process_group_is_started_without_cuda():
    """Under a launcher (WORLD_SIZE > 1) without CUDA, importing restorect_mm
    starts a gloo group, so mmengine never reaches torch.cuda.set_device."""
    code = textwrap.dedent('''
        import torch.distributed as dist
        import restorect_mm
        assert dist.is_initialized() and dist.get_backend() == 'gloo'
        assert dist.get_world_size() == 2
        dist.barrier()
        print('OK', dist.get_rank())
    ''')
    procs, port = [], str(free_port())  # suites may run side by side
    for rank in (0, 1):
        env = dict(os.environ, CUDA_VISIBLE_DEVICES='', WORLD_SIZE='2',
                   RANK=str(rank), LOCAL_RANK=str(rank),
                   MASTER_ADDR='127.0.0.1', MASTER_PORT=port)
        procs.append(subprocess.Popen([sys.executable, '-c', code],
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True,
                                      env=env))
    outputs = [p.communicate(timeout=180) for p in procs]
    for rank, (proc, (out, err)) in enumerate(zip(procs, outputs)):
        assert proc.returncode == 0, err[-2000:]
        assert f'OK {rank}' in out


def test_single_process_starts_no_group():
    env_keys = ('WORLD_SIZE', 'RANK', 'MASTER_ADDR')
    saved = {k: os.environ.pop(k, None) for k in env_keys}
    try:
        assert compat.init_cpu_process_group() is False
    finally:
        os.environ.update({k: v for k, v in saved.items() if v is not None})


def test_process_group_is_destroyed_at_exit():
    code = textwrap.dedent(f'''
        import os, torch.distributed as dist
        os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT='{free_port()}')
        from restorect_mm import compat
        dist.init_process_group('gloo', rank=0, world_size=1)
        compat._destroy_process_group()
        assert not dist.is_initialized()
        print('OK')
    ''')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'OK' in out.stdout


def test_pth_hook_applies_fixes_before_mmagic_in_a_bare_interpreter():
    """MMagic's unmodified tools never import restorect_mm: the installed .pth
    hook must apply the fixes on the first `import mmagic`."""
    code = ('import sys; import mmagic.utils, numpy as np; '
            'assert "restorect_mm.compat" in sys.modules; '
            'assert np.bool8 is np.bool_; '
            'assert "restorect_mm.models" not in sys.modules; print("OK")')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'OK' in out.stdout


def test_pth_hook_can_be_switched_off():
    code = ('import sys; import mmengine; '
            'print("restorect_mm.compat" in sys.modules)')
    env = dict(os.environ, RESTORECT_MM_NO_COMPAT_HOOK='1')
    out = subprocess.run([sys.executable, '-c', code + '; import numpy as np;'
                          'print(hasattr(np, "bool8"))'],
                         capture_output=True, text=True, timeout=120, env=env)
    native_bool8 = np.lib.NumpyVersion(np.__version__) < '2.0.0'  # numpy 1.x
    assert out.stdout.split() == ['False', str(native_bool8)]


def test_visualization_while_testing_does_not_build_the_train_loop():
    from mmagic.engine.hooks import BasicVisualizationHook

    class StubVisualizer:
        steps = []

        def add_datasample(self, sample, step):
            self.steps.append(step)

    class StubRunner:
        _train_loop = dict(type='IterBasedTrainLoop')  # not built
        visualizer = StubVisualizer()

        @property
        def iter(self):
            raise AssertionError('runner.iter builds the train loop')

    hook = BasicVisualizationHook(interval=1)
    hook.after_test_iter(StubRunner(), 0, None, outputs=['a', 'b'])
    assert StubVisualizer.steps == [0, 0]


def test_configs_inherit_restorect_mm_configs_by_package(tmp_path):
    """Another project inherits 'restorect_mm::...' (editable install)."""
    from mmengine.config import Config
    child = tmp_path / 'child.py'
    child.write_text("_base_ = 'restorect_mm::demo/restorect-decom_demo.py'\n"
                     "train_cfg = dict(max_iters=7)\n")
    cfg = Config.fromfile(str(child))
    assert cfg.model.type == 'RestoRectDecomposer'
    assert cfg.train_cfg.max_iters == 7
    assert cfg.train_dataloader.dataset.type == 'PairedFolderDataset'
    # the typed dicts now carry _scope_='restorect_mm': they must still build
    from mmengine.registry import HOOKS
    from mmagic.registry import MODELS
    assert cfg.model['_scope_'] == 'restorect_mm'
    assert type(MODELS.build(cfg.model)).__name__ == 'RestoRectDecomposer'
    hook = HOOKS.build(cfg.default_hooks.checkpoint_safety)
    assert type(hook).__name__ == 'CheckpointSafetyHook'


def _fake_mmcv(root, version, ext_body):
    """A full-mmcv distribution on ``root`` whose ``_ext`` runs ``ext_body``."""
    pkg = root / 'mmcv'
    pkg.mkdir()
    (pkg / '__init__.py').write_text(f'__version__ = {version!r}\n')
    (pkg / '_ext.py').write_text(ext_body)
    info = root / f'mmcv-{version}.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text(
        f'Metadata-Version: 2.1\nName: mmcv\nVersion: {version}\n')


def _check_mmcv_with(root):
    code = textwrap.dedent('''
        import sys
        import importlib.util
        sys.path.insert(0, sys.argv[1])
        # the module alone, as the .pth hook loads it (the package would
        # apply every fix on import)
        spec = importlib.util.spec_from_file_location('compat', sys.argv[2])
        compat = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(compat)
        try:
            compat.check_mmcv()
        except compat.MMCVInstallError as exc:
            print('ERROR', exc)
        else:
            print('OK')
    ''')
    proc = subprocess.run([sys.executable, '-c', code, str(root),
                           compat.__file__],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_full_mmcv_whose_ops_do_not_load_gives_one_clear_message(tmp_path):
    _fake_mmcv(tmp_path, '2.1.0', "raise ImportError('mmcv/_ext.so: undefined "
               "symbol: _ZN3c1017RegisterOperatorsD1Ev')\n")
    out = _check_mmcv_with(tmp_path)
    assert out.startswith('ERROR'), out
    assert 'compiled ops (mmcv._ext) do not load with torch' in out
    assert torch.__version__ in out and 'undefined symbol' in out
    assert 'mmcv-lite' in out  # says what to install instead


def test_mmcv_outside_mmagics_range_is_named(tmp_path):
    _fake_mmcv(tmp_path, '2.2.0', '')
    out = _check_mmcv_with(tmp_path)
    assert 'mmcv 2.2.0 is installed' in out and '< 2.2.0' in out


def test_the_installed_mmcv_passes_the_check():
    flavours = compat.installed_mmcv_flavours()
    assert flavours, 'no mmcv flavour found'
    compat.check_mmcv()  # raises on a broken install

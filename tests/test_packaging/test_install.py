"""restorect_mm as a user installs it: sdist and wheel built with ``python -m
build``, each installed into a fresh venv, then driven by MMagic's own
unmodified ``train.py`` through a ``restorect_mm::`` config outside the repo;
``mim train`` with the editable install of the test environment.

The fresh venvs reuse this environment's packages (torch, mmagic, ...) through
a path file, so nothing is downloaded; only restorect_mm itself is installed
into them, from the built files.
"""
import glob
import importlib.metadata
import os
import os.path as osp
import re
import shutil
import site
import subprocess
import sys
import textwrap

import pytest

from tests.test_tools.tool_runner import ROOT, make_pairs

def _run(cmd, cwd, env=None, timeout=600):
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    full_env.pop('VIRTUAL_ENV', None)
    full_env.update(env or {})
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f'{cmd} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n'
        f'{proc.stderr[-5000:]}')
    return proc


@pytest.fixture(scope='module')
def dists(tmp_path_factory):
    """sdist and wheel; the wheel is built from the sdist, as pip would."""
    out = tmp_path_factory.mktemp('dist')
    src = tmp_path_factory.mktemp('src') / 'restorect_mm'
    # a copy without build leftovers, so the sdist holds only what
    # MANIFEST.in names
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        '.git', '.venv*', 'work_dirs', 'data', 'build', 'dist', '*.egg-info',
        '__pycache__'))
    _run([sys.executable, '-m', 'build', '--no-isolation', '-o', str(out),
          str(src)], cwd=str(out))
    sdist, = glob.glob(str(out / 'restorect_mm-*.tar.gz'))
    wheel, = glob.glob(str(out / 'restorect_mm-*.whl'))
    return {'sdist': sdist, 'wheel': wheel}


def _fresh_venv(root):
    """A new venv that sees this environment's packages through a path file
    (after its own site-packages, so its restorect_mm comes first)."""
    _run([sys.executable, '-m', 'venv', '--without-pip', str(root)],
         cwd=str(root.parent))
    python = str(root / 'bin' / 'python')
    own = _run([python, '-c', 'import sysconfig; '
                'print(sysconfig.get_paths()["purelib"])'],
               cwd=str(root)).stdout.strip()
    with open(osp.join(own, 'parent_env.pth'), 'w') as f:
        f.write('\n'.join(site.getsitepackages()) + '\n')
    return python


def _stage0_through_mmagic_train(python, tmp_path):
    """2 iterations of stage 0 through MMagic's unmodified train.py, with a
    config outside the repo that inherits ``restorect_mm::``."""
    data = make_pairs(str(tmp_path / 'data'), n_train=2, n_test=1, size=128)
    cfg = tmp_path / 'my_project' / 'decom_2iters.py'
    cfg.parent.mkdir()
    cfg.write_text(textwrap.dedent(f'''
        _base_ = 'restorect_mm::demo/restorect-decom_demo.py'
        train_dataloader = dict(batch_size=2, dataset=dict(data_root={data!r}))
        val_dataloader = dict(dataset=dict(data_root={data!r}))
        test_dataloader = val_dataloader
        train_cfg = dict(max_iters=2, val_interval=100)
        default_hooks = dict(checkpoint=dict(interval=100))
    '''))
    train_py = _run([python, '-c', 'import mmagic, os; print(os.path.join('
                     'os.path.dirname(mmagic.__file__), ".mim", "tools", '
                     '"train.py"))'], cwd=str(tmp_path)).stdout.strip()
    work_dir = tmp_path / 'work'
    _run([python, train_py, str(cfg), '--work-dir', str(work_dir)],
         cwd=str(tmp_path))
    assert (work_dir / 'iter_2.pth').is_file()


@pytest.mark.stack_independent  # the same files are built on every stack
@pytest.mark.parametrize('kind', ['sdist', 'wheel'])
def test_built_package_installs_and_trains_through_mmagic_tools(
        kind, dists, tmp_path):
    python = _fresh_venv(tmp_path / 'venv')
    _run([sys.executable, '-m', 'pip', '--python', python, 'install', '-q',
          '--no-deps', '--no-build-isolation', '--force-reinstall',
          dists[kind]], cwd=str(tmp_path))
    where = _run([python, '-c', 'import restorect_mm, os; '
                  'print(os.path.dirname(restorect_mm.__file__))'],
                 cwd=str(tmp_path)).stdout.strip()
    assert where.startswith(str(tmp_path / 'venv')), where
    # configs and tools travel inside the package, for restorect_mm:: bases
    assert osp.isfile(osp.join(where, '.mim', 'configs', 'demo',
                               'restorect-decom_demo.py'))
    assert osp.isfile(osp.join(where, '.mim', 'tools', 'train.py'))
    _stage0_through_mmagic_train(python, tmp_path)


def test_declared_requirements_leave_mmcv_to_the_user():
    """The package requires mmagic (a resolver sees it) but neither mmcv
    flavour unless asked for by an extra: installing it never puts mmcv-lite
    over a full mmcv."""
    requires = importlib.metadata.requires('restorect_mm') or []
    plain = [r for r in requires if 'extra ==' not in r]
    names = {re.split(r'[<>=!~; ]', r, 1)[0].lower() for r in plain}
    assert 'mmagic' in names
    assert not names & {'mmcv', 'mmcv-lite'}
    extras = importlib.metadata.metadata('restorect_mm').get_all(
        'Provides-Extra')
    assert {'mmcv', 'mmcv-lite'} <= set(extras)


def test_declared_requirements_are_met_by_the_supported_stack():
    """Every plain requirement is satisfied here, so ``pip install
    restorect_mm`` into such an environment changes no installed package."""
    from packaging.requirements import Requirement
    for line in importlib.metadata.requires('restorect_mm') or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({'extra': ''}):
            continue
        version = importlib.metadata.version(req.name)
        assert req.specifier.contains(version, prereleases=True), (
            f'{req} is not met by the installed {req.name} {version}')


@pytest.mark.stack_independent  # mim's path lookup, not the stack
def test_mim_train_finds_the_editable_install(tmp_path):
    pytest.importorskip('mim')
    data = make_pairs(str(tmp_path / 'data'), n_train=2, n_test=1, size=128)
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    work_dir = tmp_path / 'work'
    _run([mim, 'train', 'restorect_mm', 'configs/demo/restorect-decom_demo.py',
          '--work-dir', str(work_dir), '--cfg-options',
          f'train_dataloader.dataset.data_root={data}',
          f'val_dataloader.dataset.data_root={data}',
          'train_dataloader.batch_size=2', 'train_cfg.max_iters=2',
          'train_cfg.val_interval=100', 'default_hooks.checkpoint.interval=100'],
         cwd=str(tmp_path))
    assert (work_dir / 'iter_2.pth').is_file()
    proc = _run([mim, 'test', 'restorect_mm',
                 'configs/demo/restorect-decom_demo.py', '--checkpoint',
                 str(work_dir / 'iter_2.pth'), '--work-dir', str(work_dir),
                 '--cfg-options', f'val_dataloader.dataset.data_root={data}',
                 f'test_dataloader.dataset.data_root={data}'],
                cwd=str(tmp_path))
    assert 'recon_gt_PSNR' in proc.stdout + proc.stderr

"""Fixtures shared by the tool tests: the demo stage 0 as a user types it,
which test_stage0_tools.py examines and test_stage_chain.py continues."""
import os.path as osp

import pytest

from tests.test_tools.tool_runner import (ROOT, demo_options, make_pairs,
                                         mmagic_tool, run_tool)

DECOM_DEMO = 'configs/demo/restorect-decom_demo.py'


@pytest.fixture(scope='session')
def demo_pairs(tmp_path_factory):
    """A tiny LOL-layout dataset: 4 training and 2 test pairs of 64 px."""
    return make_pairs(str(tmp_path_factory.mktemp('pairs')))


@pytest.fixture(scope='session')
def stage0_run(tmp_path_factory, demo_pairs):
    """Stage 0 with MMagic's own, unmodified tools/train.py on the demo
    config, 4 iterations, without --work-dir, run in a fresh folder that
    stands in for the repository root: the configs' work_dirs and default
    weight paths are relative to where a command runs.

    Returns:
        tuple: (that folder, the config's work_dir in it, the train log).
    """
    root = tmp_path_factory.mktemp('chain')
    proc = run_tool([mmagic_tool('train.py'), osp.join(ROOT, DECOM_DEMO),
                     '--cfg-options', *demo_options(demo_pairs)], cwd=root)
    return (root, str(root / 'work_dirs' / 'restorect-decom_demo'),
            proc.stdout + proc.stderr)

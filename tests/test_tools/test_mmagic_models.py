"""MMagic's own models keep working where restorect_mm is installed: MMagic's
unmodified NAFNet config (no restorect_mm in it), trained by MMagic's own
train.py, is evaluated from its checkpoint by MMagic's test.py and by ours
(the `.pth` hook routes MMEngine's loading through the weights-only rule)."""
import json
import os.path as osp

import mmagic
import pytest

from tests.test_tools.tool_runner import make_pairs, mmagic_tool, run_tool

NAFNET = osp.join(osp.dirname(mmagic.__file__), '.mim', 'configs', 'nafnet',
                  'nafnet_c64eb11128mb1db1111_8xb8-lr1e-3-400k_gopro.py')


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('nafnet')
    data = make_pairs(str(tmp / 'pairs'), size=64)
    work = tmp / 'work'
    options = [
        'model.generator.type=NAFNet', 'model.generator.mid_channels=8',
        'model.generator.enc_blk_nums=[1,1,1,1]',
        'model.generator.dec_blk_nums=[1,1,1,1]',
        f'train_dataloader.dataset.data_root={data}/train',
        f'val_dataloader.dataset.data_root={data}/test',
        f'test_dataloader.dataset.data_root={data}/test',
        'train_dataloader.dataset.data_prefix.img=low',
        'train_dataloader.dataset.data_prefix.gt=high',
        'val_dataloader.dataset.data_prefix.img=low',
        'val_dataloader.dataset.data_prefix.gt=high',
        'test_dataloader.dataset.data_prefix.img=low',
        'test_dataloader.dataset.data_prefix.gt=high',
        'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
        'test_dataloader.num_workers=0', 'train_dataloader.batch_size=2',
        'train_dataloader.dataset.pipeline.6.gt_patch_size=32',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2',
        f'default_hooks.checkpoint.out_dir={work}',
        'default_hooks.logger.interval=1',
    ]
    run_tool([mmagic_tool('train.py'), NAFNET, '--work-dir', str(work),
              '--cfg-options', *options])
    checkpoint = next(work.rglob('iter_2.pth'))
    return tmp, checkpoint, options


@pytest.mark.parametrize('tool', ['mmagic', 'ours'])
def test_mmagic_nafnet_checkpoint_is_evaluated_by_both_test_tools(
        trained, tool):
    tmp, checkpoint, options = trained
    assert 'restorect' not in open(NAFNET).read()
    script = mmagic_tool('test.py') if tool == 'mmagic' else 'tools/test.py'
    out = tmp / f'{tool}.json'
    extra = ['--out', str(out)] if tool == 'ours' else []
    proc = run_tool([script, NAFNET, str(checkpoint), '--work-dir',
                     str(tmp / f'test_{tool}'), *extra, '--cfg-options',
                     *options])
    log = proc.stdout + proc.stderr
    assert 'Load checkpoint from' in log and 'PSNR' in log
    assert 'Unsupported global' not in log and 'Refused' not in log
    if tool == 'ours':
        metrics = json.loads(out.read_text())
        assert any('PSNR' in key for key in metrics)

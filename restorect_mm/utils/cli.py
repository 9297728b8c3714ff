"""What the tools share: a parser that shows the tool's docstring, and, for
tools/train.py and tools/test.py, reading a config the way the OpenMMLab tools
do (``--cfg-options``, ``--work-dir``, ``--launcher``)."""
import argparse
import os
import os.path as osp

from mmengine.config import Config


class ToolError(SystemExit):
    """A user-facing error of a tool: printed without a traceback."""

    def __init__(self, message):
        super().__init__(f'error: {message}')


def docstring_parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser whose ``--help`` is the tool's module docstring:
    its first line as the description, the rest verbatim below the
    arguments."""
    return argparse.ArgumentParser(
        description=doc.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=doc.split('\n', 2)[2])


def add_common_args(parser):
    """Arguments every OpenMMLab tool has."""
    from mmengine.config import DictAction
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs (xxx=yyy), e.g. '
        'train_cfg.max_iters=100 or key="[a,b]"')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args):
    """Read ``args.config`` and apply the common arguments.

    Returns:
        mmengine.Config: the config, with launcher, options and work_dir set.
    """
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    if not osp.isfile(args.config):
        raise ToolError(f'config file not found: {args.config}')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg

"""Checkpoints that load weights-only, resume from the newest complete file,
and fail loudly when they do not fit the model or the purpose."""
import glob
import logging
import os
import os.path as osp
import re

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import find_latest_checkpoint

from restorect_mm.engine.atomic_local_backend import TEMP_SUFFIX
from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               check_state_dict_fits,
                                               checkpoint_is_complete,
                                               restore_message_hub_state,
                                               sanitize_message_hub_state)
from restorect_mm.registry import HOOKS

_STEP_CHECKPOINT = re.compile(r'^(iter|epoch)_(\d+)\.pth$')


def newest_complete_checkpoint(work_dir):
    """The ``iter_N.pth`` / ``epoch_N.pth`` in ``work_dir`` of the highest
    step that is complete (:func:`checkpoint_is_complete`), or None."""
    found = []
    for name in os.listdir(work_dir) if osp.isdir(work_dir) else []:
        match = _STEP_CHECKPOINT.match(name)
        if match:
            found.append((int(match.group(2)), osp.join(work_dir, name)))
    return next((path for _, path in sorted(found, reverse=True)
                 if checkpoint_is_complete(path)), None)


@HOOKS.register_module()
class CheckpointSafetyHook(Hook):
    """Makes MMEngine training checkpoints safe to load and to resume.

    * before the run, for a plain ``--resume`` (MMEngine then reads the path
      in ``work_dir/last_checkpoint``): when that file is missing, torn or
      unreadable, resume from the newest complete ``iter_N.pth`` and say so;
      an explicitly named unreadable file is an error that names the newest
      complete one. Temporary files left by a write that a crash interrupted
      are removed.
    * before saving: the message hub's HistoryBuffers and numpy scalars become
      plain tensors/numbers (loadable with ``weights_only=True`` without any
      allow-list); after loading they are rebuilt for resume.
    * after loading: a weights-only file given to ``--resume`` is an error
      (resume needs a training checkpoint), and weights that do not fit the
      model raise :class:`CheckpointError` naming the file, instead of
      MMEngine's warning that leaves random weights in place.

    Args:
        strict (bool): check that the checkpoint fits the model. Set False to
            fine-tune from a partly matching checkpoint. Defaults to True.
    """

    priority = 'VERY_HIGH'

    def __init__(self, strict=True):
        self.strict = strict

    # --------------------------------------------------------------- resume
    def before_run(self, runner):
        if not getattr(runner, '_resume', False):
            return
        if is_main_process():
            self._remove_interrupted_writes(runner.work_dir)
        if runner._load_from is not None:
            self._check_named_resume_file(runner, runner._load_from)
            return
        latest = find_latest_checkpoint(runner.work_dir)
        if latest and checkpoint_is_complete(latest):
            return
        complete = newest_complete_checkpoint(runner.work_dir)
        if complete is None:
            if latest:
                raise CheckpointError(
                    f'Cannot resume: {latest} (named by '
                    f'{osp.join(runner.work_dir, "last_checkpoint")}) is '
                    'incomplete or unreadable and no other complete '
                    f'iter_*.pth is in {runner.work_dir}. Start the run '
                    'again without --resume.')
            return  # nothing to resume: MMEngine starts from scratch
        reason = (f'{latest} is incomplete or unreadable (a crash while it '
                  'was written?)' if latest else
                  f'{runner.work_dir} has no last_checkpoint')
        print_log(f'--resume: {reason}; resuming from {complete}, the newest '
                  'complete checkpoint.', logger='current', level=logging.WARNING)
        runner._load_from = complete

    @staticmethod
    def _remove_interrupted_writes(work_dir):
        pattern = osp.join(glob.escape(work_dir), f'.*.pth.*{TEMP_SUFFIX}')
        for tmp in glob.glob(pattern):
            print_log(f'removing {tmp}, left by a checkpoint write that was '
                      'interrupted', logger='current', level=logging.WARNING)
            os.unlink(tmp)

    @staticmethod
    def _check_named_resume_file(runner, path):
        if '://' in str(path) or checkpoint_is_complete(path):
            return  # remote files are checked when MMEngine loads them
        complete = newest_complete_checkpoint(osp.dirname(osp.abspath(path)))
        hint = (f' The newest complete checkpoint beside it is {complete}: '
                f'--resume {complete}.' if complete else '')
        raise CheckpointError(
            f'Cannot resume from {path}: it is missing, incomplete or '
            f'unreadable.{hint}')

    # ---------------------------------------------------------- save / load
    def before_save_checkpoint(self, runner, checkpoint):
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = sanitize_message_hub_state(
                checkpoint['message_hub'])

    def after_load_checkpoint(self, runner, checkpoint):
        source = runner._load_from if runner._load_from else 'checkpoint'
        resuming = getattr(runner, '_resume', False)
        if resuming and not {'meta', 'message_hub'} <= set(checkpoint):
            raise CheckpointError(
                f'Cannot resume from {source}: it holds weights only (e.g. a '
                'file of tools/publish_model.py), not a training checkpoint '
                'with iteration, optimiser and log state. Resume from an '
                'iter_N.pth of a work_dir, or start a new run from these '
                f'weights with --cfg-options load_from={source}.')
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = restore_message_hub_state(
                checkpoint['message_hub'])
        if self.strict and 'state_dict' in checkpoint:
            model = runner.model.module if is_model_wrapper(
                runner.model) else runner.model
            if resuming and not runner._load_from:
                source = 'the resume checkpoint'
            check_state_dict_fits(model, checkpoint['state_dict'], source)

"""Keep training checkpoints loadable with ``torch.load(weights_only=True)`` and
fail loudly when a loaded checkpoint does not fit the model."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from restorect_mm.engine.checkpoint_io import (check_state_dict_fits,
                                               restore_message_hub_state,
                                               sanitize_message_hub_state)
from restorect_mm.registry import HOOKS


@HOOKS.register_module()
class CheckpointSafetyHook(Hook):
    """Makes MMEngine training checkpoints safe to load, and checks fit.

    * before saving: the message hub's HistoryBuffers (which pickle bound
      methods, i.e. ``builtins.getattr``) and numpy scalars become plain
      tensors/numbers, so test.py / resume load the file with
      ``weights_only=True``; after loading they are rebuilt for resume.
    * after loading (``load_from`` or resume): a checkpoint whose weights do not
      fit the model raises :class:`CheckpointError` naming the file, instead of
      MMEngine's warning that leaves random weights in place.

    Args:
        strict (bool): check that the checkpoint fits the model. Set False to
            fine-tune from a partly matching checkpoint. Defaults to True.
    """

    priority = 'VERY_HIGH'

    def __init__(self, strict=True):
        self.strict = strict

    def before_save_checkpoint(self, runner, checkpoint):
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = sanitize_message_hub_state(
                checkpoint['message_hub'])

    def after_load_checkpoint(self, runner, checkpoint):
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = restore_message_hub_state(
                checkpoint['message_hub'])
        if self.strict and 'state_dict' in checkpoint:
            model = runner.model.module if is_model_wrapper(
                runner.model) else runner.model
            source = runner._load_from if runner._load_from else 'checkpoint'
            if getattr(runner, '_resume', False) and not runner._load_from:
                source = 'the resume checkpoint'
            check_state_dict_fits(model, checkpoint['state_dict'], source)

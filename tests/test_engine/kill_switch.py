"""A test-only hook that SIGKILLs its own process at a chosen point, as a
crash, the OOM killer or a pre-empted node would: nothing is flushed or
cleaned up. Imported by the training subprocesses of the resume tests through
``custom_imports`` (the repository root is on PYTHONPATH)."""
import os
import signal

from mmengine.hooks import Hook

from restorect_mm.registry import HOOKS


def _die(*_):
    os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class SigkillHook(Hook):
    """Kills the process on rank 0 before training iteration ``at_iter``
    (0-based), or, with ``during_write``, while the checkpoint of step
    ``at_iter`` is being written: its bytes are in the temporary file, the
    flush to disk (``os.fsync``) never returns."""

    def __init__(self, at_iter, during_write=False):
        self.at_iter = at_iter
        self.during_write = during_write

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if (not self.during_write and runner.iter == self.at_iter
                and runner.rank == 0):
            _die()

    def before_save_checkpoint(self, runner, checkpoint):
        if self.during_write and checkpoint['meta']['iter'] == self.at_iter:
            os.fsync = _die

"""Atomic local writes, for images (restore.py) and checkpoints alike.

MMEngine's ``LocalBackend.put`` opens the destination and writes into it: a
process killed mid-write (SIGKILL, OOM killer, a pre-empted node) leaves a
truncated ``iter_N.pth`` under the real name, which ``last_checkpoint`` may
already name. Here the bytes go to a temporary file beside the destination,
are flushed to disk, and replace it by one rename: readers, and a run that is
interrupted at any point, see the old file or the whole new one.
"""
import os
import os.path as osp
import tempfile

from mmengine.fileio import LocalBackend, register_backend

TEMP_SUFFIX = '.tmp'


def temp_prefix(path: str) -> str:
    """Name prefix of the temporary files written for ``path``."""
    return f'.{osp.basename(path)}.'


def write_atomically(path: str, data: bytes):
    """Write ``data`` to ``path`` by temp file, fsync and rename.

    Args:
        path (str): destination; its folder is created if missing.
        data (bytes): the whole content.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=temp_prefix(path), suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise
    if hasattr(os, 'O_DIRECTORY'):  # make the rename itself durable (POSIX)
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@register_backend('local_atomic')
class AtomicLocalBackend(LocalBackend):
    """MMEngine's local file backend whose ``put`` is atomic.

    Select it for checkpoints with
    ``default_hooks.checkpoint.backend_args=dict(backend='local_atomic')``
    (restorect_mm's runtime base does): the CheckpointHook then writes
    ``last_checkpoint`` only after the checkpoint's rename.
    """

    def put(self, obj: bytes, filepath) -> None:
        write_atomically(str(filepath), obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        write_atomically(str(filepath), obj.encode(encoding))

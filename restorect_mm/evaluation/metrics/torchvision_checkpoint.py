"""Where torchvision keeps downloaded checkpoints (the offline defaults)."""
import os

import torch


def default_torchvision_checkpoint(file_name: str) -> str:
    """Path torchvision would cache ``file_name`` at.

    Args:
        file_name (str): The checkpoint's file name, e.g.
            ``vgg16-397923af.pth``.

    Returns:
        str: ``<torch.hub.get_dir()>/checkpoints/<file_name>``.
    """
    return os.path.join(torch.hub.get_dir(), 'checkpoints', file_name)

"""Images of MMagic data samples as RGB batches for the metric networks."""
import torch

CHANNEL_ORDERS = ('RGB', 'BGR')


def check_channel_order(channel_order: str) -> str:
    """Validate a channel-order argument.

    Args:
        channel_order (str): 'RGB' or 'BGR', any case.

    Returns:
        str: Upper case.

    Raises:
        ValueError: Anything else.
    """
    if channel_order.upper() not in CHANNEL_ORDERS:
        raise ValueError(
            f'channel_order must be RGB or BGR, got {channel_order!r}.')
    return channel_order.upper()


def as_rgb_batch(image: torch.Tensor, channel_order: str) -> torch.Tensor:
    """One stored image (or frame stack) as an RGB batch, 0..255.

    Args:
        image (Tensor): (C, H, W) or (T, C, H, W); C = 1 (grey, repeated)
            or 3 (in ``channel_order``).
        channel_order (str): 'RGB' or 'BGR'.

    Returns:
        Tensor: (N, 3, H, W) float32, clamped to 0..255.
    """
    image = image.float()
    if image.dim() == 3:
        image = image[None]
    if image.shape[1] == 1:
        image = image.expand(-1, 3, -1, -1)
    elif channel_order.upper() == 'BGR':
        image = image.flip(1)
    return image.clamp(0, 255)

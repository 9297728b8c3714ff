"""Random choice of the 8 flips / quarter-turn rotations, same for a pair."""
from typing import Dict, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from restorect_mm.registry import TRANSFORMS

#: Names of the 8 elements, indexed like ``results['dihedral']``.
DIHEDRAL_NAMES = ('identity', 'rot90', 'rot180', 'rot270', 'hflip',
                  'rot90_hflip', 'rot180_hflip', 'rot270_hflip')


def dihedral(img: np.ndarray, index: int) -> np.ndarray:
    """Apply dihedral element ``index`` to one image.

    ``index % 4`` counter-clockwise quarter turns (``np.rot90``), followed
    by a horizontal flip (left-right) when ``index >= 4``.

    Args:
        img: ``(H, W)`` or ``(H, W, C)``.
        index: 0..7, see :data:`DIHEDRAL_NAMES`.

    Returns:
        np.ndarray: Contiguous ``(H, W[, C])`` for even quarter turns,
        ``(W, H[, C])`` for odd ones.
    """
    if not 0 <= index < 8:
        raise ValueError(f'dihedral: index must be in 0..7, got {index}')
    out = np.rot90(img, index % 4, axes=(0, 1))
    if index >= 4:
        out = out[:, ::-1]
    return np.ascontiguousarray(out)


def inverse_dihedral(img: np.ndarray, index: int) -> np.ndarray:
    """Undo :func:`dihedral` (``inverse_dihedral(dihedral(x, i), i) == x``).

    Args:
        img: ``(H, W)`` or ``(H, W, C)`` output of ``dihedral(x, index)``.
        index: 0..7, the element that was applied.

    Returns:
        np.ndarray: The original orientation.
    """
    if not 0 <= index < 8:
        raise ValueError(
            f'inverse_dihedral: index must be in 0..7, got {index}')
    out = img[:, ::-1] if index >= 4 else img
    return np.ascontiguousarray(np.rot90(out, -(index % 4), axes=(0, 1)))


@TRANSFORMS.register_module()
class RandomDihedral(BaseTransform):
    """Apply one of the 8 dihedral transforms, chosen uniformly, to all keys.

    The element (an index into :data:`DIHEDRAL_NAMES`: identity, rot90,
    rot180, rot270 and each followed by a horizontal flip) is drawn with
    ``np.random.randint(8)``, applied identically to every key and stored in
    ``results['dihedral']``; :func:`inverse_dihedral` undoes it.

    Shapes: ``results[k]`` ``(H, W)`` or ``(H, W, C)`` becomes
    ``(H, W[, C])`` or, for odd quarter turns, ``(W, H[, C])``.

    Args:
        keys: Keys of the images to transform. Defaults to ``('img', 'gt')``.

    Example:
        >>> dict(type='RandomDihedral', keys=('img', 'gt'))
    """

    def __init__(self, keys: Sequence[str] = ('img', 'gt')) -> None:
        self.keys = [keys] if isinstance(keys, str) else list(keys)
        if not self.keys:
            raise ValueError('RandomDihedral: keys must not be empty')

    def transform(self, results: Dict) -> Dict:
        """Transform ``results[k]`` for every key with one random element.

        Args:
            results: Pipeline results.

        Returns:
            dict: ``results`` with the transformed images and
            ``results['dihedral']`` (int, 0..7).
        """
        index = int(np.random.randint(8))
        for key in self.keys:
            if key not in results:
                raise KeyError(f'RandomDihedral: key {key!r} not in results '
                               f'(keys: {sorted(results)})')
            results[key] = dihedral(results[key], index)
        results['dihedral'] = index
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(keys={self.keys})'

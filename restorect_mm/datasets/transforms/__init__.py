"""Data transforms, registered into MMagic's TRANSFORMS on import."""
from .load_image_strict import (ImageLoadError, ImageNotFoundError,
                                LoadImageStrict, to_uint8)
from .chaos_resize import ChaosResize, resize_hw
from .paired_random_crop_pad import PairedRandomCropPad, check_same_hw
from .random_dihedral import (DIHEDRAL_NAMES, RandomDihedral, dihedral,
                              inverse_dihedral)
from .resize_long_edge_multiple import (ResizeLongEdgeMultiple,
                                        long_edge_multiple_size)

__all__ = ['ImageLoadError', 'ImageNotFoundError', 'LoadImageStrict',
           'to_uint8']
__all__ += [
    'ChaosResize', 'DIHEDRAL_NAMES', 'PairedRandomCropPad', 'RandomDihedral',
    'ResizeLongEdgeMultiple', 'check_same_hw', 'dihedral', 'inverse_dihedral',
    'long_edge_multiple_size', 'resize_hw'
]

"""Data transforms, registered into MMagic's TRANSFORMS on import."""
from .load_image_strict import (ImageLoadError, ImageNotFoundError,
                                LoadImageStrict, to_uint8)

__all__ = ['ImageLoadError', 'ImageNotFoundError', 'LoadImageStrict',
           'to_uint8']

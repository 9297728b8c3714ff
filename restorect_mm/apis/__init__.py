"""Inference API: restore image files with any restoration config."""
from .image_io import ImageFileInfo, ImageReadError, read_image, write_image
from .restorer import ModelNotSupportedError, Restorer, build_model
from .tiled_inference import tiled_apply, tile_starts

__all__ = [
    'ImageFileInfo', 'ImageReadError', 'ModelNotSupportedError', 'Restorer',
    'build_model', 'read_image', 'tile_starts', 'tiled_apply', 'write_image'
]

"""Restore image files with a trained model.

    python tools/restore.py CONFIG CHECKPOINT INPUT [INPUT ...] -o OUT_DIR
        [--tile 512 | --memory-limit 4096] [--steps 4]
        [--seed 0] [--device cuda] [--fp16 | --bf16]

INPUT: image files, folders (their images, not recursive) or globs (quote
them). Each result keeps its input's file name, format and bit depth. A file
that cannot be read or restored is reported and skipped; the others are still
restored and the exit code is 1 when any failed.

Inputs are never destroyed: an OUT_DIR where a result would replace one of the
inputs (same folder and name, or a link to it) is refused before anything is
restored, unless --overwrite is given. Each result is written to a temporary
file and renamed into place, so an interrupted run leaves no half-written
image.
"""
import glob
import os
import os.path as osp
import sys

import restorect_mm  # noqa: F401  (compatibility fixes, registration)
from mmengine.config import DictAction
from tqdm import tqdm

from restorect_mm.apis import (ImageReadError, ModelNotSupportedError,
                               Restorer, read_image, write_image)
from restorect_mm.apis.memory_budget import MemoryLimitError
from restorect_mm.engine.checkpoint_io import CheckpointError
from restorect_mm.utils.cli import ToolError, docstring_parser

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp',
                    '.webp')


def parse_args(argv=None):
    parser = docstring_parser(__doc__)
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='weights file')
    parser.add_argument('inputs', nargs='+',
                        help='image files, folders or quoted globs')
    parser.add_argument('-o', '--out-dir', required=True,
                        help='folder for the restored images')
    parser.add_argument('--overwrite', action='store_true',
                        help='allow results to replace their own inputs')
    parser.add_argument('--tile', type=int,
                        help='restore in tiles of this side (pixels); exact '
                        'for the RestoRect student (tiled equals untiled)')
    parser.add_argument('--tile-overlap', type=int,
                        help='overlap of blended tiles, for models without '
                        'exact tiles (plain MMagic editors; default 32); '
                        'ignored with a warning for the RestoRect student')
    parser.add_argument('--memory-limit', type=float, metavar='MIB',
                        help='pick tiles from the image size so the process '
                        'stays within this resident memory (MiB; the same '
                        'command picks the same tiles); on CUDA within this '
                        'much GPU memory and what the GPU has free')
    parser.add_argument('--steps', type=int,
                        help="Euler steps of the student's prior samplers "
                        "(default: the config's num_steps)")
    parser.add_argument('--seed', type=int,
                        help="seed of the sampling noise (default: the "
                        "config's)")
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1')
    precision = parser.add_mutually_exclusive_group()
    precision.add_argument('--fp16', action='store_true',
                           help='float16 autocast (GPU only)')
    precision.add_argument('--bf16', action='store_true',
                           help='bfloat16 autocast (GPU or CPU)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def collect_inputs(inputs):
    """Image files named by files, folders and globs, in order, once each.

    Returns:
        tuple[list[str], list[str]]: the files, and the inputs that matched
        nothing (reported as failures).
    """
    files, unmatched = [], []
    for item in inputs:
        if osp.isdir(item):
            found = sorted(
                osp.join(item, name) for name in os.listdir(item)
                if name.lower().endswith(IMAGE_EXTENSIONS))
        elif osp.isfile(item):
            found = [item]
        else:
            found = sorted(p for p in glob.glob(item) if osp.isfile(p))
        if not found:
            unmatched.append(item)
        files += [f for f in found if f not in files]
    return files, unmatched


def inputs_that_would_be_replaced(files, out_dir):
    """[(input, output)] where writing the output would replace an input:
    the same file reached by name, symlink or hard link."""
    def identity(path):  # what samefile compares; follows symlinks
        stat = os.stat(path)
        return stat.st_dev, stat.st_ino

    inputs = {identity(path) for path in files}
    clashes = []
    for path in files:
        out = osp.join(out_dir, osp.basename(path))
        if osp.exists(out) and identity(out) in inputs:
            clashes.append((path, out))
    return clashes


def build_restorer(args):
    precision = 'fp16' if args.fp16 else 'bf16' if args.bf16 else None
    memory = None if args.memory_limit is None else int(args.memory_limit *
                                                        2**20)
    if not osp.isfile(args.config):
        raise ToolError(f'config file not found: {args.config}')
    try:
        return Restorer(
            args.config, args.checkpoint, device=args.device,
            num_steps=args.steps, seed=args.seed, precision=precision,
            tile=args.tile, tile_overlap=args.tile_overlap,
            memory_limit=memory, cfg_options=args.cfg_options)
    except (CheckpointError, ModelNotSupportedError, ValueError) as exc:
        raise ToolError(str(exc)) from exc


def main(argv=None):
    args = parse_args(argv)
    files, unmatched = collect_inputs(args.inputs)
    failures = [(item, 'matches no image file; check the path or glob')
                for item in unmatched]
    clashes = inputs_that_would_be_replaced(files, args.out_dir)
    if clashes and not args.overwrite:
        listed = ', '.join(out for _, out in clashes[:3])
        raise ToolError(
            f'refusing to write {len(clashes)} result(s) over their own '
            f'inputs ({listed}{", ..." if len(clashes) > 3 else ""}): choose '
            'another --out-dir, or pass --overwrite to replace the originals')
    restorer = build_restorer(args)
    out_names = set()
    for path in tqdm(files, desc='restoring', unit='img', file=sys.stderr):
        name = osp.basename(path)
        if name in out_names:  # same name from two folders: keep both
            failures.append((path, f'another input is also named {name}; '
                             'restore the folders into separate --out-dir'))
            continue
        rgb = None
        try:
            rgb, info = read_image(path)
            tile = restorer.tile_for(*rgb.shape[:2])
            if tile is not None:
                tqdm.write(f'{name}: {rgb.shape[1]} x {rgb.shape[0]} in '
                           f'{tile} px tiles', file=sys.stderr)
            restored = restorer.restore(rgb)
            write_image(osp.join(args.out_dir, name), restored, info)
            out_names.add(name)
        except (ImageReadError, OSError, MemoryError, RuntimeError) as exc:
            reason = str(exc) or type(exc).__name__
            if rgb is not None and is_out_of_memory(exc) and not isinstance(
                    exc, MemoryLimitError):  # that one names what to give
                reason = (f'{rgb.shape[1]} x {rgb.shape[0]} does not fit in '
                          f'memory ({" ".join(reason.split())[:200]}); '
                          'restore it in tiles: --tile 512, or --memory-limit '
                          'MB to size them')
            tqdm.write(f'skipped {path}: {reason}', file=sys.stderr)
            failures.append((path, reason))
    print(f'restored {len(out_names)} of {len(files) + len(unmatched)} '
          f'inputs into {args.out_dir}')
    if failures:
        print(f'{len(failures)} failed:', file=sys.stderr)
        for path, reason in failures:
            print(f'  {path}: {reason}', file=sys.stderr)
        sys.exit(1)


def is_out_of_memory(exc):
    """An allocation failure, as torch reports it on CPU or GPU."""
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or 'out of memory' in text or (
        'alloc' in text and 'bytes' in text)


if __name__ == '__main__':
    main()

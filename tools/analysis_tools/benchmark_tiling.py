"""Tiled against untiled restoration: PSNR between them, peak memory, time.

    python tools/analysis_tools/benchmark_tiling.py \\
        [--config configs/demo/restorect-student-inference_demo.py] \\
        [--checkpoint CKPT] [--size 2000 3000] [--tiles 64 128 256] \\
        [--memory-limits 3000] [--out-json tiling.json]

The image is scikit-image's coffee photo, area-resized to --size (H W) and
darkened (x 0.3, a low-light input). Without --checkpoint the model has
random weights (seed 0): the comparison is between two ways of computing the
same function, so trained weights are not needed. Each run (untiled, every
--tiles side, every --memory-limits MiB) restores the image in its own
forked child with :class:`restorect_mm.apis.Restorer`; its peak memory is
the growth of the child's resident set over the restoration
(``PeakMemory``) and the whole child's peak (``VmHWM``, what --memory-limit
bounds). Every tiled result is compared with the untiled one: PSNR (float
results in [0, 1]), the largest absolute difference and the share of 8-bit
pixels that differ after rounding.
"""
import argparse
import json
import os
import os.path as osp
import sys
import tempfile
import time

import numpy as np

import restorect_mm  # noqa: F401  (fixes and registration first)
from restorect_mm.apis.memory_budget import proc_status_kib
from restorect_mm.utils.inference_benchmark import PeakMemory, measure_in_child

DEMO_CONFIG = 'configs/demo/restorect-student-inference_demo.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=DEMO_CONFIG)
    parser.add_argument('--checkpoint',
                        help='weights; random (seed 0) when omitted')
    parser.add_argument('--size', type=int, nargs=2, default=(2000, 3000),
                        metavar=('H', 'W'))
    parser.add_argument('--tiles', type=int, nargs='*', default=[64, 128,
                                                                 256])
    parser.add_argument('--memory-limits', type=float, nargs='*', default=[],
                        metavar='MIB')
    parser.add_argument('--out-json', help='write the figures here as JSON')
    return parser.parse_args(argv)


def test_image(height: int, width: int) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1]: the coffee photo, resized, darkened."""
    import cv2
    import skimage.data
    rgb = cv2.resize(skimage.data.coffee(), (width, height),
                     interpolation=cv2.INTER_AREA)
    return rgb.astype(np.float32) / 255.0 * 0.3


def random_checkpoint(config: str, out_dir: str) -> dict:
    """{path}: weights of the config's model at seed 0 (built in a child: the
    parent must not compute with torch before forking)."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from restorect_mm.engine.checkpoint_io import save_weights
    from restorect_mm.registry import MODELS
    init_default_scope('mmagic')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(config).model)
    path = save_weights(model.state_dict(), dict(model='random'),
                        osp.join(out_dir, 'random.pth'))
    return dict(path=path)


def restore_once(config: str, checkpoint: str, image_path: str,
                 out_path: str, tile, memory_limit_mib) -> dict:
    """Restore the image with one setting; the result goes to ``out_path``.
    Returns the tile used, seconds, and peak memory (MiB)."""
    from restorect_mm.apis import Restorer
    limit = None if memory_limit_mib is None else int(memory_limit_mib *
                                                      2**20)
    restorer = Restorer(config, checkpoint, tile=tile, memory_limit=limit)
    image = np.load(image_path)
    used = restorer.tile_for(*image.shape[:2])
    with PeakMemory('cpu') as peak:
        start = time.perf_counter()
        restored = restorer.restore(image)
        seconds = time.perf_counter() - start
    np.save(out_path, restored)
    return dict(tile=used, seconds=seconds, peak_growth_mib=peak.mib,
                process_peak_mib=(proc_status_kib('VmHWM') or 0) / 1024)


def compare(restored: np.ndarray, reference: np.ndarray) -> dict:
    """PSNR (dB) of ``restored`` against ``reference`` (both [0, 1]), the
    largest absolute difference and the share of differing 8-bit pixels."""
    diff = restored.astype(np.float64) - reference
    mse = float(np.mean(diff**2))
    quantised = (np.rint(restored * 255) != np.rint(reference * 255))
    return dict(psnr_db=float('inf') if mse == 0 else 10 * np.log10(1 / mse),
                max_abs_diff=float(np.abs(diff).max()),
                differing_8bit_share=float(quantised.any(-1).mean()))


def main(argv=None):
    args = parse_args(argv)
    height, width = args.size
    work = tempfile.mkdtemp(prefix='benchmark_tiling_')
    image_path = osp.join(work, 'image.npy')
    np.save(image_path, test_image(height, width))
    checkpoint = args.checkpoint or measure_in_child(
        random_checkpoint, args.config, work)['path']
    runs = [('untiled', None, None)]
    runs += [(f'tile {tile}', tile, None) for tile in args.tiles]
    runs += [(f'--memory-limit {limit:g}', None, limit)
             for limit in args.memory_limits]
    rows, reference = [], None
    for name, tile, limit in runs:
        out_path = osp.join(work, f'{len(rows)}.npy')
        row = dict(run=name, **measure_in_child(
            restore_once, args.config, checkpoint, image_path, out_path,
            tile, limit))
        restored = np.load(out_path)
        os.remove(out_path)
        if reference is None:
            reference = restored
        else:
            row.update(compare(restored, reference))
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    print(f'{width} x {height}, {args.config}, '
          f'{"random weights" if not args.checkpoint else args.checkpoint}')
    print('| run | tile | s | peak growth MiB | process peak MiB | PSNR vs '
          'untiled dB | max abs diff | 8-bit pixels differing |')
    print('| --- | --- | --- | --- | --- | --- | --- | --- |')
    for row in rows:
        print(f"| {row['run']} | {row['tile'] or 'whole'} | "
              f"{row['seconds']:.0f} | {row['peak_growth_mib']:.0f} | "
              f"{row['process_peak_mib']:.0f} | "
              f"{row.get('psnr_db', float('nan')):.1f} | "
              f"{row.get('max_abs_diff', float('nan')):.1e} | "
              f"{100 * row.get('differing_8bit_share', float('nan')):.4f} % |")
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump(dict(size=[height, width], config=args.config,
                           rows=rows), f, indent=2)
    os.remove(image_path)


if __name__ == '__main__':
    main()

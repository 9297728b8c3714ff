"""Save the teacher's restorations of paired test images as PNG files.

    python tools/analysis_tools/restore_teacher.py CONFIG WEIGHTS LOW_DIR \
        HIGH_DIR -o OUT_DIR [--device cpu]

The teacher (RestoRectTeacher) restores with privileged priors computed from
the input AND its ground truth, so tools/restore.py cannot run it on inputs
alone; this tool feeds each ``LOW_DIR/<name>`` with ``HIGH_DIR/<name>``.
WEIGHTS: a published teacher (tools/publish_model.py), which holds the
DecomNets too, so the config's ``decom_weights`` are not read. The prediction
is the one tools/test.py scores (the model's ``restore`` in model space,
clamped to [0, 1]), written as 8-bit RGB ``OUT_DIR/<name>`` (PNG). Prints
each written path.
"""
import os
import os.path as osp
import sys

import cv2
import numpy as np
import torch

import restorect_mm  # noqa: F401  (compatibility fixes, registration)
from restorect_mm.apis.restorer import build_model, resolve_device
from restorect_mm.utils.cli import docstring_parser

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


def read_rgb(path):
    """(1, 3, H, W) float tensor in [0, 1] of an 8-bit image file."""
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f'cannot read image {path}')
    rgb = bgr[..., ::-1].astype(np.float32) / 255.
    return torch.from_numpy(rgb.copy()).permute(2, 0, 1)[None]


def paired_names(low_dir, high_dir):
    """The image file names of ``low_dir``, sorted, each with a ground truth
    of the same name in ``high_dir``.

    Raises:
        FileNotFoundError: an input has no ground truth of the same name.
    """
    names = sorted(n for n in os.listdir(low_dir)
                   if n.lower().endswith(IMAGE_EXTENSIONS))
    missing = [n for n in names if not osp.isfile(osp.join(high_dir, n))]
    if missing:
        raise FileNotFoundError(
            f'no ground truth {osp.join(high_dir, missing[0])} for '
            f'{osp.join(low_dir, missing[0])}')
    return names


@torch.no_grad()
def restore_teacher(config, weights, low_dir, high_dir, out_dir,
                    device='cpu'):
    """Restore every image of ``low_dir`` with its ground truth from
    ``high_dir`` (same file name) into ``out_dir``.

    Returns:
        list[str]: the written files, in name order.

    Raises:
        FileNotFoundError: an input has no ground truth of the same name.
    """
    names = paired_names(low_dir, high_dir)
    device = resolve_device(device)
    # the published weights hold the DecomNets: nothing else to load
    model = build_model(config, weights, device, cfg_options={
        'model.decom_weights': None,
        'model.allow_untrained_decom': True
    })
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name in names:
        lq = read_rgb(osp.join(low_dir, name)).to(device)
        gt = read_rgb(osp.join(high_dir, name)).to(device)
        restored = model.restore(lq, gt).clamp(0, 1)[0]
        rgb = (restored.permute(1, 2, 0).cpu().numpy() * 255.).round()
        out_file = osp.join(out_dir, osp.splitext(name)[0] + '.png')
        cv2.imwrite(out_file, rgb.astype(np.uint8)[..., ::-1])
        written.append(out_file)
    return written


def main(argv=None):
    parser = docstring_parser(__doc__)
    parser.add_argument('config', help='teacher config file')
    parser.add_argument('weights', help='published teacher weights')
    parser.add_argument('low_dir', help='folder of input images')
    parser.add_argument('high_dir', help='folder of their ground truths')
    parser.add_argument('-o', '--out-dir', required=True,
                        help='folder for the restored PNGs')
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1')
    args = parser.parse_args(argv)
    try:
        written = restore_teacher(args.config, args.weights, args.low_dir,
                                  args.high_dir, args.out_dir, args.device)
    except FileNotFoundError as error:
        sys.exit(f'error: {error}')
    for path in written:
        print(path)
    return written


if __name__ == '__main__':
    main()

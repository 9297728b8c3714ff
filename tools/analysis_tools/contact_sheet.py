"""A contact sheet of restorations: one row per test image, one column per
folder (e.g. input | teacher | student | GT), each panel titled with its
PSNR against the ground truth and its chroma speckle share.

    python tools/analysis_tools/contact_sheet.py GT_DIR NAME=DIR [NAME=DIR ...]
        -o sheet.png [--gt-name GT] [--dpi 100]

The images of GT_DIR set the rows; every NAME=DIR folder must hold a file of
the same name for each (an error names the first one missing). PSNR: MMagic's
``psnr`` (RGB, full resolution, no crop), as tools/run_demo.py's tables;
speckle: :func:`restorect_mm.evaluation.functional.chroma_speckle` (percent
of pixels). The GT column comes last, titled with its own speckle share.
"""
import argparse
import math
import os
import os.path as osp
import sys

import cv2
import numpy as np

import restorect_mm  # noqa: F401  (compatibility fixes before mmagic)
from mmagic.evaluation.metrics.psnr import psnr
from restorect_mm.evaluation.functional import chroma_speckle
from restorect_mm.utils.cli import docstring_parser

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


def match_images(gt_dir, folders):
    """File paths of every GT image in every folder, matched by name.

    Args:
        gt_dir (str): folder of the ground truths; its images set the rows.
        folders (dict[str, str]): column name -> folder.

    Returns:
        list[dict[str, str]]: one dict per row: ``name`` (the file name),
        each column's path, and ``gt``'s.

    Raises:
        FileNotFoundError: a folder lacks one of the names (named in the
            message), or GT_DIR holds no image.
    """
    names = sorted(n for n in os.listdir(gt_dir)
                   if n.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise FileNotFoundError(f'no images in {gt_dir}')
    rows = []
    for name in names:
        row = dict(name=name)
        for column, folder in folders.items():
            path = osp.join(folder, name)
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'{column}: {path} is missing (every folder needs one '
                    f'file per image of {gt_dir})')
            row[column] = path
        row['gt'] = osp.join(gt_dir, name)
        rows.append(row)
    return rows


def read_rgb(path):
    """float64 RGB array (H, W, 3) in 0..255 of an image file."""
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f'cannot read image {path}')
    return bgr[..., ::-1].astype(np.float64)


def score_rows(rows, columns):
    """PSNR against the GT and speckle share of every panel.

    Returns:
        list[dict[str, tuple[float, float]]]: per row, column ->
        (PSNR dB, speckle %); the ``gt`` column's PSNR is inf.
    """
    scores = []
    for row in rows:
        gt = read_rgb(row['gt'])
        row_scores = {}
        for column in [*columns, 'gt']:
            image = gt if column == 'gt' else read_rgb(row[column])
            if image.shape != gt.shape:
                raise ValueError(f'{row[column]}: {image.shape[:2]} pixels, '
                                 f'the GT has {gt.shape[:2]}')
            row_scores[column] = (float(psnr(image, gt)),
                                  chroma_speckle(image))
        scores.append(row_scores)
    return scores


def mean_scores(scores):
    """Column -> (mean PSNR, mean speckle %) over the rows."""
    return {column: tuple(float(np.mean([s[column][i] for s in scores]))
                          for i in (0, 1))
            for column in scores[0]}


def panel_title(column, value_psnr, value_speckle):
    db = 'reference' if math.isinf(value_psnr) else f'{value_psnr:.2f} dB'
    return f'{column}: {db}\nspeckle {value_speckle:.2f} %'


def draw_sheet(rows, scores, columns, out_file, gt_name='GT', dpi=100):
    """Draw the grid with matplotlib (imshow + titles); saves ``out_file``.

    Returns:
        str: ``out_file``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    labels = [*columns, 'gt']
    fig, axes = plt.subplots(len(rows), len(labels),
                             figsize=(2.6 * len(labels), 2.9 * len(rows)),
                             squeeze=False)
    for r, (row, row_scores) in enumerate(zip(rows, scores)):
        for c, column in enumerate(labels):
            ax = axes[r, c]
            ax.imshow(read_rgb(row[column]).astype(np.uint8))
            shown = gt_name if column == 'gt' else column
            ax.set_title(panel_title(shown, *row_scores[column]), fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(row['name'], fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file, dpi=dpi)
    plt.close(fig)
    return out_file


def contact_sheet(gt_dir, folders, out_file, gt_name='GT', dpi=100):
    """Match, score and draw; returns (out_file, scores) with ``scores``
    as :func:`score_rows` gives them."""
    rows = match_images(gt_dir, folders)
    scores = score_rows(rows, list(folders))
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    draw_sheet(rows, scores, list(folders), out_file, gt_name, dpi)
    return out_file, scores


def parse_column(text):
    name, sep, folder = text.partition('=')
    if not sep or not name or not folder:
        raise argparse.ArgumentTypeError(f'expected NAME=DIR, got {text!r}')
    return name, folder


def main(argv=None):
    parser = docstring_parser(__doc__)
    parser.add_argument('gt_dir', help='folder of the ground truths')
    parser.add_argument('columns', nargs='+', type=parse_column,
                        metavar='NAME=DIR', help='one column per folder')
    parser.add_argument('-o', '--out', required=True, help='PNG to write')
    parser.add_argument('--gt-name', default='GT',
                        help='title of the GT column')
    parser.add_argument('--dpi', type=int, default=100,
                        help='resolution (a panel is 2.6 x 2.9 inches)')
    args = parser.parse_args(argv)
    try:
        out_file, scores = contact_sheet(args.gt_dir, dict(args.columns),
                                         args.out, args.gt_name, args.dpi)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f'error: {error}')
    for column, (value_psnr, speckle) in mean_scores(scores).items():
        print(f'{column}: PSNR {value_psnr:.4f} dB, speckle {speckle:.3f} %')
    print(out_file)
    return out_file


if __name__ == '__main__':
    main()

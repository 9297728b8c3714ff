"""Tiny fixture trees in the published layouts of the RestoRect data sets.

Every writer returns the data root it filled and uses small images (at most
32 px) so dataset and config tests stay fast.
"""
import os
import os.path as osp

import cv2
import numpy as np


def write_image(path, value=0, shape=(12, 16, 3), dtype=np.uint8):
    """Write a constant image (cv2 picks the format from the extension)."""
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    assert cv2.imwrite(str(path), np.full(shape, value, dtype)), path
    return str(path)


def write_paired(root, lq_dir, gt_dir, names, gt_names=None, **kwargs):
    """``names`` into ``root/lq_dir``, ``gt_names`` (default: the same) into
    ``root/gt_dir``."""
    for i, (lq, gt) in enumerate(zip(names, gt_names or names)):
        write_image(osp.join(root, lq_dir, lq), value=i, **kwargs)
        write_image(osp.join(root, gt_dir, gt), value=100 + i, **kwargs)
    return str(root)


def make_sice(root, exposures=(3, 2), with_eval=2, with_mix=2):
    """``root`` = data/SICE: Dataset/train/<s>/*.JPG, Dataset/label/<s>.JPG,
    Dataset/eval/{test,target}, SICE_Mix / SICE_Grad / SICE_Reshape."""
    for s, count in enumerate(exposures, start=1):
        for e in range(count):
            write_image(osp.join(root, 'Dataset', 'train', str(s),
                                 f'{e + 1}.JPG'), value=10 * e)
        write_image(osp.join(root, 'Dataset', 'label', f'{s}.JPG'), 200)
    write_paired(osp.join(root, 'Dataset', 'eval'), 'test', 'target',
                 [f'{i}.jpg' for i in range(1, with_eval + 1)],
                 [f'{i}.JPG' for i in range(1, with_eval + 1)])
    for folder in ('SICE_Mix', 'SICE_Grad'):
        write_paired(root, folder, 'SICE_Reshape',
                     [f'{i}.png' for i in range(1, with_mix + 1)])
    return str(root)


SID_PAIRS = (('00001_00_0.1s', '00001_00_10s'),
             ('00001_01_0.04s', '00001_00_10s'),
             ('00002_00_0.1s', '00002_00_10s'))


def make_sid(root, pairs=SID_PAIRS, lists=('train', 'val', 'test')):
    """``root`` = data/SSID: Sony/{short,long}_resized/*.png and split lists
    in SID's original form (``./Sony/short/X.ARW ./Sony/long/Y.ARW ISO F``)."""
    for short, long in pairs:
        write_image(osp.join(root, 'Sony', 'short_resized', short + '.png'))
        write_image(osp.join(root, 'Sony', 'long_resized', long + '.png'))
    for split in lists:
        with open(osp.join(root, f'Sony_{split}_list.txt'), 'w') as f:
            for short, long in pairs:
                f.write(f'./Sony/short/{short}.ARW ./Sony/long/{long}.ARW '
                        'ISO200 F9\n')
    return str(root)


def make_unpaired(root, folder, count=3, ext='.bmp'):
    """``count`` images in ``root/folder``."""
    for i in range(count):
        write_image(osp.join(root, folder, f'{i + 1}{ext}'), value=20 * i)
    return str(root)

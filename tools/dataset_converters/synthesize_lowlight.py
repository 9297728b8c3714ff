"""Synthesise LOL-layout low-light / normal-light pairs from ordinary photos.

Output layout (same file names in ``low`` and ``high``)::

    OUT/
    ├── train/low/00001.png ...   train/high/00001.png ...
    ├── test/low/00001.png ...    test/high/00001.png ...
    └── synthesis.json            seed, parameters, crop origin of every pair

Each source image is rescaled at random (short side between ``--size`` and
``2 * --size``, never upscaled beyond what is needed for a crop), then
``--crops-per-image`` random ``size x size`` crops are taken; every crop is the
``high`` image and its degraded copy (``restorect_mm.datasets.synthesis.
degrade_lowlight``) the ``low`` one.

Train/test split: with two or more readable source images, whole source
images are held out for the test split (a seeded choice of
``round(test_ratio * n)`` images, at least one, leaving at least one for
training), so no test pixel is ever seen in training. With a single source
image, the image is cut into a top part (train) and a bottom part of
``test_ratio`` of its height (test), so the crops come from disjoint regions.

Without ``--src`` the natural RGB photos shipped inside scikit-image are used
(no download): astronaut, coffee, chelsea, rocket, stereo_motorcycle (left
view) and retina (a fundus photo). The defaults give 25 train and 5 test
pairs of 256 x 256.

``--heldout-test`` makes the test split of photos that other packages ship
instead: matplotlib's ``grace_hopper.jpg`` and, when scikit-learn is
installed (``requirements/demo.txt``), its ``china.jpg`` and ``flower.jpg``;
every source image then goes to train. The quick start's data: a test set of
other photographers' photos that no recipe decision was tuned on.

The same ``--seed`` gives byte-identical files.

Example::

    python tools/dataset_converters/synthesize_lowlight.py --out data/demo_lol
    python tools/dataset_converters/synthesize_lowlight.py \
        --src my_photos --out data/my_lol --size 384 --crops-per-image 8 --blur
"""
import argparse
import importlib.util
import json
import os
import os.path as osp
import sys
from typing import List, Tuple

import cv2
import numpy as np

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
SKIMAGE_PHOTOS = ('astronaut', 'coffee', 'chelsea', 'rocket',
                  'stereo_motorcycle', 'retina')
SPLITS = ('train', 'test')
# (package, file inside it) of the photos behind --heldout-test
HELDOUT_PHOTOS = (('matplotlib', 'mpl-data/sample_data/grace_hopper.jpg'),
                  ('sklearn', 'datasets/images/china.jpg'),
                  ('sklearn', 'datasets/images/flower.jpg'))


def _load_degradation_module():
    """Load ``lowlight_degradation.py`` without importing ``restorect_mm``.

    ``import restorect_mm`` pulls in MMagic (about 9 s); the degradation is
    plain numpy / OpenCV, so the file is loaded on its own.
    """
    spec = importlib.util.find_spec('restorect_mm')  # locates, does not run
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit('error: restorect_mm is not installed; run '
                         '`pip install -e .` in the repository first')
    path = osp.join(spec.submodule_search_locations[0], 'datasets',
                    'synthesis', 'lowlight_degradation.py')
    mod_spec = importlib.util.spec_from_file_location(
        '_restorect_lowlight_degradation', path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)
    return module


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Synthesise LOL-layout low-light pairs from photos.')
    parser.add_argument(
        '--src',
        help='folder of normal-light images (png/jpg/bmp/tif); default: the '
        'RGB photos shipped with scikit-image')
    parser.add_argument(
        '--heldout-test', action='store_true',
        help='test split from the photos matplotlib and scikit-learn ship '
        '(see above); all source images train')
    parser.add_argument(
        '--test-crops-per-image', type=int,
        help='random crops per test image (default: --crops-per-image)')
    parser.add_argument('--out', required=True, help='output dataset folder')
    parser.add_argument('--size', type=int, default=256,
                        help='side of the square crops (default 256)')
    parser.add_argument('--crops-per-image', type=int, default=5,
                        help='random crops per source image (default 5)')
    parser.add_argument(
        '--test-ratio', type=float, default=0.2,
        help='share of source images held out for test (default 0.2)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--blur', action='store_true',
                        help='also blur (Gaussian, sigma 0.5-1.5 px)')
    parser.add_argument('--overwrite', action='store_true',
                        help='delete images already in the output folders')
    args = parser.parse_args(argv)
    if args.size < 8:
        parser.error(f'--size must be >= 8, got {args.size}')
    if args.crops_per_image < 1:
        parser.error('--crops-per-image must be >= 1')
    if args.test_crops_per_image is None:
        args.test_crops_per_image = args.crops_per_image
    if args.test_crops_per_image < 1:
        parser.error('--test-crops-per-image must be >= 1')
    if not 0 < args.test_ratio < 1:
        parser.error(f'--test-ratio must lie in (0, 1), got {args.test_ratio}')
    return args


def _read_rgb(path: str) -> np.ndarray:
    """Read an image as uint8 RGB, or None when OpenCV cannot decode it.

    IMREAD_COLOR already maps grey to 3 channels, drops alpha and reduces
    16-bit images to 8 bits.
    """
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    return None if img is None else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def heldout_sources() -> List[Tuple[str, np.ndarray]]:
    """``(name, uint8 RGB image)`` of the package photos that are
    installed (:data:`HELDOUT_PHOTOS`); matplotlib's is required."""
    sources = []
    for package, relpath in HELDOUT_PHOTOS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            if package == 'matplotlib':
                raise SystemExit('error: --heldout-test needs matplotlib '
                                 '(pip install matplotlib)')
            print(f'note: {package} is not installed; skipping its photo '
                  f'{osp.basename(relpath)} (pip install -r '
                  f'requirements/demo.txt)', file=sys.stderr)
            continue
        path = osp.join(spec.submodule_search_locations[0], relpath)
        img = _read_rgb(path)
        if img is None:
            raise SystemExit(f'error: cannot read {path}: reinstall {package}')
        sources.append((f'{package}/{relpath}', img))
    return sources


def load_sources(src) -> List[Tuple[str, np.ndarray]]:
    """Return ``(name, uint8 RGB image)`` pairs, sorted by name."""
    if src is None:
        import skimage.data
        sources = []
        for name in SKIMAGE_PHOTOS:
            img = getattr(skimage.data, name)()
            if isinstance(img, tuple):  # stereo pairs: keep the left view
                img = img[0]
            sources.append((f'skimage.data.{name}', np.ascontiguousarray(img)))
        return sources
    if not osp.isdir(src):
        raise SystemExit(f'error: --src {src!r} is not a folder')
    files = sorted(
        f for f in os.listdir(src) if not f.startswith('.')
        and osp.splitext(f)[1].lower() in IMG_EXTENSIONS
        and osp.isfile(osp.join(src, f)))
    if not files:
        raise SystemExit(f'error: --src {src!r} holds no images '
                         f'({", ".join(IMG_EXTENSIONS)})')
    sources = []
    for name in files:
        img = _read_rgb(osp.join(src, name))
        if img is None:
            print(f'warning: skipping unreadable image {osp.join(src, name)}',
                  file=sys.stderr)
            continue
        sources.append((name, img))
    if not sources:
        raise SystemExit(f'error: none of the {len(files)} images in --src '
                         f'{src!r} could be decoded')
    return sources


def random_crops(img: np.ndarray, size: int, count: int,
                 rng: np.random.Generator) -> List[Tuple[np.ndarray, dict]]:
    """Rescale ``img`` at random and cut ``count`` square crops.

    Args:
        img: ``(H, W, 3)`` uint8 image.
        size: Crop side.
        count: Number of crops.
        rng: Random generator.

    Returns:
        list: ``(crop (size, size, 3) uint8, info dict)`` pairs.
    """
    h, w = img.shape[:2]
    short = min(h, w)
    # Random target short side: at least `size` (so a crop fits), at most
    # 2*size so a crop still shows a meaningful part of a large photo.
    target = rng.uniform(size, max(size, min(short, 2 * size)))
    scale = max(target / short, size / short)
    new_h = max(size, int(round(h * scale)))
    new_w = max(size, int(round(w * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(img, (new_w, new_h), interpolation=interp)
    crops = []
    for _ in range(count):
        top = int(rng.integers(0, new_h - size + 1))
        left = int(rng.integers(0, new_w - size + 1))
        crops.append((resized[top:top + size, left:left + size].copy(),
                      dict(scale=round(scale, 6), top=top, left=left)))
    return crops


def split_sources(sources, test_ratio, rng):
    """Assign source images (or image regions) to train and test.

    Returns:
        dict: split name -> list of ``(name, image, region)``.
    """
    if len(sources) == 1:
        name, img = sources[0]
        cut = int(round(img.shape[0] * (1 - test_ratio)))
        cut = min(max(cut, 1), img.shape[0] - 1)
        return dict(
            train=[(name, img[:cut], f'rows 0-{cut}')],
            test=[(name, img[cut:], f'rows {cut}-{img.shape[0]}')])
    n_test = min(max(1, int(round(test_ratio * len(sources)))),
                 len(sources) - 1)
    test_idx = set(rng.permutation(len(sources))[:n_test].tolist())
    split = dict(train=[], test=[])
    for i, (name, img) in enumerate(sources):
        split['test' if i in test_idx else 'train'].append(
            (name, img, 'whole image'))
    return split


def prepare_out(out: str, overwrite: bool):
    """Create the four folders; refuse to mix with existing images."""
    for split in SPLITS:
        for kind in ('low', 'high'):
            folder = osp.join(out, split, kind)
            os.makedirs(folder, exist_ok=True)
            old = [
                f for f in os.listdir(folder)
                if osp.splitext(f)[1].lower() in IMG_EXTENSIONS
            ]
            if old and not overwrite:
                raise SystemExit(
                    f'error: {folder} already holds {len(old)} images; '
                    'pass --overwrite or choose another --out')
            for f in old:
                os.remove(osp.join(folder, f))


def main(argv=None):
    args = parse_args(argv)
    degradation = _load_degradation_module()
    params = dict(blur=args.blur)
    if args.heldout_test:
        split = {
            name: [(n, im, 'whole image') for n, im in images]
            for name, images in (('train', load_sources(args.src)),
                                 ('test', heldout_sources()))
        }
    else:
        split = split_sources(load_sources(args.src), args.test_ratio,
                              np.random.default_rng([args.seed, 0]))
    prepare_out(args.out, args.overwrite)

    log = dict(seed=args.seed, size=args.size,
               crops_per_image=args.crops_per_image,
               test_crops_per_image=args.test_crops_per_image,
               test_ratio=args.test_ratio,
               source=args.src or 'skimage.data',
               heldout_test=args.heldout_test,
               params=dict(vars(degradation.LowLightParams(**params))),
               pairs={})
    entry = 0
    for split_name in SPLITS:
        index = 0
        for name, img, region in split[split_name]:
            # One independent stream per (split, source) entry, so an
            # entry's crops do not depend on how many draws others made.
            entry += 1
            rng = np.random.default_rng([args.seed, 1, entry])
            count = (args.crops_per_image if split_name == 'train' else
                     args.test_crops_per_image)
            for crop, info in random_crops(img, args.size, count, rng):
                index += 1
                low = degradation.degrade_lowlight(crop, rng, **params)
                fname = f'{index:05d}.png'
                for kind, im in (('high', crop), ('low', low)):
                    path = osp.join(args.out, split_name, kind, fname)
                    if not cv2.imwrite(path, cv2.cvtColor(im,
                                                          cv2.COLOR_RGB2BGR)):
                        raise SystemExit(f'error: could not write {path}')
                log['pairs'][f'{split_name}/{fname}'] = dict(
                    source=name, region=region, **info)
        print(f'{split_name}: {index} pairs from '
              f'{[s[0] for s in split[split_name]]}')
    with open(osp.join(args.out, 'synthesis.json'), 'w') as f:
        json.dump(log, f, indent=2, sort_keys=True)
        f.write('\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()

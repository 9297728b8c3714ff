"""UCIQE / UIQM against values worked out step by step in plain numpy."""
import json

import numpy as np
from skimage.color import rgb2lab

from restorect_mm.registry import METRICS
from tests.test_evaluation.eval_sample_utils import make_sample, score


def tiny_image(size, seed):
    """(size, size, 3) RGB with values 1..255 and some structure."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(20, 220, size)[None, :, None]
    img = ramp + rng.integers(-20, 21, (size, size, 3))
    img[..., 2] = img[..., 2] * 0.6 + 60  # a blue-ish cast, as underwater
    return np.clip(img, 1, 255).round().astype(np.float64)


def quantile_by_hand(values, q):
    """Linear-interpolated quantile of sorted values."""
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (pos - lo) * (ordered[hi] - ordered[lo])


def uciqe_by_hand(rgb):
    eps = np.finfo(float).eps
    lab = rgb2lab(rgb / 255.0)
    lum = lab[..., 0].ravel() / 100 + eps
    a = (lab[..., 1].ravel() + 128) / 255
    b = (lab[..., 2].ravel() + 128) / 255
    chroma = np.sqrt(a * a + b * b)
    sat = chroma / np.sqrt(chroma * chroma + lum * lum)
    mean_chroma = chroma.sum() / chroma.size
    sigma_c = np.sqrt(np.sum(np.abs(1 - (mean_chroma / (chroma + eps))**2))
                      / chroma.size)
    con_l = quantile_by_hand(lum, 0.99) - quantile_by_hand(lum, 0.01)
    mu_s = sat.sum() / sat.size
    return 0.4680 * sigma_c + 0.2745 * con_l + 0.2576 * mu_s


def test_uciqe_matches_hand_computation():
    rgb = tiny_image(8, seed=0)
    result = score(METRICS.build(dict(type='UCIQE')), [make_sample(rgb)])
    assert abs(result['UCIQE'] - uciqe_by_hand(rgb)) < 1e-12
    assert type(result['UCIQE']) is float
    json.dumps(result)


def trimmed_mean_by_hand(values):
    ordered = sorted(values.tolist())
    k = len(ordered)
    low, high = int(np.ceil(0.1 * k)), int(np.floor(0.1 * k))
    kept = ordered[low:k - high]
    return sum(kept) / len(kept)


def sobel_by_hand(ch):
    """|grad| with the 3x3 Sobel kernels, mirrored border (SciPy's
    'reflect'), rescaled to max 255."""
    p = np.pad(ch, 1, mode='symmetric')
    h, w = ch.shape
    mag = np.zeros_like(ch)
    for i in range(h):
        for j in range(w):
            win = p[i:i + 3, j:j + 3]
            gy = (win[2] - win[0]) @ np.array([1, 2, 1])
            gx = (win[:, 2] - win[:, 0]) @ np.array([1, 2, 1])
            mag[i, j] = np.sqrt(gx * gx + gy * gy)
    return mag * 255 / mag.max()


def block_extremes(img, block):
    out = []
    for bi in range(img.shape[0] // block):
        for bj in range(img.shape[1] // block):
            tile = img[bi * block:(bi + 1) * block,
                       bj * block:(bj + 1) * block]
            out.append((tile.max(), tile.min()))
    return out


def eme_by_hand(img, block):
    ext = block_extremes(img, block)
    total = sum(np.log(mx / mn) for mx, mn in ext if mx > 0 and mn > 0)
    return 2 / len(ext) * total


def uiqm_terms_by_hand(rgb, block):
    r, g, b = rgb[..., 0].ravel(), rgb[..., 1].ravel(), rgb[..., 2].ravel()
    rg, yb = r - g, (r + g) / 2 - b
    mu_rg, mu_yb = trimmed_mean_by_hand(rg), trimmed_mean_by_hand(yb)
    var_rg = np.mean((rg - mu_rg)**2)
    var_yb = np.mean((yb - mu_yb)**2)
    uicm = -0.0268 * np.sqrt(mu_rg**2 + mu_yb**2) + \
        0.1586 * np.sqrt(var_rg + var_yb)
    emes = [eme_by_hand(sobel_by_hand(rgb[..., c]) * rgb[..., c], block)
            for c in range(3)]
    total = 0.0
    ext = block_extremes(rgb, block)  # max / min over all channels
    for mx, mn in ext:
        top, bot = mx - mn, mx + mn
        if top > 0 and bot > 0:
            total += (top / bot) * np.log(top / bot)
    uiconm = -total / len(ext)
    return uicm, emes, uiconm


def test_uiqm_matches_hand_computation():
    rgb = tiny_image(16, seed=1)
    uicm, emes, uiconm = uiqm_terms_by_hand(rgb, block=8)
    uism = 0.299 * emes[0] + 0.587 * emes[1] + 0.114 * emes[2]
    expected = 0.0282 * uicm + 0.2953 * uism + 3.5753 * uiconm
    result = score(METRICS.build(dict(type='UIQM', block=8)),
                   [make_sample(rgb)])
    assert abs(result['UIQM'] - expected) < 1e-9
    json.dumps(result)

    # the reference's lambda_B = 0.144 typo adds 0.2953 * 0.03 * EME_B
    typo = score(
        METRICS.build(
            dict(type='UIQM', block=8, use_reference_blue_weight_typo=True)),
        [make_sample(rgb)])
    assert abs(typo['UIQM'] - expected - 0.2953 * 0.03 * emes[2]) < 1e-9


def test_uiqm_default_block_on_16px():
    """Default 10-px blocks: one block of a 16 x 16 image."""
    rgb = tiny_image(16, seed=2)
    uicm, emes, uiconm = uiqm_terms_by_hand(rgb, block=10)
    expected = 0.0282 * uicm + 0.2953 * (
        0.299 * emes[0] + 0.587 * emes[1] + 0.114 * emes[2]) + \
        3.5753 * uiconm
    result = score(METRICS.build(dict(type='UIQM')), [make_sample(rgb)])
    assert abs(result['UIQM'] - expected) < 1e-9


def photo(name, size=(64, 48)):
    import cv2
    import skimage.data
    return cv2.resize(getattr(skimage.data, name)(), size,
                      interpolation=cv2.INTER_AREA).astype(np.float64)


def test_uciqe_more_colourful_and_contrasty_scores_higher():
    for name in ('coffee', 'astronaut', 'chelsea'):
        vivid = photo(name)
        washed = 0.4 * vivid + 0.6 * 128  # less colour, less contrast
        metric = METRICS.build(dict(type='UCIQE'))
        assert score(metric, [make_sample(vivid)])['UCIQE'] > \
            score(metric, [make_sample(washed)])['UCIQE'] + 0.1, name


def test_uiqm_restored_scores_higher_than_hazy():
    """A hazy blue-green version (15 % of the photo) against a moderately
    restored one (50 % photo, 50 % grey). Not against the full-contrast
    photo: UIConM's (t/s) log(t/s) peaks at t/s = 1/e, so UIQM does not
    grow monotonically with contrast."""
    from restorect_mm.evaluation.functional import uicm
    cast = np.array([20.0, 110.0, 130.0])
    metric = METRICS.build(dict(type='UIQM'))
    for name in ('astronaut', 'chelsea'):
        hazy = 0.15 * photo(name) + 0.85 * cast
        restored = 0.5 * photo(name) + 0.5 * 128
        assert uicm(restored) > uicm(hazy) + 1.0, name  # colourfulness
        assert score(metric, [make_sample(restored)])['UIQM'] > \
            score(metric, [make_sample(hazy)])['UIQM'] + 0.2, name


def test_scores_average_over_images_without_ground_truth():
    a, b = tiny_image(16, 3), tiny_image(16, 4)
    metric = METRICS.build(dict(type='UCIQE'))
    both = score(metric, [make_sample(a), make_sample(b)])['UCIQE']
    single = [score(metric, [make_sample(x)])['UCIQE'] for x in (a, b)]
    assert abs(both - sum(single) / 2) < 1e-12


def test_channel_order_is_read_as_bgr():
    """A BGR-stored sample and its RGB reading give the same score."""
    rgb = tiny_image(16, seed=5)
    from_bgr = score(METRICS.build(dict(type='UIQM', block=8)),
                     [make_sample(rgb)])['UIQM']
    import torch
    rgb_sample = {'output': {'pred_img': torch.from_numpy(
        rgb.transpose(2, 0, 1).astype(np.float32).copy())}}
    from_rgb = score(
        METRICS.build(dict(type='UIQM', block=8, channel_order='RGB')),
        [rgb_sample])['UIQM']
    swapped = score(
        METRICS.build(dict(type='UIQM', block=8, channel_order='BGR')),
        [rgb_sample])['UIQM']
    assert abs(from_bgr - from_rgb) < 1e-9
    assert abs(from_bgr - swapped) > 1e-6

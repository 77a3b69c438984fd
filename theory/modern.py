"""Modern continuous Hopfield network (Ramsauer et al. 2021): separation, fixed points, capacity.

Patterns ``x_1..x_N`` in ``R^d`` (rows of ``X``), ``M = max ||x_i||``, update
``xi <- X^T softmax(beta X xi)``. The separation of pattern ``i`` is
``Delta_i = min_{j != i} (x_i . x_i - x_i . x_j)``.

References
----------
H. Ramsauer et al., "Hopfield Networks is All You Need", ICLR 2021,
arXiv:2008.02217: Theorem 3 (capacity), Theorem 4 and Lemma A7 (fixed point
near a pattern), Theorem 5 (retrieval error after one update).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

import numpy as np
import numpy.typing as npt
import sympy as sp

from theory.formula import Formula, sym, validate

__all__ = [
    "separation",
    "fixed_point_radius",
    "fixed_point_condition",
    "retrieval_error_bound",
    "capacity_c",
    "capacity_bound",
]

_RAM = "Ramsauer et al., ICLR 2021 (arXiv:2008.02217)"


def separation(X: npt.ArrayLike) -> np.ndarray:
    """Separation ``Delta_i = min_{j != i} (x_i . x_i - x_i . x_j)`` of every pattern.

    Parameters
    ----------
    X : array_like of shape (N, d), float
        Patterns as rows, ``N >= 2``.

    Returns
    -------
    ndarray of shape (N,), float64

    Examples
    --------
    >>> separation([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]).tolist()
    [1.0, 1.0, 1.0]
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must have shape (N, d) with N >= 2, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite")
    G = X @ X.T  # (N, N)
    diff = np.diag(G)[:, None] - G
    np.fill_diagonal(diff, np.inf)
    return diff.min(axis=1)


@lru_cache(maxsize=None)
def fixed_point_radius() -> Formula:
    """Radius ``1/(beta N M)`` of the sphere around ``x_i`` holding its fixed point [beta, N, M]."""
    beta, N, M = sym("beta"), sym("N"), sym("M")
    return Formula(
        name="modern.fixed_point_radius",
        expr=1 / (beta * N * M),
        symbols=(beta, N, M),
        source=_RAM + ", Theorem 4 / Lemma A7",
        assumptions="patterns well separated (see fixed_point_condition)",
        definition="radius of the sphere S_i around x_i that the update maps into itself",
    )


@lru_cache(maxsize=None)
def fixed_point_condition() -> Formula:
    """Separation sufficient for a fixed point near ``x_i`` [beta, N, M].

    ``Delta_i >= 2/(beta N) + (1/beta) ln(2 (N-1) N beta M^2)``: the formula is
    the right-hand side (the smallest sufficient ``Delta_i``).

    Examples
    --------
    >>> round(fixed_point_condition().evaluate(beta=1.0, N=10, M=1.0), 3)
    5.393
    """
    beta, N, M = sym("beta"), sym("N"), sym("M")
    return Formula(
        name="modern.fixed_point_condition",
        expr=2 / (beta * N) + sp.log(2 * (N - 1) * N * beta * M**2) / beta,
        symbols=(beta, N, M),
        source=_RAM + ", Theorem 4 (Lemma A7), condition on Delta_i",
        assumptions="N >= 2 patterns with max norm M",
        definition="smallest separation Delta_i that guarantees a fixed point inside the sphere of "
        "radius 1/(beta N M) around x_i (a sufficient, not necessary, condition)",
    )


@lru_cache(maxsize=None)
def retrieval_error_bound() -> Formula:
    """Theorem 5: ``||f(xi) - x_i|| <= 2 (N-1) exp(-beta (Delta - 2 dist M)) M`` [N, beta, Delta, dist, M].

    ``dist = max(||xi - x_i||, ||x_i* - x_i||)``, ``x_i*`` the fixed point near ``x_i``.

    Examples
    --------
    >>> round(retrieval_error_bound().evaluate(N=2, beta=1.0, Delta=5.0, dist=0.0, M=1.0), 5)
    0.01348
    """
    N, beta, Delta, dist, M = sym("N"), sym("beta"), sym("Delta"), sym("dist"), sym("M")
    return Formula(
        name="modern.retrieval_error_bound",
        expr=2 * (N - 1) * sp.exp(-beta * (Delta - 2 * dist * M)) * M,
        symbols=(N, beta, Delta, dist, M),
        source=_RAM + ", Theorem 5",
        assumptions="xi inside the sphere S_i (separation condition holds)",
        definition="upper bound on the distance between one update f(xi) and the pattern x_i",
    )


@lru_cache(maxsize=None)
def capacity_c() -> Formula:
    """Theorem 3's ``c = b / W0(exp(a + ln b))`` [beta, K, d, p].

    ``a = (2/(d-1)) (1 + ln(2 beta K^2 p (d-1)))``, ``b = 2 K^2 beta / 5``, ``W0``
    the principal branch of the Lambert W function.

    Examples
    --------
    >>> round(capacity_c().evaluate(beta=1.0, K=3, d=20, p=0.001), 4)
    3.1546
    """
    beta, K, d, p = sym("beta"), sym("K", integer=False, positive=True), sym("d"), sym("p")
    a = 2 / (d - 1) * (1 + sp.log(2 * beta * K**2 * p * (d - 1)))
    b = 2 * K**2 * beta / 5
    return Formula(
        name="modern.capacity_c",
        expr=b / sp.LambertW(sp.exp(a + sp.log(b))),
        symbols=(beta, K, d, p),
        source=_RAM + ", Theorem 3",
        assumptions="patterns uniform on the sphere of radius M = K sqrt(d-1); failure probability p",
        definition="the constant c of Theorem 3 (storage N >= sqrt(p) c^((d-1)/4) when c is large enough)",
    )


def capacity_bound(beta: npt.ArrayLike, K: npt.ArrayLike, d: npt.ArrayLike, p: npt.ArrayLike) -> Dict[str, np.ndarray]:
    """Theorem 3 of Ramsauer et al.: a lower bound on the number of storable patterns.

    Parameters
    ----------
    beta : float or array_like
        Inverse temperature, ``> 0``.
    K : float or array_like
        Patterns lie on the sphere of radius ``M = K sqrt(d - 1)``, ``K > 0``.
    d : int or array_like
        Dimension, ``d >= 2``.
    p : float or array_like
        Failure probability, ``0 < p < 1``.

    Returns
    -------
    dict
        ``c`` (Theorem 3's constant), ``threshold = (2/sqrt(p))^(4/(d-1))``,
        ``applies`` (``c >= threshold``, the theorem's condition) and ``N``
        ``= sqrt(p) c^((d-1)/4)`` (NaN where the condition fails): with
        probability ``1 - p`` at least ``N`` random patterns are stored and
        retrievable. Arrays broadcast.

    Notes
    -----
    A loose lower bound: simulations should show it holds, not that it is tight.

    Examples
    --------
    >>> out = capacity_bound(1.0, 1.0, 75, 0.001)
    >>> round(float(out["c"]), 5), bool(out["applies"])
    (1.37188, True)
    """
    if np.any(validate("K", K) <= 0):
        raise ValueError(f"K must be > 0, got {K}")
    c = capacity_c().evaluate(beta=beta, K=K, d=d, p=p)
    d = validate("d", d)
    p = validate("p", p)
    thr = (2 / np.sqrt(p)) ** (4 / (d - 1))
    applies = c >= thr
    N = np.where(applies, np.sqrt(p) * c ** ((d - 1) / 4), np.nan)
    out = {"c": c, "threshold": thr, "applies": applies, "N": N}
    return {k: (np.asarray(v).item() if np.ndim(v) == 0 else np.asarray(v)) for k, v in out.items()}

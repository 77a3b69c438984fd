"""Spurious states: symmetric mixtures of n patterns at alpha -> 0, their overlap and stability in T.

With ``P`` finite (``alpha -> 0``) the mean-field free energy per neuron is
``f(m) = |m|^2/2 - T < ln 2 cosh(beta xi . m) >_xi`` over random patterns, with
stationary points ``m_mu = < xi^mu tanh(beta xi . m) >``. The symmetric
n-mixture ``m_mu = m_n`` (mu <= n, odd n) solves
``m_n = (1/n) < z tanh(beta m_n z) >``, ``z = xi^1 + ... + xi^n``; at ``T = 0``,
``m_n = 2^(1-n) binom(n-1, (n-1)/2)`` (1/2 for n = 3). It is a local minimum
while every eigenvalue of the Hessian
``delta_mu,nu - beta < xi^mu xi^nu (1 - tanh^2(beta m_n z)) >`` is positive;
for n = 3 the first to change sign is the one of the directions that break
the symmetry among the three patterns, at ``T = 0.4598`` (AGS quote 0.46).

References
----------
D. J. Amit, H. Gutfreund, H. Sompolinsky, "Spin-glass models of neural
networks", Phys. Rev. A 32, 1007-1018 (1985) [secondary: the value 0.46; the
stability analysis here is re-derived and solved numerically].
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Dict

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from theory.formula import Formula, check_int

__all__ = ["overlap_t0", "symmetric_mixture", "instability_T"]

_AGS85 = "Amit, Gutfreund, Sompolinsky, PRA 32, 1007 (1985) [secondary]"


def _odd(n):
    n = check_int(n, "n", minimum=1)
    if n % 2 == 0:
        raise ValueError(f"n must be odd (symmetric mixtures of an even number of patterns have ties), got {n}")
    return n


@lru_cache(maxsize=None)
def overlap_t0() -> Formula:
    """Overlap of each pattern in the symmetric n-mixture at ``T = 0``: ``2^(1-n) binom(n-1, (n-1)/2)`` [n].

    Examples
    --------
    >>> overlap_t0().evaluate(n=3), overlap_t0().evaluate(n=5)
    (0.5, 0.375)
    """
    n = sp.Symbol("n", integer=True, positive=True)
    expr = 2 ** (1 - n) * sp.binomial(n - 1, (n - 1) / 2)
    return Formula("mixtures.overlap_t0", expr, (n,), source=_AGS85,
                   assumptions="alpha -> 0, T = 0, n odd, random patterns",
                   definition="overlap m_mu = (1/N) xi^mu . sign(xi^1 + ... + xi^n), mu <= n",
                   integer_args=("n",))


def _table(n):
    X = np.array(list(itertools.product((-1, 1), repeat=n)), dtype=np.float64)  # (2^n, n)
    return X, X.sum(axis=1)


def symmetric_mixture(T: float, n: int = 3) -> Dict[str, float]:
    """Overlap and Hessian eigenvalues of the symmetric n-mixture at temperature ``T`` (``alpha -> 0``).

    Returns
    -------
    dict
        ``m`` (0 when the mixture has dissolved into the paramagnet),
        ``lambda_sym`` (the symmetric direction), ``lambda_break`` (directions
        breaking the symmetry among the n patterns, (n-1)-fold) and
        ``lambda_out`` (the other patterns' overlaps). Exact sums over the
        ``2^n`` sign patterns, the root by ``brentq``.

    Examples
    --------
    >>> r = symmetric_mixture(0.3)
    >>> round(r["m"], 4), r["lambda_break"] > 0
    (0.4804, True)
    """
    n = _odd(n)
    T = float(T)
    if not np.isfinite(T) or T < 0:
        raise ValueError(f"T must be finite and >= 0, got {T}")
    X, z = _table(n)
    if T == 0:
        m = float(overlap_t0().evaluate(n=n))
        return {"m": m, "lambda_sym": 1.0, "lambda_break": 1.0, "lambda_out": 1.0}
    beta = 1.0 / T
    g = lambda m: float(np.mean(z * np.tanh(beta * m * z))) / n - m  # noqa: E731
    m = brentq(g, 1e-12, 1.0, xtol=1e-15) if g(1e-12) > 0 else 0.0
    w = 1.0 - np.tanh(beta * m * z) ** 2  # (2^n,)
    a = float(np.mean(w))
    b = float(np.mean(X[:, 0] * X[:, 1] * w)) if n > 1 else 0.0
    return {"m": float(m), "lambda_sym": 1 - beta * (a + (n - 1) * b), "lambda_break": 1 - beta * (a - b),
            "lambda_out": 1 - beta * a}


@lru_cache(maxsize=None)
def instability_T(n: int = 3) -> float:
    """Temperature above which the symmetric n-mixture is no longer a local minimum (0.4598 for n = 3).

    Examples
    --------
    >>> round(instability_T(3), 4)
    0.4598
    """
    n = _odd(n)
    if n == 1:
        raise ValueError("n must be >= 3 for a mixture, got 1")
    lam = lambda T: min(v for k, v in symmetric_mixture(T, n).items() if k != "m")  # noqa: E731
    return float(brentq(lam, 0.05, 0.99, xtol=1e-12))

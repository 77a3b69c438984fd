"""Exact noise moments of a dense associative memory's update, and the Gaussian tail's error.

At a stored pattern the aligned update of one bit is ``S + sum_{mu != nu} a_mu D(y_mu)``
(Krotov & Hopfield 2016, eq. 4): signal ``S = F(L + 1) - F(L - 1)``, ``L = N - 1``;
``a_mu`` independent fair signs; ``y_mu`` a sum of ``L`` independent +-1 terms;
``D(y) = F(y + 1) - F(y - 1)``. The ``K - 1`` noise terms are independent and
identically distributed, so the error probability's departure from the Gaussian
``Phi(-z)`` is, to leading order, Edgeworth's kurtosis term
``phi(z) gamma2 (z^3 - 3z) / (24 (K - 1))``, plus the lattice (tie) mass of
order ``phi(z) h / sigma``. These are computed here from the exact law of ``y``,
independently of ``theory.dense``.
"""

from __future__ import annotations

from typing import Tuple

import math
from functools import reduce

import numpy as np
from scipy import stats


def _F(x, n: int, F: str):
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0.0) ** n if F == "rectified" else x**n


def _D_int(y: int, n: int, F: str) -> int:
    def f(v):
        return max(v, 0) ** n if F == "rectified" else v**n

    return f(y + 1) - f(y - 1)


def noise_moments(N: int, n: int, F: str = "poly") -> Tuple[float, float, float, float]:
    """``(S, m2, m4, h)``: signal, E D^2, E D^4 of one noise term, and a lattice span of the noise."""
    L = N - 1
    b = np.arange(L + 1)
    y = 2 * b - L
    w = stats.binom.pmf(b, L, 0.5)
    D = _F(y + 1, n, F) - _F(y - 1, n, F)
    m2 = float(np.sum(w * D**2))
    m4 = float(np.sum(w * D**4))
    S = float(_F(L + 1, n, F) - _F(L - 1, n, F))
    g = reduce(math.gcd, (abs(_D_int(int(v), n, F)) for v in y))
    return S, m2, m4, 2.0 * g


def gaussian_error(N: int, K: int, n: int, F: str = "poly") -> float:
    """``Phi(-S / sqrt((K - 1) E D^2))``: the Gaussian one-step error, from the exact moments."""
    S, m2, _, _ = noise_moments(N, n, F)
    return float(stats.norm.cdf(-S / math.sqrt((K - 1) * m2)))


def tail_tolerance(N: int, K: int, n: int, F: str = "poly") -> float:
    """Allowance for the Gaussian tail at (N, K): twice Edgeworth's kurtosis term plus the lattice mass."""
    S, m2, m4, h = noise_moments(N, n, F)
    m = K - 1
    sigma = math.sqrt(m * m2)
    z = S / sigma
    gamma2 = m4 / m2**2 - 3.0
    phi = float(stats.norm.pdf(z))
    edgeworth = abs(phi * gamma2 * (z**3 - 3 * z) / (24.0 * m))
    return 2.0 * edgeworth + phi * h / sigma


def k_at_error(N: int, n: int, p: float, F: str = "poly") -> int:
    """The K at which the Gaussian one-step error is about ``p``."""
    S, m2, _, _ = noise_moments(N, n, F)
    z = float(stats.norm.isf(p))
    return int(round(1 + S**2 / (m2 * z**2)))


def one_term_law(N: int, n: int, F: str = "poly") -> Tuple[np.ndarray, np.ndarray, int]:
    """Exact law of one aligned noise term ``b D(y)`` in units of ``g``: ``(values, probs, g)``.

    ``b`` a fair sign, ``y`` a sum of ``L = N - 1`` fair signs; ``g`` the greatest
    common divisor of the ``|D(y)|`` (so ``values`` are integers).
    """
    L = N - 1
    y = np.arange(-L, L + 1, 2)
    w = stats.binom.pmf((y + L) // 2, L, 0.5)
    D = np.array([_D_int(int(v), n, F) for v in y], dtype=object)
    g = reduce(math.gcd, (abs(int(d)) for d in D if d != 0), 0) or 1
    u = np.array([int(d) // g for d in D], dtype=np.int64)
    return np.concatenate([u, -u]), np.concatenate([w, w]) / 2.0, g


#: Largest FFT grid of ``exact_error`` (complex128: 16 bytes a point).
MAX_GRID = 2**24


def exact_error(N: int, K: int, n: int, F: str = "poly") -> float:
    """Exact one-step error at a stored pattern: ``P(S + sum_{mu != nu} b_mu D(y_mu) < 0)``.

    The ``K - 1`` terms are independent and identically distributed (``y_mu``
    is a sum over other bits and other patterns than ``b_mu``), so the law of
    their sum is the ``(K - 1)``-fold convolution of ``one_term_law``, computed
    on an integer lattice by FFT (characteristic function to the power K - 1).
    A zero field keeps the state (Krotov & Hopfield 2016, eq. 4 with Sign(0)
    = keep), so only a negative field is an error. The cyclic grid spans at
    least 40 standard deviations of the sum on each side (or its whole
    support): the aliased mass is below the Chebyshev bound 1/1600 and, for
    these near-Gaussian sums, below float64 rounding in practice; the
    ``tests`` compare with exact enumeration at small sizes.
    """
    S = _D_int(N - 1, n, F)
    u, p, g = one_term_law(N, n, F)
    m = K - 1
    if m == 0:
        return 0.0
    sd = math.sqrt(m * float(np.sum(p * u.astype(float) ** 2)))
    half = min(m * int(np.abs(u).max()), int(40 * sd) + int(np.abs(u).max()))
    G = 1 << max(4, int(math.ceil(math.log2(2 * half + 2))))
    if G > MAX_GRID:
        raise ValueError(f"exact_error: N={N}, K={K}, n={n} needs an FFT grid of {G} > {MAX_GRID} points")
    one = np.zeros(G)
    np.add.at(one, u % G, p)
    law = np.fft.irfft(np.fft.rfft(one) ** m, G)  # law[x mod G] = P(sum = x)
    x = np.arange(G)
    x = np.where(x > G // 2, x - G, x)  # signed lattice values
    thr = S / g  # error iff g * sum < -S
    return float(np.clip(np.sum(law[x < -thr]), 0.0, 1.0))

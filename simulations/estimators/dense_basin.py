"""Dense memory from noisy cues: one synchronous step and the fixed point (``dense-basin``).

Besides the estimator, the exact finite-N law of the one-step overlap
(:func:`exact_one_step`) and the error of its Gaussian form
(:func:`gaussian_tolerance`), both from the lattice law of one noise term
(``simulations.estimators.dense_tail.one_term_law``), independently of
``theory.dense_basin``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _streams, _child_seed, _NETWORKS, _MAX_SWEEPS, _with, _N_ORDER, _check_dense
from simulations.estimators.dense_tail import MAX_GRID, _D_int, noise_moments, one_term_law


def flipped_bits(N: int, m0: float) -> int:
    """Bits a cue at overlap ``m0`` has flipped: ``round(N (1 - m0) / 2)``; ``ValueError`` outside ``[-1, 1]``."""
    m0 = float(m0)
    if not -1.0 <= m0 <= 1.0:
        raise ValueError(f"m0 must lie in [-1, 1], got {m0!r}")
    return int(round(int(N) * (1.0 - m0) / 2.0))


def _noise_law(N: int, K: int, n: int):
    """Law of the sum of the ``K - 1`` aligned noise terms: ``(x, law, g)`` with the sum ``= g x``."""
    u, p, g = one_term_law(N, n, "poly")
    m = K - 1
    if m == 0:
        return np.zeros(1, dtype=np.int64), np.ones(1), g
    sd = math.sqrt(m * float(np.sum(p * u.astype(float) ** 2)))
    half = min(m * int(np.abs(u).max()), int(40 * sd) + int(np.abs(u).max()))
    G = 1 << max(4, int(math.ceil(math.log2(2 * half + 2))))
    if G > MAX_GRID:
        raise ValueError(f"N={N}, K={K}, n={n} needs an FFT grid of {G} > {MAX_GRID} points")
    one = np.zeros(G)
    np.add.at(one, u % G, p)
    law = np.fft.irfft(np.fft.rfft(one) ** m, G)
    x = np.arange(G)
    return np.where(x > G // 2, x - G, x), law, g


def exact_one_step(N: int, K: int, n: int, m0: float) -> float:
    """Exact expected overlap after one synchronous step from a cue with ``flipped_bits(N, m0)`` flips.

    Bit ``i`` ends aligned with the pattern when ``S + Z >= 0`` (a right cue
    bit, ``S = D(N m - 1)``, a tie keeps it) or ``S + Z > 0`` (a flipped bit,
    ``S = D(N m + 1)``), ``m`` the cue's exact overlap and ``Z`` the sum of the
    ``K - 1`` independent noise terms, whose law is the convolution of
    ``one_term_law`` (FFT on the lattice, as ``dense_tail.exact_error``; the
    FFT rounding is below 1e-9).
    """
    N, K, n = int(N), int(K), int(n)
    d = flipped_bits(N, m0)
    M = N - 2 * d  # N times the cue's overlap
    x, law, g = _noise_law(N, K, n)
    law = np.clip(law, 0.0, None)
    law = law / law.sum()
    p_right = float(np.sum(law[g * x >= -_D_int(M - 1, n, "poly")]))
    p_fixed = float(np.sum(law[g * x > -_D_int(M + 1, n, "poly")]))
    return ((N - d) * (2 * p_right - 1) + d * (2 * p_fixed - 1)) / N


def gaussian_tolerance(N: int, K: int, n: int, m0: float) -> float:
    """Error allowance of the Gaussian form (``theory.dense_basin.one_step``) at ``(N, K, m0)``.

    Per class of bits, twice Edgeworth's kurtosis term ``phi(z) gamma2 (z^3 - 3z) / (24 (K-1))``
    (the noise is symmetric, so skewness vanishes) plus the lattice mass ``phi(z) h / sigma``,
    from the exact moments of one noise term (as ``dense_tail.tail_tolerance``); each bit's
    error enters ``m1`` twice, weighted by the fraction of bits in its class.
    """
    N, K, n = int(N), int(K), int(n)
    d = flipped_bits(N, m0)
    M = N - 2 * d
    _, m2, m4, h = noise_moments(N, n, "poly")
    m = K - 1
    sigma = math.sqrt(m * m2)
    gamma2 = m4 / m2**2 - 3.0
    tol = 0.0
    for S, w in ((_D_int(M - 1, n, "poly"), (N - d) / N), (_D_int(M + 1, n, "poly"), d / N)):
        z = S / sigma
        phi = float(stats.norm.pdf(z))
        tol += 2.0 * w * (2.0 * abs(phi * gamma2 * (z**3 - 3 * z) / (24.0 * m)) + phi * h / sigma)
    return tol


def k_at_z(N: int, n: int, m0: float, z: float) -> int:
    """The K at which the leading-order signal-to-noise ratio ``m0^(n-1) sqrt(N^(n-1)/((2n-3)!! K))`` is ``z``."""
    c = math.prod(range(1, 2 * n - 2, 2))
    return max(2, int(round(N ** (n - 1) * m0 ** (2 * n - 2) / (c * z * z))))


@register_estimator("dense-basin", title="one synchronous step and the fixed point of a dense memory from noisy cues",
                    params=[Param("N", "int", 100, "neurons", minimum=2),
                            Param("K", "int", 432, "stored patterns", minimum=1),
                            _with(_N_ORDER, minimum=3),
                            Param("m0", "float", 0.6, "cue overlap (exactly round(N(1-m0)/2) bits flipped)",
                                  minimum=-1, maximum=1),
                            _NETWORKS,
                            Param("cues", "int", 10, "cues per network (one per stored pattern, from the first)",
                                  minimum=1),
                            _MAX_SWEEPS],
                    check=_check_dense)
def dense_basin(*, seed: int, N: int, K: int, n: int, m0: float, networks: int, cues: int,
                max_sweeps: int) -> dict:
    """Overlap after one synchronous step, and at the end of the asynchronous dynamics, from noisy cues.

    Per network (polynomial F): fresh patterns; cue ``k`` is pattern ``k`` with
    exactly ``flipped_bits(N, m0)`` bits flipped at random; one synchronous step
    gives ``m1``, the asynchronous dynamics (random order, at most
    ``max_sweeps`` sweeps) from the same cue gives the final overlap. Networks
    are the independent unit: returns the per-network means (lists) and their
    mean and standard deviation.
    """
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import flip, random_binary

    N, K, n, c = int(N), int(K), int(n), min(int(cues), int(K))
    d = flipped_bits(N, m0)
    m1s, mfs, conv = [], [], 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(K, N, seed=rng)
        cue = flip(xi[:c], count=d, seed=rng)
        net = DenseAssociativeMemory(xi, F="poly", n=n)
        one = net.run(cue, schedule="sync", max_sweeps=1, seed=_child_seed(rng))
        fin = net.run(cue, schedule="async", max_sweeps=int(max_sweeps), seed=_child_seed(rng))
        idx = np.arange(c)
        m1s.append(float(np.mean(one.overlaps[idx, idx])))
        mfs.append(float(np.mean(fin.overlaps[idx, idx])))
        conv += int(np.count_nonzero(fin.converged))
    a1, af = np.asarray(m1s), np.asarray(mfs)
    sd = (lambda v: float(v.std(ddof=1)) if v.size > 1 else 0.0)
    return {"N": N, "K": K, "n": n, "m0": (N - 2 * d) / N, "flipped": d, "networks": int(networks), "cues": c,
            "m1": m1s, "m_final": mfs, "m1_mean": float(a1.mean()), "m1_sd": sd(a1),
            "m_final_mean": float(af.mean()), "m_final_sd": sd(af), "converged": conv}

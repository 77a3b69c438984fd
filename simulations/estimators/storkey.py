"""Measured capacity of Storkey's learning rule (no closed form is checked; the numbers are reported).

Patterns are learned one at a time, so one network gives a whole curve: the
weights after the first ``P`` patterns are those of a network storing ``P``.
At each ``P`` of a grid we record whether every stored pattern is a fixed
point of the zero-diagonal dynamics (every bit has ``xi_i h_i >= 0``; a zero
field keeps the bit) and the fraction of patterns that are. The capacity
estimate is the ``P`` at which half of the networks keep all their patterns
(a logistic fit in ``P``), to be compared with Storkey's (1997) asymptotic
absolute capacity ``N / sqrt(2 ln N)`` and the Hebbian ``N / (2 ln N)``.

References
----------
A. Storkey, "Increasing the capacity of a Hopfield network without sacrificing
functionality", ICANN 1997, LNCS 1327, 451-456, doi:10.1007/BFb0020196.
"""

from __future__ import annotations

from typing import Optional, Tuple

import math

import numpy as np
from numpy.typing import ArrayLike

from hopfield.kernels.storkey import storkey_learn
from hopfield.patterns import random_binary
from simulations.core.fits import logistic_crossing
from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _memory

#: Grid of P in units of N / sqrt(2 ln N), around the crossing (the check ``storkey-capacity`` and its figure).
GRID = (0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3)


def storkey_stability(*, seed: int, N: int, Ps: ArrayLike, networks: int,
                      nets: Optional[Tuple[int, int]] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Per network and grid ``P``: all patterns fixed (bool) and the fraction of fixed patterns.

    Parameters
    ----------
    seed : int
        Network ``k`` draws its patterns from ``SeedSequence(seed).spawn(networks)[k]``.
    N : int
        Neurons.
    Ps : sequence of int
        Increasing numbers of stored patterns.
    networks : int
    nets : (int, int), optional
        Only networks ``a <= k < b`` (a block of the work: the rows of the
        blocks, stacked, are those of the whole).

    Returns
    -------
    all_fixed : ndarray of shape (networks, len(Ps)), bool
    frac_fixed : ndarray of shape (networks, len(Ps)), float64
    """
    Ps = [int(p) for p in Ps]
    if not Ps or any(b <= a for a, b in zip(Ps, Ps[1:])) or Ps[0] < 1:
        raise ValueError(f"Ps must be increasing positive integers, got {Ps}")
    if int(N) < 2 or int(networks) < 1:
        raise ValueError(f"N must be >= 2 and networks >= 1, got N={N}, networks={networks}")
    a, b = (0, int(networks)) if nets is None else (int(nets[0]), min(int(nets[1]), int(networks)))
    all_fixed = np.zeros((max(0, b - a), len(Ps)), dtype=bool)
    frac = np.zeros((max(0, b - a), len(Ps)))
    for k, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(int(networks))[a:b]):
        xi = random_binary(Ps[-1], int(N), seed=np.random.default_rng(ss)).astype(np.float64)  # (P_max, N)
        W = np.zeros((int(N), int(N)))
        done = 0
        for j, P in enumerate(Ps):
            storkey_learn(xi[done:P], W)  # the next patterns, in order
            done = P
            Wz = W.copy()
            np.fill_diagonal(Wz, 0.0)
            stable = (xi[:P] @ Wz) * xi[:P] >= 0  # (P, N)
            ok = stable.all(axis=1)
            all_fixed[k, j] = ok.all()
            frac[k, j] = ok.mean()
    return all_fixed, frac


def half_capacity(Ps: ArrayLike, all_fixed: np.ndarray) -> Tuple[float, float]:
    """``P`` where half of the networks keep all patterns fixed (logistic fit), with its standard error."""
    n = np.full(len(Ps), all_fixed.shape[0])
    return logistic_crossing(np.asarray(Ps, float), all_fixed.sum(axis=0), n, level=0.5)


def storkey_asymptote(N: int) -> float:
    """Storkey's (1997) asymptotic absolute capacity ``N / sqrt(2 ln N)``."""
    return float(N) / math.sqrt(2.0 * math.log(float(N)))


def grid_patterns(N: int) -> np.ndarray:
    """The increasing pattern counts of ``GRID`` at ``N``: ``round(g N / sqrt(2 ln N))``, at least 1, repeats dropped."""
    return np.unique(np.maximum(1, np.round(np.asarray(GRID) * storkey_asymptote(N)).astype(int)))


@register_estimator("storkey-capacity", title="Storkey rule: P where half the networks keep every pattern fixed "
                                              "(grid GRID in units of N / sqrt(2 ln N))",
                    params=[Param("N", "int", 100, "neurons", minimum=3),
                            Param("networks", "int", 12, "independent networks (patterns learned in order)",
                                  minimum=1)],
                    check=lambda p: _memory(8 * p["N"] * (p["N"] + int(GRID[-1] * storkey_asymptote(p["N"])) + 1),
                                            f"N={p['N']} (weights and patterns)"))
def storkey_capacity(*, seed: int, N: int, networks: int) -> dict:
    """``storkey_stability`` over ``grid_patterns(N)``: ``P_half`` and its ``se`` (``half_capacity``; the grid's
    edge and 0 when the fraction does not cross 1/2 inside it), the ``asymptote`` ``N / sqrt(2 ln N)``,
    ``n`` (networks) and ``all_fixed`` (networks keeping every pattern at the grid's largest P)."""
    Ps = grid_patterns(N)
    all_fixed, _ = storkey_stability(seed=seed, N=N, Ps=Ps, networks=networks)
    k = all_fixed.sum(axis=0)
    if k.min() == networks or k.max() == 0:
        p_half, se = float(Ps[-1] if k.min() == networks else Ps[0]), 0.0
    else:
        p_half, se = half_capacity(Ps, all_fixed)
    return {"P_half": p_half, "se": se, "asymptote": storkey_asymptote(N), "n": int(networks),
            "all_fixed": int(k[-1])}

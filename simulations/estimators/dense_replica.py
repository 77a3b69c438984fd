"""Estimator of the dense memory at ``P = alpha N^(n-1)``: final overlaps of T = 0 dynamics from a pattern.

Used by the check ``dense-replica`` and the figure of the same name
(``theory.dense_replica``: the replica-symmetric overlap ``m(alpha)``).
"""

from __future__ import annotations

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _check_dense


def stationary_overlaps(seed: int, N: int, alpha: float, n: int, networks: int, max_sweeps: int = 200) -> dict:
    """Final overlaps of asynchronous dynamics started at pattern 0, one run per independent network.

    ``P = round(alpha N^(n-1))`` random patterns per network; network ``b`` draws its
    patterns and its update order from ``SeedSequence(seed).spawn(networks)[b]``.

    Returns
    -------
    dict
        ``m`` (ndarray of shape (networks,), float64), ``P``, ``converged`` (how
        many runs reached a fixed point within ``max_sweeps``).
    """
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    P = int(round(alpha * N ** (n - 1)))
    ms, conv = np.empty(int(networks)), 0
    for b, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(int(networks))):
        rng = np.random.default_rng(ss)
        xi = random_binary(P, int(N), seed=rng)
        res = DenseAssociativeMemory(xi, F="poly", n=int(n)).run(xi[0], max_sweeps=max_sweeps,
                                                                    seed=int(rng.integers(0, 2**62)))
        ms[b] = res.overlaps[0, 0]
        conv += int(res.converged[0])
    return {"m": ms, "P": P, "converged": conv}


def _check_replica(p):
    P = int(round(float(p["alpha"]) * p["N"] ** (p["n"] - 1)))
    if P < 1:
        raise ValueError(f"alpha={p['alpha']!r} with N={p['N']}, n={p['n']} gives P = round(alpha N^(n-1)) = {P}; "
                         "expected at least 1 pattern")
    _check_dense({"N": p["N"], "K": P})


@register_estimator("dense-replica-overlap",
                    title="final overlap of T = 0 dynamics of a dense memory from a stored pattern, P = alpha N^(n-1)",
                    params=[Param("N", "int", 60, "neurons", minimum=2),
                            Param("alpha", "float", 0.06, "load: P = round(alpha N^(n-1))", minimum=0, strict=True),
                            Param("n", "int", 3, "interaction order (F = x^n)", minimum=2, maximum=65),
                            Param("networks", "int", 4, "independent networks", minimum=1),
                            Param("max_sweeps", "int", 200, "most sweeps of the dynamics", minimum=1)],
                    check=_check_replica)
def dense_replica_overlap(*, seed: int, N: int, alpha: float, n: int, networks: int, max_sweeps: int) -> dict:
    """``stationary_overlaps`` as an estimator: mean, sd and count of the final overlaps, ``P``, runs converged."""
    r = stationary_overlaps(seed, N, alpha, n, networks, max_sweeps)
    m = r["m"]
    return {"m_mean": float(m.mean()), "m_sd": float(m.std(ddof=1)) if m.size > 1 else 0.0, "networks": int(m.size),
            "P": r["P"], "converged": r["converged"]}

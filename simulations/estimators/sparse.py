"""Estimator of the covariance rule for sparse 0/1 patterns: bits flipped by one parallel update.

The simulation behind the check ``sparse-one-step`` and the figure ``sparse-capacity``.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _NETWORKS, _memory, _mean_se, _with


def one_step_errors(*, seed: int, N: int, a: float, alpha: float, theta: float, networks: int, cues: int,
                    a_rule: Optional[str] = None) -> np.ndarray:
    """Per network: error rates of active and inactive bits after one update from stored patterns.

    ``a_rule`` is the coding level used in the rule (default ``a``; the tests use
    0.5, the +-1 Hebbian rule applied to biased patterns, as a simulator mutant).
    """
    from hopfield.sparse import update

    P = max(1, int(round(alpha * N)))
    c = min(int(cues), P)
    out = np.empty((int(networks), 2))
    for k, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(int(networks))):
        rng = np.random.default_rng(ss)
        xi = (rng.random((P, int(N))) < a).astype(np.int8)  # (P, N) 0/1, coding level a
        V = update(xi, xi[:c], a if a_rule is None else a_rule, theta)  # (c, N)
        on = xi[:c] == 1
        out[k] = (np.mean(V[on] == 0), np.mean(V[~on] == 1))
    return out


def _check_sparse(p):
    P = max(1, int(round(p["alpha"] * p["N"])))
    _memory(2 * P * p["N"], f"N={p['N']}, P={P} (patterns)")


@register_estimator("sparse-one-step", title="covariance rule, coding level a: active and inactive bits flipped by one "
                                             "update from stored patterns",
                    params=[Param("N", "int", 1500, "neurons", minimum=2),
                            Param("a", "float", 0.1, "coding level (fraction of active bits)", minimum=0, maximum=1,
                                  strict=True),
                            Param("alpha", "float", 0.4, "load P/N (P = round(alpha N))", minimum=0, strict=True),
                            Param("theta", "float", 0.45, "firing threshold"),
                            _with(_NETWORKS, default=4),
                            Param("cues", "int", 6, "stored patterns updated per network (at most P)", minimum=1)],
                    check=_check_sparse)
def sparse_one_step(*, seed: int, N: int, a: float, alpha: float, theta: float, networks: int, cues: int) -> dict:
    """``one_step_errors`` at these parameters: ``active_mean``, ``active_se``, ``inactive_mean``,
    ``inactive_se`` (error rates over networks), ``n`` and ``P``."""
    rates = one_step_errors(seed=seed, N=N, a=a, alpha=alpha, theta=theta, networks=networks, cues=cues)
    return {"P": max(1, int(round(alpha * N))), "n": int(networks), **_mean_se(rates[:, 0], "active"),
            **_mean_se(rates[:, 1], "inactive")}

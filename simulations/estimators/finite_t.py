"""Estimator of Glauber (heat-bath) dynamics at T > 0 from stored patterns of the Hebbian network.

The simulation behind the check ``ags-glauber`` and the figure of the same name.
"""

from __future__ import annotations

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _N_CLASSICAL, _NETWORKS, _check_classical, _mean_se, _with


def glauber_overlaps(*, seed: int, N: int, alpha: float, T: float, networks: int, cues: int, sweeps: int,
                     T_factor: float = 1.0) -> np.ndarray:
    """Per-network mean overlap after ``sweeps`` Glauber sweeps at ``T`` from stored patterns.

    ``T_factor`` multiplies the simulated temperature (1 for the physical
    network; the tests use 2, a heat-bath rule missing its factor 2, as a
    simulator mutant).
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = max(1, int(round(alpha * N)))
    c = min(int(cues), P)
    out = np.empty(int(networks))
    for k, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(int(networks))):
        rng = np.random.default_rng(ss)
        xi = random_binary(P, int(N), seed=rng)
        res = ClassicalHopfield(xi).run(xi[:c], schedule="glauber", T=float(T) * T_factor, max_sweeps=int(sweeps),
                                        seed=int(rng.integers(0, 2**62)))
        out[k] = float(np.mean(res.overlaps[np.arange(c), np.arange(c)]))
    return out


@register_estimator("ags-glauber", title="mean overlap after Glauber sweeps at temperature T from stored patterns",
                    params=[_with(_N_CLASSICAL, default=500),
                            Param("alpha", "float", 0.05, "load P/N (P = round(alpha N))", minimum=0, strict=True),
                            Param("T", "float", 0.4, "temperature", minimum=0, strict=True),
                            _with(_NETWORKS, default=4),
                            Param("cues", "int", 3, "stored patterns used as starting states per network (at most P)",
                                  minimum=1),
                            Param("sweeps", "int", 25, "Glauber sweeps", minimum=1)],
                    check=lambda p: _check_classical({**p, "P": None}))
def ags_glauber(*, seed: int, N: int, alpha: float, T: float, networks: int, cues: int, sweeps: int) -> dict:
    """``glauber_overlaps`` at these parameters: ``m_mean``, ``m_se`` over networks, ``n`` and ``P``."""
    ms = glauber_overlaps(seed=seed, N=N, alpha=alpha, T=T, networks=networks, cues=cues, sweeps=sweeps)
    return {"P": max(1, int(round(alpha * N))), "n": int(networks), **_mean_se(ms, "m")}

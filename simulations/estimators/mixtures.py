"""Estimator of Glauber dynamics started at the symmetric mixture of three patterns.

The simulation behind the check ``mixture-stability`` and the figure of the same name.
"""

from __future__ import annotations

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _mean_se, _memory


#: A run keeps the mixture when its smallest overlap with the three patterns
#: exceeds this (mixture: about 0.5 each; a pure state: about 0 for two of them).
KEPT = 0.25


def mixture_runs(*, seed: int, N: int, P: int, T: float, runs: int, sweeps: int, T_factor: float = 1.0) -> np.ndarray:
    """Overlaps with patterns 1..3 after ``sweeps`` Glauber sweeps from their symmetric mixture, one network per run.

    Returns
    -------
    ndarray of shape (runs, 3), float64
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    out = np.empty((int(runs), 3))
    for k, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(int(runs))):
        rng = np.random.default_rng(ss)
        xi = random_binary(int(P), int(N), seed=rng)
        s = np.sign(xi[:3].astype(np.int64).sum(axis=0)).astype(np.int8)  # (N,) the 3-mixture
        res = ClassicalHopfield(xi).run(s, schedule="glauber", T=float(T) * T_factor, max_sweeps=int(sweeps),
                                        seed=int(rng.integers(0, 2**62)))
        out[k] = res.overlaps[0, :3]
    return out


@register_estimator("mixture-stability", title="Glauber dynamics from the symmetric 3-mixture: runs keeping it and "
                                               "their overlap",
                    params=[Param("N", "int", 1000, "neurons", minimum=2),
                            Param("P", "int", 4, "stored patterns (the mixture uses the first three)", minimum=3),
                            Param("T", "float", 0.25, "temperature", minimum=0, strict=True),
                            Param("runs", "int", 10, "runs (one network each)", minimum=1),
                            Param("sweeps", "int", 30, "Glauber sweeps", minimum=1)],
                    check=lambda p: _memory(8 * p["N"] * (p["N"] + p["P"]), f"N={p['N']}, P={p['P']} (weights)"))
def mixture_stability(*, seed: int, N: int, P: int, T: float, runs: int, sweeps: int) -> dict:
    """``mixture_runs`` at these parameters: ``kept`` (runs whose smallest overlap with the three patterns exceeds
    ``KEPT``), ``n`` (runs), and the mean overlap of the kept runs ``m_kept_mean``, ``m_kept_se`` (NaN, 0 when
    none is kept)."""
    ov = mixture_runs(seed=seed, N=N, P=P, T=T, runs=runs, sweeps=sweeps)
    keep = ov.min(axis=1) > KEPT
    m = ov[keep].mean(axis=1)
    summary = _mean_se(m, "m_kept") if m.size else {"m_kept_mean": float("nan"), "m_kept_se": 0.0}
    return {"kept": int(keep.sum()), "n": int(runs), **summary}

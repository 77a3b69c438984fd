"""Estimator of the Amit-Gutfreund-Sompolinsky retrieval overlap: T = 0 asynchronous dynamics from a stored pattern."""

from __future__ import annotations

from typing import Optional

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _streams, _child_seed, _n_patterns, _check_classical, _N_CLASSICAL, _P, _ALPHA, _NETWORKS, _KEEP_DIAGONAL, _MAX_SWEEPS, _with


@register_estimator("ags-overlap", title="overlap after asynchronous T=0 dynamics started at a stored pattern",
                    params=[_N_CLASSICAL, _with(_ALPHA, default=0.1), _P, _with(_NETWORKS, default=4),
                            Param("cues", "int", 10, "patterns used as starting states per network (at most P)",
                                  minimum=1),
                            _MAX_SWEEPS,
                            Param("threshold", "float", 0.8, "overlap above which a cue counts as retrieved",
                                  minimum=-1, maximum=1),
                            _KEEP_DIAGONAL],
                    one_of=[("P", "alpha")], check=_check_classical)
def ags_overlap(*, seed: int, N: int, alpha: float, P: Optional[int], networks: int, cues: int, max_sweeps: int,
                threshold: float, keep_diagonal: bool = False) -> dict:
    """Final overlap ``m`` with the starting pattern, ``cues`` patterns per network.

    Returns the per-cue overlaps' mean and standard deviation, how many cues
    were "retrieved" (``m > threshold``), and how many runs converged.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = _n_patterns(N, P, alpha)
    c = min(int(cues), P)
    ms, conv = [], 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(P, int(N), seed=rng)
        res = ClassicalHopfield(xi, keep_diagonal=bool(keep_diagonal)).run(xi[:c], schedule="async", max_sweeps=int(max_sweeps), seed=_child_seed(rng))
        ms.extend(res.overlaps[np.arange(c), np.arange(c)].tolist())
        conv += int(np.count_nonzero(res.converged))
    m = np.asarray(ms)
    ret = m[m > float(threshold)]
    return {"N": int(N), "P": P, "trials": int(m.size), "m_mean": float(m.mean()),
            "m_sd": float(m.std(ddof=1)) if m.size > 1 else 0.0, "retrieved": int(ret.size),
            "m_retrieved_mean": float(ret.mean()) if ret.size else float("nan"),
            "m_retrieved_sd": float(ret.std(ddof=1)) if ret.size > 1 else 0.0, "converged": conv}

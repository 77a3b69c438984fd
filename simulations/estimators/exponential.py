"""Estimator of the exponential memory (Demircigil et al. 2017): exact recovery from corrupted cues."""

from __future__ import annotations

from typing import Optional

import math

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _child_seed, _MAX_SWEEPS, _with, _check_dense


def _check_exp(p):
    if p["M"] is None and float(p["alpha"]) * p["N"] > math.log(2**40):
        raise ValueError(f"alpha={p['alpha']!r} with N={p['N']} gives M = exp(alpha*N) = "
                         f"{math.exp(min(float(p['alpha']) * p['N'], 700)):.3g} patterns; "
                         f"expected alpha*N <= {math.log(2**40):.1f} (M <= 2**40)")
    M = p["M"] if p["M"] is not None else max(2, int(round(math.exp(float(p["alpha"]) * p["N"]))))
    _check_dense({"N": p["N"], "K": M})


@register_estimator("exp-recovery", title="exact recovery from rho-corrupted cues, M = exp(alpha N) patterns",
                    params=[Param("N", "int", 24, "neurons", minimum=2),
                            Param("alpha", "float", 0.1, "M = max(2, round(exp(alpha N)))", minimum=0, strict=True,
                                  nullable=True),
                            Param("M", "int", None, "stored patterns (instead of alpha)", minimum=2, nullable=True),
                            Param("rho", "float", 0.1, "fraction of cue bits flipped", minimum=0, maximum=1),
                            Param("cues", "int", 40, "cues (the first min(cues, M) patterns)", minimum=1),
                            _with(_MAX_SWEEPS, default=50)],
                    one_of=[("alpha", "M")], check=_check_exp)
def exp_recovery(*, seed: int, N: int, alpha: float, M: Optional[int], rho: float, cues: int, max_sweeps: int) -> dict:
    """Demircigil et al. (2017) exponential memory: does the cue end exactly on its pattern?"""
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import flip, random_binary

    M = int(M) if M is not None else max(2, int(round(math.exp(float(alpha) * int(N)))))
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    xi = random_binary(M, int(N), seed=rng)
    c = min(int(cues), M)
    target = xi[:c]
    cue = flip(target, fraction=float(rho), seed=rng)
    res = DenseAssociativeMemory(xi, F="exp").run(cue, schedule="async", max_sweeps=int(max_sweeps),
                                                 seed=_child_seed(rng))
    ok = np.all(res.states == target, axis=1)
    return {"N": int(N), "M": M, "cues": c, "recovered": int(np.count_nonzero(ok))}

"""Estimators of dense associative memories (Krotov & Hopfield 2016): one-step errors and random starts."""

from __future__ import annotations

from typing import Optional

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _streams, _child_seed, _NETWORKS, _MAX_SWEEPS, _F, _N_ORDER, _check_dense


@register_estimator("dense-bit-error", title="one synchronous step of a dense memory from each stored pattern",
                    params=[Param("N", "int", 100, "neurons", minimum=2),
                            Param("K", "int", 100, "stored patterns", minimum=1), _N_ORDER, _F, _NETWORKS,
                            Param("cues", "int", None, "patterns used as starting states (none: all K)", minimum=1,
                                  nullable=True)],
                    check=_check_dense)
def dense_bit_error(*, seed: int, N: int, K: int, n: int, F: str, networks: int, cues: Optional[int] = None) -> dict:
    """Bits changed by one synchronous update (Krotov & Hopfield 2016, eq. 4) at stored patterns.

    The first ``cues`` patterns of each network (all when ``None``) are the
    starting states; one synchronous step updates every bit from the same
    state, so each bit sees exactly the one-step field of eq. 4.
    """
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    errors, rates = 0, []
    for rng in _streams(seed, int(networks)):
        xi = random_binary(int(K), int(N), seed=rng)
        c = int(K) if cues is None else min(int(cues), int(K))
        res = DenseAssociativeMemory(xi, F=F, n=int(n)).run(xi[:c], schedule="sync", max_sweeps=1,
                                                            seed=_child_seed(rng))
        e = int(np.count_nonzero(res.states != xi[:c]))
        errors += e
        rates.append(e / (c * int(N)))
    r = np.asarray(rates)
    c = int(K) if cues is None else min(int(cues), int(K))
    return {"N": int(N), "K": int(K), "n": int(n), "errors": errors, "bits": c * int(N) * int(networks),
            "rate_mean": float(r.mean()), "rate_sd": float(r.std(ddof=1)) if r.size > 1 else 0.0}


@register_estimator("dense-random-starts", title="random starts of a dense memory that end exactly on a memory",
                    params=[Param("N", "int", 100, "neurons", minimum=2),
                            Param("K", "int", 2000, "stored patterns", minimum=1), _N_ORDER, _F,
                            Param("starts", "int", 100, "uniformly random starting states", minimum=1), _MAX_SWEEPS],
                    check=_check_dense, aliases=["dense-random-start"])
def dense_random_start(*, seed: int, N: int, K: int, n: int, F: str, starts: int, max_sweeps: int) -> dict:
    """Asynchronous dynamics from uniformly random states (Krotov & Hopfield 2016, appendix B).

    A start succeeds when its final state equals a stored pattern (or its
    negative, a memory too for even ``n``) exactly.
    """
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    xi = random_binary(int(K), int(N), seed=rng)
    cues = random_binary(int(starts), int(N), seed=rng)
    res = DenseAssociativeMemory(xi, F=F, n=int(n)).run(cues, schedule="async", max_sweeps=int(max_sweeps),
                                                         seed=_child_seed(rng))
    hit = np.abs(res.overlaps).max(axis=1) >= 1.0 - 1e-12
    return {"N": int(N), "K": int(K), "n": int(n), "starts": int(starts), "memory": int(np.count_nonzero(hit)),
            "converged": int(np.count_nonzero(res.converged))}

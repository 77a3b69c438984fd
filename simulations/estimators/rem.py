"""Estimator of the exponential memory at the REM threshold: cues recovered over many small networks.

``recovered`` counts, over independent networks of ``M`` patterns, the
rho-corrupted cues that the asynchronous dynamics of ``F(x) = exp(x)``
returns exactly to their pattern (check ``exp-rem-threshold``, figure
``rem-capacity``).
"""

from __future__ import annotations

from typing import Optional, Tuple

from _amlab.params import Param
from simulations.core.seeds import derive_seed
from simulations.estimators import exponential as exponential_est
from simulations.estimators import register_estimator
from simulations.estimators._common import _check_dense

#: Inverse temperature of the simulated memory: DenseAssociativeMemory(F="exp") is exp(xi . sigma).
BETA = 1.0
#: Cues drawn from one network (the rest from fresh networks); few per network keeps the
#: counts close to independent Bernoulli trials (cues of one network share competitors).
CUES_PER_NETWORK = 5


def recovered(*, seed: int, rho: float, N: int, M: int, cues: int, per_network: int = CUES_PER_NETWORK,
              nets: Optional[Tuple[int, int]] = None) -> Tuple[int, int, int]:
    """Count the cues (``rho N`` flips of a stored pattern) that end exactly on their pattern.

    Network ``net`` holds cues ``net * per`` onwards (at most ``per =
    min(per_network, M)``) and draws from ``derive_seed(seed, {"net": net})``;
    ``nets = (a, b)`` runs networks ``a <= net < b`` only (a block of the
    work; the counts of the blocks add up to those of the whole).

    Returns
    -------
    k, n, networks : int
        Cues recovered, cues run, networks used.
    """
    per = min(int(per_network), int(M))  # a network of M patterns gives at most M cues
    total = -(-int(cues) // per)
    a, b = (0, total) if nets is None else (int(nets[0]), min(int(nets[1]), total))
    k = n = 0
    for net in range(a, b):
        r = exponential_est.exp_recovery(seed=derive_seed(seed, {"net": net}), N=N, alpha=None, M=M, rho=rho,
                                    cues=min(per, cues - net * per), max_sweeps=50)
        k, n = k + r["recovered"], n + r["cues"]
    return k, n, max(0, b - a)


@register_estimator("exp-rem-recovered",
                    title="cues of an exponential memory (F = exp) recovered exactly, a few cues per network",
                    params=[Param("N", "int", 40, "neurons", minimum=2),
                            Param("M", "int", 20, "stored patterns per network", minimum=2),
                            Param("rho", "float", 0.3, "fraction of cue bits flipped", minimum=0, maximum=1),
                            Param("cues", "int", 20, "cues in all", minimum=1),
                            Param("per_network", "int", CUES_PER_NETWORK, "cues drawn from one network",
                                  minimum=1)],
                    check=lambda p: _check_dense({"N": p["N"], "K": p["M"]}))
def rem_recovered(*, seed: int, N: int, M: int, rho: float, cues: int, per_network: int) -> dict:
    """``recovered`` as an estimator: cues recovered, cues run, networks used and the recovered fraction."""
    k, n, nets = recovered(seed=seed, rho=rho, N=N, M=M, cues=cues, per_network=per_network)
    return {"recovered": k, "cues": n, "networks": nets, "fraction": k / n}

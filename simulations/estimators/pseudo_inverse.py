"""Estimator of the pseudo-inverse (projection) rule with zero diagonal: fixed points and one parallel step.

The simulation behind the check ``pseudo-inverse`` and the figure ``pseudo-inverse-step``.
"""

from __future__ import annotations

from typing import Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _N_CLASSICAL, _NETWORKS, _check_classical, _mean_se, _with


def projection_runs(*, seed: int, N: int, alpha: float, m0: Union[float, ArrayLike], networks: int, cues: int,
                    rule: str = "pseudo-inverse", keep_diagonal: bool = False,
                    nets: Optional[Tuple[int, int]] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Per network: are all patterns fixed points, and the mean overlap after one parallel step from ``m0``.

    ``m0`` may be a float or a list of overlaps (each network is then cued at every one of them).
    Network ``k`` draws from ``SeedSequence(seed).spawn(networks)[k]``; ``nets = (a, b)`` runs
    networks ``a <= k < b`` only (a block of the work: the blocks' rows, stacked, are those of the whole).

    Returns
    -------
    fixed : ndarray of shape (networks,), bool
    m1 : ndarray of shape (networks,) for a float ``m0``, else (networks, len(m0)), float64
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import flip, random_binary

    m0s = np.atleast_1d(np.asarray(m0, float))
    P = max(1, int(round(alpha * N)))
    c = min(int(cues), P)
    a, b = (0, int(networks)) if nets is None else (int(nets[0]), min(int(nets[1]), int(networks)))
    fixed = np.zeros(max(0, b - a), bool)
    m1 = np.empty((max(0, b - a), m0s.size))
    for k, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(int(networks))[a:b]):
        rng = np.random.default_rng(ss)
        xi = random_binary(P, int(N), seed=rng)
        net = ClassicalHopfield(xi, rule=rule, keep_diagonal=bool(keep_diagonal), backend="weights")
        fixed[k] = bool(np.all(net.fields(xi) * xi > 1e-9))
        for j, m in enumerate(m0s):
            count = int(round((1 - m) * N / 2))
            s = net.run(flip(xi[:c], count=count, seed=rng), schedule="sync", max_sweeps=1, seed=0).states
            m1[k, j] = float(np.mean(np.einsum("bi,bi->b", s.astype(np.float64), xi[:c]) / N))
    return fixed, (m1[:, 0] if np.ndim(m0) == 0 else m1)


@register_estimator("pseudo-inverse", title="projection rule: networks with all patterns fixed, and the overlap after "
                                            "one parallel step from m0",
                    params=[_with(_N_CLASSICAL, default=300),
                            Param("alpha", "float", 0.5, "load P/N (P = round(alpha N))", minimum=0, strict=True),
                            Param("m0", "float", 0.5, "overlap of the cues with their pattern", minimum=-1, maximum=1),
                            _with(_NETWORKS, default=4),
                            Param("cues", "int", 6, "cued patterns per network (at most P)", minimum=1),
                            Param("rule", "str", "pseudo-inverse", "learning rule",
                                  choices=("pseudo-inverse", "hebbian")),
                            Param("keep_diagonal", "bool", False, "keep the self-couplings W_ii")],
                    check=lambda p: _check_classical({**p, "P": None}))
def pseudo_inverse(*, seed: int, N: int, alpha: float, m0: Union[float, ArrayLike], networks: int, cues: int, rule: str,
                   keep_diagonal: bool) -> dict:
    """``projection_runs`` at one ``m0``: ``all_fixed`` (networks with every pattern fixed), ``m1_mean``,
    ``m1_se`` over networks, ``n`` and ``P``."""
    fixed, m1 = projection_runs(seed=seed, N=N, alpha=alpha, m0=m0, networks=networks, cues=cues, rule=rule,
                                keep_diagonal=keep_diagonal)
    return {"P": max(1, int(round(alpha * N))), "n": int(networks), "all_fixed": int(fixed.sum()),
            **_mean_se(m1, "m1")}

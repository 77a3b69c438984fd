"""Estimators of the basins of attraction of the Hebbian network: overlaps after parallel steps, and the basin radius.

The simulations behind the check ``basins-two-step`` and the figures
``basins-steps`` and ``basin-radius``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from simulations.core.fits import logistic_crossing
from _amlab.params import Param
from simulations.core.seeds import derive_seed
from simulations.estimators import register_estimator
from simulations.estimators._common import _N_CLASSICAL, _KEEP_DIAGONAL, _NETWORKS, _check_classical, _mean_se, _with


def parallel_overlaps(*, seed: int, N: int, alpha: float, m0: float, networks: int, cues: int,
                      keep_diagonal: bool = False, n_steps: int = 2) -> np.ndarray:
    """Per-network mean overlaps after 1..``n_steps`` parallel steps from cues with overlap ``m0``.

    Network ``k`` (patterns from stream ``k`` of ``seed``) gets one cue per
    pattern ``0..cues-1``, each with exactly ``round((1 - m0) N / 2)`` bits
    flipped; the dynamics are ``ClassicalHopfield.run(schedule="sync",
    max_sweeps=1)`` applied ``n_steps`` times.

    Returns
    -------
    ndarray of shape (networks, n_steps), float64
        Mean over the network's cues of the overlap with the cued pattern.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import flip, random_binary

    P = max(2, int(round(alpha * N)))
    c = min(int(cues), P)
    count = int(round((1 - m0) * N / 2))
    out = np.empty((int(networks), n_steps))
    streams = np.random.SeedSequence(int(seed)).spawn(int(networks))
    for k, ss in enumerate(streams):
        rng = np.random.default_rng(ss)
        xi = random_binary(P, int(N), seed=rng)
        net = ClassicalHopfield(xi, keep_diagonal=bool(keep_diagonal))
        s = flip(xi[:c], count=count, seed=rng)  # (c, N)
        for t in range(n_steps):
            s = net.run(s, schedule="sync", max_sweeps=1, seed=0).states
            out[k, t] = float(np.mean(np.einsum("bi,bi->b", s.astype(np.float64), xi[:c]) / N))
    return out


def basin_radius(*, seed: int, N: int, alpha: float, fractions: ArrayLike, trials: int, threshold: float = 0.9,
                 max_sweeps: int = 100) -> dict:
    """Measured basin radius of asynchronous T = 0 dynamics at load ``alpha``.

    For each fraction ``d`` of flipped bits, ``trials`` independent networks get
    one cue each (pattern 0 with ``round(d N)`` bits flipped); a run succeeds
    when its final overlap with the pattern is at least ``threshold``. The
    radius is the ``d`` where a logistic fit of the success rate crosses 1/2.

    Returns
    -------
    dict
        ``fractions``, ``successes``, ``trials``, ``radius`` and ``se`` (NaN when the
        success rate does not cross 1/2 inside the grid).
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import flip, random_binary

    P = max(1, int(round(alpha * N)))
    k = []
    for d in fractions:
        ok = 0
        sseq = np.random.SeedSequence(derive_seed(seed, {"N": N, "alpha": alpha, "d": float(d)}))
        for ss in sseq.spawn(int(trials)):
            rng = np.random.default_rng(ss)
            xi = random_binary(P, int(N), seed=rng)
            cue = flip(xi[0], fraction=float(d), seed=rng)
            res = ClassicalHopfield(xi).run(cue, schedule="async", max_sweeps=max_sweeps,
                                           seed=int(rng.integers(0, 2**62)))
            ok += bool(res.overlaps[0, 0] >= threshold)
        k.append(ok)
    k = np.asarray(k)
    n = np.full(k.shape, int(trials))
    rate = k / n
    radius = se = float("nan")
    if rate[0] > 0.5 > rate[-1] and 0 < k.sum() < n.sum():
        radius, se = logistic_crossing(np.asarray(fractions, float), k, n)
    return {"fractions": [float(d) for d in fractions], "successes": k.tolist(), "trials": int(trials),
            "P": P, "radius": radius, "se": se}


_M0 = Param("m0", "float", 0.5, "overlap of the cues with their pattern", minimum=-1, maximum=1)
_LOAD = Param("alpha", "float", 0.1, "load P/N (P = round(alpha N))", minimum=0, strict=True)


def _check_load(p):
    _check_classical({**p, "P": None})


def _check_radius(p):
    if not p["d_min"] < p["d_max"]:
        raise ValueError(f"d_min must be below d_max, got d_min={p['d_min']}, d_max={p['d_max']}")
    _check_load(p)


@register_estimator("basins-two-step", title="mean overlap after 1..n_steps parallel steps from cues with overlap m0",
                    params=[_N_CLASSICAL, _LOAD, _M0, _with(_NETWORKS, default=4),
                            Param("cues", "int", 8, "cued patterns per network (at most P)", minimum=1),
                            Param("n_steps", "int", 2, "parallel steps", minimum=1, maximum=20), _KEEP_DIAGONAL],
                    check=_check_load)
def basins_two_step(*, seed: int, N: int, alpha: float, m0: float, networks: int, cues: int, n_steps: int,
                    keep_diagonal: bool) -> np.ndarray:
    """``parallel_overlaps`` at these parameters: per step ``t``, ``m{t}_mean`` and ``m{t}_se`` over networks.

    Also returns ``P``, the realised cue overlap ``m0_realised`` and ``n`` (networks).
    """
    ms = parallel_overlaps(seed=seed, N=N, alpha=alpha, m0=m0, networks=networks, cues=cues,
                           keep_diagonal=keep_diagonal, n_steps=n_steps)
    out = {"P": max(2, int(round(alpha * N))), "m0_realised": 1 - 2 * round((1 - m0) * N / 2) / N,
           "n": int(networks)}
    for t in range(int(n_steps)):
        out.update(_mean_se(ms[:, t], f"m{t + 1}"))
    return out


@register_estimator("basin-radius", title="basin radius of asynchronous T=0 dynamics: where half the cues are retrieved",
                    params=[_with(_N_CLASSICAL, default=500), _with(_LOAD, default=0.05),
                            Param("d_min", "float", 0.05, "smallest fraction of flipped bits", minimum=0, maximum=1),
                            Param("d_max", "float", 0.5, "largest fraction of flipped bits", minimum=0, maximum=1),
                            Param("fractions", "int", 10, "fractions, evenly spaced from d_min to d_max", minimum=2),
                            Param("trials", "int", 24, "networks (one cue each) per fraction", minimum=1),
                            Param("threshold", "float", 0.9, "final overlap counted as retrieved", minimum=-1,
                                  maximum=1),
                            Param("max_sweeps", "int", 100, "most sweeps of the dynamics", minimum=1)],
                    check=_check_radius)
def basin_radius_estimator(*, seed: int, N: int, alpha: float, d_min: float, d_max: float, fractions: int, trials: int,
                           threshold: float, max_sweeps: int) -> dict:
    """``basin_radius`` over ``numpy.linspace(d_min, d_max, fractions)``: ``radius``, ``se`` (NaN without a
    crossing inside the grid), ``P``, and ``successes``, ``n`` summed over the grid."""
    r = basin_radius(seed=seed, N=N, alpha=alpha, fractions=np.linspace(d_min, d_max, int(fractions)),
                     trials=trials, threshold=threshold, max_sweeps=max_sweeps)
    return {"P": r["P"], "radius": r["radius"], "se": r["se"], "successes": int(sum(r["successes"])),
            "n": int(trials) * int(fractions)}

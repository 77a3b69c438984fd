"""Estimator of Glauber (heat-bath) dynamics at T > 0 from stored patterns of the Hebbian network.

The simulation behind the check ``ags-glauber`` and the figure of the same name.
"""

from __future__ import annotations

from typing import Sequence, Tuple

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


def glauber_series(N: int, alpha: float, Ts: Sequence[float], networks: int, seed: int,
                   sweeps: int) -> Tuple[np.ndarray, np.ndarray]:
    """Mean and sd over networks of the final overlap after Glauber dynamics from a stored pattern.

    Returns arrays of shape ``(len(Ts),)``: the overlap is averaged over the
    last half of ``sweeps`` sweeps (a time average in the retrieval state).
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = max(1, int(round(alpha * N)))
    out = np.zeros((len(Ts), networks))
    for k, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(networks)):
        rng = np.random.default_rng(ss)
        xi = random_binary(P, N, seed=rng)
        net = ClassicalHopfield(xi)
        for j, T in enumerate(Ts):
            s = xi[0].copy()
            acc = []
            for t in range(sweeps):
                s = net.run(s, schedule="glauber", T=float(T), max_sweeps=1,
                            seed=int(rng.integers(0, 2**62))).states[0]
                if t >= sweeps // 2:
                    acc.append(float(np.dot(s.astype(np.int64), xi[0].astype(np.int64))) / N)
            out[j, k] = np.mean(acc)
    return out.mean(axis=1), out.std(axis=1, ddof=1)


def _temperatures(Ts):
    """The comma-separated temperature list ``Ts`` as floats."""
    try:
        out = [float(x) for x in str(Ts).split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"Ts={Ts!r}: expected comma-separated temperatures such as 0.2,0.5,1.0") from None
    if not out or min(out) < 0:
        raise ValueError(f"Ts={Ts!r}: expected at least one temperature, none negative")
    return out


def _check_series(p):
    _check_classical({**p, "P": None})
    Ts = _temperatures(p["Ts"])
    if not any(abs(t - float(p["T"])) <= 1e-12 for t in Ts):
        raise ValueError(f"T={p['T']!r} is not one of Ts={p['Ts']}")


@register_estimator("ags-glauber-series",
                    title="time-averaged overlap under Glauber dynamics from pattern 0, one network stream over a T list",
                    params=[_with(_N_CLASSICAL, default=400),
                            Param("alpha", "float", 0.05, "load P/N (P = max(1, round(alpha N)))", minimum=0, strict=True),
                            Param("T", "float", 0.5, "temperature (one of Ts)", minimum=0),
                            Param("Ts", "str", "0.2,0.5,0.7,0.85,1.0,1.2",
                                  "comma-separated temperatures each network runs in turn from its one stream"),
                            _with(_NETWORKS, default=6),
                            Param("sweeps", "int", 20, "Glauber sweeps (overlap averaged over the last half)",
                                  minimum=1)],
                    check=_check_series)
def ags_glauber_series(*, seed: int, N: int, alpha: float, T: float, Ts: str, networks: int, sweeps: int) -> dict:
    """``glauber_series`` over ``Ts``, at ``T``: ``m_mean``, ``m_sd`` over ``networks`` networks."""
    temps = _temperatures(Ts)
    j = min(range(len(temps)), key=lambda i: abs(temps[i] - float(T)))
    m, sd = glauber_series(int(N), float(alpha), temps, int(networks), seed, int(sweeps))
    return {"P": max(1, int(round(float(alpha) * int(N)))), "n": int(networks), "T": float(temps[j]),
            "m_mean": float(m[j]), "m_sd": float(sd[j])}

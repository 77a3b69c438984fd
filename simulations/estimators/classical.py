"""Estimators of the classical Hopfield network: one-step bit errors and fixed points of Hebbian patterns."""

from __future__ import annotations

from typing import Optional

import numpy as np

import numpy.typing as npt

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _streams, _n_patterns, _check_classical, _N_CLASSICAL, _P, _ALPHA, _NETWORKS, _KEEP_DIAGONAL, _with


TIE = 1e-9  # fields are multiples of 1/N; anything below 1e-9 in size is an exact zero


@register_estimator("classical-bit-error", title="one-step bit errors of Hebbian patterns (fields at the pattern)",
                    params=[_N_CLASSICAL, _P, _with(_ALPHA, default=0.1), _NETWORKS, _KEEP_DIAGONAL],
                    one_of=[("P", "alpha")], check=_check_classical)
def classical_bit_error(*, seed: int, N: int, P: Optional[int], alpha: float, networks: int,
                        keep_diagonal: bool) -> dict:
    """Errors ``xi_i h_i < 0`` over all bits of all patterns of ``networks`` networks.

    Returns ``errors``, ``ties`` (``h_i = 0``), ``bits`` and per-network rate
    mean and standard deviation (``rate_mean``, ``rate_sd``) for a z-test over
    independent networks.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = _n_patterns(N, P, alpha)
    rates, errors, ties = [], 0, 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(P, int(N), seed=rng)
        h = ClassicalHopfield(xi, keep_diagonal=bool(keep_diagonal)).fields(xi)  # (P, N)
        s = h * xi
        e = int(np.count_nonzero(s < -TIE))
        errors += e
        ties += int(np.count_nonzero(np.abs(s) <= TIE))
        rates.append(e / (P * int(N)))
    r = np.asarray(rates)
    return {"N": int(N), "P": P, "errors": errors, "ties": ties, "bits": P * int(N) * int(networks),
            "rate_mean": float(r.mean()), "rate_sd": float(r.std(ddof=1)) if r.size > 1 else 0.0}


@register_estimator("classical-fixed-points", title="which stored patterns are fixed points (one network per trial)",
                    params=[_with(_N_CLASSICAL, default=100), _with(_P, default=10), _ALPHA,
                            _with(_NETWORKS, default=100)],
                    one_of=[("P", "alpha")], check=_check_classical, aliases=["classical-fixed-point"])
def classical_fixed_point(*, seed: int, N: int, P: int, alpha: Optional[float], networks: int) -> dict:
    """Per network: is pattern 0 a fixed point, are all patterns, how many are.

    A pattern is a fixed point when ``xi_i h_i > 0`` at every bit (a zero
    field counts as unstable).
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = _n_patterns(N, P, alpha)
    first = all_ = fixed = 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(P, int(N), seed=rng)
        stable = np.all(ClassicalHopfield(xi).fields(xi) * xi > TIE, axis=1)  # (P,)
        first += bool(stable[0])
        all_ += bool(stable.all())
        fixed += int(stable.sum())
    return {"N": int(N), "P": P, "networks": int(networks), "first_fixed": first, "all_fixed": all_,
            "patterns_fixed": fixed}


#: A run "retrieves" its pattern when the final overlap exceeds this.
RETRIEVED = 0.9


def basin_runs(N: int, alpha: float, flips: npt.ArrayLike, networks: int, seed: int,
               sweeps: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Retrieved runs and one-step overlaps from cues with a fraction ``flips`` of wrong bits.

    One cue per network (pattern 0 with ``round(f N)`` bits flipped), so runs are
    independent. Returns ``(retrieved, m_one_step_mean, m_one_step_sd)``, arrays
    of shape ``(len(flips),)``: retrieved counts after asynchronous T = 0
    dynamics (final overlap > ``RETRIEVED``) and the overlap after one
    synchronous step.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import flip, random_binary

    P = max(1, int(round(alpha * N)))
    flips = np.asarray(flips, dtype=float)
    ret = np.zeros(flips.size, np.int64)
    m1 = np.zeros((flips.size, networks))
    for k, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(networks)):
        rng = np.random.default_rng(ss)
        xi = random_binary(P, N, seed=rng)
        net = ClassicalHopfield(xi)
        cues = np.stack([flip(xi[0], count=int(round(f * N)), seed=rng) for f in flips])  # (F, N)
        res = net.run(cues, schedule="async", max_sweeps=sweeps, seed=int(rng.integers(0, 2**62)))
        ret += res.overlaps[:, 0] > RETRIEVED
        one = net.run(cues, schedule="sync", max_sweeps=1, seed=0)
        m1[:, k] = one.overlaps[:, 0]
    return ret, m1.mean(axis=1), m1.std(axis=1, ddof=1)


def _flip_grid(flip_max, flip_steps):
    """The figure's cue corruptions: ``round(linspace(0, flip_max, flip_steps), 3)``."""
    return np.round(np.linspace(0.0, float(flip_max), int(flip_steps)), 3)


def _check_basins(p):
    _check_classical({**p, "P": None})
    grid = _flip_grid(p["flip_max"], p["flip_steps"])
    if not np.any(np.isclose(grid, p["flip"], rtol=0, atol=1e-12)):
        raise ValueError(f"flip={p['flip']!r} is not on the grid round(linspace(0, {p['flip_max']}, "
                         f"{p['flip_steps']}), 3) = {', '.join(f'{g:g}' for g in grid)}")


@register_estimator("classical-basin-retrieval",
                    title="retrieval after asynchronous T=0 dynamics from pattern 0 with a fraction of bits flipped",
                    params=[_with(_N_CLASSICAL, default=300),
                            Param("alpha", "float", 0.05, "load P/N (P = max(1, round(alpha N)))", minimum=0, strict=True),
                            Param("flip", "float", 0.2, "fraction of flipped cue bits (a point of the flip grid)",
                                  minimum=0, maximum=1),
                            Param("flip_max", "float", 0.45, "largest flip fraction of the grid", minimum=0, maximum=1),
                            Param("flip_steps", "int", 10, "flip grid points: round(linspace(0, flip_max, flip_steps), 3); "
                                  "every network's cues at all of them come from its one stream", minimum=1),
                            _with(_NETWORKS, default=30),
                            Param("sweeps", "int", 50, "most asynchronous sweeps", minimum=1)],
                    check=_check_basins)
def classical_basin_retrieval(*, seed: int, N: int, alpha: float, flip: float, flip_max: float, flip_steps: int,
                              networks: int, sweeps: int) -> dict:
    """``basin_runs`` over the flip grid, at ``flip``: ``retrieved`` of ``networks``, one-step ``m1_mean``, ``m1_sd``."""
    flips = _flip_grid(flip_max, flip_steps)
    j = int(np.argmin(np.abs(flips - float(flip))))
    ret, m1, sd = basin_runs(int(N), float(alpha), flips, int(networks), seed, sweeps=int(sweeps))
    return {"P": max(1, int(round(float(alpha) * int(N)))), "networks": int(networks), "flip": float(flips[j]),
            "retrieved": int(ret[j]), "m1_mean": float(m1[j]), "m1_sd": float(sd[j])}

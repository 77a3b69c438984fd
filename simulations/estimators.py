"""Named estimators: simulations that turn parameters and a seed into numbers.

An estimator is a function ``f(*, seed, **params) -> dict`` of plain numbers
(int, float, bool). ``amlab sweep ESTIMATOR`` runs one over a grid of
parameters; the checks call the same functions. Every estimator draws all its
randomness from ``seed`` (through ``numpy.random.SeedSequence`` and the
simulators' own seeds), so equal parameters and seed give equal numbers on any
machine, thread count or backend.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, Dict

import numpy as np


@dataclass(frozen=True)
class Estimator:
    """A registered estimator (see ``register_estimator``)."""

    name: str
    title: str
    func: Callable[..., dict]
    defaults: Dict


ESTIMATORS: Dict[str, Estimator] = {}


def register_estimator(name: str, *, title: str, defaults: dict):
    """Decorator registering ``func(*, seed, **params) -> dict`` under ``name``."""

    def deco(func):
        if name in ESTIMATORS:
            raise ValueError(f"estimator {name!r} is registered twice")
        ESTIMATORS[name] = Estimator(name, title, func, dict(defaults))
        return func

    return deco


def _plain(name, key, value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"estimator {name!r} returned {key}={value!r} ({type(value).__name__}); expected a plain number")


def evaluate(estimator, params: dict, seed: int) -> dict:
    """Run ``estimator`` (a registered name or a function) at ``params`` with ``seed``.

    Unknown parameter names raise ``ValueError``; the result is checked to be
    a dict of plain numbers (numpy scalars are converted).
    """
    if isinstance(estimator, str):
        if estimator not in ESTIMATORS:
            raise ValueError(f"unknown estimator {estimator!r}; known: {', '.join(sorted(ESTIMATORS))}")
        est = ESTIMATORS[estimator]
        unknown = sorted(set(params) - set(est.defaults))
        if unknown:
            raise ValueError(f"estimator {estimator!r} takes parameters {sorted(est.defaults)}, got unknown {unknown}")
        name, func, full = est.name, est.func, {**est.defaults, **params}
    else:
        name, func, full = getattr(estimator, "__name__", "estimator"), estimator, dict(params)
    out = func(seed=int(seed), **full)
    if not isinstance(out, dict):
        raise TypeError(f"estimator {name!r} must return a dict, got {type(out).__name__}")
    return {str(k): _plain(name, k, v) for k, v in out.items()}


def _streams(seed: int, n: int):
    """``n`` independent generators derived from ``seed`` (network k uses stream k)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(n)]


def _child_seed(rng) -> int:
    return int(rng.integers(0, 2**62))


def _n_patterns(N, P=None, alpha=None, name="P"):
    if P is not None:
        return int(P)
    if alpha is None:
        raise ValueError(f"give {name} or alpha")
    return max(1, int(round(float(alpha) * int(N))))


# ---------------------------------------------------------------- classical

TIE = 1e-9  # fields are multiples of 1/N; anything below 1e-9 in size is an exact zero


@register_estimator("classical-bit-error", title="one-step bit errors of Hebbian patterns (fields at the pattern)",
                    defaults={"N": 1000, "P": None, "alpha": 0.1, "networks": 1, "keep_diagonal": False})
def classical_bit_error(*, seed, N, P, alpha, networks, keep_diagonal):
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


@register_estimator("classical-fixed-point", title="which stored patterns are fixed points (one network per trial)",
                    defaults={"N": 100, "P": 10, "alpha": None, "networks": 100})
def classical_fixed_point(*, seed, N, P, alpha, networks):
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


@register_estimator("ags-overlap", title="overlap after asynchronous T=0 dynamics started at a stored pattern",
                    defaults={"N": 1000, "alpha": 0.1, "P": None, "networks": 4, "cues": 10, "max_sweeps": 100,
                              "threshold": 0.8, "keep_diagonal": False})
def ags_overlap(*, seed, N, alpha, P, networks, cues, max_sweeps, threshold, keep_diagonal=False):
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


# -------------------------------------------------------------------- dense

@register_estimator("dense-bit-error", title="one synchronous step of a dense memory from each stored pattern",
                    defaults={"N": 100, "K": 100, "n": 3, "F": "poly", "networks": 1, "cues": None})
def dense_bit_error(*, seed, N, K, n, F, networks, cues=None):
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


@register_estimator("dense-random-start", title="random starts of a dense memory that end exactly on a memory",
                    defaults={"N": 100, "K": 2000, "n": 3, "F": "poly", "starts": 100, "max_sweeps": 100})
def dense_random_start(*, seed, N, K, n, F, starts, max_sweeps):
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


@register_estimator("exp-recovery", title="exact recovery from rho-corrupted cues, M = exp(alpha N) patterns",
                    defaults={"N": 24, "alpha": 0.1, "M": None, "rho": 0.1, "cues": 40, "max_sweeps": 50})
def exp_recovery(*, seed, N, alpha, M, rho, cues, max_sweeps):
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


# ------------------------------------------------------------------- modern

def sphere_patterns(n_patterns: int, d: int, radius: float, rng) -> np.ndarray:
    """``n_patterns`` points uniform on the sphere of ``radius`` in R^d, shape (n_patterns, d), float64."""
    x = rng.standard_normal((int(n_patterns), int(d)))
    return x * (float(radius) / np.linalg.norm(x, axis=1, keepdims=True))


@register_estimator("modern-retrieval", title="one-step retrieval error of a modern Hopfield network vs Theorem 5",
                    defaults={"d": 32, "n_patterns": 16, "beta": 0.5, "radius": 4.0, "noise": 0.5, "trials": 100})
def modern_retrieval(*, seed, d, n_patterns, beta, radius, noise, trials):
    """Cue ``x_i + noise * u`` (``u`` a uniform unit vector); error ``||f(xi) - x_i||`` after one update.

    Returns the largest ratio of the error to the Theorem 5 bound (Ramsauer
    et al. 2021) over trials, and the largest and mean error.
    """
    from hopfield.modern import ModernHopfield
    from hopfield.modern import separation
    from theory.modern import retrieval_error_bound

    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    X = sphere_patterns(n_patterns, d, radius, rng)
    net = ModernHopfield(X, float(beta))
    delta = separation(X)
    M = float(np.linalg.norm(X, axis=1).max())
    i = rng.integers(0, int(n_patterns), size=int(trials))
    u = rng.standard_normal((int(trials), int(d)))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    cue = X[i] + float(noise) * u
    err = np.linalg.norm(net.update(cue) - X[i], axis=1)
    bound = np.asarray(retrieval_error_bound().evaluate(N=int(n_patterns), beta=float(beta), Delta=delta[i],
                                                        dist=np.full(int(trials), float(noise)), M=M), dtype=float)
    return {"trials": int(trials), "max_ratio": float(np.max(err / bound)), "max_error": float(err.max()),
            "mean_error": float(err.mean()), "violations": int(np.count_nonzero(err > bound))}

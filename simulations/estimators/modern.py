"""Estimator of the modern (continuous) Hopfield network (Ramsauer et al. 2021): one-step retrieval error."""

from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator


def sphere_patterns(n_patterns: int, d: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """``n_patterns`` points uniform on the sphere of ``radius`` in R^d, shape (n_patterns, d), float64."""
    x = rng.standard_normal((int(n_patterns), int(d)))
    return x * (float(radius) / np.linalg.norm(x, axis=1, keepdims=True))


def beta_at_condition(delta: float, n_patterns: int, M: float) -> float:
    """The beta at which the fixed-point condition holds with equality for separation ``delta``."""
    from scipy import optimize

    import theory.modern as tm

    cond = tm.fixed_point_condition()
    f = lambda b: float(cond.evaluate(beta=b, N=n_patterns, M=M)) - delta  # noqa: E731
    return float(optimize.brentq(f, 1e-3, 1e4))


@register_estimator("modern-retrieval-bound",
                    title="one-step retrieval error of a modern Hopfield network vs Theorem 5",
                    params=[Param("d", "int", 32, "pattern dimension", minimum=1),
                            Param("n_patterns", "int", 16, "stored patterns N", minimum=2),
                            Param("beta", "float", 0.5, "inverse temperature", minimum=0, strict=True),
                            Param("radius", "float", 4.0, "norm of every pattern", minimum=0, strict=True),
                            Param("noise", "float", 0.5, "distance of the cue from its pattern", minimum=0),
                            Param("trials", "int", 100, "cues", minimum=1)],
                    aliases=["modern-retrieval"])
def modern_retrieval(*, seed: int, d: int, n_patterns: int, beta: float, radius: float, noise: float,
                     trials: int) -> dict:
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


def median_separation_cues(seed: int, d: int, n_patterns: int, radius: float, r: float,
                           cues: int) -> Tuple[np.ndarray, int, np.ndarray]:
    """The figure ``modern-retrieval``'s pattern set, its pattern of median separation and cues around it.

    From ``SeedSequence(seed)``: ``n_patterns`` patterns on the sphere of
    ``radius`` in R^d, then ``cues`` uniform unit directions ``u``. Returns
    ``(X, i0, xi)``: the patterns, the index of the pattern of median
    separation and the cues ``X[i0] + r u``, shape (cues, d).
    """
    from hopfield.modern import separation

    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    X = sphere_patterns(n_patterns, d, radius, rng)
    delta = np.asarray(separation(X), dtype=float)
    i0 = int(np.argsort(delta)[int(n_patterns) // 2])  # a pattern of median separation
    u = rng.standard_normal((int(cues), int(d)))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return X, i0, X[i0] + float(r) * u


def census_patterns(seed: int, d: int, n_patterns: int, radius: float) -> np.ndarray:
    """One random pattern set of the fixed-point census: ``sphere_patterns`` from ``SeedSequence(seed)``."""
    return sphere_patterns(n_patterns, d, radius, np.random.default_rng(np.random.SeedSequence(int(seed))))


def fixed_point_census(X: np.ndarray, betas: Sequence[float], steps: int = 300,
                       same: float = 1e-3) -> Tuple[np.ndarray, np.ndarray]:
    """For each beta: distinct fixed points reached from the N patterns, and the mean softmax participation.

    Returns ``(distinct, participation)`` of shape ``(len(betas),)``:
    ``distinct`` the number of distinct end points (closer than ``same``
    count as one) and ``participation`` the mean over starts of
    ``1 / sum_i p_i^2`` at the end point (about 1 at a single pattern, N at the
    global average).
    """
    from hopfield.modern import ModernHopfield

    distinct = np.zeros(len(betas), np.int64)
    part = np.zeros(len(betas))
    for j, beta in enumerate(betas):
        net = ModernHopfield(X, float(beta))
        end = np.asarray(net.retrieve(X, max_steps=steps, tol=1e-12))  # (N, d)
        reps = []
        for e in end:
            if not any(np.linalg.norm(e - r) < same for r in reps):
                reps.append(e)
        distinct[j] = len(reps)
        z = float(beta) * end @ X.T  # (N, N)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        part[j] = float(np.mean(1.0 / np.sum(p**2, axis=1)))
    return distinct, part


_D = Param("d", "int", 32, "pattern dimension", minimum=1)
_NPAT = Param("n_patterns", "int", 16, "stored patterns N", minimum=2)
_RADIUS = Param("radius", "float", 4.0, "norm of every pattern", minimum=0, strict=True)


@register_estimator("modern-median-error",
                    title="one-step retrieval error from cues around the pattern of median separation",
                    params=[_D, _NPAT, _RADIUS,
                            Param("beta", "float", 0.5, "inverse temperature", minimum=0, strict=True),
                            Param("r", "float", 0.05, "distance of every cue from the pattern", minimum=0),
                            Param("cues", "int", 40, "cues", minimum=1)])
def modern_median_error(*, seed: int, d: int, n_patterns: int, radius: float, beta: float, r: float,
                        cues: int) -> dict:
    """``||f(xi) - x_i0||`` after one update over ``median_separation_cues``: ``mean``, ``sd``, ``max``, ``Delta``."""
    from hopfield.modern import ModernHopfield, separation

    X, i0, xi = median_separation_cues(seed, d, n_patterns, radius, r, cues)
    err = np.linalg.norm(np.asarray(ModernHopfield(X, float(beta)).update(xi)) - X[i0], axis=1)
    return {"pattern": i0, "Delta": float(np.asarray(separation(X), dtype=float)[i0]), "cues": int(cues),
            "mean": float(err.mean()), "sd": float(err.std(ddof=1)) if err.size > 1 else 0.0, "max": float(err.max())}


@register_estimator("modern-fixed-point-census",
                    title="distinct fixed points reached from the patterns of one random set, and their participation",
                    params=[_D, _NPAT, _RADIUS,
                            Param("beta", "float", 0.5, "inverse temperature", minimum=0, strict=True),
                            Param("steps", "int", 200, "most retrieval steps from each pattern", minimum=1),
                            Param("same", "float", 1e-3, "end points closer than this count as one", minimum=0,
                                  strict=True)])
def modern_fixed_point_census(*, seed: int, d: int, n_patterns: int, radius: float, beta: float, steps: int,
                              same: float) -> dict:
    """``fixed_point_census`` of ``census_patterns(seed, ...)`` at ``beta``: ``distinct``, ``participation``."""
    X = census_patterns(seed, d, n_patterns, radius)
    dist, part = fixed_point_census(X, [float(beta)], steps=int(steps), same=float(same))
    return {"distinct": int(dist[0]), "participation": float(part[0])}

"""Estimator of the modern (continuous) Hopfield network (Ramsauer et al. 2021): one-step retrieval error."""

from __future__ import annotations

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

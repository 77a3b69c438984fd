"""Checks of the modern (softmax) Hopfield network (Ramsauer et al. 2021; docs/references.md, modern).

``modern-retrieval-bound``: one-step retrieval errors never exceed the
Theorem 5 bound. ``modern-fixed-points``: patterns that satisfy the
fixed-point condition converge inside the sphere of radius 1/(beta N M).
Both are deterministic comparisons (a bound must hold for every sample), set
where the bound is not vacuous: the separation is placed at the edge of the
condition so that the measured quantities come within a small factor of the
bounds.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

import theory.modern as tm
from simulations.estimators.modern import beta_at_condition, sphere_patterns
from simulations.core.progress import steps
from simulations.core.seeds import derive_seed
from simulations.checks.registry import Point, register_check
from simulations.checks.stats import bound_point


def _modern():
    from hopfield.modern import ModernHopfield, separation

    return ModernHopfield, separation


def _fixed_point(net, x, steps_max=200):
    return np.asarray(net.retrieve(x, max_steps=steps_max, tol=0.0), dtype=np.float64)


@register_check(
    "modern-retrieval-bound",
    families=(), seconds={"quick": 0.3, "full": 0.76},
    figures=("modern-retrieval",),
    title="modern Hopfield: one-step retrieval error never exceeds the Theorem 5 bound",
    theory="theory.modern.retrieval_error_bound: ||f(xi) - x_i|| <= 2 (N-1) exp(-beta (Delta_i - "
           "2 max(||xi - x_i||, ||x_i* - x_i||) M)) M (Ramsauer et al. 2021, Theorem 5)",
    test="deterministic: for every cue (pattern plus a perturbation of norm r), error <= bound; one point per "
         "(d, N, beta-factor, r) with the largest error/bound ratio shown. Patterns on a sphere; beta set from "
         "the fixed-point condition at the median separation (so the bound is far from vacuous).",
    quick={"configs": [[16, 8, 3.0], [32, 16, 4.0]], "beta_factors": [1.0, 4.0], "radii": [0.0, 0.2, 0.4], "cues": 200},
    full={"configs": [[16, 8, 3.0], [32, 16, 4.0], [64, 64, 6.0]], "beta_factors": [0.5, 1.0, 2.0, 4.0],
          "radii": [0.0, 0.02, 0.05, 0.1, 0.2, 0.4], "cues": 1000},
)
def modern_retrieval_bound(*, seed: int, configs: Sequence[Sequence[int]], beta_factors: Sequence[float],
                           radii: Sequence[float], cues: int) -> List[Point]:
    ModernHopfield, separation = _modern()
    bound_f = tm.retrieval_error_bound()
    points = []
    runs = [(c, bf, r) for c in configs for bf in beta_factors for r in radii]
    for (d, n_pat, R), bf, r in steps(runs, "modern-retrieval-bound"):
        key = {"d": d, "N": n_pat, "R": R, "beta_factor": bf, "r": r}
        rng = np.random.default_rng(np.random.SeedSequence(derive_seed(seed, key)))
        X = sphere_patterns(n_pat, d, R, rng)
        delta = np.asarray(separation(X), dtype=np.float64)
        M = float(np.linalg.norm(X, axis=1).max())
        beta = bf * beta_at_condition(float(np.median(delta)), n_pat, M)
        net = ModernHopfield(X, beta)
        i = rng.integers(0, n_pat, size=cues)
        u = rng.standard_normal((cues, d))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        xi = X[i] + r * u
        err = np.linalg.norm(np.asarray(net.update(xi)) - X[i], axis=1)
        star = np.stack([_fixed_point(net, X[j]) for j in range(n_pat)])  # x_i* from x_i
        dist = np.maximum(r, np.linalg.norm(star - X, axis=1))[i]
        bound = np.asarray(bound_f.evaluate(N=n_pat, beta=beta, Delta=delta[i], dist=dist, M=M), dtype=np.float64)
        ratio = err / bound
        worst = int(np.argmax(ratio))
        points.append(bound_point(f"d={d}, N={n_pat}, beta={beta:.3g}, r={r}: max error/bound = {ratio[worst]:.3g}",
                                  float(err[worst]), float(bound[worst]), "le",
                                  params={"d": d, "N": n_pat, "beta": beta, "r": r, "max_ratio": float(ratio.max()),
                                          "cues": cues}))
    return points


def simplex_patterns(n_patterns: int, d: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """A regular simplex of ``n_patterns`` points on the sphere of ``radius`` in R^d, randomly rotated.

    Every pair has the same separation ``Delta = radius^2 n/(n - 1)``, so all
    ``n - 1`` other patterns pull on the fixed point as hard as the nearest
    one: the case in which the fixed-point radius of Ramsauer et al. is
    nearly attained. Needs ``d >= n_patterns``. Shape (n_patterns, d), float64.
    """
    if d < n_patterns:
        raise ValueError(f"simplex_patterns needs d >= n_patterns, got d={d}, n_patterns={n_patterns}")
    E = np.eye(n_patterns) - 1.0 / n_patterns  # (n, n), rows sum to zero
    E *= radius / np.linalg.norm(E, axis=1, keepdims=True)
    Q, _ = np.linalg.qr(rng.standard_normal((d, n_patterns)))  # (d, n) orthonormal columns
    return E @ Q.T


#: The fixed-point radius is only tested when the fixed points come close to it:
#: the largest distance/radius of a configuration must be at least this (else a
#: radius ten times too large would pass unnoticed).
MIN_RATIO = 0.3


@register_check(
    "modern-fixed-points",
    families=(), seconds={"quick": 0.0, "full": 0.2},
    figures=("modern-retrieval",), derivations=("ramsauer-capacity",),
    title="modern Hopfield: patterns meeting the fixed-point condition converge inside their sphere",
    theory="theory.modern.fixed_point_condition and fixed_point_radius: Delta_i >= 2/(beta N) + "
           "ln(2 (N-1) N beta M^2)/beta implies a fixed point within 1/(beta N M) of x_i (Ramsauer et al. 2021, "
           "fixed-point condition; docs/references.md, modern)",
    test="deterministic: for every pattern meeting the condition, iterating the update from x_i and from points "
         "inside the sphere ends within the radius; beta is set so the least separated pattern meets the "
         "condition with equality (the hardest case the theorem covers). Patterns form regular simplices (all "
         "separations equal, so all N-1 others pull as the theorem assumes; random patterns reach only 0.2-0.27); "
         f"a configuration whose largest distance/radius is below {MIN_RATIO} fails (the test would be vacuous).",
    quick={"configs": [[16, 8, 3.0, "simplex"], [32, 16, 4.0, "simplex"]], "starts": 5, "steps_max": 100},
    full={"configs": [[16, 8, 3.0, "simplex"], [32, 16, 4.0, "simplex"], [64, 64, 6.0, "simplex"],
                      [256, 128, 8.0, "simplex"], [128, 32, 5.0, "simplex"]],
          "starts": 20, "steps_max": 500},
)
def modern_fixed_points(*, seed: int, configs: Sequence[Sequence[int]], starts: int, steps_max: int) -> List[Point]:
    ModernHopfield, separation = _modern()
    radius_f, cond_f = tm.fixed_point_radius(), tm.fixed_point_condition()
    points = []
    for d, n_pat, R, kind in steps(configs, "modern-fixed-points"):
        rng = np.random.default_rng(np.random.SeedSequence(derive_seed(seed, {"d": d, "N": n_pat, "R": R,
                                                                            "kind": kind})))
        X = simplex_patterns(n_pat, d, R, rng) if kind == "simplex" else sphere_patterns(n_pat, d, R, rng)
        delta = np.asarray(separation(X), dtype=np.float64)
        M = float(np.linalg.norm(X, axis=1).max())
        beta = beta_at_condition(float(delta.min()), n_pat, M) * (1 + 1e-9)
        net = ModernHopfield(X, beta)
        rad = float(radius_f.evaluate(beta=beta, N=n_pat, M=M))
        need = float(cond_f.evaluate(beta=beta, N=n_pat, M=M))
        ok_idx = np.flatnonzero(delta >= need * (1 - 1e-12))
        worst_d, worst_i = -1.0, -1
        for i in ok_idx:
            u = rng.standard_normal((starts, d))
            u /= np.linalg.norm(u, axis=1, keepdims=True)
            u *= rad * rng.uniform(0, 1, size=(starts, 1))
            x0 = np.vstack([X[i], X[i] + u])  # from the pattern and from points inside its sphere
            end = np.asarray(net.retrieve(x0, max_steps=steps_max, tol=0.0), dtype=np.float64)
            dd = float(np.linalg.norm(end - X[i], axis=1).max())
            if dd > worst_d:
                worst_d, worst_i = dd, int(i)
        params = {"d": d, "N": n_pat, "beta": beta, "kind": kind, "meeting": int(ok_idx.size),
                  "worst_pattern": worst_i, "ratio": worst_d / rad}
        label = f"{kind} d={d}, N={n_pat}, beta={beta:.3g}: {ok_idx.size} patterns meet the condition"
        points.append(bound_point(f"{label}; largest distance/radius = {worst_d / rad:.3g}", worst_d, rad, "le",
                                  params=params))
        points.append(bound_point(f"{label}; distance/radius >= {MIN_RATIO} (not vacuous)", worst_d / rad,
                                  MIN_RATIO, "ge", params=params))
    return points

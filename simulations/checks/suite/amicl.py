"""AMICL checks: simulated accuracy of the associative-memory in-context classifier against theory.

Simulation: ``hopfield.amicl.sweep_amicl`` (dot product, argmax). Theory:
``theory.amicl.accuracy_exact`` (trials whose context classes are all distinct,
which the simulation counts separately) and ``theory.amicl.accuracy_large_D``.

Statistics: each point is an exact binomial test (``simulations.checks.stats.binomial_point``)
of "the success probability lies within theory +- tolerance"; a check's points
are judged together with Holm's correction at family level 0.01. The tolerance
is the quadrature error of ``accuracy_exact``: the quick settings agree with the
default ones within 1e-3 and the defaults with settings twice as fine within
1.5e-3 (``tests/test_amicl_theory.py``), so 3e-3 (quick) and 2e-3 (full) cover it.
"""

from __future__ import annotations

from typing import List, Sequence

from hopfield.amicl import sweep_amicl
from simulations.checks.registry import Point, register_check
from simulations.checks.stats import binomial_point
from theory import amicl as th

#: Quadrature of the quick size (error <= 2.5e-3 against the converged value).
QUICK_QUADRATURE = th.ExactSettings(n_R=12, n_u=161, n_c=101, n_xy=81)
TOL = {"quick": 3e-3, "full": 2e-3}


def _settings(size):
    return QUICK_QUADRATURE if size == "quick" else th.ExactSettings()


def _predict(theory, a, D, T, size):
    """Predicted accuracies at the mixing weights ``a`` for one (D, T)."""
    if theory == "exact":
        return th.accuracy_exact(a, D, T, 0.1, _settings(size))
    if theory == "large-D":
        return th.accuracy_large_D(a, D)
    if theory == "shifted":  # a deliberately wrong theory: the switch moved to a = 1.1
        return th.accuracy_exact([x - 0.1 for x in a], D, T, 0.1, _settings(size))
    raise ValueError(f"theory must be 'exact', 'large-D' or 'shifted', got {theory!r}")


def _distinct_points(label, sw, theory_values, tol, params):
    pts = []
    for g, av in enumerate(sw.a):
        for i, Dv in enumerate(sw.D):
            k = int(sw.correct_distinct[g, i, 0, 0])
            n = int(sw.n_distinct[i, 0, 0])
            p = dict(params, a=float(av), D=int(Dv))
            pts.append(binomial_point(f"{label} a={av:g} D={Dv}", k, n, float(theory_values[g][i]), tol, params=p))
    return pts


@register_check(
    "amicl-vs-a",
    families=("amicl",), seconds={"quick": 17.3, "full": 27.91},
    figures=("amicl-accuracy-vs-a",), derivations=("amicl-exact",),
    title="AMICL accuracy vs mixing weight a (D = 100, K = 512, T = 20)",
    theory="theory.amicl.accuracy_exact: finite-D accuracy, trials with distinct context classes (derived)",
    test="exact binomial per a, tolerance = quadrature error (3e-3 quick, 2e-3 full), Holm at 0.01",
    quick=dict(a=[0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 2.0], n_trials=2000, size="quick"),
    full=dict(a=[0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3, 1.4, 1.5, 1.75, 2.0], n_trials=20000, size="full"),
)
def check_vs_a(*, seed: int, a: Sequence[float], n_trials: int, size: str, D: int = 100, K: int = 512, T: int = 20,
               theory: str = "exact") -> List[Point]:
    sw = sweep_amicl(a, D=D, K=K, T=T, n_trials=n_trials, seed=seed)
    pred = _predict(theory, list(a), D, T, size)
    return _distinct_points("acc", sw, [[p] for p in pred], TOL[size], dict(K=K, T=T, theory=theory))


@register_check(
    "amicl-switch",
    families=("amicl",), seconds={"quick": 8.6, "full": 6.65},
    figures=("amicl-accuracy-vs-a",), derivations=("amicl-switch",),
    title="AMICL at a = 1 gives about 1/3 (D = 100, K = 512, T = 20)",
    theory="1/3 (theory.amicl.accuracy_at_switch, D -> inf, eps -> 0) and accuracy_exact at eps = 0.1",
    test="exact binomial; against 1/3 with tolerance 0.04 = the known finite-eps correction "
         "(|1/3 - accuracy_exact| = 0.033 at D = 100, eps = 0.1) plus quadrature; against accuracy_exact "
         "with the quadrature tolerance; Holm at 0.01",
    quick=dict(n_trials=40000, size="full"),  # as full: 7 s, and 3000 trials cannot see eps = 0.13 (docs/checks.md)
    full=dict(n_trials=40000, size="full"),
)
def check_switch(*, seed: int, n_trials: int, size: str, D: int = 100, K: int = 512, T: int = 20) -> List[Point]:
    sw = sweep_amicl([1.0], D=D, K=K, T=T, n_trials=n_trials, seed=seed)
    k, n = int(sw.correct_distinct[0, 0, 0, 0]), int(sw.n_distinct[0, 0, 0])
    exact = float(th.accuracy_exact(1.0, D, T, 0.1, _settings(size)))
    params = dict(a=1.0, D=D, K=K, T=T)
    return [
        binomial_point("a=1 vs 1/3", k, n, float(th.accuracy_at_switch().evaluate(m=1)), 0.04, params=params),
        binomial_point("a=1 vs exact", k, n, exact, TOL[size], params=params),
    ]


@register_check(
    "amicl-below-switch",
    families=("amicl",), seconds={"quick": 2.8, "full": 17.85},
    figures=("amicl-accuracy-vs-a",), derivations=("amicl-switch", "amicl-exact"),
    title="AMICL for a < 1 at large D retrieves exemplars: accuracy ~ 0 (D = 1000)",
    theory="theory.amicl.accuracy_exact (about 0; the switch at a = 1, theory.amicl.switch_point)",
    test="exact binomial per a, tolerance = quadrature error, Holm at 0.01",
    quick=dict(a=[0.5, 0.75, 0.9], n_trials=1000, size="quick"),
    full=dict(a=[0.25, 0.5, 0.75, 0.9, 0.95], n_trials=10000, size="full"),
)
def check_below_switch(*, seed: int, a: Sequence[float], n_trials: int, size: str, D: int = 1000, K: int = 512,
                       T: int = 20) -> List[Point]:
    sw = sweep_amicl(a, D=D, K=K, T=T, n_trials=n_trials, seed=seed)
    pred = th.accuracy_exact(list(a), D, T, 0.1, _settings(size))
    return _distinct_points("acc", sw, [[p] for p in pred], TOL[size], dict(K=K, T=T))


@register_check(
    "amicl-vs-D",
    families=("amicl",), seconds={"quick": 2.5, "full": 19.5},
    figures=("amicl-accuracy-vs-D",), derivations=("amicl-exact", "amicl-large-D"),
    title="AMICL accuracy vs dimension D at a = 2 (K = 512, T = 20) against the finite-D formula",
    theory="theory.amicl.accuracy_exact (other classes' keys and |mu|^2 fluctuations included; derived)",
    test="exact binomial per D, tolerance = quadrature error (3e-3 quick, 2e-3 full), Holm at 0.01",
    quick=dict(D=[10, 20, 40], n_trials=3000, size="quick"),
    full=dict(D=[5, 10, 15, 20, 30, 40, 60, 100], n_trials=20000, size="full"),
)
def check_vs_D(*, seed: int, D: Sequence[int], n_trials: int, size: str, a: float = 2.0, K: int = 512, T: int = 20,
               theory: str = "exact") -> List[Point]:
    sw = sweep_amicl([a], D=D, K=K, T=T, n_trials=n_trials, seed=seed)
    pred = [[_predict(theory, [a], Dv, T, size)[0] for Dv in D]]
    return _distinct_points("acc", sw, pred, TOL[size], dict(K=K, T=T, theory=theory))

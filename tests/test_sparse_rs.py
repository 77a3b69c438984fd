"""RS retrieval theory of sparse 0/1 patterns (theory.sparse_rs) and the sparse-capacity check with mutants."""

import warnings

import numpy as np
import pytest
from scipy.special import erf

import simulations.checks.suite  # noqa: F401  (registers the checks)
import theory.ags as ags
import theory.sparse as sparse
import theory.sparse_rs as srs
from hopfield.sparse import update
from simulations.estimators.sparse_capacity import retrieval_run
from simulations.checks.registry import CHECKS, run_check
from tests.mutants import MUTANTS


def test_pm1_neurons_at_half_coding_level_are_ags():
    # +-1 neurons, a = 1/2, theta = 0: y = 2 sqrt(2) y_AGS, M = 2 m (M is normalised to 1 at the pattern)
    y_ags = np.array([1.0, 1.51122, 2.0, 3.0])
    r = srs.from_yu(0.5, 2 * np.sqrt(2) * y_ags, 0.0, lo=-1)
    assert np.allclose(r["alpha"], ags.alpha_of_y().evaluate(y=y_ags), rtol=1e-12)
    assert np.allclose(r["M"] / 2, erf(y_ags), rtol=1e-12)
    assert np.allclose(r["theta"], 0.0) and np.allclose(r["q"], 1.0)
    assert abs(srs.critical_alpha(0.5, 0.0, lo=-1)["alpha_c"] - ags.critical()["alpha_c"]) < 1e-8


def test_01_neurons_at_half_coding_level_are_not_ags():
    # the quenched field (1/2) sum_j W_ij (variance alpha/4) lowers the capacity of the 0/1 network
    c = srs.capacity(0.5)
    assert 0.05 < c["alpha_c"] < 0.1379 - 0.05


def test_parametrisation_solves_the_fixed_point_equations():
    # (y, u) -> (alpha, theta) explicitly; iterating the original equations at that (alpha, theta)
    # from the pattern must land on the same (M, q, C) (a stable point of the retrieval branch)
    for a, y, u in [(0.1, 6.0, -3.5), (0.05, 7.0, -4.0), (0.2, 5.0, -2.5)]:
        r = {k: float(v) for k, v in srs.from_yu(a, y, u).items()}
        it = srs.retrieval_state(a, r["alpha"], r["theta"])
        assert it["converged"]
        assert np.allclose([it["M"], it["q"], it["C"]], [r["M"], r["q"], r["C"]], atol=1e-9)


def test_first_iteration_is_the_one_step_theory():
    # one iteration from the pattern (M = 1, q = a, C = 0) gives the one-step bit errors of theory.sparse
    a, alpha, theta = 0.1, 0.3, 0.45
    r = srs.retrieval_state(a, alpha, theta, iterations=1)
    e = sparse.bit_errors()
    p1 = 1 - float(e["active"].evaluate(a=a, alpha=alpha, theta=theta))
    p0 = float(e["inactive"].evaluate(a=a, alpha=alpha, theta=theta))
    assert np.isclose(r["M"], p1 - p0) and np.isclose(r["q"], a * p1 + (1 - a) * p0)


def test_critical_alpha_is_where_the_iteration_collapses():
    # just below alpha_c(a, theta) the iteration from the pattern keeps M high; just above it collapses
    for a, theta in [(0.1, 0.45), (0.05, 0.5)]:
        c = srs.critical_alpha(a, theta)
        lo = srs.retrieval_state(a, 0.99 * c["alpha_c"], theta, iterations=200000)
        hi = srs.retrieval_state(a, 1.01 * c["alpha_c"], theta, iterations=200000)
        assert lo["M"] > 0.5 * c["M"] + 0.4 and hi["M"] < 0.5


def test_capacity_is_the_max_over_theta():
    c = srs.capacity(0.1)
    at = srs.critical_alpha(0.1, c["theta"])["alpha_c"]
    assert abs(at - c["alpha_c"]) < 1e-6
    for dth in (-0.05, 0.05):
        assert srs.critical_alpha(0.1, c["theta"] + dth)["alpha_c"] < c["alpha_c"]


def test_tsodyks_feigelman_limit_is_approached_slowly():
    # alpha_c 2 a |ln a| rises monotonically towards 1 with log corrections (0.20 at a = 0.1, 0.40 at 0.01,
    # 0.74 at 1e-40); the leading-order asymptote of theory.sparse
    a = np.array([1e-1, 1e-2, 1e-4, 1e-9, 1e-20, 1e-40])
    ratio = np.array([srs.capacity(x)["alpha_c"] / float(sparse.tsodyks_feigelman().evaluate(a=x)) for x in a])
    assert np.all(np.diff(ratio) > 0) and 0.7 < ratio[-1] < 1.0
    assert ratio[0] == pytest.approx(0.2031, abs=2e-3)


def test_bad_input():
    with pytest.raises(ValueError, match="a must lie in the open interval"):
        srs.capacity(1.5)
    with pytest.raises(ValueError, match="theta"):
        srs.critical_alpha(0.1, float("nan"))


def test_retrieval_run_matches_iterated_update():
    # slow twin: the float64 public update of hopfield.sparse, iterated
    rng = np.random.default_rng(5)
    for a, theta, P in [(0.1, 0.45, 60), (0.2, 0.3, 90)]:
        xi = (rng.random((P, 300)) < a).astype(np.int8)
        M, q, t, lost = retrieval_run(xi, a, theta, 1)
        V = update(xi, xi[0], a, theta)
        assert q == pytest.approx(V.mean()) and M == pytest.approx((xi[0] - a) @ V / (300 * a * (1 - a)))
        M, q, t, lost = retrieval_run(xi, a, theta, 30)
        V, prev = xi[0].astype(np.int64), None
        for _ in range(30):
            V2 = update(xi, V, a, theta).astype(np.int64)
            if np.array_equal(V2, V) or (prev is not None and np.array_equal(V2, prev)):
                V = V2
                break
            prev, V = V, V2
        if not lost:
            assert q == pytest.approx(V.mean())


SMALL = {"N": 1500, "cases": [[0.1, 0.45]], "loads": [0.7, 1.3], "networks": 16}


def test_check_passes_and_is_deterministic():
    r1 = run_check(CHECKS["sparse-capacity"], "quick", seed=3, **SMALL)
    r2 = run_check(CHECKS["sparse-capacity"], "quick", seed=3, **SMALL)
    assert r1.passed and [p.estimate for p in r1.points] == [p.estimate for p in r2.points]


@pytest.mark.parametrize("name", ["sparse-rs-no-reaction", "sparse-one-sided-mean"])
def test_check_fails_under_mutant(name):
    with MUTANTS[name].apply():
        assert not run_check(CHECKS["sparse-capacity"], "quick", seed=3, **SMALL).passed


def _figure_and_check_theory():
    """The theory the quick sparse-rs-capacity figure and the sparse-capacity check compute (the figure's
    full grid of 14 coding levels, 7 s more, was run the same way once without a warning)."""
    for x in np.logspace(-4, np.log10(0.3), 6):
        for reaction in (True, False):
            srs.capacity(float(x), reaction=reaction)
    for a, th in ((0.1, 0.45), (0.05, 0.5)):
        srs.critical_alpha(a, th)
    c = srs.capacity(0.1)
    for dth in (-0.05, 0.05):
        srs.critical_alpha(0.1, c["theta"] + dth)


def test_no_warning_leaks_from_the_capacity_computations():
    srs._capacity.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning, from scipy's minimisers or numpy, fails the test
        _figure_and_check_theory()


def test_mutant_infinite_penalty_warns(monkeypatch):
    # mutant: +inf off the retrieval branch, as before -> scipy's minimisers compute inf - inf and warn
    monkeypatch.setattr(srs, "_OFF_BRANCH", np.inf)
    srs._capacity.cache_clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(RuntimeWarning, match="invalid value"):
                _figure_and_check_theory()
    finally:
        srs._capacity.cache_clear()


def _scan(loads, kept, n=60):
    from simulations.checks.point import Point

    return [[Point("scan", float("nan"), k / n, 0.0, 1.0, 0.0, None, True,
                   {"crossing_scan": True, "N": 2000, "a": 0.05, "theta": 0.5, "load": f, "alpha_c": 0.65,
                    "kept": k, "trials": n}, kind="reported")] for f, k in zip(loads, kept)]


def test_crossing_combine_tests_the_fitted_crossing_against_the_measured_excess():
    # synthetic counts from a logistic curve centred at c (slope 40 per unit load): the fitted crossing is
    # judged against 1.077 +- 0.045; a crossing at 0.97 (the RS theory without Gamma/2 divides the load by
    # about 1.11) fails, one at 1.08 passes, and counts with no crossing inside the scan fail outright
    import simulations.checks.suite.sparse_capacity as sc

    loads = np.array([0.96, 1.0, 1.04, 1.08, 1.12, 1.16, 1.2])
    for c, ok in ((1.08, True), (0.97, False), (1.20, False)):
        kept = np.round(600 / (1 + np.exp(40 * (loads - c)))).astype(int)
        pt = sc.combine(_scan(loads, kept, 600))[-1]
        assert (pt.p_value > 0.01) is ok and pt.estimate == pytest.approx(c, abs=0.01), (c, pt)
    for kept in ([0] * 7, [60] * 7):  # everything lost (crossing below the scanned loads) or kept (above)
        pt = sc.combine(_scan(loads, kept))[-1]
        assert not pt.ok and pt.p_value == 0.0 and "scanned loads" in pt.label

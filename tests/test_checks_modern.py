"""The modern-Hopfield checks hold for Theorem 5 and the fixed-point radius, and fail on wrong ones."""

import theory.modern as tm
import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.registry import CHECKS, run_check

BOUND = {"configs": [[32, 16, 4.0]], "beta_factors": [1.0], "radii": [0.0, 0.05], "cues": 100}
FIXED = {"configs": [[16, 8, 3.0, "simplex"]], "starts": 5, "steps_max": 100}


class Scaled:
    def __init__(self, formula, factor):
        self.formula, self.factor = formula, factor

    def evaluate(self, **kw):
        return self.factor * self.formula.evaluate(**kw)


def test_bound_holds_and_is_not_vacuous():
    res = run_check(CHECKS["modern-retrieval-bound"], "quick", seed=1, **BOUND)
    assert res.passed
    assert max(p.params["max_ratio"] for p in res.points) > 1e-3  # within a small factor of the bound


def test_bound_without_its_2_n_minus_1_factor_fails(monkeypatch):
    real = tm.retrieval_error_bound()
    monkeypatch.setattr(tm, "retrieval_error_bound", lambda: Scaled(real, 1.0 / (2 * 15)))
    assert not run_check(CHECKS["modern-retrieval-bound"], "quick", seed=1, **BOUND).passed


def test_fixed_points_inside_and_a_too_small_radius_fails(monkeypatch):
    assert run_check(CHECKS["modern-fixed-points"], "quick", seed=2, **FIXED).passed
    real = tm.fixed_point_radius()
    monkeypatch.setattr(tm, "fixed_point_radius", lambda: Scaled(real, 1e-3))
    assert not run_check(CHECKS["modern-fixed-points"], "quick", seed=2, **FIXED).passed


def test_fixed_points_come_close_to_the_radius():
    # the radius is only tested if the fixed points come within a fair fraction of it
    res = run_check(CHECKS["modern-fixed-points"], "quick", seed=2, **FIXED)
    assert min(p.params["ratio"] for p in res.points) >= 0.3


def test_random_patterns_would_be_a_weak_test():
    # the reason for simplices: random patterns leave the fixed points far inside the sphere
    params = dict(FIXED, configs=[[512, 8, 3.0, "random"]])
    res = run_check(CHECKS["modern-fixed-points"], "quick", seed=2, **params)
    assert not res.passed and res.points[0].ok and not res.points[1].ok

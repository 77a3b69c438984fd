"""The exponential-memory check shows both sides of the bound and fails on a wrong bound."""

import theory.exponential as te
import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.registry import CHECKS, run_check

PARAMS = {"cases": [[0.1, 20, 0.75], [0.1, 20, 2.5]], "cues": 40}


def test_both_sides_show():
    res = run_check(CHECKS["exp-recovery"], "quick", seed=1, **PARAMS)
    assert res.passed
    below, above = res.points
    assert below.estimate >= 0.95 and above.estimate <= 0.5


def test_fails_with_a_bound_three_times_too_large(monkeypatch):
    real = te.demircigil_alpha()

    class Wrong:
        def evaluate(self, rho):
            return 3.0 * real.evaluate(rho=rho)

    monkeypatch.setattr(te, "demircigil_alpha", lambda: Wrong())
    # "below" is now 2.25x the true bound: most cues are lost
    res = run_check(CHECKS["exp-recovery"], "quick", seed=1, cases=[[0.2, 25]], cues=40, factors=[0.75])
    assert not res.passed and not res.points[0].ok


def test_fails_with_a_bound_three_times_too_small(monkeypatch):
    real = te.demircigil_alpha()

    class Wrong:
        def evaluate(self, rho):
            return real.evaluate(rho=rho) / 3.0

    monkeypatch.setattr(te, "demircigil_alpha", lambda: Wrong())
    # "above" is now 0.83x the true bound: every cue is recovered
    res = run_check(CHECKS["exp-recovery"], "quick", seed=1, **PARAMS)
    assert not res.passed and not res.points[1].ok

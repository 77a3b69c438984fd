"""The AGS checks pass on the RS theory and fail on a shifted theory or a wrong network."""

import theory.ags as ags
import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.registry import CHECKS, run_check

OVERLAP = {"Ns": [1000], "alphas": [0.1], "networks": 40}
CRITICAL = {"Ns": [250, 500, 1000], "alphas": [0.13, 0.16, 0.19, 0.22, 0.25], "networks": 25}  # a free exponent needs 3 sizes


def test_overlap_fails_with_a_shifted_theory(monkeypatch):
    assert run_check(CHECKS["ags-overlap"], "quick", seed=3, **OVERLAP).passed
    real = ags.retrieval_overlap
    monkeypatch.setattr(ags, "retrieval_overlap", lambda a: real(a + 0.03))  # m of a 30% heavier load
    assert not run_check(CHECKS["ags-overlap"], "quick", seed=3, **OVERLAP).passed


def test_critical_fails_with_a_wrong_alpha_c(monkeypatch):
    real = ags.critical()
    # with a free exponent, three small sizes and 25 networks the intercept is uncertain (+-0.08): a gross error
    monkeypatch.setattr(ags, "critical", lambda: {**real, "alpha_c": 0.5})
    res = run_check(CHECKS["ags-critical"], "quick", seed=4, **CRITICAL)
    assert not res.passed and not res.points[-1].ok


def test_critical_fails_with_the_self_coupled_network():
    # w_ii = P/N keeps every pattern stable across the grid: no crossing, so no verdict but "no"
    res = run_check(CHECKS["ags-critical"], "quick", seed=4, keep_diagonal=True, **CRITICAL)
    assert not res.passed

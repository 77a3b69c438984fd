"""The basins check passes on the two-step theory and fails on a wrong theory or a wrong network."""

import simulations.checks.suite  # noqa: F401  (registers the checks)
import theory.basins as basins
from simulations.checks.registry import CHECKS, run_check

SMALL = {"N": 1500, "cases": [[0.2, 0.5]], "networks": 12, "cues": 6}


def test_two_step_passes_and_fails_with_the_iterated_first_step(monkeypatch):
    assert run_check(CHECKS["basins-two-step"], "quick", seed=5, **SMALL).passed
    # mutant theory: step 2 predicted by iterating the first-step map (0.90 instead of 0.74)
    monkeypatch.setattr(basins, "second_step", basins.naive_second_step)
    res = run_check(CHECKS["basins-two-step"], "quick", seed=5, **SMALL)
    assert not res.passed and res.points[0].ok and not res.points[1].ok


def test_two_step_fails_with_the_self_coupled_network():
    # mutant simulator: W_ii = P/N; m1 rises from 0.736 to about 0.785
    res = run_check(CHECKS["basins-two-step"], "quick", seed=5, keep_diagonal=True, **SMALL)
    assert not res.passed and not res.points[0].ok

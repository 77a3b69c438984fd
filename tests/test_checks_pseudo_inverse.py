"""pseudo-inverse passes on the projection rule and fails on a wrong theory or a wrong network."""

import simulations.checks.suite  # noqa: F401  (registers the checks)
import theory.basins as basins
from simulations.checks.registry import CHECKS, run_check
from tests.check_helpers import Simulated

SMALL = {"N": 300, "cases": [[0.5, 0.5]], "networks": 6, "cues": 6}


def test_passes_and_fails_with_the_hebbian_step(monkeypatch):
    run = Simulated("pseudo-inverse", 3, **SMALL)  # the theory enters the combine step only: judged twice
    assert run.judge().passed
    # mutant theory: the Hebbian first step erf(m0/sqrt(2 alpha)) (0.520 instead of 0.436)
    monkeypatch.setattr(basins, "first_step_projection", basins.first_step)
    res = run.judge()
    assert not res.passed and not res.points[1].ok


def test_fails_with_the_hebbian_network():
    res = run_check(CHECKS["pseudo-inverse"], "quick", seed=3, rule="hebbian", **SMALL)
    assert not res.points[0].ok and not res.points[1].ok


def test_fails_with_the_diagonal_kept():
    # W_ii ~ alpha kept: the patterns stay fixed, but the step from m0 = 0.5 reaches 0.58, not 0.44
    res = run_check(CHECKS["pseudo-inverse"], "quick", seed=3, keep_diagonal=True, **SMALL)
    assert res.points[0].ok and not res.points[1].ok

"""ags-glauber passes on the RS overlap and fails on a wrong theory or a wrong temperature."""

import simulations.checks.suite  # noqa: F401  (registers the checks)
import theory.finite_t as ft
from simulations.checks.registry import CHECKS, run_check

SMALL = {"N": 1500, "cases": [[0.05, 0.45], [0.05, 0.7]], "networks": 8, "cues": 4, "sweeps": 25}


def test_passes_and_fails_with_the_curie_weiss_overlap(monkeypatch):
    assert run_check(CHECKS["ags-glauber"], "quick", seed=1, **SMALL).passed
    # mutant theory: m = tanh(m/T), ignoring the crosstalk noise (0.974 instead of 0.942; retrieval above T_M)
    monkeypatch.setattr(ft, "retrieval_overlap", lambda a, T: ft.curie_weiss_overlap(T))
    res = run_check(CHECKS["ags-glauber"], "quick", seed=1, **SMALL)
    assert not res.points[0].ok and not res.points[1].ok


def test_fails_with_a_heat_bath_rule_at_twice_the_temperature():
    # mutant simulator: P(s = +1) = 1/(1 + exp(-h/T)) (factor 2 missing), i.e. T doubled: the pattern is lost
    res = run_check(CHECKS["ags-glauber"], "quick", seed=1, T_factor=2.0, **SMALL)
    assert not res.passed and not res.points[0].ok

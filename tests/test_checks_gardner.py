"""gardner-perceptron passes on Gardner's alpha_c(kappa), fails on a wrong formula or a wrong learning rule."""

import sympy as sp

import simulations.checks.suite  # noqa: F401  (registers the checks)
import theory.gardner as gardner
from simulations.checks.registry import CHECKS, run_check
from theory.formula import Formula, Phi

SMALL = {"N": 50, "grids": {"0.5": [0.7, 0.85, 1.0, 1.15, 1.3]}, "trials": 40, "max_updates": 10000}


def test_passes_and_fails_without_the_kappa_phi_term(monkeypatch):
    assert run_check(CHECKS["gardner-perceptron"], "quick", seed=2, **SMALL).passed
    k = sp.Symbol("kappa", nonnegative=True)
    wrong = Formula("wrong", 1 / ((1 + k**2) * Phi(k)), (k,), source="-", assumptions="-", definition="-")
    monkeypatch.setattr(gardner, "alpha_c", lambda: wrong)  # 1.157 instead of 0.961 at kappa = 0.5
    assert not run_check(CHECKS["gardner-perceptron"], "quick", seed=2, **SMALL).passed


def test_fails_when_the_learning_rule_asks_for_half_the_stability():
    res = run_check(CHECKS["gardner-perceptron"], "quick", seed=2, kappa_factor=0.5, **SMALL)
    assert not res.passed

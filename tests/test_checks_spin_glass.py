"""The spin-glass-line check: passes, catches its mutants, and its estimator measures what it says."""

import numpy as np
import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.suite.spin_glass import autocorrelations
from simulations.checks.registry import CHECKS, run_check
from tests.check_helpers import Simulated
from tests.mutants import MUTANTS


@pytest.fixture(scope="module")
def quick_run():
    """The check's units at quick size, simulated once: T_g and q enter only its combine step."""
    return Simulated("ags-spin-glass", 1)


def test_passes_at_quick_size(quick_run):
    res = quick_run.judge()
    assert res.passed
    below, above = res.points[0], res.points[-1]
    assert below.estimate > 0.05 and abs(above.estimate) < 0.03


def test_quick_size_rejects_a_theory_without_frozen_spins(quick_run, monkeypatch):
    """A theory predicting q = 0 below T_g fails at quick size at two seeds; the correct q passes at both.
    (With the former below case T = 1.35, q_RS = 0.10, it passed at seed 0: p = 0.047 before Holm.)"""
    import theory.ags as ags
    from tests.check_helpers import Simulated

    for run in (quick_run, Simulated("ags-spin-glass", 0)):
        assert run.judge().passed
        with monkeypatch.context() as mp:
            mp.setattr(ags, "spin_glass_q", lambda alpha, T: 0.0)
            res = run.judge()
        assert not res.passed and not res.points[0].ok, res.points[0]


@pytest.mark.parametrize("mutant", ["tg-one-plus-alpha", "tg-two-sqrt"])
def test_mutants_are_caught(quick_run, mutant):
    with MUTANTS[mutant].apply():
        res = quick_run.judge()
    assert not res.passed, f"{mutant} survives ags-spin-glass"
    assert quick_run.judge().passed  # leaving the mutant restores the verdict


def test_autocorrelation_is_one_at_a_fixed_point_and_deterministic():
    # T = 0 is the deterministic rule: after t_w sweeps at a fixed point nothing moves, C = 1 exactly
    C = autocorrelations(seed=2, N=60, alpha=0.05, T=0.0, networks=3, starts=2, t_w=100, tau=5)
    assert np.array_equal(C, np.ones(3))
    a = autocorrelations(seed=2, N=200, alpha=0.25, T=1.2, networks=2, starts=2, t_w=5, tau=5)
    b = autocorrelations(seed=2, N=200, alpha=0.25, T=1.2, networks=2, starts=2, t_w=5, tau=5)
    assert np.array_equal(a, b)


def test_autocorrelation_vanishes_at_high_temperature():
    # T = 20: every spin is nearly a fair coin at each visit; C has mean 0 and sd 1/sqrt(N starts)
    C = autocorrelations(seed=3, N=2000, alpha=0.1, T=20.0, networks=4, starts=2, t_w=3, tau=3)
    assert np.all(np.abs(C) < 5 / np.sqrt(2000 * 2))

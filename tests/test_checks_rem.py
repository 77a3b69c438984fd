"""The REM-threshold check passes on the code and fails under each of its mutants (tests/mutants.py)."""

import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.registry import CHECKS, run_check
from tests.mutants import MUTANTS

PARAMS = {"cases": [[0.3, 80, 0.7], [0.3, 80, 1.0], [0.3, 80, 1.3]], "cues": 100}


def test_passes_and_shows_both_sides():
    res = run_check(CHECKS["exp-rem-threshold"], "quick", seed=3, **PARAMS)
    assert res.passed
    ests = [p.estimate for p in res.points]
    assert ests[0] >= 0.9 and ests[-1] <= 0.5  # below / above alpha_1


@pytest.mark.parametrize("mutant", ["rem-alpha1-demircigil", "rem-no-condensation", "rem-ties-recovered"])
def test_mutants_are_caught(mutant):
    with MUTANTS[mutant].apply():
        res = run_check(CHECKS["exp-rem-threshold"], "quick", seed=3)  # the quick size the catalogue declares
    assert not res.passed, f"{mutant} survives exp-rem-threshold"
    assert run_check(CHECKS["exp-rem-threshold"], "quick", seed=3).passed  # restored


def test_same_seed_same_counts():
    a = run_check(CHECKS["exp-rem-threshold"], "quick", seed=4, cases=[[0.3, 60, 1.0]], cues=20)
    b = run_check(CHECKS["exp-rem-threshold"], "quick", seed=4, cases=[[0.3, 60, 1.0]], cues=20)
    assert [p.estimate for p in a.points] == [p.estimate for p in b.points]


@pytest.mark.parametrize("case", [[0.01, 100, 1.0], [0.31, 80, 1.0], [0.3, 80, 0.0]])
def test_bad_cases_are_refused(case):
    with pytest.raises(ValueError, match="exp-rem-threshold"):
        run_check(CHECKS["exp-rem-threshold"], "quick", seed=0, cases=[case], cues=10)

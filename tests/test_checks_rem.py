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


RACE_CASE = {"cases": [[0.3, 50, 1.6]], "cues": 600}  # count 0.092, race 0.170: the race term is 0.08 here


@pytest.mark.parametrize("seed", [0, 1])
def test_race_model_passes_where_the_count_alone_is_rejected(seed, monkeypatch):
    """The curve test follows the race model; the closest-competitor count alone (its leading order) fails."""
    import theory.rem as rem

    res = run_check(CHECKS["exp-rem-threshold"], "quick", seed=seed, **RACE_CASE)
    assert res.passed, res.points
    count = lambda N, M, rho, **kw: (float(rem.recovery_probability().evaluate(N=N, M=M, rho=rho)), 0.0)
    monkeypatch.setattr(rem, "race_recovery_probability", count)
    bad = run_check(CHECKS["exp-rem-threshold"], "quick", seed=seed, **RACE_CASE)
    assert not bad.points[0].ok and not bad.passed


@pytest.mark.slow
def test_race_model_against_its_error_model():
    """The race model's tolerance terms: Monte Carlo se as stated, and the truncation at A - 3 within 0.01.

    Deeper truncation (A - 4) at 20 000 draws must agree with A - 3 within the check's truncation allowance
    plus 3 standard errors of the difference; a model without the race (the count) is far outside it.
    """
    import theory.rem as rem
    from simulations.checks.suite.rem import RACE_TRUNCATION

    N, M, rho = 80, 5205, 0.3  # f = 1.3, above the threshold, where the race matters most
    p3, se3 = rem.race_recovery_probability(N, M, rho, samples=20_000, seed=5, depth=3)
    p4, se4 = rem.race_recovery_probability(N, M, rho, samples=20_000, seed=6, depth=4)
    assert abs(p4 - p3) <= RACE_TRUNCATION + 3 * (se3 ** 2 + se4 ** 2) ** 0.5
    count = float(rem.recovery_probability().evaluate(N=N, M=M, rho=rho))
    assert abs(count - p3) > RACE_TRUNCATION + 3 * se3  # the next order is resolved: 0.309 vs 0.36
    # the race resolves ties about half the time: between the count and the ties-recovered count
    from scipy import stats
    k = round(rho * N)
    ties_won = (1.0 - stats.binom.sf(N - k, N, 0.5)) ** (M - 1)
    assert count < p3 < ties_won


def test_race_model_refuses_bad_input():
    import theory.rem as rem

    for kw in ({"N": 80, "M": 1, "rho": 0.3}, {"N": 80, "M": 10, "rho": 0.31}, {"N": 80, "M": 10, "rho": 0.3,
                                                                               "samples": 0}):
        with pytest.raises(ValueError, match="race_recovery_probability"):
            rem.race_recovery_probability(**kw)

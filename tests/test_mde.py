"""Minimum detectable error of the checks' points, smoke checks and the run-wide false-alarm control.

The MDE formula is held against a direct power computation: the test's own
decision is simulated many times with the truth at ``theory + MDE`` and must
reject about 80% of the time. The same computation at a deliberately wrong MDE
(the tolerance left out, or the one-sided quantile) finds a power far from 80%,
so these tests can fail.
"""

import math

import numpy as np
import pytest

from simulations.checks.point import CheckResult, Point
from simulations.checks.registry import (CHECKS, FAMILY_ALPHA, Work, finish_check, key_mde, key_point,
                                         register_check)
from simulations.checks.runner import result_from_dict, run_wide, table
from simulations.checks.stats import binomial_point, mean_point, t_point

ALPHA = 0.01


def power_of(decide, reps=3000):
    """Fraction of ``reps`` simulated decisions that reject."""
    return float(np.mean([decide(r) for r in range(reps)]))


def z_power(theory, tol, sd, n, shift, seed):
    rng = np.random.default_rng(seed)
    samples = rng.normal(theory + shift, sd, size=(2000, n))
    return power_of(lambda r: mean_point("x", samples[r], theory, tol, 0.99).p_value <= ALPHA, reps=2000)


def test_z_point_mde_gives_80_percent_power():
    theory, tol, sd, n = 0.3, 0.1, 0.5, 200
    ref = mean_point("x", np.random.default_rng(0).normal(theory, sd, n), theory, tol, 0.99)
    assert ref.detectable(ALPHA) == pytest.approx(tol + (2.5758 + 0.8416) * ref.se, rel=1e-3)
    mde = Point("x", theory, theory, 0, 1, tol, 1.0, se=sd / math.sqrt(n)).detectable(ALPHA)  # at the true se
    assert abs(z_power(theory, tol, sd, n, mde, 1) - 0.80) < 0.035
    # the same computation sees a wrong formula: without the tolerance the power is far below 80%
    assert z_power(theory, tol, sd, n, mde - tol, 2) < 0.3


def test_t_point_mde_gives_80_percent_power():
    theory, tol, sd, n = 0.5, 0.0, 0.1, 12
    rng = np.random.default_rng(3)
    se = sd / math.sqrt(n)  # the t-test's standard error is estimated; its MDE is stated at the true one
    mde = Point("x", theory, theory, 0, 1, tol, 1.0, se=se, n=n, dist="t").detectable(ALPHA)
    x = rng.normal(theory + mde, sd, size=(3000, n))
    power = power_of(lambda r: t_point("x", x[r].mean(), x[r].std(ddof=1), n, theory, tol, 0.99).p_value <= ALPHA)
    assert abs(power - 0.80) < 0.05
    z_only = Point("x", theory, theory, 0, 1, tol, 1.0, se=se, n=n, dist="z").detectable(ALPHA)
    assert z_only < mde  # normal quantiles understate a 12-network t-test's MDE


def binomial_power(theory, tol, n, truth):
    """The exact power of ``binomial_point``'s test at level ALPHA when the true proportion is ``truth``."""
    from scipy import stats

    ks = np.arange(n + 1)
    pmf = stats.binom.pmf(ks, n, truth)
    near = ks[pmf > 1e-9]
    return float(sum(pmf[k] for k in near if binomial_point("x", int(k), n, theory, tol, 0.99).p_value <= ALPHA))


@pytest.mark.parametrize("theory, tol, n", [(0.3, 0.02, 400), (0.05, 0.0, 1000), (0.9, 0.05, 300)])
def test_binomial_point_mde_gives_80_percent_power(theory, tol, n):
    mde = binomial_point("x", int(round(theory * n)), n, theory, tol, 0.99).detectable(ALPHA)
    powers = [binomial_power(theory, tol, n, theory + s * mde) for s in (+1, -1) if 0 <= theory + s * mde <= 1]
    # the larger of the two sides is stated: both sides are detected with about 80% or more (exact test, lattice)
    assert 0.74 < min(powers) < 0.9 and max(powers) < 0.95
    # a wrong formula (the tolerance left out) is seen by the same computation
    assert max(binomial_power(theory, tol, n, theory + s * (mde - tol - 0.3 * (mde - tol)))
               for s in (+1, -1) if 0 <= theory + s * mde <= 1) < 0.6


def test_binomial_edge_mde_is_exact():
    n = 60
    mde = binomial_point("x", n, n, 1.0, 0.0, 0.99).detectable(ALPHA)
    assert mde == pytest.approx(1 - 0.2 ** (1 / n))
    assert 1 - (1 - mde) ** n == pytest.approx(0.8)  # P(at least one miss) at the truth 1 - MDE


def test_bound_point_uses_one_sided_quantile():
    p = Point("x", 1.0, 0.9, 0.8, 1.0, 0.0, 0.5, kind="le", se=0.05)
    assert p.detectable(ALPHA) == pytest.approx((2.3263 + 0.8416) * 0.05, rel=1e-3)
    assert math.isnan(Point("b", 1.0, 0.9, 0.9, 0.9, kind="le").mde)  # deterministic bound: no sampling error
    assert math.isnan(Point("r", 1.0, 0.9, 0.8, 1.0, kind="reported").mde)


def test_stored_or_recovered_standard_error():
    p = mean_point("x", np.arange(100.0), 50.0, 0.0, 0.99)
    bare = Point("x", p.theory, p.estimate, p.low, p.high, p.tolerance, p.p_value)  # built without se
    assert bare.std_error == pytest.approx(p.se, rel=1e-6)
    assert bare.mde == pytest.approx(p.mde, rel=1e-6)


def _fake_check(points_fn, m, key=None, smoke=()):
    from simulations.checks.registry import Check

    return Check("fake", "t", "th", "te", points_fn, {"quick": {}, "full": {}}, smoke=smoke, key=key)


@pytest.mark.slow
def test_check_mde_gives_80_percent_power_under_holm():
    """One point of m = 3 wrong by the check's MDE: the check (Holm at 1%) fails about 80% of the time.

    Marked slow (2 x 800 simulated checks, 4-10 s): the per-point power tests above cover the formula.
    """
    m, n, sd, tol = 3, 300, 1.0, 0.05
    rng = np.random.default_rng(7)
    ref = [Point(f"p{i}", 1.0, 1.0, 0.0, 2.0, tol, 1.0, se=sd / math.sqrt(n)) for i in range(m)]
    mde, label, rel = key_mde(ref, key="p0")
    assert label == "p0" and rel == pytest.approx(mde / 1.0)
    assert mde > ref[0].mde  # Holm's first step asks for more than one point's 1%
    chk = _fake_check(None, m)

    def fails(shift):
        pts = [mean_point(f"p{i}", rng.normal(1.0 + (shift if i == 0 else 0.0), sd, n), 1.0, tol, 0.99)
               for i in range(m)]
        return not finish_check(chk, "quick", 0, {}, Work([], lambda out: pts), [], 0.0).passed

    assert abs(power_of(lambda r: fails(mde), reps=800) - 0.80) < 0.045
    assert power_of(lambda r: fails(ref[0].mde), reps=800) < 0.72  # the per-point MDE overstates the power


def test_key_point_relative_and_declared():
    big = Point("big relative", 0.1, 0.1, 0.0, 0.2, 0.0, 1.0, se=0.02)
    small = Point("small relative", 10.0, 10.0, 9.0, 11.0, 0.0, 1.0, se=0.05)
    zero = Point("zero theory", 0.0, 0.0, -1.0, 1.0, 0.0, 1.0, se=0.5)
    assert key_point([small, big, zero]) is big
    assert key_point([small, big, zero], key="small") is small
    assert key_point([zero]) is zero and math.isnan(key_mde([zero])[2])
    assert key_point([Point("r", 1, 1, 1, 1, kind="reported")]) is None


def test_result_round_trip_keeps_mde():
    pts = [binomial_point("a", 30, 60, 0.5, 0.0, 0.99), mean_point("b", np.arange(50.0), 24.5, 0.1, 0.99)]
    chk = _fake_check(None, 2, smoke=("quick",))
    r = finish_check(chk, "quick", 0, {}, Work([], lambda out: pts), [], 0.0)
    back = result_from_dict(r.to_dict())
    assert back.mde == pytest.approx(r.mde) and back.mde_point == r.mde_point and back.smoke
    assert [p.mde for p in back.points] == pytest.approx([p.mde for p in r.points])


def test_smoke_flag_and_mde_column_in_table():
    name = "test-mde-smoke-check"

    @register_check(name, title="t", theory="th", test="te", quick={}, full={}, smoke=True)
    def _smoke(*, seed):
        return [mean_point("only", np.arange(10.0), 4.5, 0.0, 0.99)]

    try:
        from simulations.checks.registry import run_check

        smoke = run_check(CHECKS[name], "quick", 0)
        plain = finish_check(_fake_check(None, 1), "quick", 0, {}, Work([], lambda out: [
            mean_point("p", np.arange(10.0), 4.5, 0.0, 0.99)]), [], 0.0)
        assert smoke.smoke and not plain.smoke and not run_check(CHECKS[name], "full", 0).smoke
        text = table([plain, smoke])
        head, _, tail = text.partition("smoke checks")
        assert "MDE (key)" in head and "fake" in head and name not in head
        assert name in tail and "fake" not in tail
        assert "smoke checks" not in table([plain])
    finally:
        del CHECKS[name]
    with pytest.raises(ValueError, match="smoke"):
        register_check("bad-smoke", title="", theory="", test="", quick={}, full={}, smoke=("tiny",))
    with pytest.raises(TypeError, match="key"):
        register_check("bad-key", title="", theory="", test="", quick={}, full={}, key="")


def _result(name, p_values, det_ok=True):
    pts = [Point(f"p{i}", 0, 0, 0, 0, p_value=p) for i, p in enumerate(p_values)]
    pts.append(Point("bound", 1.0, 0.5, 0.5, 0.5, ok=det_ok, kind="le"))
    return CheckResult(name, "", "", "", "quick", 0, pts, det_ok and min(p_values) * len(p_values) > FAMILY_ALPHA, 0.0)


def test_run_wide_holm_over_check_p_values():
    ok = [_result(f"c{i}", [0.5, 0.2]) for i in range(38)]
    assert ok[0].p_check == pytest.approx(0.4)
    assert run_wide(ok)["passed"] and run_wide(ok)["first_step"] == pytest.approx(0.05 / 38)
    # a check failing its own 1% family (p_check 0.004) is not a run-wide failure among 38 (0.004 > 0.05/38)
    one = ok[:-1] + [_result("weak", [0.002, 0.9])]
    assert not one[-1].passed and run_wide(one)["passed"]
    # a p_check below 0.05/38 is, and a failed deterministic comparison always is
    assert run_wide(ok[:-1] + [_result("strong", [0.0005, 0.9])])["failed"] == ["strong"]
    assert run_wide(ok[:-1] + [_result("det", [0.5, 0.5], det_ok=False)])["failed"] == ["det"]
    with pytest.raises(ValueError, match="alpha"):
        run_wide(ok, alpha=1.5)

import math

import pytest
from scipy import stats as sst

from simulations.checks import registry
from simulations.checks.stats import binomial_point, bound_point, holm, mean_point


def test_holm_matches_hand_computation():
    # p sorted: 0.001 <= 0.01/4, 0.011 > 0.01/3 stops; so only the first is rejected.
    assert holm([0.011, 0.001, 0.5, 0.02], 0.01) == [False, True, False, False]
    assert holm([0.001, 0.002, 0.003], 0.01) == [True, True, True]


def test_binomial_point_uses_band_edge():
    # 60/100 against 0.5 +- 0.05: nearest null is 0.55, p-value is binomtest(60, 100, 0.55).
    p = binomial_point("x", 60, 100, 0.5, tolerance=0.05)
    assert p.p_value == pytest.approx(sst.binomtest(60, 100, 0.55).pvalue)
    assert p.low < 0.6 < p.high
    inside = binomial_point("x", 52, 100, 0.5, tolerance=0.05)
    assert inside.p_value == pytest.approx(1.0)


def test_mean_point_z_test():
    p = mean_point("m", [0.0, 1.0] * 50, 0.3)
    se = math.sqrt(0.25 * 100 / 99) / 10
    assert p.p_value == pytest.approx(2 * sst.norm.sf(0.2 / se))


def test_run_check_says_no(monkeypatch):
    monkeypatch.setattr(registry, "CHECKS", {})

    @registry.register_check("toy", title="t", theory="t", test="t", quick={"k": 90}, full={"k": 90})
    def toy(*, seed, k):
        return [binomial_point("a", k, 100, 0.5), bound_point("b", 1.0, 2.0)]

    res = registry.run_check(registry.CHECKS["toy"], "quick", seed=0)
    assert not res.passed and not res.points[0].ok and res.points[1].ok
    res = registry.run_check(registry.CHECKS["toy"], "quick", seed=0, k=50)
    assert res.passed
    with pytest.raises(ValueError, match="registered twice"):
        registry.register_check("toy", title="t", theory="t", test="t", quick={}, full={})(toy)


def test_families_and_seconds_are_declared_with_the_check(monkeypatch):
    from simulations.checks.schedule import DEFAULT_SECONDS, check_seconds, unit_weights

    monkeypatch.setattr(registry, "CHECKS", {})

    def toy(*, seed):
        return []

    registry.register_check("toy-timed", title="t", theory="t", test="t", quick={}, full={}, families=("dense",),
                            seconds={"quick": 2.5, "full": 40})(toy)
    registry.register_check("toy-untimed", title="t", theory="t", test="t", quick={}, full={})(toy)
    timed, untimed = registry.CHECKS["toy-timed"], registry.CHECKS["toy-untimed"]
    assert timed.families == ("dense",) and untimed.families is None
    assert (check_seconds("toy-timed", "quick"), check_seconds("toy-timed", "full")) == (2.5, 40.0)
    # a check (or a size) without an estimate, and a name nobody registered, count the default
    assert check_seconds("toy-untimed", "full") == check_seconds("nobody", "quick") == DEFAULT_SECONDS
    units = [registry.Unit(toy, {}, cost=1.0), registry.Unit(toy, {}, cost=3.0)]
    assert unit_weights("toy-timed", "full", units) == [10.0, 30.0]
    for bad, match in (({"families": "dense"}, "families must be a tuple"),
                       ({"seconds": {"medium": 1}}, "sizes 'quick', 'full' and 'huge'"),
                       ({"seconds": {"quick": -1}}, r"seconds\['quick'\] must be a number >= 0")):
        with pytest.raises((TypeError, ValueError), match=match):
            registry.register_check("toy-bad", title="t", theory="t", test="t", quick={}, full={}, **bad)

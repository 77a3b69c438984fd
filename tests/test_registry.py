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

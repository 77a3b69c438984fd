"""The skewness-corrected z-test of ``simulations.checks.stats.summary_point`` (``skew=``)."""

import numpy as np
import pytest
from scipy import stats

from simulations.checks.stats import skew_corrected, summary_point


def _rejection_rates(skewed: bool):
    """Two-sided 1% rejection rate, and that of low means, of the mean of n = 2000 Gamma(0.02) draws (skewness 14)
    over 2000 replicates of a fixed seed; the truth is the tested mean."""
    n, reps, shape = 2000, 2000, 0.02
    x = np.random.default_rng(20240611).gamma(shape, 1.0, (reps, n))
    m, sd, g = x.mean(1), x.std(1, ddof=1), stats.skew(x, axis=1)
    p = np.array([summary_point("x", m[i], sd[i], n, shape, skew=g[i] if skewed else None).p_value
                  for i in range(reps)])
    return float(np.mean(p <= 0.01)), float(np.mean((p <= 0.01) & (m < shape)))


@pytest.mark.slow  # a level measured over 2000 replicates: a statistical test, about 1-2 s
def test_skew_correction_restores_the_level_that_the_plain_test_inflates():
    plain, plain_low = _rejection_rates(False)
    corrected, corrected_low = _rejection_rates(True)
    # measured: plain 0.025 (low means 0.025), corrected 0.010 (0.006); binomial sd of a 1% rate: 0.0022;
    # about 2 s on a loaded core (2000 replicates are the fewest that resolve 1% from 2.5%)
    assert plain > 0.017 and plain_low > 0.015          # the plain test's level is broken, in its left tail
    assert 0.004 < corrected < 0.015 and corrected_low < 0.009


def test_hall_is_increasing_where_johnson_folds_back():
    t = np.linspace(-60, 60, 2401)
    hall = np.array([skew_corrected(v, 20.0, 2000) for v in t])
    johnson = np.array([skew_corrected(v, 20.0, 2000, "johnson") for v in t])
    assert np.all(np.diff(hall) > 0)
    assert not np.all(np.diff(johnson) > 0)             # a very low mean reads as a high one
    assert skew_corrected(-3.0, 0.0, 2000) == -3.0


def test_corrected_interval_is_the_set_the_test_accepts():
    p = summary_point("x", 1.0, 2.0, 500, 0.9, level=0.99, skew=8.0)
    for edge in (p.low, p.high):
        assert summary_point("x", 1.0, 2.0, 500, edge, level=0.99, skew=8.0).p_value == pytest.approx(0.01, rel=1e-6)
    # right skew: the interval reaches further above the mean than below it
    assert p.high - p.estimate > p.estimate - p.low
    plain = summary_point("x", 1.0, 2.0, 500, 0.9, level=0.99)
    assert plain.high - plain.estimate == pytest.approx(plain.estimate - plain.low)


@pytest.mark.parametrize("kw, match", [({"skew": float("nan")}, "skew"), ({"skew": 1.0, "correction": "x"}, "correction")])
def test_bad_skew_options(kw, match):
    with pytest.raises(ValueError, match=match):
        summary_point("x", 1.0, 1.0, 100, 1.0, **kw)

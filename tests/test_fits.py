import numpy as np
import pytest
from scipy import stats as sst

from simulations.core.fits import finite_size_fit, logistic_crossing
from simulations.checks.registry import Point
from simulations.checks.stats import bound_point, estimate_point, summary_point


def test_logistic_crossing_recovers_a_known_curve():
    # expected counts of an exact logistic curve with crossing 0.15 are fitted exactly
    x = np.linspace(0.1, 0.2, 6)
    n = np.full(6, 10**6)
    p = 1 / (1 + np.exp(-(-60 * (x - 0.15))))
    xc, se = logistic_crossing(x, p * n, n)
    assert xc == pytest.approx(0.15, abs=1e-9) and 0 < se < 1e-3


def test_finite_size_fit_exact_line():
    N = np.array([500.0, 1000.0, 2000.0, 5000.0])
    y = 0.138 + 0.9 * N**-0.5
    a, se, slope, red = finite_size_fit(N, y, np.full(4, 1e-3))
    assert a == pytest.approx(0.138) and slope == pytest.approx(0.9) and red == pytest.approx(0.0, abs=1e-12)
    assert se > 0


def test_summary_and_estimate_points():
    p = summary_point("m", 0.5, 0.2, 100, 0.45, tolerance=0.01)
    assert p.p_value == pytest.approx(2 * sst.norm.sf(0.04 / 0.02))
    q = estimate_point("e", 0.14, 0.005, 0.138, 0.015)
    assert q.p_value == 1.0 and q.low == pytest.approx(0.14 - 1.959964 * 0.005, rel=1e-6)


def test_bound_point_margin_and_sides():
    assert bound_point("b", 1.0, 2.0).margin == 1.0 and bound_point("b", 3.0, 2.0).margin == -1.0
    assert not bound_point("b", 3.0, 2.0).ok and bound_point("b", 3.0, 2.0, "ge").ok
    assert bound_point("b", 3.0, 2.0, "ge").margin == 1.0
    with pytest.raises(ValueError, match="side"):
        bound_point("b", 1.0, 2.0, "lt")
    assert Point("p", 0.5, 0.6, 0.55, 0.65, 0.1).margin == pytest.approx(0.05)


def test_free_exponent_fit_recovers_known_parameters():
    # exact data y = 0.14 + 2 N^-0.7 with small errors: the fit returns the three parameters
    import numpy as np

    from simulations.core.fits import finite_size_fit_free

    N = np.array([250.0, 500, 1000, 2000, 5000])
    y = 0.14 + 2.0 * N**-0.7
    fit = finite_size_fit_free(N, y, np.full(N.size, 1e-4))
    assert abs(fit["y_inf"] - 0.14) < 1e-6 and abs(fit["gamma"] - 0.7) < 1e-4 and abs(fit["a"] - 2.0) < 1e-3
    # a wrong fixed exponent would bias the intercept: the free fit's error must cover the truth here
    noisy = y + np.array([1e-3, -1e-3, 5e-4, -5e-4, 2e-4])
    fit = finite_size_fit_free(N, noisy, np.array([1e-3, 1e-3, 5e-4, 5e-4, 2e-4]))
    assert abs(fit["y_inf"] - 0.14) < 3 * fit["se_inf"]

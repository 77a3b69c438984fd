"""Amit-Gutfreund-Sompolinsky replica-symmetric theory: T = 0 closed form and finite-T lines."""

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq
from scipy.special import erf

from theory import ags
from theory.formula import sym


def test_critical_point_reference_values():
    # AGS 1987, recomputed (docs/references.md, ags): 0.137906 at y = 1.51122, m_c = 0.967417 (6 significant digits)
    c = ags.critical()
    assert c["alpha_c"] == pytest.approx(0.137906, abs=5e-7)
    assert c["m_c"] == pytest.approx(0.967417, abs=5e-7)
    assert c["y_c"] == pytest.approx(1.51122, abs=5e-6)
    assert (1 - c["m_c"]) / 2 == pytest.approx(0.0163, abs=5e-5)  # 1.63 % wrong bits


def test_alpha_of_y_from_the_rs_equations():
    m, alpha, r, y = sp.symbols("m alpha r y", positive=True)
    C = sp.sqrt(2 / (sp.pi * alpha * r)) * sp.exp(-m**2 / (2 * alpha * r))
    s = m / (sp.sqrt(2) * y)
    derived = (s**2 * (1 - C.subs(alpha, s**2 / r)) ** 2).subs(m, sp.erf(y))
    assert sp.simplify(derived - ags.alpha_of_y().expr.subs(sym("y"), y)) == 0


def _solve_t0_directly(alpha):
    """Independent route: iterate the original T = 0 equations (m, C, r) from m = 1."""
    m, r = 1.0, 1.0
    for _ in range(5000):
        s2 = alpha * r
        C = np.sqrt(2 / (np.pi * s2)) * np.exp(-m * m / (2 * s2))
        m, r = erf(m / np.sqrt(2 * s2)), 1 / (1 - C) ** 2
    return m


@pytest.mark.parametrize("alpha", [0.02, 0.08, 0.12, 0.135])
def test_retrieval_overlap_matches_direct_iteration(alpha):
    assert ags.retrieval_overlap(alpha) == pytest.approx(_solve_t0_directly(alpha), abs=1e-9)


def test_retrieval_overlap_shape_nan_and_ends():
    a = np.array([[0.0, 0.05], [0.137, 0.2]])
    m = ags.retrieval_overlap(a)
    assert m.shape == (2, 2)
    assert m[0, 0] == 1.0 and np.isnan(m[1, 1])
    grid = ags.retrieval_overlap(np.linspace(0.001, ags.critical()["alpha_c"], 30))
    assert np.all(np.diff(grid) <= 0) and grid[-1] == pytest.approx(ags.critical()["m_c"], abs=1e-6)
    assert isinstance(ags.retrieval_overlap(0.1), float)
    with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
        ags.retrieval_overlap(-0.1)


def test_finite_T_retrieval_tends_to_the_T0_solution():
    # m(alpha, T) -> erf(y) as T -> 0; the correction is O(T^2) for a retrieval state
    m0 = ags.retrieval_overlap(0.1)
    d1 = abs(ags.retrieval_state(0.1, 0.05)["m"] - m0)
    d2 = abs(ags.retrieval_state(0.1, 0.025)["m"] - m0)
    assert d2 < 1e-4 and d2 < d1
    # the retrieval line alpha_M(T) approaches alpha_c (it is slightly re-entrant on the way)
    a = [ags.alpha_retrieval_max(T)["alpha"] for T in (0.04, 0.02, 0.01)]
    ac = ags.critical()["alpha_c"]
    assert abs(a[2] - ac) < 3e-4 and abs(a[2] - ac) < abs(a[1] - ac)


def test_rs_equations_hold_at_the_finite_T_solution():
    alpha, T = 0.05, 0.4
    sol = ags.retrieval_state(alpha, T)
    beta = 1 / T
    m_rhs = ags.z_average(lambda z: np.tanh(beta * (sol["m"] + np.sqrt(alpha * sol["r"]) * z)))
    q_rhs = ags.z_average(lambda z: np.tanh(beta * (sol["m"] + np.sqrt(alpha * sol["r"]) * z)) ** 2)
    assert m_rhs == pytest.approx(sol["m"], abs=1e-10)
    assert q_rhs == pytest.approx(sol["q"], abs=1e-10)
    assert sol["r"] == pytest.approx(sol["q"] / (1 - beta * (1 - sol["q"])) ** 2, rel=1e-12)


def test_free_energy_is_stationary_at_the_rs_solutions():
    # the RS equations are the saddle point of the free energy: its gradient vanishes there
    alpha, T, h = 0.05, 0.4, 1e-5
    for sol in (ags.retrieval_state(alpha, T), None):
        if sol is None:  # spin-glass solution (m = 0) below T_g
            T = 0.9
            q = ags.spin_glass_q(alpha, T)
            sol = {"m": 0.0, "q": q, "r": q / (1 - (1 - q) / T) ** 2}
        x = np.array([sol["m"], sol["q"], sol["r"]])
        for k in range(3):
            e = np.zeros(3)
            e[k] = h
            g = (ags.free_energy(*(x + e), alpha, T) - ags.free_energy(*(x - e), alpha, T)) / (2 * h)
            assert abs(g) < 1e-7


@pytest.mark.parametrize("alpha", [1e-4, 0.001, 0.01, 0.05])
def test_spin_glass_line_is_one_plus_sqrt_alpha(alpha):
    # numerical RS equations (q -> 0 with m = 0) against the linearised result
    assert ags.T_g(alpha) == pytest.approx(1 + np.sqrt(alpha), abs=1e-5)


def test_spin_glass_q_vanishes_above_T_g():
    assert ags.spin_glass_q(0.04, 1.25) == 0.0
    assert ags.spin_glass_q(0.04, 1.15) > 0.0


def test_phase_diagram_lines_are_ordered():
    a = np.array([0.001, 0.01, 0.03, 0.045, 0.08, 0.13])
    pd = ags.phase_diagram(a)
    TM, Tc, Tg = pd["T_M"], pd["T_c"], pd["T_g"]
    assert np.all(np.diff(TM) < 0) and TM[0] > 0.9 and TM[-1] > 0
    assert np.all(TM < Tg)
    ok = np.isfinite(Tc)
    assert list(ok) == [True, True, True, True, False, False]  # retrieval is never global above ~0.05
    assert np.all(Tc[ok] < TM[ok])
    # beyond alpha_c no retrieval state at any T
    assert np.isnan(ags.T_M(0.14))


def test_gauss_hermite_agrees_at_moderate_temperature():
    f = lambda z: np.tanh(2.0 * (0.8 + 0.3 * z))  # noqa: E731
    assert ags.z_average(f, n=120, kind="hermite") == pytest.approx(ags.z_average(f), abs=1e-12)


def test_bad_temperatures():
    with pytest.raises(ValueError, match="T must be < 1"):
        ags.alpha_retrieval_max(1.2)
    with pytest.raises(ValueError, match="T must be > 0"):
        ags.retrieval_state(0.05, 0.0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        ags.T_g(-1.0)


def test_T_c_ends_at_the_T0_energy_crossing():
    # two routes: finite-T free energies (T = 0.01) and the closed-form T = 0 energies
    from theory.ags import _delta_f

    a0 = ags.alpha_global()
    assert 0.05 < a0 < 0.054  # AGS (1987) quote "about 0.05"
    a_T = brentq(lambda a: _delta_f(a, 0.01), 0.045, 0.06, xtol=1e-7)
    assert a_T == pytest.approx(a0, abs=5e-4)
    e = ags.ground_energies(0.001)
    assert e["retrieval"] == pytest.approx(-0.5, abs=1e-9)  # a pattern state has energy -1/2 per neuron


def test_critical_point_by_direct_maximisation():
    # an independent numerical route: bounded scalar maximisation of alpha(y)
    from scipy.optimize import minimize_scalar

    f = ags.alpha_of_y()
    res = minimize_scalar(lambda y: -f.evaluate(y=y), bounds=(0.5, 3.0), method="bounded",
                          options={"xatol": 1e-9})
    assert -res.fun == pytest.approx(ags.critical()["alpha_c"], abs=1e-12)
    assert res.x == pytest.approx(ags.critical()["y_c"], abs=1e-5)


def test_published_critical_loads_bracket_the_computed_rs_value():
    from theory.ags import CRITICAL_LOADS, critical_loads

    loads = critical_loads()
    # the computed RS value agrees with the published one (AGS 1987; Stojnic 2024's first level) to its digits
    assert abs(loads["RS"] - CRITICAL_LOADS["RS"][0]) < 5e-7
    # the published order: RS < 1RSB <= 2RSB < the older estimates
    assert loads["RS"] < loads["1RSB"] <= loads["2RSB"] < loads["1RSB (Crisanti, Amit & Gutfreund 1986)"]
    assert all(src for _, src in CRITICAL_LOADS.values())

"""theory.basins: identities of the one- and two-step overlaps, and the derivation."""

import numpy as np
import sympy as sp
from scipy import stats
from scipy.special import erf

import theory.basins as basins
from theory.derivation import DERIVATIONS


def test_first_step_is_the_gaussian_tail():
    # m1 = 2 Phi(m0/sqrt(alpha)) - 1: P(m0 + N(0, alpha) > 0) minus P(< 0)
    m0 = np.linspace(-0.9, 1.0, 11)
    for a in (0.05, 0.138, 0.5):
        want = 2 * stats.norm.cdf(m0 / np.sqrt(a)) - 1
        assert np.allclose(basins.first_step().evaluate(m0=m0, alpha=a), want, atol=1e-13)


def test_kept_diagonal_adds_alpha_to_the_aligned_field():
    # bit with x = xi s(0) = +1 (probability (1+m0)/2) has field m0 + alpha + N(0, alpha)
    m0, a = 0.4, 0.2
    want = ((1 + m0) / 2 * (2 * stats.norm.cdf((m0 + a) / np.sqrt(a)) - 1)
            + (1 - m0) / 2 * (2 * stats.norm.cdf((m0 - a) / np.sqrt(a)) - 1))
    assert np.isclose(basins.first_step(True).evaluate(m0=m0, alpha=a), want, atol=1e-13)


def test_second_step_limits():
    m0, alpha = basins.second_step().symbols
    f = basins.second_step()
    # a perfect cue at vanishing load stays perfect
    assert np.isclose(f.evaluate(m0=1.0, alpha=1e-3), 1.0)
    # m0 = 1: only the x = +1 branch; closed form by hand
    a = 0.3
    m1 = erf(1 / np.sqrt(2 * a))
    D = np.sqrt(2 / (np.pi * a)) * np.exp(-1 / (2 * a))
    want = erf((m1 + a * D) / np.sqrt(2 * a * (1 + D * D + 2 * m1 * D)))
    assert np.isclose(f.evaluate(m0=1.0, alpha=a), want, atol=1e-13)
    # odd in m0 (the dynamics commute with s -> -s)
    assert np.allclose(f.evaluate(m0=-0.37, alpha=0.2), -f.evaluate(m0=0.37, alpha=0.2), atol=1e-14)
    # the response D is twice the Gaussian density at 0 of m0 + N(0, alpha)
    assert sp.simplify(basins.response().expr - 2 * sp.exp(-m0**2 / (2 * alpha)) / sp.sqrt(2 * sp.pi * alpha)) == 0


def test_second_step_differs_from_the_iterated_first_step():
    # the correction is large: at alpha = 0.2, m0 = 0.5 the two forms differ by 0.16
    gap = basins.naive_second_step().evaluate(m0=0.5, alpha=0.2) - basins.second_step().evaluate(m0=0.5, alpha=0.2)
    assert 0.15 < gap < 0.17


def test_second_step_against_the_gaussian_model_by_monte_carlo():
    # the last two steps of the derivation: m2 = E sign(m1 + alpha D x + A + D z) with
    # (A, z) Gaussian, Var alpha each, Cov alpha m0 m1, x = +-1 w.p. (1 +- m0)/2; 2e6 samples: se < 7e-4
    rng = np.random.default_rng(0)
    m0, a, n = 0.5, 0.2, 2_000_000
    m1 = basins.first_step().evaluate(m0=m0, alpha=a)
    D = basins.response().evaluate(m0=m0, alpha=a)
    cov = a * np.array([[1, m0 * m1], [m0 * m1, 1]])
    Az = rng.multivariate_normal([0, 0], cov, size=n)
    x = np.where(rng.random(n) < (1 + m0) / 2, 1.0, -1.0)
    mc = np.mean(np.sign(m1 + a * D * x + Az[:, 0] + D * Az[:, 1]))
    assert abs(mc - basins.second_step().evaluate(m0=m0, alpha=a)) < 3e-3


def test_derivation_is_registered_and_renders():
    text = DERIVATIONS["basins"]().render()
    assert "0.73753" in text and "0.90039" in text


def test_projection_step_limits_and_form():
    f = basins.first_step_projection()
    m0, alpha = f.symbols
    # m1 = 2 Phi(m0 (1 - alpha) / sqrt(alpha (1 - alpha) (1 - m0^2))) - 1
    for a, m in ((0.2, 0.6), (0.5, 0.5), (0.9, 0.95)):
        want = 2 * stats.norm.cdf(m * (1 - a) / np.sqrt(a * (1 - a) * (1 - m * m))) - 1
        assert np.isclose(f.evaluate(m0=m, alpha=a), want, atol=1e-13)
    # near m0 = 1 every load below 1 retrieves; the one-step map's unstable fixed point moves to 1 as alpha -> 1
    assert f.evaluate(m0=0.999, alpha=0.95) > 0.999
    from scipy.optimize import brentq

    edge = [brentq(lambda x: f.evaluate(m0=x, alpha=a) - x, 0.05, 0.999) for a in (0.5, 0.7, 0.9)]
    assert edge[0] < edge[1] < edge[2]
    assert "1" in DERIVATIONS["pseudo-inverse-step"]().render()

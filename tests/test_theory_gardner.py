"""theory.gardner: the stability integral by quadrature, alpha_c(0) = 2, Cover's count by enumeration."""

import itertools

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.optimize import linprog

from theory import gardner
from theory.derivation import DERIVATIONS


@pytest.mark.parametrize("kappa", [0.0, 0.3, 1.0, 2.5])
def test_stability_integral_by_quadrature(kappa):
    val, _ = integrate.quad(lambda z: stats.norm.pdf(z) * (z + kappa) ** 2, -kappa, np.inf, epsabs=1e-13)
    assert np.isclose(gardner.stability_integral().evaluate(kappa=kappa), val, rtol=1e-10)


def test_alpha_c_values():
    f = gardner.alpha_c()
    assert f.evaluate(kappa=0.0) == 2.0
    # decreasing, ~ 1/kappa^2 for large kappa
    k = np.linspace(0, 3, 31)
    assert np.all(np.diff(f.evaluate(kappa=k)) < 0)
    assert abs(f.evaluate(kappa=30.0) * 900 - 1) < 2e-3


def _separable(X, y):
    # LP feasibility of y_mu J . x_mu >= 1 (strict separability through the origin)
    A = -(y[:, None] * X)
    res = linprog(np.zeros(X.shape[1]), A_ub=A, b_ub=-np.ones(len(y)), bounds=[(None, None)] * X.shape[1])
    return res.status == 0


def test_cover_count_by_enumeration_of_labellings():
    # P = 6 Gaussian points (general position) in N = 3 dims: the number of separable labellings is
    # exactly C(6, 3) = 2 sum_{k<3} binom(5, k) = 32 of 64 (Cover 1965)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 3))
    n_sep = sum(_separable(X, np.array(y, float)) for y in itertools.product((-1, 1), repeat=6))
    assert n_sep == round(gardner.cover_separable(6, 3) * 64) == 32
    assert gardner.cover_separable(np.array([5, 6, 8]), 3).tolist() == pytest.approx([11 / 16, 1 / 2, 29 / 128])


def test_cover_bad_input():
    with pytest.raises(ValueError, match="P must be an integer >= 1"):
        gardner.cover_separable(0, 3)


def test_derivation_closes():
    assert "difference = 0" in DERIVATIONS["gardner"]().render()

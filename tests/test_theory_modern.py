"""Exponential (Demircigil et al.) and modern (Ramsauer et al.) memories."""

import numpy as np
import pytest
import sympy as sp
from scipy.special import softmax

from theory import exponential, modern
from theory.formula import sym


@pytest.mark.parametrize("rho,alpha", [(0.0, 0.3466), (0.05, 0.2473), (0.1, 0.1840), (0.2, 0.0964),
                                       (0.3, 0.0411)])
def test_demircigil_reference_values(rho, alpha):
    # Demircigil et al. 2017, recomputed to four decimals (docs/references.md, dense)
    assert exponential.demircigil_alpha().evaluate(rho=rho) == pytest.approx(alpha, abs=5e-5)


def test_demircigil_identities():
    rho = sym("rho")
    a = exponential.demircigil_alpha().expr
    assert a.subs(rho, 0) == sp.log(2) / 2
    H = -rho * sp.log(rho) - (1 - rho) * sp.log(1 - rho)
    assert sp.simplify(sp.expand_log(a.rewrite(sp.log) - (sp.log(2) - H) / 2, force=True)) == 0
    # decreasing in rho, zero at rho = 1/2
    assert sp.limit(a.rewrite(sp.log), rho, sp.Rational(1, 2)) == 0
    vals = exponential.demircigil_alpha().evaluate(rho=np.linspace(0, 0.49, 50))
    assert np.all(np.diff(vals) < 0)
    cap = exponential.demircigil_capacity().evaluate(N=20, rho=0.0)
    assert cap == pytest.approx(2.0**10, rel=1e-12)


@pytest.mark.parametrize("rho", [0.5, 0.7, -0.01])
def test_demircigil_rejects_rho_outside_range(rho):
    with pytest.raises(ValueError, match="rho must be in"):
        exponential.demircigil_alpha().evaluate(rho=rho)


@pytest.mark.parametrize("beta,K,d,p,c", [(1.0, 3.0, 20, 0.001, 3.1546), (1.0, 1.0, 75, 0.001, 1.3718)])
def test_ramsauer_theorem3_examples(beta, K, d, p, c):
    # the paper's two examples (Ramsauer et al. 2021, Theorem 3; docs/references.md, modern), given to 4 decimals and truncated
    # (we get 3.154611 and 1.371878): the quoted digits must be a prefix of ours
    out = modern.capacity_bound(beta, K, d, p)
    assert 0 <= out["c"] - c < 1e-4
    assert out["applies"]
    assert out["N"] == pytest.approx(np.sqrt(p) * out["c"] ** ((d - 1) / 4), rel=1e-12)


def test_capacity_c_satisfies_the_lambert_equation():
    # c = b / W(e^a b)  <=>  (b/c) exp(b/c) = b e^a : check with the symbols
    beta, K, d, p = 1.3, 2.0, 30, 0.01
    a = 2 / (d - 1) * (1 + np.log(2 * beta * K**2 * p * (d - 1)))
    b = 2 * K**2 * beta / 5
    c = modern.capacity_c().evaluate(beta=beta, K=K, d=d, p=p)
    w = b / c
    assert w * np.exp(w) == pytest.approx(b * np.exp(a), rel=1e-12)


def test_capacity_bound_broadcasts_and_reports_when_it_does_not_apply():
    out = modern.capacity_bound(np.array([1e-3, 1.0]), 1.0, 75, 0.001)
    assert out["c"].shape == (2,)
    assert not out["applies"][0] and np.isnan(out["N"][0])
    with pytest.raises(ValueError, match="d must be >= 2"):
        modern.capacity_bound(1.0, 1.0, 1, 0.001)
    with pytest.raises(ValueError, match="p must be in the open interval"):
        modern.capacity_bound(1.0, 1.0, 10, 1.5)


def test_separation_by_hand():
    X = np.array([[2.0, 0.0], [1.0, 1.0], [0.0, -1.0]])
    # Delta_0 = min(4 - 2, 4 - 0) = 2; Delta_1 = min(2 - 2, 2 + 1) = 0; Delta_2 = min(1 - 0, 1 + 1) = 1
    np.testing.assert_array_equal(modern.separation(X), [2.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="X must have shape"):
        modern.separation(np.ones(3))


def test_theorem5_bound_holds_for_a_random_instance():
    # one softmax update from a perturbed pattern stays within the Theorem 5 bound
    rng = np.random.default_rng(3)
    N, d, beta = 20, 64, 2.0
    X = rng.standard_normal((N, d))
    X *= 3.0 / np.linalg.norm(X, axis=1, keepdims=True)  # all norms M = 3
    M = 3.0
    Delta = modern.separation(X)
    cond = modern.fixed_point_condition().evaluate(beta=beta, N=N, M=M)
    i = int(np.argmax(Delta))
    assert Delta[i] >= cond  # the theorem applies to this pattern
    xi = X[i] + 1e-3 * rng.standard_normal(d)
    f = X.T @ softmax(beta * X @ xi)
    # x_i* is within radius 1/(beta N M) of x_i; take the larger of the two distances
    dist = max(np.linalg.norm(xi - X[i]), modern.fixed_point_radius().evaluate(beta=beta, N=N, M=M))
    bound = modern.retrieval_error_bound().evaluate(N=N, beta=beta, Delta=Delta[i], dist=dist, M=M)
    assert np.linalg.norm(f - X[i]) <= bound


def test_fixed_point_condition_by_hand():
    assert modern.fixed_point_condition().evaluate(beta=1.0, N=10, M=1.0) == pytest.approx(0.2 + np.log(180.0))
    assert modern.fixed_point_radius().evaluate(beta=2.0, N=5, M=0.5) == pytest.approx(0.2)

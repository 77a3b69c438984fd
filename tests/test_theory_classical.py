"""Classical Hebbian network: crosstalk moments against exact enumeration, literature values."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

from theory import classical, dense
from theory.formula import sym


def _enumerate_crosstalk(N, P, keep_diagonal):
    """Exact E[xi_i^nu h_i] and E[(xi_i^nu h_i - signal)^2] over all 2^(N P) pattern sets (i = nu = 0)."""
    s1 = s2 = 0
    count = 0
    for bits in itertools.product((-1, 1), repeat=N * P):
        xi = np.array(bits, dtype=np.int64).reshape(P, N)
        w0 = xi[:, 0] @ xi  # N * w_0j, integer
        if not keep_diagonal:
            w0[0] = 0
        field = int(w0 @ xi[0]) * int(xi[0, 0])  # N * xi_0^0 h_0
        s1 += field
        s2 += field * field
        count += 1
    mean = Fraction(s1, count * N)
    second = Fraction(s2, count * N * N)
    return mean, second - mean * mean


@pytest.mark.parametrize("N,P", [(3, 2), (4, 3), (5, 2), (3, 4)])
@pytest.mark.parametrize("keep_diagonal", [False, True])
def test_crosstalk_moments_equal_exact_enumeration(N, P, keep_diagonal):
    mean, var = _enumerate_crosstalk(N, P, keep_diagonal)
    mom = classical.crosstalk_moments(keep_diagonal)
    subs = {sym("N"): N, sym("P"): P}
    assert sp.Rational(mean.numerator, mean.denominator) == (mom["signal"] + mom["mean"]).subs(subs)
    assert sp.Rational(var.numerator, var.denominator) == mom["variance"].subs(subs)


def test_crosstalk_identities():
    N, P = sym("N"), sym("P")
    mom = classical.crosstalk_moments()
    assert sp.simplify(mom["variance"] - (P - 1) * (N - 1) / N**2) == 0
    assert mom["mean"] == 0
    # two independent derivations agree: classical (cumulants) and dense n = 2 (moments of cosh^L)
    snr2_classical = mom["signal"] ** 2 / mom["variance"]
    assert sp.simplify(snr2_classical - dense.snr_squared(2).expr.subs(sym("K"), P)) == 0


def test_bit_error_large_N_limits():
    N, alpha = sym("N"), sp.Symbol("alpha", positive=True)
    x = sp.Symbol("x", positive=True)
    # argument of Phi at P = alpha N, N -> oo
    arg0 = sp.limit(sp.sqrt((N - 1) / (alpha * N - 1)), N, sp.oo)
    assert sp.simplify(arg0 - 1 / sp.sqrt(alpha)) == 0
    arg1 = sp.limit((N + alpha * N - 1) / sp.sqrt((N - 1) * (alpha * N - 1)), N, sp.oo)
    assert sp.simplify(arg1 - (1 + alpha) / sp.sqrt(alpha)) == 0
    # (1 + alpha)/sqrt(alpha) >= 2: kept-diagonal error never above Phi(-2) = 0.0228
    assert sp.minimum((1 + x**2) / x, x, sp.Interval.open(0, sp.oo)) == 2
    f = classical.bit_error(True)
    grid = f.evaluate_continuous(N=10**6, P=np.linspace(2, 5e6, 2001))  # real P between integers
    assert grid.max() <= 0.02275013194817921 + 1e-6


@pytest.mark.parametrize("p_err,alpha", [(1e-3, 0.1047), (0.0036, 0.1385), (0.01, 0.1848),
                                         (0.05, 0.3696), (0.1, 0.6089)])
def test_alpha_at_error_reference_values(p_err, alpha):
    # recomputed from the exact-Phi expressions (docs/references.md, classical), quoted to 4 decimals
    assert classical.alpha_at_error().evaluate(p_err=p_err) == pytest.approx(alpha, abs=5e-5)


def test_alpha_at_error_inverts_the_asymptotic_bit_error():
    a = classical.alpha_at_error().evaluate(p_err=np.array([1e-4, 1e-3, 0.02]))
    N = 1e12  # P = alpha N with N huge: the finite-N formula approaches Phi(-1/sqrt(alpha))
    back = classical.bit_error().evaluate_continuous(N=N, P=a * N)
    np.testing.assert_allclose(back, [1e-4, 1e-3, 0.02], rtol=1e-5)


@pytest.mark.parametrize("N,given,all_", [(100, 17.3, 10.6), (1000, 98.7, 57.1), (5000, 379, 214)])
def test_finite_N_half_probability_loads(N, given, all_):
    # recomputed (docs/references.md, classical): P at which P(fixed) = 1/2, quoted to 3 significant digits
    tol = 0.05 if N == 100 else (0.05 if N == 1000 else 0.5)
    p1 = brentq(lambda P: classical.p_pattern_fixed().evaluate_continuous(N=N, P=P) - 0.5, 1.001, N)
    p2 = brentq(lambda P: classical.p_all_fixed().evaluate_continuous(N=N, P=P) - 0.5, 1.001, N)
    assert p1 == pytest.approx(given, abs=tol)
    assert p2 == pytest.approx(all_, abs=tol)


@pytest.mark.parametrize("N,given,all_", [(100, 10.9, 5.4), (1000, 72.4, 36.2), (5000, 294, 147)])
def test_mceliece_leading_order(N, given, all_):
    assert classical.mceliece().evaluate(N=N) == pytest.approx(given, abs=0.05 if N < 5000 else 0.5)
    assert classical.mceliece(True).evaluate(N=N) == pytest.approx(all_, abs=0.05 if N < 5000 else 0.5)


def test_mceliece_expansion_coefficients():
    q = sym("q")
    one = classical.mceliece_expansion(False)
    assert one["a"] == -1
    assert sp.simplify(one["b"] - (-sp.log(4 * sp.pi) - 2 * sp.log(-sp.log(q)))) == 0
    all_ = classical.mceliece_expansion(True)
    assert all_["a"] == -3
    assert sp.simplify(all_["b"] - (-sp.log(128 * sp.pi) - 2 * sp.log(-sp.log(q)))) == 0


@pytest.mark.parametrize("all_patterns", [False, True])
def test_mceliece_correction_beats_leading_order_at_finite_N(all_patterns):
    # the neglected terms are O(ln ln N / ln N) relative: the corrected form is several times
    # closer to the exact-Phi load than the leading order, and within 7 % of it from N = 1000 on
    exact_f = classical.p_all_fixed() if all_patterns else classical.p_pattern_fixed()
    rel = []
    for N in (1000, 5000, 20000):
        exact = brentq(lambda P: exact_f.evaluate_continuous(N=N, P=P) - 0.5, 1.001, N)
        lead = classical.mceliece(all_patterns).evaluate(N=N)
        corr = classical.mceliece_corrected(all_patterns).evaluate(N=N, q=0.5)
        assert abs(corr - exact) < 0.2 * abs(lead - exact)
        rel.append(abs(corr / exact - 1))
    assert max(rel) < 0.07


def test_mceliece_asymptotic_solution_satisfies_the_condition():
    # ln N + ln Phi(-x) - ln c with the derived x^2 is o(1): shrinks as N grows
    from scipy.special import log_ndtr

    ex = classical.mceliece_expansion(False)
    f = sp.lambdify((sym("N"), sym("q")), ex["x2"], "numpy")
    res = [np.log(N) + log_ndtr(-np.sqrt(f(N, 0.5))) - np.log(np.log(2)) for N in (1e3, 1e6, 1e12, 1e24)]
    assert all(abs(b) < abs(a) for a, b in zip(res, res[1:]))
    assert abs(res[-1]) < 0.05

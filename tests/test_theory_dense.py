"""Dense associative memory: exact moments against enumeration of all sign vectors, literature values."""

import itertools
from fractions import Fraction
from math import comb

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from theory import dense
from theory.formula import sym

L_ = sym("L")


def _all_sums(L):
    """y = sum of the entries of every one of the 2^L sign vectors (exact integers)."""
    signs = np.array(list(itertools.product((-1, 1), repeat=L)), dtype=np.int64).reshape(2**L, L)
    return signs.sum(axis=1)


def _mean(values):
    return Fraction(sum(int(v) for v in values), len(values))


@pytest.mark.parametrize("L", [0, 1, 2, 3, 6, 9, 12, 14])
def test_rademacher_moments_equal_enumeration(L):
    y = _all_sums(L) if L else np.zeros(1, dtype=np.int64)
    for k in range(0, 5):
        sym_val = dense.rademacher_moment(k).subs(L_, L)
        assert sym_val == sp.Rational(*(_mean(y ** (2 * k)).as_integer_ratio()))
        assert dense.rademacher_moment_exact(2 * k, L) == _mean(y ** (2 * k))
        assert dense.rademacher_moment_exact(2 * k + 1, L) == 0


def test_rademacher_moments_reference_forms():
    # Krotov & Hopfield 2016, recomputed (docs/references.md, dense)
    assert sp.simplify(dense.rademacher_moment(1) - L_) == 0
    assert sp.simplify(dense.rademacher_moment(2) - L_ * (3 * L_ - 2)) == 0
    assert sp.simplify(dense.rademacher_moment(3) - L_ * (15 * L_**2 - 30 * L_ + 16)) == 0


def _D(F, n, y):
    if F == "poly":
        return (y + 1) ** n - (y - 1) ** n
    return np.maximum(y + 1, 0) ** n - np.maximum(y - 1, 0) ** n


@pytest.mark.parametrize("L", [1, 4, 7, 10, 13, 14])
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_noise_second_moment_equals_enumeration(n, L):
    y = _all_sums(L)
    exact_poly = _mean(_D("poly", n, y) ** 2)
    assert dense.poly_noise_moment(n).subs(L_, L) == sp.Rational(exact_poly.numerator, exact_poly.denominator)
    assert dense.rectified_noise_moment(n, L) == _mean(_D("rect", n, y) ** 2)


def test_rectified_noise_is_exactly_half_for_even_N():
    # D_poly(y)^2 is even in y and the rectified D vanishes for y <= -1, so for odd L (y never 0)
    # E[D_rect^2] = E[D_poly^2]/2 exactly; for even L the y = 0 term lowers it a little (n odd).
    for n in (2, 3, 4):
        for N in (100, 300, 1000):
            ratio = dense.rectified_noise_moment(n, N - 1) / Fraction(int(dense.poly_noise_moment(n).subs(L_, N - 1)))
            assert ratio == Fraction(1, 2)
        r_odd = dense.rectified_noise_moment(3, 100) / Fraction(int(dense.poly_noise_moment(3).subs(L_, 100)))
        assert Fraction(49, 100) < r_odd < Fraction(1, 2)


def _enumerate_update(N, K, n, F):
    """Exact mean and variance of xi_i^nu * sum_mu [F(xi_i^mu + y_mu) - F(-xi_i^mu + y_mu)] at sigma = xi^nu."""
    Fn = (lambda x: x**n) if F == "poly" else (lambda x: max(x, 0) ** n)
    s1 = s2 = 0
    count = 0
    for bits in itertools.product((-1, 1), repeat=N * K):
        xi = np.array(bits, dtype=np.int64).reshape(K, N)
        sigma = xi[0]
        y = xi[:, 1:] @ sigma[1:]  # (K,)
        tot = sum(Fn(int(xi[m, 0] + y[m])) - Fn(int(-xi[m, 0] + y[m])) for m in range(K)) * int(xi[0, 0])
        s1 += tot
        s2 += tot * tot
        count += 1
    mean = Fraction(s1, count)
    return mean, Fraction(s2, count) - mean * mean


@pytest.mark.parametrize("N,K", [(3, 3), (4, 3), (5, 2)])
@pytest.mark.parametrize("n,F", [(2, "poly"), (3, "poly"), (4, "poly"), (3, "rectified")])
def test_snr_equals_enumeration_of_the_update(N, K, n, F):
    mean, var = _enumerate_update(N, K, n, F)
    assert mean == int(dense.signal(n, F).subs(sym("N"), N))
    snr2 = dense.snr_squared(n, F)
    expected = sp.nsimplify(snr2.expr.subs({sym("N"): N, sym("K"): K}).doit()) if F == "poly" else None
    got = Fraction(mean * mean) / var
    if F == "poly":
        assert sp.Rational(got.numerator, got.denominator) == expected
    else:
        assert float(got) == pytest.approx(snr2.evaluate(N=N, K=K), rel=1e-14)


def test_snr_reference_forms_and_large_N_limit():
    N, K = sym("N"), sym("K")
    assert sp.simplify(dense.snr_squared(2).expr - (N - 1) / (K - 1)) == 0
    ref3 = (3 * N**2 - 6 * N + 4) ** 2 / ((K - 1) * (3 * N - 4) * (9 * N - 10))
    assert sp.simplify(dense.snr_squared(3).expr - ref3) == 0
    for n in (2, 3, 4, 5, 6):
        lim = sp.limit(dense.snr_squared(n).expr * (K - 1) / N ** (n - 1), N, sp.oo)
        assert lim == sp.Rational(1, sp.factorial2(2 * n - 3))


@pytest.mark.parametrize("n,value", [(2, 10.86), (3, 361.9), (4, 7238)])
def test_error_free_capacity_at_N_100(n, value):
    # Krotov & Hopfield 2016, eq. 6 at N = 100 (docs/references.md, dense)
    assert dense.k_max_error_free(n).evaluate(N=100) == pytest.approx(value, abs=0.5 * 10 ** (np.floor(np.log10(value)) - 3))


def test_all_patterns_capacity_reduces_to_mceliece():
    from theory.classical import mceliece

    N = sym("N")
    assert sp.simplify(dense.k_max_error_free(2, True).expr - mceliece(True).expr) == 0
    assert sp.simplify(dense.k_max_error_free(2).expr - mceliece(False).expr) == 0
    for n in (3, 4):
        ratio = dense.k_max_error_free(n, True).expr / dense.k_max_error_free(n).expr
        assert sp.simplify(ratio - sp.Rational(1, n)) == 0
    assert N in dense.k_max_error_free(3).expr.free_symbols


def test_threshold_capacity_coefficients():
    # alpha_n = K_max / N^(n-1) at a 0.5 % bit error: 0.1507 and 0.050 (Krotov & Hopfield 2016, recomputed; docs/references.md, dense)
    a2 = dense.k_max_threshold(2).evaluate(N=1000, threshold=0.005) / 1000
    a3 = dense.k_max_threshold(3).evaluate(N=1000, threshold=0.005) / 1000**2
    assert a2 == pytest.approx(0.1507, abs=5e-5)
    assert a3 == pytest.approx(0.050, abs=5e-4)
    # the bit error at K_max equals the threshold (large N)
    N = 10**6
    K = dense.k_max_threshold(2).evaluate(N=N, threshold=0.005)
    assert dense.bit_error(2).evaluate_continuous(N=N, K=K) == pytest.approx(0.005, rel=1e-3)


def test_exact_capacity_solves_the_exact_snr():
    for n in (2, 3, 4):
        K = dense.k_max_exact(n).evaluate(N=60, threshold=0.01)
        assert dense.bit_error(n).evaluate_continuous(N=60, K=K) == pytest.approx(0.01, rel=1e-10)


def test_rectified_formula_evaluates_on_integer_grids():
    f = dense.snr_squared(3, "rectified")
    out = f.evaluate(N=np.array([[10], [11]]), K=np.array([2, 5]))
    assert out.shape == (2, 2)
    exact = Fraction(int(dense.signal(3).subs(sym("N"), 10)) ** 2) / (4 * dense.rectified_noise_moment(3, 9))
    assert out[0, 1] == pytest.approx(float(exact), rel=1e-14)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: dense.snr_squared(1), ValueError, "n must be >= 2, got 1"),
    (lambda: dense.snr_squared(2.5), TypeError, "n must be an integer"),
    (lambda: dense.snr_squared(3, "exp"), ValueError, "F must be one of"),
    (lambda: dense.k_max_error_free(0), ValueError, "n must be >= 2"),
    (lambda: dense.bit_error(3).evaluate(N=1, K=3), ValueError, "N must be >= 2"),
    (lambda: dense.bit_error(3).evaluate(N=10, K=0), ValueError, "K must be >= 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()



@given(L=st.integers(min_value=0, max_value=300), k=st.integers(min_value=0, max_value=6))
def test_moment_polynomial_equals_binomial_sum_for_large_L(L, k):
    # beyond enumeration: the cosh(t)^L coefficients against the exact binomial sum
    assert dense.rademacher_moment(k).subs(L_, L) == sp.Rational(*dense.rademacher_moment_exact(2 * k, L).as_integer_ratio())


@given(n=st.integers(min_value=2, max_value=6), L=st.integers(min_value=0, max_value=200))
def test_poly_noise_moment_equals_binomial_sum(n, L):
    tot = sum(comb(L, j) * ((2 * j - L + 1) ** n - (2 * j - L - 1) ** n) ** 2 for j in range(L + 1))
    assert dense.poly_noise_moment(n).subs(L_, L) == sp.Rational(tot, 2**L)

"""RS retrieval overlap and capacity of the dense memory (theory.dense_replica) against independent computations.

* the retrieval overlap against a brute-force scan of the roots of m - erf(m^(n-1)/sqrt(2 alpha c_n))
  on a fine grid of m (no parametrisation, no root finder of the module);
* alpha_c(n) against a bisection on alpha of "iterating the map from m = 1 stays away from 0";
* c_n against Gaussian moments (quadrature) and against the exact finite-N noise moment of theory.dense;
* the literature: at m = 1 the map is Krotov & Hopfield's one-step bit error (theory.dense.bit_error at
  large N); n = 2 gives the reaction-free 2/pi, far above AGS's 0.138 (theory.ags.critical);
* the large-n law alpha_c (2n-3)!! ~ 1/(2 ln n), approached slowly from below.
"""

import math

import numpy as np
import pytest
from scipy import integrate, optimize, special

import theory.ags as ags
import theory.catalog  # noqa: F401
import theory.dense as dense
import theory.dense_replica as dr
from theory.derivation import DERIVATIONS


def _largest_root_brute(alpha, n):
    """Largest m in (0, 1] with m = erf(m^(n-1)/sqrt(2 alpha c)), from sign changes on a grid, then bisection."""
    c = math.prod(range(2 * n - 3, 0, -2))
    g = lambda m: special.erf(m ** (n - 1) / math.sqrt(2 * alpha * c)) - m  # noqa: E731
    m = np.linspace(1e-4, 1.0, 200_001)
    v = g(m)
    idx = np.nonzero(np.sign(v[:-1]) != np.sign(v[1:]))[0]
    if len(idx) == 0:
        return float("nan")
    i = idx[-1]
    return optimize.bisect(g, m[i], m[i + 1], xtol=1e-14)


@pytest.mark.parametrize("n", [3, 4, 5])
def test_retrieval_overlap_is_the_largest_fixed_point(n):
    ac = dr.critical(n)["alpha_c"]
    for frac in (0.1, 0.4, 0.7, 0.9, 0.99):
        a = frac * ac
        got = dr.retrieval_overlap(a, n)
        assert got == pytest.approx(_largest_root_brute(a, n), abs=1e-9)
        assert got == pytest.approx(dr.retrieval_map(n).evaluate(m=got, alpha=a), abs=1e-12)
    assert math.isnan(dr.retrieval_overlap(1.01 * ac, n))
    assert math.isnan(_largest_root_brute(1.01 * ac, n))  # no retrieval root above alpha_c either
    assert dr.retrieval_overlap(0.0, n) == 1.0


def _has_retrieval(alpha, n, iters=20_000):
    c = math.prod(range(2 * n - 3, 0, -2))
    m = 1.0
    for _ in range(iters):
        m = special.erf(m ** (n - 1) / math.sqrt(2 * alpha * c))
    return m > 0.5  # the iteration from m = 1 falls to ~0 when no retrieval root exists


@pytest.mark.parametrize("n", [3, 4])
def test_alpha_c_by_bisection_of_existence(n):
    lo, hi = 1e-4, 1.0
    for _ in range(30):  # bisection to ~1e-9 relative; the iteration converges slowly near the tangency
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if _has_retrieval(mid, n) else (lo, mid)
    assert dr.critical(n)["alpha_c"] == pytest.approx(lo, rel=2e-4)


def test_critical_values():
    # the tangency condition (n-1) s erf'(s) = erf(s) holds, and the first-order jump of m
    for n in (3, 4, 5):
        cr = dr.critical(n)
        s = cr["s_c"]
        assert (n - 1) * s * 2 / math.sqrt(math.pi) * math.exp(-s * s) == pytest.approx(special.erf(s), rel=1e-12)
        assert cr["m_c"] > 0.8
    assert dr.critical(3)["alpha_c"] == pytest.approx(0.084063, abs=2e-6)
    assert dr.critical(4)["alpha_c"] == pytest.approx(0.0131907, abs=2e-7)
    assert dr.critical(5)["alpha_c"] == pytest.approx(0.00164545, abs=2e-8)


def test_n2_is_the_reaction_free_value_not_ags():
    # n = 2: the same equation (no noise amplification) gives alpha_c = 2/pi, the slope condition
    # 2/sqrt(pi) / sqrt(2 alpha) = 1 at m -> 0; AGS's replica theory, which keeps the reaction, gives 0.138.
    assert dr.critical(2)["alpha_c"] == pytest.approx(2 / math.pi, rel=1e-15)
    assert _largest_root_brute(0.6, 2) > 0.2 and math.isnan(_largest_root_brute(0.66, 2))
    assert dr.retrieval_overlap(0.6, 2) == pytest.approx(_largest_root_brute(0.6, 2), abs=1e-9)
    assert ags.critical()["alpha_c"] == pytest.approx(0.1379, abs=1e-4)
    assert dr.critical(2)["alpha_c"] > 4 * ags.critical()["alpha_c"]


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_c_n_is_the_gaussian_moment_and_the_large_N_noise(n):
    gauss = integrate.quad(lambda z: z ** (2 * n - 2) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
                           -np.inf, np.inf)[0]
    assert dr.c_n(n) == pytest.approx(gauss, rel=1e-9)
    L = 10**7  # E[D(y)^2] / (4 n^2 L^(n-1)) -> c_n with corrections O(1/L)
    exact = float(dense.poly_noise_moment(n).subs(dense.L_, L)) / (4 * n * n * float(L) ** (n - 1))
    assert exact == pytest.approx(dr.c_n(n), rel=1e-5)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_map_at_m1_is_krotov_hopfield_one_step_error(n):
    # m' = 1 - 2 P_err with P_err = Phi(-sqrt(N^(n-1)/((2n-3)!! K))), K = alpha N^(n-1) (their appendix A);
    # the exact finite-N SNR of theory.dense approaches it at N = 4000 within O(1/N).
    N = 4000
    for alpha in (0.05, 0.2):
        K = alpha * N ** (n - 1)
        one_step = 1 - 2 * dense.bit_error(n).evaluate(N=N, K=K)
        assert dr.retrieval_map(n).evaluate(m=1.0, alpha=alpha) == pytest.approx(one_step, abs=5e-4)


def test_large_n_law_from_below():
    def scaled(n):  # alpha_c(n) c_n, computed in logs (c_n overflows floats at large n)
        g = lambda s: (n - 1) * s * 2 / math.sqrt(math.pi) * math.exp(-s * s) - special.erf(s)  # noqa: E731
        s = optimize.brentq(g, 1e-3, 20, xtol=1e-15)
        return math.exp((2 * n - 2) * math.log1p(-special.erfc(s))) / (2 * s * s)

    assert scaled(3) == pytest.approx(dr.critical(3)["alpha_c"] * 3, rel=1e-12)
    ratios = [scaled(n) * 2 * math.log(n) for n in (20, 10**3, 10**6, 10**9)]
    assert all(a < b < 1 for a, b in zip(ratios, ratios[1:]))
    assert ratios[-1] > 0.88
    for n in (3, 4, 5, 20, 10**6):
        assert dr.alpha_c_scaled(n) == pytest.approx(scaled(n), rel=1e-10)
    for n in (3, 4, 5):
        assert dr.alpha_c_scaled(n) == pytest.approx(dr.critical(n)["alpha_c"] * dr.c_n(n), rel=1e-10)
    f = dr.alpha_c_large_n()
    assert f.evaluate(n=4) == pytest.approx(1 / (2 * 15 * math.log(4)), rel=1e-14)


def test_reaction_excess():
    # n = 2: Gamma C = alpha C^2 with C = sqrt(2/(pi alpha)) exp(-m^2/(2 alpha)); positive, grows towards alpha_c
    a = 0.3
    m = dr.retrieval_overlap(a, 2)
    C = math.sqrt(2 / (math.pi * a)) * math.exp(-m * m / (2 * a))
    assert dr.reaction_excess(a, 2) == pytest.approx(a * C * C, rel=1e-12)
    vals = dr.reaction_excess(np.array([0.03, 0.05, 0.065, 0.075, 0.08]), 3)
    assert np.all(np.diff(vals) > 0) and vals[0] < 1e-3 and 0.02 < vals[3] < 0.04
    assert math.isnan(dr.reaction_excess(0.09, 3))


def test_derivation_and_bad_input():
    text = DERIVATIONS["dense-replica"]().render()
    assert "0.084064" in text and "0.0016455" in text and "(2*n - 3)!!" in text
    with pytest.raises(ValueError, match="alpha"):
        dr.retrieval_overlap(-0.1, 3)
    with pytest.raises((ValueError, TypeError), match="n"):
        dr.retrieval_overlap(0.05, 1)
    with pytest.raises((ValueError, TypeError), match="n"):
        dr.critical(2.5)

"""The dense checks pass on the right theory and fail on a wrong theory or simulation."""

import math

import pytest
from scipy import stats

import theory.dense as td
from simulations.checks.suite import dense as cd
from simulations.estimators.dense_tail import gaussian_error, noise_moments, tail_tolerance
import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.registry import CHECKS, run_check

BIT = {"cases": [[3, 40, "poly"]], "networks": 20, "cues": 40}


def test_noise_moments_match_closed_forms():
    # n = 2: D(y) = 4y, E y^2 = L, E y^4 = L(3L - 2) (Krotov & Hopfield 2016; docs/references.md, dense), S = 4L
    N = 11
    L = N - 1
    S, m2, m4, h = noise_moments(N, 2)
    assert S == 4 * L and m2 == pytest.approx(16 * L) and m4 == pytest.approx(256 * L * (3 * L - 2))
    # n = 3: SNR^2 = (3N^2 - 6N + 4)^2 / ((K-1)(3N-4)(9N-10))
    N, K = 50, 200
    z2 = (3 * N**2 - 6 * N + 4) ** 2 / ((K - 1) * (3 * N - 4) * (9 * N - 10))
    assert gaussian_error(N, K, 3) == pytest.approx(stats.norm.cdf(-math.sqrt(z2)), rel=1e-12)


def test_tail_tolerance_covers_exact_binomial_for_n2():
    # n = 2 is exact: the noise is 4 x a sum of (K-1)(N-1) fair signs; error iff that sum < -(N-1)
    N, K = 60, 20
    L = (K - 1) * (N - 1)
    strict = stats.binom.cdf(math.ceil((L - (N - 1)) / 2) - 1, L, 0.5)
    weak = stats.binom.cdf(math.floor((L - (N - 1)) / 2), L, 0.5)
    g, tol = gaussian_error(N, K, 2), tail_tolerance(N, K, 2)
    assert abs(g - strict) <= tol and abs(g - weak) <= tol


def test_bit_error_fails_without_the_double_factorial(monkeypatch):
    assert run_check(CHECKS["dense-bit-error"], "quick", seed=1, **BIT).passed

    class NoDoubleFactorial:  # Phi(-sqrt(N^(n-1)/K)): the SNR with (2n-3)!! forgotten
        def __init__(self, n):
            self.n = n

        def evaluate(self, N, K):
            return float(stats.norm.cdf(-math.sqrt(N ** (self.n - 1) / K)))

    monkeypatch.setattr(td, "bit_error", lambda n, F="poly": NoDoubleFactorial(n))
    assert not run_check(CHECKS["dense-bit-error"], "quick", seed=1, **BIT).passed


def test_bit_error_fails_with_the_rectified_simulation(monkeypatch):
    real = cd.dense_est.dense_bit_error
    monkeypatch.setattr(cd.dense_est, "dense_bit_error", lambda **kw: real(**{**kw, "F": "rectified"}))
    assert not run_check(CHECKS["dense-bit-error"], "quick", seed=1, **BIT).passed


def test_random_starts_fail_with_a_tenth_of_the_patterns(monkeypatch):
    params = {"N": 100, "K": 2000, "ns": [3], "starts": 30}
    assert run_check(CHECKS["dense-random-starts"], "quick", seed=2, **params).passed
    real = cd.dense_est.dense_random_start
    monkeypatch.setattr(cd.dense_est, "dense_random_start", lambda **kw: real(**{**kw, "K": kw["K"] // 10}))
    assert not run_check(CHECKS["dense-random-starts"], "quick", seed=2, **params).passed


@pytest.mark.parametrize("factor", [3.0, 1 / 3.0])
def test_capacity_fails_with_a_wrong_eq6(monkeypatch, factor):
    params = {"Ns": [60], "factors": [0.6, 1.0, 1.4, 1.9], "starts": 30, "rectified": False}
    assert run_check(CHECKS["dense-capacity"], "quick", seed=3, **params).passed
    real = td.k_max_error_free

    class Scaled:
        def evaluate(self, N):
            return factor * real(3).evaluate(N=N)

    monkeypatch.setattr(td, "k_max_error_free", lambda n, all_patterns=False: Scaled())
    assert not run_check(CHECKS["dense-capacity"], "quick", seed=3, **params).passed


@pytest.mark.parametrize("N,K,n,F", [(5, 4, 3, "poly"), (6, 3, 2, "poly"), (5, 3, 3, "rectified"), (4, 4, 4, "poly")])
def test_exact_one_step_error_against_enumeration(N, K, n, F):
    # slow twin: enumerate b and y of the K-1 noise terms: y = 2B - (N-1), B ~ Bin(N-1, 1/2)
    import itertools

    from simulations.estimators.dense_tail import _D_int, exact_error

    L = N - 1
    terms = [(b * _D_int(2 * k - L, n, F), math.comb(L, k) / 2**L / 2) for b in (1, -1) for k in range(L + 1)]
    S = _D_int(L, n, F)
    want = 0.0
    for combo in itertools.product(terms, repeat=K - 1):
        pr = math.prod(w for _, w in combo)
        want += pr * (S + sum(v for v, _ in combo) < 0)
    assert abs(exact_error(N, K, n, F) - want) < 1e-12

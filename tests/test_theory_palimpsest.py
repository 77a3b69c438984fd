"""Palimpsest theory: exact moments against brute force, the optimum, the replica route's limits."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from theory import ags
from theory import palimpsest as T


def test_field_variance_equals_brute_force_sum():
    lam, N, P = 0.93, 50, 40
    for t in (0, 3, 39):
        brute = (N - 1) / N**2 * sum(lam ** (2 * tp) for tp in range(P) if tp != t)
        assert float(T.field_variance().evaluate(lam=lam, t=t, N=N, P=P)) == pytest.approx(brute, rel=1e-12)
        # the wrong weight (lam^t' instead of lam^2t') differs by far more than the tolerance
        wrong = (N - 1) / N**2 * sum(lam ** tp for tp in range(P) if tp != t)
        assert abs(wrong / brute - 1) > 0.5


def test_field_moments_against_one_simulated_network():
    """Exact moments: aligned fields over 60 patterns x 400 neurons agree within 5 standard errors."""
    from hopfield import palimpsest as pal

    N, eps = 400, 8.0
    ages = np.arange(0, 60)
    r = pal.simulate(N, ages, eps=eps, seed=3, retrieve_patterns=False)
    var = T.field_variance().evaluate(lam=r.lam, t=ages, N=N, P=r.P)
    mean = T.field_mean().evaluate(lam=r.lam, t=ages, N=N)
    # pooled over ages: z_i / sd (unit variance); neighbouring neurons correlate by 1/N (classical-crosstalk),
    # which at most doubles the variance of a mean over N neurons: se <= sqrt(2 / (N K))
    z = (r.field_mean - mean) / np.sqrt(var)
    assert abs(z.mean()) < 5 * math.sqrt(2.0 / (N * ages.size))
    ratio = (r.field_var / var).mean()  # population variance about the sample mean: E = 1 - O(1/N)
    assert abs(ratio - 1) < 5 * math.sqrt(2 * 2.0 / (N * ages.size)) + 2.0 / N


def test_stationary_variance_limit():
    lam, N = 0.99, 1000
    long_run = float(T.field_variance().evaluate(lam=lam, t=0, N=N, P=10_000)) + (N - 1) / N**2
    assert long_run == pytest.approx(float(T.stationary_variance().evaluate(lam=lam, N=N)) * (N - 1) / N, rel=1e-12)


def test_snr_optimum_is_the_maximum():
    opt = T.snr_optimum()
    ac = ags.critical()["alpha_c"]
    f = lambda e: float(T.snr_window().evaluate(epsilon=e, alpha_c=ac))  # noqa: E731
    grid = np.linspace(2, 40, 2001)
    best = grid[np.argmax([f(e) for e in grid])]
    assert opt["eps"] == pytest.approx(math.e / (2 * ac)) and abs(best - opt["eps"]) < 0.02
    assert opt["alpha_w"] == pytest.approx(ac / math.e)


@pytest.mark.parametrize("C", [0.0, 1e-5, 0.3, 0.9, 0.999])
def test_response_integral_against_quadrature(C):
    val, _ = quad(lambda x: x / (1 - C * x) ** 2, 0, 1, epsabs=1e-13, epsrel=1e-12)
    assert T.response_integral(C) == pytest.approx(val, rel=1e-9)


def test_replica_window_tends_to_snr_at_large_eps_and_vanishes_at_small():
    """Large eps: few patterns, but C stays O(1) at the threshold, so the two routes differ by O(10%) only;
    small eps: the newest pattern is already drowned (alpha_eff(0) = 1/(2 eps) > alpha_c)."""
    ac = ags.critical()["alpha_c"]
    assert T.replica_window(3.0) == 0.0
    for e in (20.0, 40.0):
        snr = float(T.snr_window().evaluate(epsilon=e, alpha_c=ac))
        assert 0.8 < T.replica_window(e) / snr < 1.0


def test_replica_optimum_near_the_published_number():
    opt = T.replica_optimum()
    assert abs(opt["alpha_w"] - T.PUBLISHED_OPTIMUM["alpha_w"]) < 0.005
    assert T.replica_window(opt["eps"]) >= T.replica_window(opt["eps"] * 1.2)
    assert T.replica_window(opt["eps"]) >= T.replica_window(opt["eps"] / 1.2)


def test_bad_input():
    with pytest.raises(ValueError, match="epsilon"):
        T.replica_window(-1.0)
    with pytest.raises(ValueError, match="C must"):
        T.response_integral(1.0)


def test_derivation_renders():
    from theory.derivation import DERIVATIONS
    import theory.catalog  # noqa: F401  (registers every derivation)

    text = DERIVATIONS["palimpsest"]().render()
    assert "alpha_w" in text and "0.0507" in text


def test_neuron_mean_is_the_weighted_sum_of_squared_overlaps():
    """The identity behind ``neuron_mean_covariance``, on the simulator's own couplings and fields."""
    from hopfield import palimpsest as pal
    from hopfield.patterns import random_binary

    N, P, lam = 120, 90, 0.96
    xi = random_binary(P, N, seed=5).astype(np.float64)
    ages = np.arange(30)
    u = pal.aligned_fields(pal.stream_weights(xi, lam=lam), xi, ages)
    m = (xi @ xi.T / N)[P - 1 - ages][:, ::-1]  # m[k, t'] = overlap of ages ages[k] and t'
    terms = (m**2 - 1 / N) * lam ** np.arange(P)
    terms[np.arange(ages.size), ages] = 0.0
    assert np.allclose(u.mean(axis=1), lam**ages * (N - 1) / N + terms.sum(axis=1), rtol=0, atol=1e-12)


def test_neuron_mean_covariance_against_monte_carlo():
    """Exact covariance of the neuron-averaged field between ages, against 3000 draws of the patterns.

    The variance of the sum over ages 0-5 (shared pairs included) agrees within 4 standard errors of a
    sample variance; the same sum without the shared pair {t, s} (the diagonal alone) is 40% lower and fails.
    """
    N, P, lam, n = 40, 50, 0.9, 3000
    ages = np.arange(6)
    rng = np.random.default_rng(11)
    w = lam ** np.arange(P)
    sums = np.empty(n)
    for i in range(n):
        xi = rng.choice(np.array([-1.0, 1.0]), size=(P, N))
        m = (xi @ xi.T / N)[P - 1 - ages][:, ::-1]
        terms = (m**2 - 1 / N) * w
        terms[ages, ages] = 0.0
        sums[i] = terms.sum()
    cov = T.neuron_mean_covariance(lam, ages, N, P)
    se = math.sqrt(2.0 / (n - 1))  # relative standard error of a sample variance (near-normal sums)
    assert abs(sums.var(ddof=1) / cov.sum() - 1) < 4 * se
    assert abs(sums.var(ddof=1) / np.trace(cov) - 1) > 10 * se
    v0 = float(T.field_variance().evaluate(lam=lam, t=0, N=N, P=P))
    assert cov[0, 0] == pytest.approx(2 / N * v0, rel=1e-12)
    with pytest.raises(ValueError, match="ages"):
        T.neuron_mean_covariance(lam, [0, P], N, P)
    with pytest.raises(ValueError, match="lam"):
        T.neuron_mean_covariance(1.0, ages, N, P)

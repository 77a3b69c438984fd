"""Outer-product key-value memory: readout moments, argmax accuracy, Zipf scaling exponents."""

import numpy as np
import pytest
import sympy as sp
from scipy.special import ndtr, zeta

from theory import kv_memory
from theory.formula import sym


def test_gaussian_moments_and_reference_forms():
    d, M = sym("d"), sym("M")
    g = kv_memory.gaussian_moments()
    assert g["E|v|^2"] == 1 and sp.simplify(g["E|v|^4"] - (1 + 2 / d)) == 0
    r = kv_memory.readout_moments()
    assert sp.simplify(r["stored_var"] - (4 / d + (M + 3) / d**2)) == 0
    assert sp.simplify(r["other_var"] - (2 / d + (M + 2) / d**2)) == 0
    assert sp.simplify(r["fresh_var"] - (1 / d + (M + 1) / d**2)) == 0
    # The leading-order 4/d + M/d^2 and 2/d + M/d^2 (Cabannes et al. 2024; docs/references.md, kv) are the same to leading order in 1/d
    assert sp.limit((r["stored_var"] - (4 / d + M / d**2)) * d, d, sp.oo) == 0
    assert sp.limit((r["other_var"] - (2 / d + M / d**2)) * d, d, sp.oo) == 0


def test_readout_moments_against_monte_carlo():
    # S samples of (U, V): sample mean/variance within 5 standard errors (the standard error of a
    # sample variance is sqrt((m4 - var^2)/S), estimated from the same samples)
    rng = np.random.default_rng(7)
    S, M, d = 40000, 6, 8
    U = rng.standard_normal((S, M, d)) / np.sqrt(d)
    V = rng.standard_normal((S, M, d)) / np.sqrt(d)
    Vf = rng.standard_normal((S, d)) / np.sqrt(d)
    uq = U[:, 0]  # query = stored key 0
    ku = np.einsum("smd,sd->sm", U, uq)  # (S, M) u_i . u_0
    scores = {
        "stored": np.einsum("sd,smd,sm->s", V[:, 0], V, ku),
        "other": np.einsum("sd,smd,sm->s", V[:, 1], V, ku),
        "fresh": np.einsum("sd,smd,sm->s", Vf, V, ku),
    }
    for kind, x in scores.items():
        mean = float(kv_memory.readout_mean(kind).evaluate(d=d, M=M))
        var = kv_memory.readout_variance(kind).evaluate(d=d, M=M)
        assert abs(x.mean() - mean) < 5 * np.sqrt(var / S)
        c = x - x.mean()
        se = np.sqrt((np.mean(c**4) - np.mean(c**2) ** 2) / S)
        assert abs(x.var() - var) < 5 * se, kind
    # the scores are uncorrelated
    for a, b in (("stored", "other"), ("stored", "fresh")):
        corr = np.corrcoef(scores[a], scores[b])[0, 1]
        assert abs(corr) < 5 / np.sqrt(S)


def test_argmax_accuracy_two_candidates_closed_form():
    d, M = np.array([8.0, 32.0, 128.0]), np.array([4.0, 64.0, 512.0])
    ss = kv_memory.readout_variance("stored").evaluate(d=d, M=M)
    so = kv_memory.readout_variance("other").evaluate(d=d, M=M)
    np.testing.assert_allclose(kv_memory.argmax_accuracy(d, M, 2), ndtr(1 / np.sqrt(ss + so)), rtol=1e-9)


def test_argmax_accuracy_against_independent_gaussians():
    # the integral is the probability that N(1, s_s^2) beats V-1 independent N(0, s_o^2)
    rng = np.random.default_rng(11)
    d, M, V, S = 16.0, 32.0, 20, 200000
    ss = np.sqrt(kv_memory.readout_variance("stored").evaluate(d=d, M=M))
    so = np.sqrt(kv_memory.readout_variance("other").evaluate(d=d, M=M))
    win = (1 + ss * rng.standard_normal(S))[:, None] > so * rng.standard_normal((S, V - 1))
    p_hat = win.all(axis=1).mean()
    p = kv_memory.argmax_accuracy(d, M, V)
    assert abs(p_hat - p) < 5 * np.sqrt(p * (1 - p) / S)
    assert kv_memory.argmax_accuracy(d, M, V, kind="fresh") > p  # fresh distractors score lower


def test_argmax_accuracy_shapes_and_errors():
    out = kv_memory.argmax_accuracy(np.array([[16.0], [64.0]]), 8.0, np.array([2, 10, 100]))
    assert out.shape == (2, 3) and np.all(np.diff(out, axis=1) < 0)
    with pytest.raises(ValueError, match="V must be >= 2"):
        kv_memory.argmax_accuracy(16, 8, 1)
    with pytest.raises(ValueError, match="kind must be one of"):
        kv_memory.argmax_accuracy(16, 8, 2, kind="stored")


def _zipf(alpha, n):
    x = np.arange(1, n + 1, dtype=float)
    return x**-alpha / zeta(alpha)


@pytest.mark.parametrize("alpha", [1.5, 2.0, 3.0])
def test_zipf_threshold_exponent_is_the_tail_of_the_law(alpha):
    # error of storing only the top d inputs = Zipf mass beyond d: sum_{x>d} x^-alpha / zeta(alpha)
    tail = lambda d: zeta(alpha, d + 1) / zeta(alpha)  # noqa: E731
    slope = -np.log(tail(1e6) / tail(1e5)) / np.log(10)
    assert slope == pytest.approx(kv_memory.zipf_error_exponent("threshold").evaluate(alpha_zipf=alpha), abs=1e-3)


@pytest.mark.parametrize("alpha", [1.5, 2.0, 3.0])
def test_zipf_frequency_exponent_from_the_interference_threshold(alpha):
    # with q = p the inputs with p(x) below the interference level d^(-1/2) are lost
    def lost(d):
        x_star = (np.sqrt(d) / zeta(alpha)) ** (1 / alpha)  # p(x_star) = d^(-1/2)
        return zeta(alpha, np.floor(x_star) + 1) / zeta(alpha)

    slope = -np.log(lost(1e14) / lost(1e10)) / np.log(1e4)
    assert slope == pytest.approx(kv_memory.zipf_error_exponent("frequency").evaluate(alpha_zipf=alpha), abs=0.01)


@pytest.mark.parametrize("alpha", [1.5, 2.0, 3.0])
def test_zipf_sample_exponent_is_the_unseen_mass(alpha):
    # mass of inputs never seen in T samples, sum_x p(x) (1 - p(x))^T, for large T
    p = _zipf(alpha, 2_000_000)
    unseen = lambda T: np.sum(p * np.exp(T * np.log1p(-p)))  # noqa: E731
    slope = -np.log(unseen(1e6) / unseen(1e5)) / np.log(10)
    assert slope == pytest.approx(kv_memory.zipf_sample_exponent().evaluate(alpha_zipf=alpha), abs=0.02)


def test_zipf_exponent_rejects_alpha_at_most_one():
    with pytest.raises(ValueError, match="alpha_zipf must be > 1"):
        kv_memory.zipf_sample_exponent().evaluate(alpha_zipf=1.0)

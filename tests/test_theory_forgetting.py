"""theory.forgetting: identities of the decaying memory's formulas, the window and the best decay."""

import numpy as np
import pytest
import sympy as sp

import theory.forgetting as tf
import theory.kv_memory as tkv
from theory.derivation import DERIVATIONS


def test_no_decay_limit_is_the_outer_product_memory():
    """lam -> 1 with L pairs: the variances of theory.kv_memory with M = L (exact, symbolic)."""
    lam, L = sp.Symbol("lam", positive=True), sp.Symbol("L", positive=True)
    for kind in ("stored", "fresh"):
        ours = sp.limit(tf.score_variance(kind, "finite").expr, lam, 1)
        ref = tkv.readout_variance(kind).expr.subs(sp.Symbol("M", positive=True), L)
        assert sp.simplify(ours - ref) == 0
    # the identity is sharp: a crosstalk weighted by lam^age (the wrong power) does not reduce to it at lam < 1
    wrong = tf.score_variance("stored", "finite").expr.subs(lam ** (2 * sp.Symbol("age", nonnegative=True)),
                                                           lam ** sp.Symbol("age", nonnegative=True))
    assert sp.simplify(wrong - tf.score_variance("stored", "finite").expr) != 0


def test_crosstalk_weight_is_the_direct_sum():
    for lam, L, age in [(0.9, 30, 4), (0.5, 7, 0), (0.99, 200, 150)]:
        direct = sum(lam ** (2 * a) for a in range(L) if a != age)
        assert tf.crosstalk_weight("finite").evaluate(lam=lam, age=age, L=L) == pytest.approx(direct, rel=1e-12)
    lam, age = 0.95, 3
    assert tf.crosstalk_weight("stationary").evaluate(lam=lam, age=age) == pytest.approx(
        sum(lam ** (2 * a) for a in range(5000) if a != age), rel=1e-12)


def test_stationary_is_the_large_L_limit():
    d, lam, age = 32, 0.97, 5
    for kind in ("stored", "fresh"):
        fin = tf.score_variance(kind, "finite").evaluate(d=d, lam=lam, age=age, L=4000)
        assert fin == pytest.approx(tf.score_variance(kind, "stationary").evaluate(d=d, lam=lam, age=age), rel=1e-12)


def test_window_is_where_the_snr_meets_theta():
    for d, lam, theta in [(32, 0.995, 1.0), (64, 0.999, 2.0), (128, 0.9999, 4.0)]:
        a = tf.window().evaluate(d=d, lam=lam, theta=theta)
        assert tf.snr().evaluate(d=d, lam=lam, age=a) == pytest.approx(theta, rel=1e-9)


def test_recall_accuracy_two_candidates_is_phi_sqrt_snr():
    from scipy.special import ndtr
    for d, lam, age in [(32, 0.99, 10), (64, 0.999, 300)]:
        assert tf.recall_accuracy(d, lam, age, V=2) == pytest.approx(
            ndtr(np.sqrt(tf.snr().evaluate(d=d, lam=lam, age=age))), abs=1e-9)


@pytest.mark.parametrize("d, theta", [(32, 1.0), (64, 1.0), (256, 4.0)])
def test_optimal_decay_maximises_the_window(d, theta):
    lam = tf.optimal_decay(d, theta)
    best = tf.window().evaluate(d=d, lam=lam, theta=theta)
    x = 1 - lam**2
    for f in (0.9, 0.99, 1.01, 1.1):  # x moved by 1-10%: the window is lower on both sides
        assert tf.window().evaluate(d=d, lam=np.sqrt(1 - f * x), theta=theta) < best
    lead = tf.optimal_decay_leading()
    A = lead["one_minus_lam2"].evaluate(d=d, theta=theta) / np.e
    assert x == pytest.approx(lead["one_minus_lam2"].evaluate(d=d, theta=theta), rel=2 * A)  # O(A) correction
    assert best == pytest.approx(lead["window"].evaluate(d=d, theta=theta), rel=2 * A)


def test_retrievable_pairs_counts_the_ages_above_threshold():
    d, lam, theta = 32, 0.995, 1.0
    n = tf.retrievable_pairs(d, lam, theta)
    snrs = tf.snr().evaluate(d=d, lam=lam, age=np.arange(2000))
    assert n == np.sum(snrs >= theta)


def test_gated_delta_fixed_point_matches_a_cycle_of_orthonormal_keys():
    from hopfield import kv
    d, M, a, b, cycles = 6, 4, 0.9, 0.6, 200
    K = np.tile(np.eye(d)[:M], (cycles, 1))[None]  # (1, M cycles, d)
    Vv = np.tile(np.eye(d)[:M] * 2.0, (cycles, 1))[None]
    out = kv.stream(K, Vv, K, "gated-delta", decay=a, eta=b)[0]  # read each key right after its write
    x = tf.gated_delta_fixed_point().evaluate(a=a, b=b, M=M)
    np.testing.assert_allclose(out[-M:], x * Vv[0, -M:], rtol=1e-12)
    assert abs(out[-1] @ Vv[0, -1] / 4.0 - 1.0) > 0.05  # b < 1: the fixed point is not exact recall


def test_bad_parameters():
    with pytest.raises(ValueError, match="lam must be in"):
        tf.recall_accuracy(32, 1.0, 3)
    with pytest.raises(ValueError, match="out of reach"):
        tf.optimal_decay(8, 2.0)
    with pytest.raises(ValueError, match="horizon"):
        tf.snr("forever")


def test_derivation_renders():
    text = DERIVATIONS["kv-decay-recall-age"]().render()
    assert "window" in text and "e*A" in text

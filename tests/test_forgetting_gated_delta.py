"""The gated delta rule's recall by age: theory.forgetting.gated_delta_moments and its check."""

import numpy as np
import pytest

import theory.forgetting as tf
from simulations.estimators import forgetting as sf
from theory.derivation import DERIVATIONS


def _chi_moments(d):
    return 1.0, (d + 2) / d, (d + 2) * (d + 4) / d**2, d / (d - 2)  # E|k|^2, ^4, ^6, ^-2 at k ~ N(0, I/d)


def _iterate(d, a, b, age, L, slip=1.0):
    """The per-write recursions of the moments, stepped one write at a time (no geometric sums).

    ``slip=0`` drops the noise that the delta correction ``-a b (W k)(k . u)`` carries into the score.
    """
    m1, m2, m3, mm1 = _chi_moments(d)
    if b is None:
        b1, b2, nu, eta, bm2, bm3 = 1.0, 1.0, mm1, 0.0, m1, m1
    else:
        b1, b2, nu, eta, bm2, bm3 = b * m1, b * b * m2, b * b * m1, m1 - 2 * b * m2 + b * b * m3, b * m2, b * b * m3
    c = b2 / (d * (d + 2))
    F = 0.0
    for _ in range(L - 1 - age):  # the writes before the pair: E||W||_F^2
        F = a * a * (1 - 2 * b1 / d + b2 / d) * F + nu
    mean, q, r = b1, a * a * eta * F / d**2 + b2 * (1 + 2 / d), a * a * eta * F / d + b2  # the pair's write
    h = a * a * (1 - 2 * bm2 / d + bm3 / d) * F / d + b2 * (1 + 2 / d)
    e = a * a * (1 - 2 * bm2 / d + bm3 / d) * F + b2
    for _ in range(age):
        q = a * a * ((1 - 2 * b1 / d) * q + c * (slip * h + 2 * q)) + nu / d**2
        r = a * a * ((1 - 2 * b1 / d) * r + c * (e + 2 * r)) + nu / d
        h = a * a * (1 - 2 * b1 / d + b2 / d) * h + nu / d
        e = a * a * (1 - 2 * b1 / d + b2 / d) * e + nu
        mean *= a * (1 - b1 / d)
    return mean, q - mean**2, r / d


@pytest.mark.parametrize("b", [None, 0.4])
@pytest.mark.parametrize("a, age, L", [(0.95, 0, 30), (0.9, 7, 30), (1.0, 12, 13), (0.97, 25, 90)])
def test_closed_forms_sum_the_per_write_recursions(a, age, L, b):
    m = tf.gated_delta_moments("normalized" if b is None else "constant", "finite")
    vals = {"d": 12, "a": a, "age": age, "L": L, **({} if b is None else {"b": b})}
    got = [float(m[k].evaluate(**vals)) for k in ("mean", "stored", "fresh")]
    np.testing.assert_allclose(got, _iterate(12, a, b, age, L), rtol=1e-10)


def test_single_write_and_normalised_write_by_hand():
    # one write of constant rate b: s = b |u|^2 |v|^2, f . W u = b |u|^2 (f . v)
    d, b = 10, 0.3
    m = tf.gated_delta_moments("constant", "finite")
    got = [float(m[k].evaluate(d=d, a=0.7, b=b, age=0, L=1)) for k in ("mean", "stored", "fresh")]
    np.testing.assert_allclose(got, [b, b * b * ((1 + 2 / d) ** 2 - 1), b * b * (1 + 2 / d) / d], rtol=1e-12)
    # b = 1/|k|^2 sets W u = v whatever came before: variances 2/d (|v|^2) and 1/d at age 0
    m = tf.gated_delta_moments("normalized", "finite")
    got = [float(m[k].evaluate(d=d, a=0.8, age=0, L=50)) for k in ("mean", "stored", "fresh")]
    np.testing.assert_allclose(got, [1.0, 2 / d, 1 / d], rtol=1e-12)
    # the mean is the existing signal formula, exactly
    assert float(m["mean"].evaluate(d=d, a=0.8, age=9, L=50)) == pytest.approx(
        float(tf.gated_delta_signal().evaluate(a=0.8, d=d, age=9)), rel=1e-14)


def test_stationary_is_the_large_L_limit():
    for rate, extra in (("normalized", {}), ("constant", {"b": 0.5})):
        fin, sta = tf.gated_delta_moments(rate, "finite"), tf.gated_delta_moments(rate, "stationary")
        for k in ("stored", "fresh"):
            big = float(fin[k].evaluate(d=16, a=0.9, age=5, L=2000, **extra))
            assert big == pytest.approx(float(sta[k].evaluate(d=16, a=0.9, age=5, **extra)), rel=1e-12)
            assert float(fin[k].evaluate(d=16, a=0.9, age=5, L=8, **extra)) < big  # fewer writes, less crosstalk


def test_the_exact_moments_agree_with_simulation_and_a_dropped_term_does_not():
    # a direct Monte Carlo at d = 8 (own stream of memories) within 4 standard errors; dropping the noise
    # that the delta correction -a b (W k)(k . u) adds at each later write is many standard errors off
    d, a, L, ages, n = 8, 0.9, 30, [0, 4, 12], 20000
    sc = sf.memory_scores("gated-delta", d, L, ages, n, seed=5, lam=a)
    m = tf.gated_delta_moments("normalized", "finite")
    for i, age in enumerate(ages):
        vals = dict(d=d, a=a, age=age, L=L)
        mu = float(m["mean"].evaluate(**vals))
        for kind, c in (("stored", mu), ("fresh", 0.0)):
            sq = (sc[kind][:, i] - c) ** 2
            z = (sq.mean() - float(m[kind].evaluate(**vals))) / (sq.std(ddof=1) / np.sqrt(n))
            assert abs(z) < 4, (kind, age, z)
    i = ages.index(12)
    mu, var, _ = _iterate(d, a, None, 12, L, slip=0.0)  # the stored variance without the correction's noise
    sq = (sc["stored"][:, i] - mu) ** 2
    z_bad = (sq.mean() - var) / (sq.std(ddof=1) / np.sqrt(n))
    assert abs(z_bad) > 8, z_bad


def test_accuracy_and_refusals():
    acc = tf.gated_delta_accuracy(16, 0.95, np.array([0, 10, 60]), L=80)
    assert np.all(np.diff(acc) < 0) and 0.5 < acc[-1] < acc[0] < 1
    m = tf.gated_delta_moments("normalized", "finite")
    v = dict(d=16, a=0.95, age=10, L=80)
    assert acc[1] == pytest.approx(float(__import__("scipy.special").special.ndtr(
        m["mean"].evaluate(**v) / np.sqrt(m["stored"].evaluate(**v) + m["fresh"].evaluate(**v)))), rel=1e-12)
    with pytest.raises(ValueError, match="a must be in"):
        tf.gated_delta_accuracy(16, 1.5, 0)
    with pytest.raises(ValueError, match="d must be > 2"):
        tf.gated_delta_accuracy(2, 0.9, 0)
    with pytest.raises(ValueError, match="b must be > 0"):
        tf.gated_delta_accuracy(16, 0.9, 0, b=-1.0)
    with pytest.raises(ValueError, match="rate must be one of"):
        tf.gated_delta_moments("adaptive")
    with pytest.raises(ValueError, match="eta"):
        sf.memory_scores("gated-delta", 8, 10, [0], 10, lam=0.9, eta=-0.5)
    with pytest.raises(ValueError, match="eta is not a parameter"):
        sf.memory_scores("decay", 8, 10, [0], 10, lam=0.9, eta=0.5)


def test_constant_rate_scores_are_the_stream_with_that_rate():
    from hopfield import kv

    sc = sf.memory_scores("gated-delta", 6, 9, [0, 3], 4, seed=2, lam=0.9, eta=0.3)
    rng = np.random.default_rng([2, 27, 0])  # memory_scores' chunk 0 stream
    K = rng.standard_normal((4, 9, 6)) / np.sqrt(6)
    V = rng.standard_normal((4, 9, 6)) / np.sqrt(6)
    ages = np.array([0, 3])
    W = np.zeros((4, 6, 6))
    for t in range(9):  # W <- a W (I - b k k^T) + b v k^T, by hand
        k, v = K[:, t], V[:, t]
        W = 0.9 * (W - 0.3 * np.einsum("sab,sb,sc->sac", W, k, k)) + 0.3 * np.einsum("sa,sc->sac", v, k)
    want = np.einsum("sad,sad->sa", V[:, 8 - ages], np.einsum("sij,saj->sai", W, K[:, 8 - ages]))
    np.testing.assert_allclose(sc["stored"], want, rtol=1e-10)


def test_derivation_renders():
    text = DERIVATIONS["kv-gated-delta-recall-age"]().render()
    assert "Stored-value variance" in text and "chi^2_d" in text


def test_ungated_erase_mutant_is_the_slip_it_names():
    from hopfield import kv
    from tests.mutants import MUTANTS

    rng = np.random.default_rng(4)
    # one sequence: the mutated kernel is compiled and run on the calling thread (as the catalogue's other
    # slip tests do), never inside the thread pool, whose size Numba fixes once its threads are launched
    K, V = rng.standard_normal((1, 7, 5)) / 2, rng.standard_normal((1, 7, 5)) / 2
    a, b = 0.8, 0.5
    right = kv.stream(K, V, K, "gated-delta", decay=a, eta=b)
    W, want = np.zeros((1, 5, 5)), np.empty_like(right)
    for t in range(7):  # a W - b (W k) k^T + b v k^T: the erase escapes the gate
        k, v = K[:, t], V[:, t]
        W = a * W - b * np.einsum("sab,sb,sc->sac", W, k, k) + b * np.einsum("sa,sc->sac", v, k)
        want[:, t] = np.einsum("sij,sj->si", W, k)
    with MUTANTS["kv-gated-delta-ungated-erase"].apply():
        wrong = kv.stream(K, V, K, "gated-delta", decay=a, eta=b)
    np.testing.assert_allclose(wrong, want, rtol=1e-10)
    assert np.abs(wrong - right).max() > 1e-3  # the slip changes the stream at this size
    assert np.array_equal(kv.stream(K, V, K, "gated-delta", decay=a, eta=b), right)

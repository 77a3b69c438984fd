"""Key-value memories: kernels against their slow twins, the memories against the formulas, bad input."""

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hopfield import kv
from hopfield.kernels import kv as kernels
from hopfield.modern import ModernHopfield
from tests.reference_kv import (causal_softmax_ref, delta_write_ref, softmax_attention_ref, stream_ref)


def _seqs(S, L, dk, dv, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    f = lambda *s: (rng.standard_normal(s) / np.sqrt(s[-1])).astype(dtype)  # noqa: E731
    return f(S, L, dk), f(S, L, dv), f(S, L, dk)


@pytest.mark.parametrize("rule", ["linear", "normalized", "delta"])
def test_stream_equals_per_step_loop(rule):
    K, V, Q = _seqs(3, 17, 6, 5)
    out = kv.stream(K, V, Q, rule)
    np.testing.assert_allclose(out, stream_ref(K, V, Q, rule), rtol=1e-10, atol=1e-12)


def test_gated_delta_stream_with_fixed_rate():
    K, V, Q = _seqs(2, 15, 8, 3, seed=4)
    out = kv.stream(K, V, Q, "delta", eta=0.7, decay=0.9)
    np.testing.assert_allclose(out, stream_ref(K, V, Q, "delta", eta=0.7, lam=0.9), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("rule", ["linear", "normalized", "delta"])
def test_stream_keeps_float32(rule):
    K, V, Q = _seqs(2, 20, 8, 8, seed=1, dtype=np.float32)
    out = kv.stream(K, V, Q, rule)
    assert out.dtype == np.float32
    # float32 accumulation over 20 steps of O(1) terms: relative error ~ 20 * 6e-8, far below 1e-4
    np.testing.assert_allclose(out, stream_ref(K, V, Q, rule), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["linear", "normalized"])
def test_stream_equals_masked_matmul(kind):
    K, V, Q = _seqs(4, 33, 7, 5, seed=2)
    np.testing.assert_allclose(kv.stream(K, V, Q, kind), kv.causal_attention(K, V, Q, kind), rtol=1e-9, atol=1e-12)


@given(S=st.integers(1, 3), L=st.integers(1, 9), d=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_stream_equals_masked_matmul_any_shape(S, L, d, seed):
    K, V, Q = _seqs(S, L, d, d + 1, seed=seed)
    np.testing.assert_allclose(kv.stream(K, V, Q), kv.causal_attention(K, V, Q), rtol=1e-9, atol=1e-12)


def test_causal_softmax_equals_loop():
    K, V, Q = _seqs(2, 12, 6, 4, seed=3)
    np.testing.assert_allclose(kv.causal_attention(K, V, Q, "softmax", beta=3.0), causal_softmax_ref(K, V, Q, 3.0),
                               rtol=1e-10, atol=1e-12)


def test_one_sequence_shape():
    K, V, Q = _seqs(1, 6, 4, 3)
    assert kv.stream(K[0], V[0], Q[0]).shape == (6, 3)
    np.testing.assert_array_equal(kv.stream(K[0], V[0], Q[0]), kv.stream(K, V, Q)[0])


def test_stream_same_bits_for_any_thread_count():
    K, V, Q = _seqs(8, 50, 16, 16, seed=5)
    n0 = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = {r: kv.stream(K, V, Q, r) for r in kv.RULES}
        numba.set_num_threads(max(2, n0) if numba.config.NUMBA_NUM_THREADS >= 2 else 1)
        b = {r: kv.stream(K, V, Q, r) for r in kv.RULES}
    finally:
        numba.set_num_threads(n0)
    for r in kv.RULES:
        np.testing.assert_array_equal(a[r], b[r])


def test_delta_write_kernel_equals_twin():
    rng = np.random.default_rng(6)
    K, V = rng.standard_normal((9, 5)), rng.standard_normal((9, 4))
    W0 = rng.standard_normal((4, 5))
    eta = rng.uniform(0.05, 0.3, 9)
    W = W0.copy()
    kernels.delta_write(W, K, V, eta, 0.95, 3)
    np.testing.assert_allclose(W, delta_write_ref(W0, K, V, eta, 0.95, 3), rtol=1e-12, atol=1e-12)


def test_hebbian_read_is_the_outer_product_sum():
    rng = np.random.default_rng(7)
    K, V, q = rng.standard_normal((6, 5)), rng.standard_normal((6, 3)), rng.standard_normal(5)
    mem = kv.HebbianMemory(5, 3).write(K[:4], V[:4]).write(K[4:], V[4:])
    expected = sum(V[i] * (K[i] @ q) for i in range(6))
    np.testing.assert_allclose(mem.read(q), expected, rtol=1e-12)
    assert mem.n_stored == 6 and mem.state_size == 15
    phi = lambda x: np.where(x > 0, x + 1, np.exp(x))  # noqa: E731
    nmem = kv.HebbianMemory(5, 3, normalize=True, feature_map="elu+1").write(K, V)
    w = np.array([phi(K[i]) @ phi(q) for i in range(6)])
    np.testing.assert_allclose(nmem.read(q), (w / w.sum()) @ V, rtol=1e-12)


def test_recall_picks_the_best_candidate():
    X = kv.sample_embeddings(8, 64, "orthonormal", rng=0)
    for mem in (kv.HebbianMemory(64), kv.DeltaMemory(64, eta=1.0), kv.SoftmaxMemory(64, beta=10.0)):
        mem.write(X, X[::-1])
        np.testing.assert_array_equal(mem.recall(X, candidates=X), np.arange(8)[::-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_read_equals_plain_attention(dtype):
    rng = np.random.default_rng(8)
    K, V, Q = rng.standard_normal((40, 16)), rng.standard_normal((40, 3)), rng.standard_normal((25, 16))
    mem = kv.SoftmaxMemory(16, 3, beta=0.7, chunk=7, dtype=dtype.__name__).write(K, V)
    out = mem.read(Q.astype(dtype))
    assert out.dtype == dtype and mem.K.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 2e-5  # float32: a few ulps of O(1) weights and values
    np.testing.assert_allclose(out, softmax_attention_ref(Q, K, V, 0.7), rtol=tol, atol=tol)


def test_softmax_memory_is_the_modern_hopfield_update():
    rng = np.random.default_rng(9)
    X, xi = rng.standard_normal((30, 12)), rng.standard_normal((5, 12))
    mem = kv.SoftmaxMemory(12, beta=1.3).write(X, X)
    np.testing.assert_allclose(mem.read(xi), ModernHopfield(X, 1.3).update(xi), rtol=1e-12, atol=1e-13)


def test_softmax_chunks_do_not_change_the_result():
    rng = np.random.default_rng(10)
    K, Q = rng.standard_normal((50, 8)), rng.standard_normal((33, 8))
    a = kv.softmax_read(Q, K, K, 2.0, chunk=1)
    b = kv.softmax_read(Q, K, K, 2.0, chunk=1000)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)


def test_delta_converges_to_projection_solution():
    rng = np.random.default_rng(11)
    K, V = rng.standard_normal((6, 10)), rng.standard_normal((6, 4))
    mem = kv.DeltaMemory(10, 4, eta=None).write(K, V, passes=300)
    # V^T (K^T)^+ : the minimum-norm W with W k_i = v_i
    np.testing.assert_allclose(mem.W, V.T @ np.linalg.pinv(K.T), atol=1e-9)
    mem32 = kv.DeltaMemory(10, 4, eta=0.05, dtype="float32").write(K, V, passes=2000)
    assert mem32.W.dtype == np.float32
    np.testing.assert_allclose(mem32.W, V.T @ np.linalg.pinv(K.T), atol=1e-3)


def test_one_normalised_delta_write_is_exact_for_that_key():
    rng = np.random.default_rng(12)
    K, V = rng.standard_normal((5, 7)), rng.standard_normal((5, 7))
    mem = kv.DeltaMemory(7).write(K, V)
    np.testing.assert_allclose(mem.read(K[-1]), V[-1], atol=1e-12)


def test_embeddings():
    X = kv.sample_embeddings(4000, 16, "gaussian", rng=1)
    # E|x|^2 = 1, sd of |x|^2 is sqrt(2/16) = 0.35: mean of 4000 within 5 sd = 0.028
    assert abs(np.mean(np.sum(X**2, 1)) - 1) < 0.028
    R = kv.sample_embeddings(5, 9, "rademacher", rng=2, dtype="float32")
    assert R.dtype == np.float32 and np.allclose(np.abs(R), 1 / 3)
    assert kv.sample_embeddings(3, 3, "orthonormal", rng=0).shape == (3, 3)
    p = kv.zipf_probabilities(4, 2.0)
    np.testing.assert_allclose(p, np.array([1, 1 / 4, 1 / 9, 1 / 16]) / (1 + 1 / 4 + 1 / 9 + 1 / 16))
    x = kv.sample_zipf(20000, 4, 2.0, rng=3)
    counts = np.bincount(x, minlength=4) / 20000
    assert np.all(np.abs(counts - p) < 5 * np.sqrt(p * (1 - p) / 20000))


@pytest.mark.parametrize("make, call, match", [
    (lambda: kv.HebbianMemory(4), lambda m: m.write(np.ones((2, 3)), np.ones((2, 4))), "keys must have shape"),
    (lambda: kv.HebbianMemory(4), lambda m: m.write(np.ones((2, 4)), np.ones((3, 4))), "same number of pairs"),
    (lambda: kv.HebbianMemory(4), lambda m: m.write([[np.nan] * 4], [[0.0] * 4]), "keys contains NaN"),
    (lambda: kv.HebbianMemory(4), lambda m: m.write([[1.0] * 4], [[np.inf] * 4]), "values contains NaN or inf"),
    (lambda: kv.HebbianMemory(4), lambda m: m.read(np.ones(4)), "is empty"),
    (lambda: kv.SoftmaxMemory(4), lambda m: m.read(np.ones(4)), "is empty"),
    (lambda: kv.DeltaMemory(4, eta=1.0), lambda m: m.write(2 * np.ones((1, 4)), np.ones((1, 4))), "eta = 1.0 exceeds"),
    (lambda: kv.DeltaMemory(4), lambda m: m.write(np.zeros((1, 4)), np.ones((1, 4))), "non-zero"),
    (lambda: kv.HebbianMemory(4), lambda m: m.write(np.ones((0, 4)), np.ones((0, 4))), "must not be empty"),
])
def test_bad_input_is_named(make, call, match):
    m = make()
    with pytest.raises(ValueError, match=match):
        call(m)


def test_refused_delta_write_leaves_W_unchanged():
    m = kv.DeltaMemory(3, eta=0.5).write(np.eye(3), np.eye(3))
    W = m.W.copy()
    with pytest.raises(ValueError, match="diverge"):
        m.write([[2.0, 0, 0], [3.0, 0, 0]], np.ones((2, 3)))
    np.testing.assert_array_equal(m.W, W)


def test_bad_parameters():
    with pytest.raises(ValueError, match="beta must be > 0"):
        kv.SoftmaxMemory(4, beta=0.0)
    with pytest.raises(ValueError, match="beta must be > 0"):
        kv.causal_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), "softmax", beta=-1.0)
    with pytest.raises(ValueError, match="eta must be > 0"):
        kv.DeltaMemory(4, eta=0.0)
    with pytest.raises(ValueError, match="decay must be in"):
        kv.DeltaMemory(4, decay=1.5)
    with pytest.raises(ValueError, match="normalize=True needs a positive feature map"):
        kv.HebbianMemory(4, normalize=True)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        kv.HebbianMemory(4, dtype="int8")
    with pytest.raises(TypeError, match="d_k must be an integer"):
        kv.HebbianMemory(4.0)
    with pytest.raises(ValueError, match="orthonormal embeddings need M <= d"):
        kv.sample_embeddings(5, 3, "orthonormal")
    with pytest.raises(ValueError, match="rule must be one of"):
        kv.stream(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), "softmax")
    with pytest.raises(ValueError, match="eta = 5.0 exceeds"):
        kv.stream(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), "delta", eta=5.0)
    with pytest.raises(ValueError, match="share"):
        kv.stream(np.ones((2, 3)), np.ones((3, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="candidates must have shape"):
        kv.HebbianMemory(4).write(np.ones(4), np.ones(4)).recall(np.ones(4), np.ones((3, 5)))

"""Key-value memories that forget (``hopfield.kv.stream`` with the forgetting rules): kernels against
their slow twins, same bits for any thread count, float32, bad input."""

import numba
import numpy as np
import pytest

from hopfield import kv
from tests.reference_kv import stream_forgetting_ref


def _seqs(S, L, dk, dv, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    f = lambda *s: (rng.standard_normal(s) / np.sqrt(s[-1])).astype(dtype)  # noqa: E731
    return f(S, L, dk), f(S, L, dv), f(S, L, dk)


def _gates(S, L, seed, lo=0.5):
    return np.random.default_rng(seed).uniform(lo, 1.0, size=(S, L))


def _cases(S, L):
    """Parameters of every rule for S sequences of length L (per-step gates and rates drawn at random)."""
    return {
        "decay": dict(decay=0.9),
        "gla": dict(gate=_gates(S, L, 1)),
        "gated-delta": dict(decay=_gates(S, L, 2), eta=None),
        "gated-delta-fixed": dict(decay=0.95, eta=0.6),
        "titans": dict(eta=0.3, momentum=0.6, decay=0.97),
        "longhorn": dict(eta=_gates(S, L, 3, lo=0.1) * 4),
    }


CASES = _cases(3, 17)


@pytest.mark.parametrize("case", list(CASES))
def test_forgetting_stream_equals_slow_twin(case):
    K, V, Q = _seqs(3, 17, 6, 5)
    rule = case.replace("-fixed", "")
    out = kv.stream(K, V, Q, rule, **CASES[case])
    # float64 sums of <= 17 steps of O(1) terms in a different order: agreement to ~1e-15 relative
    np.testing.assert_allclose(out, stream_forgetting_ref(K, V, Q, rule, **CASES[case]), rtol=1e-12, atol=1e-13)


def test_twin_comparison_detects_a_slip():
    """The comparison above fails for a rule that forgets differently (decay applied after the write)."""
    K, V, Q = _seqs(3, 17, 6, 5)
    slipped = kv.stream(K, V, Q, "decay", decay=0.9) * 0.9  # = reads of W = 0.9 (0.9 W + v k^T)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(slipped, stream_forgetting_ref(K, V, Q, "decay", decay=0.9), rtol=1e-12,
                                   atol=1e-13)


def test_special_cases_agree_with_the_memories_they_reduce_to():
    K, V, Q = _seqs(2, 13, 5, 4, seed=6)
    lin = kv.stream(K, V, Q, "linear")
    np.testing.assert_allclose(kv.stream(K, V, Q, "decay", decay=1.0), lin, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(kv.stream(K, V, Q, "gla", gate=np.ones((2, 13))), lin, rtol=1e-12, atol=1e-13)
    # gated delta with a = lam, b = eta is the decayed delta rule lam W + eta (v - lam W k) k^T
    np.testing.assert_allclose(kv.stream(K, V, Q, "gated-delta", decay=0.8, eta=0.7),
                               kv.stream(K, V, Q, "delta", decay=0.8, eta=0.7), rtol=1e-12, atol=1e-13)
    # Titans without momentum or decay is the delta rule with rate theta
    np.testing.assert_allclose(kv.stream(K, V, Q, "titans", eta=0.5, momentum=0.0, decay=1.0),
                               kv.stream(K, V, Q, "delta", eta=0.5), rtol=1e-12, atol=1e-13)


def test_orthonormal_keys_read_back_decayed_by_age():
    """Orthonormal keys, b = 1: right after its write W k_j = v_j, then a^age (exact, no crosstalk)."""
    d, L, a = 8, 8, 0.9
    K = np.eye(d)[None]
    V = np.random.default_rng(0).standard_normal((1, L, d))
    Q = np.broadcast_to(K[:, :1], K.shape)  # query the first key at every step
    out = kv.stream(K, V, Q, "gated-delta", decay=a, eta=1.0)[0]
    np.testing.assert_allclose(out, a ** np.arange(L)[:, None] * V[0, 0], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", list(CASES))
def test_forgetting_stream_keeps_float32(case):
    K, V, Q = _seqs(3, 17, 6, 5, seed=1, dtype=np.float32)
    rule = case.replace("-fixed", "")
    out = kv.stream(K, V, Q, rule, **CASES[case])
    assert out.dtype == np.float32
    # float32 rounding over 17 steps of O(1) terms: ~17 * 6e-8 relative, far below 1e-4
    np.testing.assert_allclose(out, stream_forgetting_ref(K, V, Q, rule, **CASES[case]), rtol=1e-4, atol=1e-5)


def test_single_sequence_and_per_step_vectors():
    K, V, Q = _seqs(1, 9, 4, 3, seed=2)
    g = _gates(1, 9, 4)
    np.testing.assert_array_equal(kv.stream(K[0], V[0], Q[0], "gla", gate=g[0]), kv.stream(K, V, Q, "gla", gate=g)[0])


def test_forgetting_same_bits_for_any_thread_count():
    K, V, Q = _seqs(8, 40, 12, 12, seed=5)
    cases = _cases(8, 40)
    n0 = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = {c: kv.stream(K, V, Q, c.replace("-fixed", ""), **p) for c, p in cases.items()}
        numba.set_num_threads(max(2, n0) if numba.config.NUMBA_NUM_THREADS >= 2 else 1)
        b = {c: kv.stream(K, V, Q, c.replace("-fixed", ""), **p) for c, p in cases.items()}
    finally:
        numba.set_num_threads(n0)
    for c in cases:
        np.testing.assert_array_equal(a[c], b[c])


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(rule="gla"), ValueError, "needs gate"),
    (dict(rule="gla", gate=np.full((2, 5), 1.5)), ValueError, "gate must lie in"),
    (dict(rule="gla", gate=np.ones((2, 4))), ValueError, "gate must be a scalar or have shape"),
    (dict(rule="gla", gate="x"), TypeError, "gate must be real"),
    (dict(rule="decay", decay=0.0), ValueError, "decay"),
    (dict(rule="decay", decay=1.2), ValueError, "decay must be in"),
    (dict(rule="decay", gate=np.ones((2, 5))), ValueError, "gate is for rule='gla'"),
    (dict(rule="linear", momentum=0.5), ValueError, "gate and momentum belong"),
    (dict(rule="gated-delta", decay=np.zeros((2, 5))), ValueError, "decay must lie in"),
    (dict(rule="gated-delta", eta=50.0), ValueError, "diverge"),
    (dict(rule="titans"), ValueError, "needs eta"),
    (dict(rule="titans", eta=0.1, momentum=1.0), ValueError, "momentum must be in"),
    (dict(rule="titans", eta=np.ones((2, 5))), TypeError, "eta"),
    (dict(rule="longhorn"), ValueError, "needs eta"),
    (dict(rule="longhorn", eta=-1.0), ValueError, "eta must lie in"),
    (dict(rule="decay", decay=0.9, device="gpu"), ValueError, "CPU only"),
    (dict(rule="forget"), ValueError, "rule"),
])
def test_forgetting_bad_input(kwargs, exc, match, monkeypatch):
    K, V, Q = _seqs(2, 5, 3, 3)
    if kwargs.get("device") == "gpu":
        import hopfield._xp as xp
        monkeypatch.setattr(xp, "select", lambda device: ("gpu", np))
    with pytest.raises(exc, match=match):
        kv.stream(K, V, Q, **kwargs)

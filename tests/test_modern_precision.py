"""Precision and memory of ModernHopfield's update: float32 stays float32, chunks bound memory."""

import tracemalloc

import numpy as np
import pytest
from scipy.special import softmax

from hopfield import modern
from hopfield.modern import ModernHopfield
from tests.reference import modern_update_reference


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("beta", [0.1, 3.0, 300.0])
def test_softmax_inplace_is_scipy_softmax_bit_for_bit(dtype, beta):
    # the same operations in the same order as scipy.special.softmax(beta * S): equal bits;
    # beta = 300 makes beta * S overflow exp without the shift by the row maximum.
    S = np.random.default_rng(1).normal(size=(7, 33)).astype(dtype) * 5
    ref = softmax(beta * S, axis=1)
    got = modern.softmax_rows_inplace(S.copy(), beta)
    assert got.dtype == dtype and np.array_equal(got, ref)


def test_softmax_without_shift_is_caught(monkeypatch):
    def unshifted(S, beta):
        S *= S.dtype.type(beta)
        np.exp(S, out=S)
        S /= S.sum(axis=1, keepdims=True)
        return S

    monkeypatch.setattr(modern, "softmax_rows_inplace", unshifted)
    with pytest.raises(AssertionError), np.errstate(all="ignore"):
        test_softmax_inplace_is_scipy_softmax_bit_for_bit(np.float64, 300.0)


@pytest.mark.parametrize("beta", [0.5, 8.0])
def test_float32_stays_float32_and_agrees_with_float64(beta):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 12))
    q = X[:5] + 0.3 * rng.normal(size=(5, 12))
    net32 = ModernHopfield(X.astype(np.float32), beta)
    net64 = ModernHopfield(X, beta)
    assert net32.X.dtype == np.float32 and net64.X.dtype == np.float64
    for out32, out64 in ((net32.update(q), net64.update(q)), (net32.retrieve(q, 3), net64.retrieve(q, 3))):
        assert out32.dtype == np.float32 and out64.dtype == np.float64
        # float32 rounding (2**-24 ~ 6e-8 relative) through products of ~12-40 terms of size ~1-3,
        # amplified by beta in the softmax: 1e-4 absolute is ~100 ulps at beta = 8.
        np.testing.assert_allclose(out32, out64, rtol=0, atol=1e-4 * max(1.0, beta / 4))
    for b in range(5):
        np.testing.assert_allclose(net32.update(q[b]), modern_update_reference(X, beta, q[b]), atol=1e-4 * max(1.0, beta / 4))
    e32 = net32.energy(q)
    assert e32.dtype == np.float32
    np.testing.assert_allclose(e32, net64.energy(q), rtol=1e-5)
    # float64 on request from float32 patterns
    assert ModernHopfield(X.astype(np.float32), beta, dtype=np.float64).update(q).dtype == np.float64


def test_dtype_validated():
    with pytest.raises(TypeError, match="dtype"):
        ModernHopfield(np.ones((3, 2)), 1.0, dtype=np.int64)


def test_chunks_equal_one_block(monkeypatch):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 8))
    q = rng.normal(size=(37, 8))
    net = ModernHopfield(X, 2.0)
    whole, e_whole = net.update(q), net.energy(q)
    monkeypatch.setattr(modern, "CHUNK_BYTES", 7 * 50 * 8)  # chunks of 7 queries, the last one of 2
    assert net._chunk() == 7
    # BLAS may round a (7, d) x (d, N) product's rows differently from a (37, d) one's: 1e-13.
    np.testing.assert_allclose(net.update(q), whole, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(net.energy(q), e_whole, rtol=1e-13)


def test_update_memory_is_bounded_by_the_chunk(monkeypatch):
    """Peak allocation of one update of 4000 queries over 1000 patterns stays near one chunk.

    The whole (B, N) float64 score matrix would be 32 MB; with 1 MiB chunks the update
    needs the chunk, its row statistics and the (B, d) output (~0.5 MB). Kills: an
    unchunked update, or a ``beta * S`` temporary of the full size.
    """
    rng = np.random.default_rng(4)
    X = rng.normal(size=(1000, 16))
    q = rng.normal(size=(4000, 16))
    net = ModernHopfield(X, 1.0)
    monkeypatch.setattr(modern, "CHUNK_BYTES", 2**20)
    tracemalloc.start()
    try:
        net.update(q)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, peak

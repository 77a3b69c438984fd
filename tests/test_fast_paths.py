"""Fast paths that must give exactly what their plain numpy definitions give."""

import numpy as np
import pytest

from hopfield import _validate, patterns
from hopfield.patterns import random_binary


def _definition(rng, P, N):
    x = rng.integers(0, 2, size=(P, N), dtype=np.int8)  # the plain numpy draw, +-1 after 2x - 1
    return (2 * x - 1).astype(np.int8)


def _same_as_definition() -> bool:
    for bitgen in (np.random.PCG64, np.random.MT19937, np.random.Philox):
        for seed in range(6):
            a, b = np.random.Generator(bitgen(seed)), np.random.Generator(bitgen(seed))
            if seed % 2:  # a buffered half word left in the generator by an earlier 32-bit draw
                a.integers(0, 2**32, dtype=np.uint32)
                b.integers(0, 2**32, dtype=np.uint32)
            for P, N in ((1, 1), (1, 3), (3, 5), (7, 13), (2, 2), (40, 501)):
                x, y = random_binary(P, N, seed=a), _definition(b, P, N)
                if not (np.array_equal(x, y) and x.dtype == np.int8):
                    return False
            if a.integers(2**62) != b.integers(2**62):  # and leaves the generator where numpy leaves it
                return False
    return True


def test_random_binary_is_numpys_int8_draw_bit_for_bit():
    assert _same_as_definition()


def test_random_binary_mutant_low_bit_is_killed(monkeypatch):
    def low_bit(rng, n):  # plausible slip: the lowest bit of each byte instead of the top one
        w = rng.integers(0, 2**32, size=(n + 3) // 4, dtype=np.uint32)
        return (w.view(np.uint8)[:n] & 1).view(np.int8)

    monkeypatch.setattr(patterns, "_bits_int8", low_bit)
    assert not _same_as_definition()


@pytest.mark.parametrize("bad", [0, 2, -2, 127, -128])
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int64])
def test_as_pm1_integer_path_rejects_every_other_value(bad, dtype):
    x = np.ones(9, dtype)
    x[4] = bad
    with pytest.raises(ValueError, match=rf"x must contain only -1 and \+1, found .*\({bad}\)"):
        _validate.as_pm1(x, "x")


@pytest.mark.parametrize("x", [np.array([1, 255], np.uint8), np.array([1, 0, -1], np.int32),
                               np.array([[1, -1], [1, 1], [0, 1]], np.int64)])
def test_as_pm1_rejects_unsigned_and_zero(x):
    with pytest.raises(ValueError, match="must contain only -1 and"):
        _validate.as_pm1(x, "x")


def test_as_pm1_accepts_every_integer_dtype():
    for dtype in (np.int8, np.int16, np.int32, np.int64, np.uint8):
        x = np.array([[1, 1], [1, 1]], dtype)
        if np.issubdtype(dtype, np.signedinteger):
            x[0, 1] = -1
        out = _validate.as_pm1(x, "x")
        assert out.dtype == np.int8 and out.flags.c_contiguous and np.array_equal(out, x.astype(np.int8))


def _threaded_softmax_exact(monkeypatch) -> bool:
    import numba
    from scipy.special import softmax

    from hopfield import modern

    monkeypatch.setattr(modern, "SOFTMAX_MIN_ENTRIES_PER_THREAD", 8)  # split even small matrices
    rng = np.random.default_rng(0)
    default = numba.get_num_threads()
    try:
        numba.set_num_threads(max(2, default))
        for dtype in (np.float32, np.float64):
            for B, N in ((7, 5), (33, 64), (2, 9)):
                S = rng.normal(size=(B, N)).astype(dtype)
                got = modern._softmax_threads(S.copy(), 3.0)
                if not (np.array_equal(got, modern.softmax_rows_inplace(S.copy(), 3.0))
                        and np.array_equal(got, softmax(dtype(3.0) * S, axis=1))):
                    return False
    finally:
        numba.set_num_threads(default)
    return True


def test_threaded_softmax_is_bit_identical_to_scipy(monkeypatch):
    assert _threaded_softmax_exact(monkeypatch)


def test_threaded_softmax_mutant_last_block_dropped_is_killed(monkeypatch):
    from hopfield import modern

    real = modern.softmax_rows_inplace
    calls = []

    def skip_last_block(S, beta):  # plausible slip: the bounds miss the rows of the last block
        calls.append(S.shape[0])
        return S if len(calls) % 2 == 0 else real(S, beta)

    monkeypatch.setattr(modern, "softmax_rows_inplace", skip_last_block)
    assert not _threaded_softmax_exact(monkeypatch)

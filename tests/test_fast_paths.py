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

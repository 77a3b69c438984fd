import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hopfield.patterns import biased_binary, flip, hamming, overlap, random_binary


def test_random_binary_shape_values_and_seeding():
    xi = random_binary(4, 7, seed=3)
    assert xi.shape == (4, 7) and xi.dtype == np.int8
    assert set(np.unique(xi)) <= {-1, 1}
    assert np.array_equal(xi, random_binary(4, 7, seed=3))
    assert not np.array_equal(random_binary(50, 50, seed=3), random_binary(50, 50, seed=4))
    g = np.random.default_rng(5)
    a, b = random_binary(3, 9, seed=g), random_binary(3, 9, seed=g)
    assert not np.array_equal(a, b)  # a Generator's stream continues between calls
    g2 = np.random.default_rng(5)
    assert np.array_equal(a, random_binary(3, 9, seed=g2))
    assert random_binary(2, 3, seed=None).shape == (2, 3)


def test_random_binary_is_unbiased():
    xi = random_binary(400, 500, seed=11)
    # mean of 2e5 independent +-1 entries: sd = 1/sqrt(2e5) = 0.0022; allow 5 sd.
    assert abs(xi.mean()) < 5 / np.sqrt(xi.size)


@pytest.mark.parametrize("a", [-0.7, 0.0, 0.4, 0.9])
def test_biased_binary_activity(a):
    xi = biased_binary(400, 1000, a, seed=2)
    assert xi.dtype == np.int8 and set(np.unique(xi)) <= {-1, 1}
    # E[xi] = a, Var = 1 - a^2, n = 4e5 entries: allow 5 standard errors.
    assert abs(xi.mean() - a) < 5 * np.sqrt((1 - a * a) / xi.size)


def test_flip_exact_count_and_fraction():
    x = random_binary(50, 40, seed=0)
    y = flip(x, count=7, seed=1)
    assert np.array_equal(hamming(y, x).diagonal(), np.full(50, 7))
    assert x.dtype == np.int8 and not np.shares_memory(x, y)
    z = flip(x[0], fraction=0.1, seed=2)  # round(0.1 * 40) = 4
    assert z.shape == (40,) and int(hamming(z, x[0])) == 4
    assert np.array_equal(flip(x, count=0, seed=1), x)
    assert np.array_equal(flip(x, fraction=1.0, seed=1), -x)
    assert int(hamming(flip(x[0], fraction=0.0625, seed=1), x[0])) == round(0.0625 * 40)


def test_flip_positions_are_uniform():
    x = np.ones((4000, 10), dtype=np.int8)
    freq = (flip(x, count=3, seed=9) == -1).mean(axis=0)
    # each position is flipped with probability 3/10; sd over 4000 rows = 0.0072; allow 5 sd.
    assert np.all(np.abs(freq - 0.3) < 5 * np.sqrt(0.21 / 4000))


@given(B=st.integers(1, 4), P=st.integers(1, 4), N=st.integers(1, 12), seed=st.integers(0, 2**32))
def test_overlap_and_hamming_equal_loops(B, P, N, seed):
    a = random_binary(B, N, seed=seed)
    b = random_binary(P, N, seed=seed + 1)
    m = overlap(a, b)
    d = hamming(a, b)
    assert m.shape == (B, P) and m.dtype == np.float64 and d.dtype == np.int64
    for i in range(B):
        for j in range(P):
            dot = sum(int(a[i, k]) * int(b[j, k]) for k in range(N))
            assert m[i, j] == dot / N
            assert d[i, j] == sum(a[i, k] != b[j, k] for k in range(N))
    assert isinstance(overlap(a[0], b[0]), float)
    assert overlap(a[0], b[0]) == m[0, 0]
    assert np.array_equal(overlap(a, b[0]), m[:, 0])


@pytest.mark.parametrize(
    "call, exc, name",
    [
        (lambda: random_binary(0, 5), ValueError, "P"),
        (lambda: random_binary(3, 2.5), TypeError, "N"),
        (lambda: random_binary(3, 5, seed=-1), ValueError, "seed"),
        (lambda: biased_binary(3, 5, 1.0), ValueError, "a"),
        (lambda: biased_binary(3, 5, float("nan")), ValueError, "a"),
        (lambda: flip(np.ones(5), fraction=0.2, count=1), ValueError, "fraction"),
        (lambda: flip(np.ones(5)), ValueError, "count"),
        (lambda: flip(np.ones(5), fraction=1.5), ValueError, "fraction"),
        (lambda: flip(np.ones(5), count=6), ValueError, "count"),
        (lambda: flip(np.array([1, 0, 1]), count=1), ValueError, "x"),
        (lambda: flip(np.array([1.0, np.nan]), count=1), ValueError, "x"),
        (lambda: flip(np.array([True, False]), count=1), TypeError, "x"),
        (lambda: flip(np.ones((2, 2, 2)), count=1), ValueError, "x"),
        (lambda: overlap(np.ones(4), np.ones(5)), ValueError, "N"),
        (lambda: hamming(np.ones(4), np.array([1, 2, 1, 1])), ValueError, "b"),
    ],
)
def test_bad_input_names_the_parameter(call, exc, name):
    with pytest.raises(exc, match=name):
        call()

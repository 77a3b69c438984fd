"""Random +-1 patterns, their corruption, overlaps and Hamming distances.

Patterns are ``(P, N)`` int8 arrays of -1/+1: P patterns (rows) of N neurons.
Every function that draws random numbers takes ``seed``: ``None`` (fresh OS
entropy), a non-negative ``int`` or a ``numpy.random.Generator`` (used as is,
so successive calls continue its stream).
"""

from __future__ import annotations

import sys
from typing import Optional, Union

import numpy as np
import numpy.typing as npt

from hopfield._validate import as_float, as_flip_count, as_int, as_pm1, check_memory

SeedLike = Union[None, int, np.random.Generator]

__all__ = ["random_binary", "biased_binary", "flip", "overlap", "hamming"]


def _generator(seed: SeedLike) -> np.random.Generator:
    """A numpy Generator from ``seed`` (None, int >= 0, or a Generator)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng(as_int(seed, "seed", minimum=0))


def random_binary(P: int, N: int, seed: SeedLike = None) -> np.ndarray:
    """Draw ``P`` unbiased random patterns of ``N`` neurons.

    Parameters
    ----------
    P : int
        Number of patterns, >= 1.
    N : int
        Number of neurons, >= 1.
    seed : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of shape (P, N), int8 in {-1, +1}
        Entries independent, each +1 with probability 1/2.

    Examples
    --------
    >>> from hopfield.patterns import random_binary
    >>> xi = random_binary(3, 8, seed=0)
    >>> xi.shape, xi.dtype
    ((3, 8), dtype('int8'))
    """
    P = as_int(P, "P", minimum=1)
    N = as_int(N, "N", minimum=1)
    check_memory(3 * P * N, f"random_binary(P={P}, N={N}) (int8 draws, result and a temporary)")
    rng = _generator(seed)
    if _LITTLE_ENDIAN:
        x = _bits_int8(rng, P * N).reshape(P, N)
    else:  # pragma: no cover - big-endian machines
        x = rng.integers(0, 2, size=(P, N), dtype=np.int8)  # bits 0/1
    x *= 2  # in place: no temporaries
    x -= 1
    return x


_LITTLE_ENDIAN = sys.byteorder == "little"


def _bits_int8(rng: np.random.Generator, n: int) -> np.ndarray:
    """``rng.integers(0, 2, size=n, dtype=np.int8)``, bit for bit, about 4x faster.

    numpy draws int8 integers in ``[0, 2)`` from the bytes of successive 32-bit
    words, least significant byte first, and keeps the top bit of each byte
    (Lemire's multiply-shift with a range of 2, which never rejects). The same
    32-bit words come from ``rng.integers(0, 2**32, dtype=np.uint32)``, so
    shifting their bytes right by 7 gives the same bits and leaves ``rng`` in
    the same state. ``tests/test_patterns.py`` compares the two.
    """
    words = rng.integers(0, 2**32, size=(n + 3) // 4, dtype=np.uint32)
    return (words.view(np.uint8)[:n] >> 7).view(np.int8)


def biased_binary(P: int, N: int, a: float, seed: SeedLike = None) -> np.ndarray:
    """Draw ``P`` random patterns with mean activity ``a``.

    Parameters
    ----------
    P, N : int
        Number of patterns and of neurons, >= 1.
    a : float
        Mean activity in the open interval (-1, 1): each entry is +1 with
        probability ``(1 + a) / 2``, so ``E[xi_i] = a``.
    seed : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of shape (P, N), int8 in {-1, +1}

    Examples
    --------
    >>> from hopfield.patterns import biased_binary
    >>> xi = biased_binary(200, 500, a=0.5, seed=1)
    >>> bool(abs(xi.mean() - 0.5) < 0.01)
    True
    """
    P = as_int(P, "P", minimum=1)
    N = as_int(N, "N", minimum=1)
    a = as_float(a, "a")
    if not -1.0 < a < 1.0:
        raise ValueError(f"a must lie in the open interval (-1, 1), got {a}")
    check_memory(18 * P * N, f"biased_binary(P={P}, N={N}) (float64 draws, masks and the result)")
    rng = _generator(seed)
    up = rng.random((P, N)) < (1.0 + a) / 2.0
    return np.where(up, 1, -1).astype(np.int8)


def flip(
    x: npt.ArrayLike,
    fraction: Optional[float] = None,
    count: Optional[int] = None,
    seed: SeedLike = None,
) -> np.ndarray:
    """Copy of ``x`` with exactly ``count`` distinct bits flipped in each row.

    Parameters
    ----------
    x : array_like of shape (N,) or (B, N), entries in {-1, +1}
        State(s) to corrupt; not modified.
    fraction : float, optional
        Fraction of the N bits to flip, in [0, 1]; the count is
        ``round(fraction * N)`` (Python rounding, half to even).
    count : int, optional
        Exact number of bits to flip, in [0, N]. Give exactly one of
        ``fraction`` and ``count``.
    seed : None, int or numpy.random.Generator
        Source of randomness; each row gets its own uniformly random set of
        positions.

    Returns
    -------
    ndarray of the shape of ``x``, int8 in {-1, +1}

    Examples
    --------
    >>> import numpy as np
    >>> from hopfield.patterns import flip, hamming
    >>> x = np.ones(10, dtype=np.int8)
    >>> int(hamming(x, flip(x, count=3, seed=0)))
    3
    """
    x = as_pm1(x, "x")
    N = x.shape[-1]
    count = as_flip_count(fraction, count, N)
    rng = _generator(seed)
    rows = x.reshape(-1, N).copy()
    if count > 0:
        # (B, N) independent uniforms; the positions of the `count` smallest
        # in each row are a uniformly random subset of size `count`.
        idx = np.argpartition(rng.random(rows.shape), count - 1, axis=1)[:, :count]
        np.put_along_axis(rows, idx, -np.take_along_axis(rows, idx, axis=1), axis=1)
    return rows.reshape(x.shape)


def _pair(a, b):
    a = as_pm1(a, "a")
    b = as_pm1(b, "b")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"a and b must have the same number of neurons N, got {a.shape[-1]} and {b.shape[-1]}")
    return a, b


def overlap(a: npt.ArrayLike, b: npt.ArrayLike) -> float | np.ndarray:
    """Overlaps ``m = a . b / N`` of +-1 states.

    Parameters
    ----------
    a : array_like of shape (N,) or (B, N), entries in {-1, +1}
    b : array_like of shape (N,) or (P, N), entries in {-1, +1}

    Returns
    -------
    float, or ndarray of shape (B,), (P,) or (B, P), float64
        ``(N,), (N,)`` gives a float; ``(B, N), (P, N)`` gives ``(B, P)``.

    Notes
    -----
    ``m = (1/N) sum_i a_i b_i`` (Amit, Gutfreund & Sompolinsky 1985); exact,
    since the integer dot products are far below 2**53.

    Examples
    --------
    >>> import numpy as np
    >>> from hopfield.patterns import overlap
    >>> overlap(np.array([1, 1, -1, -1]), np.array([1, -1, -1, -1]))
    0.5
    """
    a, b = _pair(a, b)
    dot = a.astype(np.float64) @ b.astype(np.float64).T
    m = dot / a.shape[-1]
    return float(m) if np.ndim(m) == 0 else m


def hamming(a: npt.ArrayLike, b: npt.ArrayLike) -> int | np.ndarray:
    """Number of differing bits between +-1 states.

    Parameters
    ----------
    a : array_like of shape (N,) or (B, N), entries in {-1, +1}
    b : array_like of shape (N,) or (P, N), entries in {-1, +1}

    Returns
    -------
    int64, or ndarray of shape (B,), (P,) or (B, P), int64
        Same broadcasting as :func:`overlap`; equals ``N (1 - m) / 2``.

    Examples
    --------
    >>> import numpy as np
    >>> from hopfield.patterns import hamming
    >>> int(hamming(np.array([1, 1, -1, -1]), np.array([1, -1, -1, 1])))
    2
    """
    a, b = _pair(a, b)
    N = a.shape[-1]
    dot = np.rint(a.astype(np.float64) @ b.astype(np.float64).T).astype(np.int64)
    return (N - dot) // 2

"""Counter-based random numbers for kernels (SplitMix64).

Each trial owns a one-word state (a ``uint64`` in a length-1 array) derived from
``(seed, trial index)`` only, so a batch gives bit-identical results for any
number of threads. The generator is SplitMix64 (Steele, Lea & Flood, OOPSLA
2014); it is simple enough that ``tests/reference.py`` reproduces it with
Python integers, which lets kernels that draw random numbers be compared with
their slow twins exactly.
"""

import numpy as np
from numba import njit

GAMMA = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
S30 = np.uint64(30)
S27 = np.uint64(27)
S31 = np.uint64(31)
S11 = np.uint64(11)
INV53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True)
def mix64(z):
    """SplitMix64 finaliser of one ``uint64`` word."""
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    return z ^ (z >> S31)


@njit(cache=True)
def next_u64(state):
    """Advance ``state`` (uint64 array of length 1) and return a uint64."""
    state[0] = state[0] + GAMMA
    return mix64(state[0])


@njit(cache=True)
def next_uniform(state):
    """A float64 uniform on [0, 1) with 53 random bits."""
    return np.float64(next_u64(state) >> S11) * INV53


@njit(cache=True)
def next_below(state, n):
    """An integer uniform on {0, ..., n-1} (modulo bias < n / 2**64)."""
    return np.int64(next_u64(state) % np.uint64(n))


@njit(cache=True)
def shuffle_inplace(perm, state):
    """Fisher-Yates shuffle of the int64 array ``perm`` (last index first)."""
    for i in range(perm.shape[0] - 1, 0, -1):
        j = next_below(state, i + 1)
        t = perm[i]
        perm[i] = perm[j]
        perm[j] = t


def trial_states(seed, n_trials, start=0):
    """Initial SplitMix64 states of trials ``start .. start+n_trials-1``.

    Trial ``i`` gets ``mix64(base + (i + 1) * GAMMA)`` where ``base`` is the
    first 64-bit word that ``numpy.random.SeedSequence(seed)`` generates, so a
    trial's stream depends on ``(seed, i)`` alone, not on the batch size,
    the chunking or the number of threads.

    Parameters
    ----------
    seed : int
        Non-negative integer seed.
    n_trials : int
        Number of trials.
    start : int, optional
        Index of the first trial (for chunked batches).

    Returns
    -------
    ndarray of shape (n_trials,), uint64
    """
    base = int(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0])
    mask = (1 << 64) - 1
    g = int(GAMMA)
    out = np.empty(n_trials, dtype=np.uint64)
    for k in range(n_trials):
        out[k] = _mix64_py((base + (start + k + 1) * g) & mask)
    return out


def _mix64_py(z):
    mask = (1 << 64) - 1
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)

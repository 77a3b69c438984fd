"""Device twin of :mod:`hopfield.kernels.rng`: SplitMix64 on the GPU.

The same words as the CPU kernels draw, from the same per-trial states
(:func:`hopfield.kernels.rng.trial_states`), so a GPU trial sees the same
stream as its CPU twin. The state is a one-element ``uint64`` array (a row of a
device array, or a local array), advanced in place as on the CPU.
"""

import numpy as np
from numba import cuda

from hopfield.kernels.rng import GAMMA, INV53, MIX1, MIX2, S11, S27, S30, S31


@cuda.jit(device=True)
def mix64(z):
    """SplitMix64 finaliser of one ``uint64`` word (Steele, Lea & Flood 2014)."""
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    return z ^ (z >> S31)


@cuda.jit(device=True)
def next_u64(state):
    """Advance ``state`` (uint64, length 1) and return the next word."""
    state[0] = state[0] + GAMMA
    return mix64(state[0])


@cuda.jit(device=True)
def next_uniform(state):
    """A float64 uniform on [0, 1) with 53 random bits (as the CPU's ``next_uniform``)."""
    return np.float64(next_u64(state) >> S11) * INV53


@cuda.jit(device=True)
def next_below(state, n):
    """An integer uniform on {0, ..., n-1}, the CPU's ``next_below`` word for word."""
    return np.int64(next_u64(state) % np.uint64(n))


@cuda.jit(device=True)
def shuffle_inplace(perm, state):
    """Fisher-Yates shuffle of ``perm`` (last index first), the CPU's order of draws; one thread calls it."""
    for i in range(perm.shape[0] - 1, 0, -1):
        j = next_below(state, i + 1)
        t = perm[i]
        perm[i] = perm[j]
        perm[j] = t

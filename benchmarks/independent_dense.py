"""A stand-alone dense associative memory kernel, written without amlab's code, to compare with.

Asynchronous updates of Krotov & Hopfield (2016, eq. 4) with F(x) = x**3 on +-1
neurons, patterns stored neuron-major as int8 (N, K), overlaps ``a = xi s``
kept up to date after every flip. For F = x**3 the bracket of eq. 4 is
``(x+1)**3 - (x-1)**3 = 6 x**2 + 2`` with ``x = a_mu - xi_i^mu s_i``. Two
variants of the same loop: int64 overlaps (what one writes first) and int32
overlaps (exact while ``6 N**2 + 2 < 2**31``), both with an int64 field sum.
A third variant, ``run_int32_narrow``, keeps each term in int32 (``x``, ``6 x**2 + 2`` and
its product with ``xi``, exact under the same bound), so that eight terms fit one
256-bit vector, and widens only to add into the int64 field.
Each trial shuffles its visiting order with Numba's generator (seeded per
trial), so only the rate (visits per second) is comparable, not the states.
"""

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _trial(xiT, s, a, max_sweeps, seed):
    N, K = xiT.shape
    np.random.seed(seed)
    for mu in range(K):
        a[mu] = 0
    for j in range(N):
        for mu in range(K):
            a[mu] += xiT[j, mu] * s[j]
    sweeps = 0
    for sweep in range(max_sweeps):
        sweeps += 1
        changed = 0
        for i in np.random.permutation(N):
            si = s[i]
            h = np.int64(0)
            for mu in range(K):
                r = xiT[i, mu]
                x = a[mu] - r * si
                h += r * (6 * x * x + 2)
            new = 1 if h > 0 else (-1 if h < 0 else si)
            if new != si:
                s[i] = new
                for mu in range(K):
                    a[mu] += 2 * new * xiT[i, mu]
                changed += 1
        if changed == 0:
            break
    return sweeps


@njit(cache=True, parallel=True)
def run_int64(xiT, cues, max_sweeps, sweeps):
    """Run every cue (B, N) int8; ``sweeps`` (B,) int64 receives the sweeps used."""
    B, K = cues.shape[0], xiT.shape[1]
    for b in prange(B):
        s = cues[b].astype(np.int64)
        a = np.empty(K, np.int64)
        sweeps[b] = _trial(xiT, s, a, max_sweeps, b)


@njit(cache=True, parallel=True)
def run_int32(xiT, cues, max_sweeps, sweeps):
    """As :func:`run_int64` with int32 states and overlaps."""
    B, K = cues.shape[0], xiT.shape[1]
    for b in prange(B):
        s = cues[b].astype(np.int32)
        a = np.empty(K, np.int32)
        sweeps[b] = _trial(xiT, s, a, max_sweeps, b)


@njit(cache=True)
def _trial_narrow(xiT, s, a, max_sweeps, seed):
    N, K = xiT.shape
    np.random.seed(seed)
    for mu in range(K):
        a[mu] = 0
    for j in range(N):
        for mu in range(K):
            a[mu] += np.int32(xiT[j, mu] * s[j])
    sweeps = 0
    for sweep in range(max_sweeps):
        sweeps += 1
        changed = 0
        for i in np.random.permutation(N):
            si = np.int32(s[i])
            h = np.int64(0)
            for mu in range(K):
                r = np.int32(xiT[i, mu])
                x = np.int32(a[mu] - r * si)
                d = np.int32(np.int32(6) * np.int32(x * x) + np.int32(2))
                h += np.int32(r * d)
            new = 1 if h > 0 else (-1 if h < 0 else si)
            if new != si:
                s[i] = new
                for mu in range(K):
                    a[mu] += np.int32(2 * new * xiT[i, mu])
                changed += 1
        if changed == 0:
            break
    return sweeps


@njit(cache=True, parallel=True)
def run_int32_narrow(xiT, cues, max_sweeps, sweeps):
    """As :func:`run_int32`, every term kept in int32 before the int64 sum."""
    B, K = cues.shape[0], xiT.shape[1]
    for b in prange(B):
        s = cues[b].astype(np.int32)
        a = np.empty(K, np.int32)
        sweeps[b] = _trial_narrow(xiT, s, a, max_sweeps, b)

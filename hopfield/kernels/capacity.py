"""Numba kernel of the classical capacity trial: draw, store, corrupt and recall, all in one call.

One trial (Hopfield 1982; the protocol of Amit, Gutfreund & Sompolinsky 1987's
retrieval experiments): P random patterns of N +-1 neurons, Hebbian storage
with a zero diagonal, a cue made from pattern 0 by flipping ``n_flip``
distinct neurons, random-order asynchronous dynamics until a sweep changes
nothing (or ``max_sweeps``), and the final overlap with pattern 0.

Everything a trial draws comes from its own SplitMix64 state (see
:mod:`hopfield.kernels.rng`), in this order:

1. the patterns, row by row: entry ``(mu, i)`` is bit ``k % 64`` (least
   significant first) of word ``k // 64``, ``k = mu N + i``; a set bit is +1;
2. the flipped neurons: a partial Fisher-Yates shuffle of ``0..N-1`` from the
   front, position ``k`` swapped with ``k + below(N - k)``, for
   ``k < n_flip``; the first ``n_flip`` entries are flipped;
3. the dynamics, by the rules of :func:`hopfield.kernels.classical.patterns_range`
   with ``schedule=ASYNC``, ``order="random"``, a zero diagonal and no energy
   trace (the visiting order starts as ``0..N-1`` and is shuffled in place,
   Fisher-Yates, at the start of every sweep; overlaps ``M_mu = xi^mu . s``
   are maintained, O(P) per visit; a zero field keeps the neuron).

:func:`recall` is that special case written out on its own: a quick run
compiles a small loop instead of the general kernel with its schedules, its
temperature and its energy trace. The Hebbian matrix is never formed. Steps 1 and 2 are written inline in
:func:`trials_range` (fewer functions to compile on a cold start). :func:`trials_range` runs a range of the
(point, trial) pairs of a whole scan, so a scan is one kernel call spread over
threads by :func:`hopfield.kernels.threads.run_trials`.
"""

import numpy as np
from numba import njit

from hopfield.kernels.rng import next_below, next_u64, shuffle_inplace

U1 = np.uint64(1)


@njit(cache=True)
def recall(xiT, M, s, order, state, max_sweeps):
    """Random-order asynchronous dynamics from ``s`` (N,) int8, in place; returns ``(converged, sweeps)``.

    ``xiT`` (N, P) int8 patterns, ``M`` (P,) int64 work array (``xi s`` on
    return), ``order`` (N,) int64 work array. ``N h_i = sum_mu xi_i^mu M_mu - P s_i``
    (zero diagonal), exact integers.
    """
    N, P = xiT.shape
    for mu in range(P):
        M[mu] = 0
    for i in range(N):
        order[i] = i
        if s[i] > 0:
            for mu in range(P):
                M[mu] += xiT[i, mu]
        else:
            for mu in range(P):
                M[mu] -= xiT[i, mu]
    for sweep in range(max_sweeps):
        shuffle_inplace(order, state)
        changed = 0
        for k in range(N):
            i = order[k]
            acc = np.int64(0)
            for mu in range(P):  # xi = +-1: a select
                acc += M[mu] if xiT[i, mu] > 0 else -M[mu]
            acc -= P * s[i]
            if (acc > 0 and s[i] < 0) or (acc < 0 and s[i] > 0):
                snew = -s[i]
                for mu in range(P):
                    M[mu] += 2 * snew * xiT[i, mu]
                s[i] = snew
                changed += 1
        if changed == 0:
            return True, sweep + 1
    return False, max_sweeps


@njit(cache=True, nogil=True)
def trials_range(b0, b1, N, Ps, seeds, n_flip, max_sweeps, overlap, sweeps, converged):
    """Trials ``b0 <= b < b1``: trial ``b`` stores ``Ps[b]`` patterns and starts from ``seeds[b]``.

    Outputs, shape (B,): ``overlap`` (int64, ``xi^0 . s`` at the end, N for a
    perfect recall), ``sweeps`` (int64), ``converged`` (bool).
    """
    state = np.empty(1, np.uint64)
    s = np.empty(N, np.int8)
    perm = np.empty(N, np.int64)
    order = np.empty(N, np.int64)
    for b in range(b0, b1):
        P = Ps[b]
        state[0] = seeds[b]
        xiT = np.empty((N, P), np.int8)
        M = np.empty(P, np.int64)
        word = np.uint64(0)
        k = 0
        for mu in range(P):  # 1. the patterns, 64 bits per draw
            for i in range(N):
                if k % 64 == 0:
                    word = next_u64(state)
                xiT[i, mu] = 1 if (word >> np.uint64(k % 64)) & U1 else -1
                k += 1
        for i in range(N):
            s[i] = xiT[i, 0]
            perm[i] = i
        for k in range(n_flip):  # 2. the cue: partial Fisher-Yates, the first n_flip positions flipped
            j = k + next_below(state, N - k)
            t = perm[k]
            perm[k] = perm[j]
            perm[j] = t
            s[perm[k]] = -s[perm[k]]
        cv, n = recall(xiT, M, s, order, state, max_sweeps)  # 3. the dynamics
        overlap[b] = M[0]
        sweeps[b] = n
        converged[b] = cv

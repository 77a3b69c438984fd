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

:func:`recall` is that special case written out on its own (the dynamics alone,
checked against the general simulator); :func:`trials_range` writes steps 1-3
inline, :func:`recall`'s loop included, so that a cold process compiles one
function and nothing else (no helper kernels, one allocation per work array).
The Hebbian matrix is never formed. :func:`trials_range` runs a range of the
(point, trial) pairs of a whole scan, so a scan is one kernel call spread over
threads by :func:`hopfield.kernels.threads.run_trials`.
"""

import numpy as np
from numba import njit

from hopfield.kernels.rng import GAMMA, MIX1, MIX2, S27, S30, S31, shuffle_inplace
from hopfield.kernels.rng import next_below, next_u64  # noqa: F401  (the tests build Python copies of the kernel)

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

    Steps 1-3 of the module docstring, written out in this one function (the
    dynamics are those of :func:`recall`), with the SplitMix64 state in a local
    word and two work arrays for the whole range: on a cold start Numba then
    compiles one function and two array allocations, about 40% less compile
    time than with the helpers called (outputs bit-identical).
    """
    P_max = 1
    for b in range(b0, b1):
        if Ps[b] > P_max:
            P_max = Ps[b]
    x = np.empty((N, P_max + 1), np.int8)  # (N, P + 1): x[i, 0] = s_i, x[i, 1 + mu] = xi_i^mu
    w = np.empty((3, N if N > P_max else P_max), np.int64)  # w[0]: flip positions, w[1]: visiting order, w[2]: M
    for b in range(b0, b1):
        P = Ps[b]
        st = seeds[b]
        r = np.uint64(0)
        k = 0
        for mu in range(1, P + 1):  # 1. the patterns, 64 bits per draw (SplitMix64, as rng.next_u64)
            for i in range(N):
                if k % 64 == 0:
                    st += GAMMA
                    r = (st ^ (st >> S30)) * MIX1
                    r = (r ^ (r >> S27)) * MIX2
                    r = r ^ (r >> S31)
                x[i, mu] = 1 if (r >> np.uint64(k % 64)) & U1 else -1
                k += 1
        for i in range(N):
            x[i, 0] = x[i, 1]
            w[0, i] = i
            w[1, i] = i
        for k in range(n_flip):  # 2. the cue: partial Fisher-Yates, the first n_flip positions flipped
            st += GAMMA
            r = (st ^ (st >> S30)) * MIX1
            r = (r ^ (r >> S27)) * MIX2
            r = r ^ (r >> S31)
            j = k + np.int64(r % np.uint64(N - k))  # as rng.next_below(state, N - k)
            t = w[0, k]
            w[0, k] = w[0, j]
            w[0, j] = t
            x[w[0, k], 0] = -x[w[0, k], 0]
        for mu in range(P):  # M_mu = xi^mu . s
            w[2, mu] = 0
        for i in range(N):
            for mu in range(P):
                w[2, mu] += x[i, 0] * x[i, 1 + mu]
        cv = False
        n = max_sweeps
        for sweep in range(max_sweeps):  # 3. the dynamics
            for i in range(N - 1, 0, -1):  # the visiting order shuffled in place (as rng.shuffle_inplace)
                st += GAMMA
                r = (st ^ (st >> S30)) * MIX1
                r = (r ^ (r >> S27)) * MIX2
                r = r ^ (r >> S31)
                j = np.int64(r % np.uint64(i + 1))
                t = w[1, i]
                w[1, i] = w[1, j]
                w[1, j] = t
            changed = 0
            for k in range(N):
                i = w[1, k]
                acc = np.int64(0)
                for mu in range(P):  # N h_i + P s_i; xi = +-1: a select
                    acc += w[2, mu] if x[i, 1 + mu] > 0 else -w[2, mu]
                acc -= P * x[i, 0]
                if (acc > 0 and x[i, 0] < 0) or (acc < 0 and x[i, 0] > 0):
                    x[i, 0] = -x[i, 0]
                    for mu in range(P):
                        w[2, mu] += 2 * x[i, 0] * x[i, 1 + mu]
                    changed += 1
            if changed == 0:
                cv = True
                n = sweep + 1
                break
        overlap[b] = w[2, 0]
        sweeps[b] = n
        converged[b] = cv

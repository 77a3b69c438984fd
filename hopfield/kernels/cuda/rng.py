"""Device twin of :mod:`hopfield.kernels.rng`: SplitMix64 on the GPU.

The same words as the CPU kernels draw, from the same per-trial states
(:func:`hopfield.kernels.rng.trial_states`), so a GPU trial sees the same
stream as its CPU twin. The state is a one-element ``uint64`` array (a row of a
device array, or a local array), advanced in place as on the CPU.
"""

import numpy as np
from numba import cuda, int32

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


#: Swaps one thread applies per batch in :func:`apply_swaps` (one memory round trip per batch, about
#: ``SWAP_BATCH**2 / 2`` register compares to resolve the aliases: 16 balances the two on an H100).
SWAP_BATCH = 16
#: Largest batch :func:`apply_swaps` accepts (the size of its per-thread arrays).
MAX_SWAP_BATCH = 32


@cuda.jit(device=True)
def apply_swaps(od, draws, n, i0, step, bt, stale):
    """Apply the ``n`` swaps of a Fisher-Yates pass to ``od`` in batches of ``bt``; one thread calls it.

    Swap ``k`` exchanges positions ``i_k = i0 + step k`` and ``j_k = draws[k]``
    (an absolute position), ``k = 0, 1, ..., n - 1`` in this order, so the
    result is the serial loop's, exactly. The pass must be a Fisher-Yates
    one: ``j_k`` lies on the unvisited side of ``i_k`` (``j_k <= i_k`` for
    ``step = -1``, ``j_k >= i_k`` for ``step = +1``), hence position ``i_k``
    holds its final value after swap ``k`` and no later swap reads it.

    A batch loads its ``bt`` draws and the ``2 bt`` values ``od[i_k]``,
    ``od[j_k]`` with independent loads (the draws of the next batch are
    loaded before the current one is resolved), applies the swaps in
    per-thread arrays, then stores. A value the batch loaded may be stale:
    ``i_k`` or ``j_k`` can be a position ``j_r`` that an earlier swap
    ``r < k`` of the same batch wrote, and the batch's latest value for it
    is taken instead (the positions ``i_r`` are never read again). The
    stores write the ``j`` positions in swap order (a repeated position
    ends with its latest value), then the ``i`` positions, whose swap is the
    last to write them.

    ``stale`` = 1 reads every value from memory as loaded, ignoring the
    batch's own writes: a wrong rule, for the tests only.
    """
    jp = cuda.local.array(MAX_SWAP_BATCH, int32)  # j_k of the batch
    nx = cuda.local.array(MAX_SWAP_BATCH, int32)  # j_k of the next batch (prefetched)
    vi = cuda.local.array(MAX_SWAP_BATCH, int32)  # od[i_k] as loaded, then as written by swap k
    vj = cuda.local.array(MAX_SWAP_BATCH, int32)  # od[j_k] as loaded, then as written by swap k
    for q in range(bt):
        if q < n:
            nx[q] = draws[q]
    for k0 in range(0, n, bt):
        for q in range(bt):
            k = k0 + q
            if k < n:
                jp[q] = nx[q]
                vi[q] = od[i0 + step * k]
                vj[q] = od[jp[q]]
        for q in range(bt):
            k = k0 + bt + q
            if k < n:
                nx[q] = draws[k]
        for q in range(bt):
            if k0 + q < n:
                a = i0 + step * (k0 + q)
                va = vi[q]
                vb = vj[q]
                if stale == 0:
                    for r in range(q):  # the batch's latest write to a or to j_q, if any
                        p = jp[r]
                        if p == a:
                            va = vj[r]
                        if p == jp[q]:
                            vb = vj[r]
                vi[q] = vb  # position i_q now holds od[j_q], final
                vj[q] = va  # position j_q now holds od[i_q]
        for q in range(bt):
            if k0 + q < n:
                od[jp[q]] = vj[q]
        for q in range(bt):
            if k0 + q < n:
                od[i0 + step * (k0 + q)] = vi[q]


@cuda.jit(device=True)
def shuffle_parallel(od, draws, st, N, tid, T):
    """Fisher-Yates shuffle of ``od`` (last index first) from stream state ``st``; every thread of the block calls it.

    The ``N - 1`` draws depend only on the stream state (draw ``k`` is
    ``mix64(st + (k + 1) GAMMA) mod (N - k)``), so the block computes them in
    parallel into ``draws`` (length ``N``, a work row); thread 0 then applies
    the swaps (:func:`apply_swaps`), word for word the CPU's permutation
    (:func:`hopfield.kernels.rng.shuffle_inplace`). Every thread returns the
    stream state after the ``N - 1`` draws. Two calls must be separated by a
    block barrier, as the kernels' sweeps are: Numba's CUDA simulator swaps
    this module's ``cuda`` name at each call and restores it when the thread
    that swapped it returns, which must not happen while another thread is
    already in the next call.
    """
    for k in range(tid, N - 1, T):
        w = mix64(st + np.uint64(k + 1) * GAMMA)
        draws[k] = np.int32(w % np.uint64(N - k))
    cuda.syncthreads()
    if tid == 0:
        apply_swaps(od, draws, N - 1, N - 1, -1, SWAP_BATCH, 0)
    cuda.syncthreads()
    return st + np.uint64(N - 1) * GAMMA

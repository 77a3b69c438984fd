"""Device twin of :mod:`hopfield.kernels.rng`: SplitMix64 on the GPU.

The same words as the CPU kernels draw, from the same per-trial states
(:func:`hopfield.kernels.rng.trial_states`), so a GPU trial sees the same
stream as its CPU twin. The state is a one-element ``uint64`` array (a row of a
device array, or a local array), advanced in place as on the CPU.

The kernels' Fisher-Yates shuffles are here too: :func:`shuffle_parallel`
draws a sweep's ``N - 1`` words in parallel and :func:`apply_swaps` applies
the swaps in batches whose loads overlap, the CPU's permutation exactly.
"""

import numpy as np
from numba import cuda, int32, uint32, uint64

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


U1 = np.uint64(1)

#: Swaps one thread applies per batch in :func:`apply_swaps`: one memory round trip per batch against
#: alias scans that grow with the batch (see its cost note); 16 is the balance on an H100.
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
    is taken instead (the positions ``i_r`` are never read again). A 64-bit
    filter (bit ``p mod 64`` of every ``j_r`` written so far) skips that
    search when neither position can have been written. The stores write
    the ``j`` positions in swap order (a repeated position ends with its
    latest value), then the ``i`` positions, whose swap is the last to write
    them.

    Cost (one thread, H100). The serial loop pays two dependent device-memory
    round trips per swap (``draws[k]``, then ``od[j_k]``): ~1 000-1 400
    cycles. A batch of 16 pays one round trip (~300-800 cycles; the draws
    were prefetched), ~20 instructions per swap, a search of up to 15
    entries (~6 instructions each) in the ~25% of swaps where the filter
    hits, and 32 stores that do not wait: ~70-80 cycles per swap, ~15 times
    fewer. The loads of a batch take no branch, so the compiler issues them
    together (the PTX for sm_90 holds the 32 ``ld.global`` of a batch in one
    basic block). Batches of 8 pay the round trip over fewer swaps, batches
    of 32 search twice as long at twice the hit rate; both come out ~100.

    ``stale`` = 1 reads every value from memory as loaded, ignoring the
    batch's own writes: a wrong rule, for the tests only.
    """
    jp = cuda.local.array(MAX_SWAP_BATCH, int32)  # j_k of the batch
    nx = cuda.local.array(MAX_SWAP_BATCH, int32)  # j_k of the next batch (prefetched)
    vi = cuda.local.array(MAX_SWAP_BATCH, int32)  # od[i_k] as loaded, then as written by swap k
    vj = cuda.local.array(MAX_SWAP_BATCH, int32)  # od[j_k] as loaded, then as written by swap k
    if n <= 0:
        return
    last = n - 1
    # the loads take no branch (indices past the end are clamped to the last swap, whose values are then
    # not used), so that the compiler issues all of a batch's loads before their first use
    for q in range(bt):
        nx[q] = draws[q if q < last else last]
    for k0 in range(0, n, bt):
        for q in range(bt):
            k = k0 + q if k0 + q < last else last
            j = nx[q]
            jp[q] = j
            vi[q] = od[i0 + step * k]
            vj[q] = od[j]
        for q in range(bt):
            k = k0 + bt + q
            nx[q] = draws[k if k < last else last]
        m = bt if k0 + bt < n else n - k0
        seen = uint64(0)  # bit (p mod 64) set for every position p written so far in the batch
        for q in range(m):
            a = i0 + step * (k0 + q)
            b = jp[q]
            va = vi[q]
            vb = vj[q]
            hit = (seen >> uint64(a & 63)) | (seen >> uint64(b & 63))
            if stale == 0 and hit & U1:  # a or b may have been written: the batch's latest value, if any
                r = uint32(0)
                while r < uint32(q):  # unsigned on both sides: no float compare, no negative-index fix-up
                    p = jp[r]
                    v = vj[r]
                    va = v if p == a else va
                    vb = v if p == b else vb
                    r += uint32(1)
            seen |= U1 << uint64(b & 63)
            vi[q] = vb  # position a now holds the value that was at b: final
            vj[q] = va  # position b now holds the value that was at a
        for q in range(m):
            od[jp[q]] = vj[q]
        for q in range(m):
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

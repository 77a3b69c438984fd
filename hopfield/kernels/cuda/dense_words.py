"""Word-wide GPU kernel of the dense memory's integer fields poly n = 3 and n = 2.

:mod:`hopfield.kernels.cuda.dense` runs every ``F``; this module is its fast
path for the two integer forms that dominate the checks and the benchmarks,

- ``n = 3`` (``FORM_CUBIC``): ``h = c1 (S - 2 s_i A + R_i) + c0 R_i`` with
  ``S = sum_mu xi_i^mu a_mu^2``, taken when ``K N^2 <= 2**31 - 1``;
- ``n = 2`` (``FORM_LINEAR``): ``h = c0 (sum_mu xi_i^mu a_mu - s_i K)``,
  taken when ``K N <= 2**31 - 1``,

both with ``N <= 32767``. The dynamics, the orders (the same SplitMix64 draws
as the CPU), the schedules, the flags and the energy trace are those of
``dense_kernel``; only how a visit reads the patterns and sums its terms
changes, and every sum is an exact int32 (each partial sum of a visit is at
most the bound above in size, whatever the order of the additions), so the
final states, overlaps, sweep counts, flags, energies and traces are the CPU's
bit for bit.

Layout. The host pads ``K`` with zero patterns to ``Kp = 4 Wp`` with ``Wp`` a
multiple of the block size ``L`` and hands the patterns over as int32 words,
``xw[i, w]`` holding ``xi_i^mu`` for ``mu = 4 w + j`` in byte ``j`` (little
endian). A zero pattern adds nothing to any integer field (its terms are
``0 * a^2`` and ``0 * a``), its overlap stays 0 (so ``A`` is unchanged), and the
two corrections that count patterns, ``R_i`` and ``s_i K``, use the true row
sums and the true ``K``. Thread ``t`` owns the words ``w = t, t + L, ...``
(all four bytes of each): it reads and updates only its own overlaps, so a flip
needs no barrier. The overlaps live in shared memory as int16 (``|a_mu| <= N
<= 32767``) at ``a[j * Wp + w]``: for a fixed ``j`` the lanes of a warp read 32
consecutive int16, 64 bytes in 16 banks, two lanes per 4-byte word (one
broadcast), so every access is bank-conflict free; int16 rather than int32
halves the block's dominant shared memory.

Expected gain on an H100 (132 SMs, 228 KB shared memory per SM), by design; at
N = 100, K = 2000, L = 32 (one warp per cue), per visit and thread:

1. Loads: ``dense_kernel`` issues ~63 one-byte loads of ``xiT`` (200 kB,
   resident in L2 but not in L1 beside the blocks' shared memory) in a loop
   whose iterations each wait ~300-600 cycles on L2. Here a thread issues 16
   four-byte loads (a warp reads 128 contiguous bytes per load), four at a
   time before any is used (``_visit_cubic``), so four L2 round trips overlap:
   about 4 round trips per visit instead of ~63 dependent ones.
2. Reduction: ``_isum`` is a shared-memory write, a barrier and 32 dependent
   shared reads per visit; for ``L`` a power of two up to 32 it is 5 (for 32)
   ``shfl_xor_sync`` steps here, every lane ending with the total, no barrier.
   Other block sizes keep a double-buffered shared-memory sum.
3. Occupancy: ~11 kB of shared memory per block (int32 overlaps, int64 and
   float64 scratch, seven N-arrays) allowed ~20 resident blocks (= warps) per
   SM; here 2 Kp + 4 (2 L + 5 N) bytes = 6.4 kB at Kp = 2048: ~31, at the
   hardware's 32 blocks per SM.
4. Arithmetic: int32 throughout the visit (the int64 of ``_isum`` and of the
   initial overlaps is gone), byte extraction by two shifts, ``xi * a^2`` as
   one multiply and one multiply-add; no branch on the mode inside the loops;
   unsigned indices in the loops, so Numba emits no negative-index wrap-around
   (three 64-bit instructions per access through a signed index). In the
   sm_90 PTX a word of the n = 3 loop is one 4-byte load, 6 shifts, 4 shared
   loads, 4 multiplies and 4 multiply-adds (n = 2 compiles to ``dp2a``).

Together these remove the latency bound that (1) sets: the target is the
~1.3e12 pattern-neuron visits/s a plain exact kernel of the same design
reached (27x ``dense_kernel``'s 4.8e10 at 8192 cues). Measured by
``benchmarks/probe_dense_gpu.py``.

Under Numba's CUDA simulator, which has no warp shuffles, :func:`_sim_shfl_xor_sync`
stands in for ``cuda.shfl_xor_sync`` (an exchange through the simulated block
and two barriers), valid because every thread of the block (at most 32) calls it
together, as here; on a GPU it is never used.
"""

from __future__ import annotations

import threading

import numpy as np
from numba import cuda, types

from hopfield._device import simulated

from hopfield.kernels.dense import INT32_MAX, MODE_INT
from hopfield.kernels.cuda.rng import shuffle_parallel

#: ``form`` codes: no word path, ``sum xi a`` (poly n = 2), ``sum xi a^2`` (poly n = 3).
FORM_NONE = 0
FORM_LINEAR = 2
FORM_CUBIC = 3

#: Patterns per word (int32 words of int8 entries).
BYTES = 4

#: Largest N whose overlaps fit the int16 shared-memory layout.
INT16_MAX = 2**15 - 1


def word_form(mode, c, n_even, rect, N, K, int32_max=INT32_MAX):
    """The word path's form for these arguments of ``run_dense_gpu``, or ``FORM_NONE``.

    ``int32_max``: the bound on ``K N^2`` (n = 3) or ``K N`` (n = 2) under
    which int32 sums are exact (``run_dense_gpu`` passes its
    ``INT32_PARTIALS_MAX``, so the int64 branch of ``dense_kernel`` can be
    forced for testing).

    Examples
    --------
    >>> import numpy as np
    >>> word_form(MODE_INT, np.array([2, 6]), False, False, 100, 2000)
    3
    >>> word_form(MODE_INT, np.array([2, 6]), False, False, 100, 300_000)  # K N^2 > 2**31 - 1
    0
    """
    if mode != MODE_INT or rect or N > INT16_MAX:
        return FORM_NONE
    nc = c.shape[0]
    if nc == 2 and not n_even and K * N * N <= int32_max:
        return FORM_CUBIC
    if nc == 1 and n_even and K * N <= int32_max:
        return FORM_LINEAR
    return FORM_NONE


def pack_words(xiT, L):
    """``xiT`` (N, K) int8 padded with zero patterns to ``4 Wp`` (``Wp`` a multiple of ``L``): (N, Wp) int32 words."""
    N, K = xiT.shape
    Wp = max(-(-K // (BYTES * L)), 1) * L
    xp = np.zeros((N, BYTES * Wp), np.int8)
    xp[:, :K] = xiT
    return np.ascontiguousarray(xp).view("<i4")


def shared_bytes_words(N, Wp, L):
    """Dynamic shared memory of one block: ``2 L + 5 N`` int32, then ``4 Wp`` int16 overlaps."""
    return 4 * (2 * L + 5 * N) + 2 * BYTES * Wp


def _sim_shfl_xor_sync(self, mask, value, lane_mask):
    """The simulator's stand-in for ``shfl_xor_sync`` (see the module docstring); ``self`` the fake module.

    Each thread posts ``value`` in one of two exchange tables (alternating per
    call, so one barrier suffices: a table is written again only two calls
    later, after every thread has passed the barrier of the call in between),
    waits for the block, and reads the value of lane ``threadIdx.x ^ lane_mask``.
    """
    th = threading.current_thread()
    tables = th._manager.__dict__.setdefault("_xor_exchange", ({}, {}))
    par = th.__dict__.get("_xor_parity", 0)
    th._xor_parity = 1 - par
    tid = th.threadIdx.x
    tables[par][tid] = value
    th.syncthreads()
    return tables[par][tid ^ lane_mask]


def _install_simulator_shuffle():
    from numba.cuda.simulator import kernelapi

    if not hasattr(kernelapi.FakeCUDAModule, "shfl_xor_sync"):
        kernelapi.FakeCUDAModule.shfl_xor_sync = _sim_shfl_xor_sync


if simulated():
    _install_simulator_shuffle()


@cuda.jit(device=True)
def _block_sum(v, scr, par, L, t, warp):
    """Sum over the block of the int32 ``v``; every thread gets it.

    ``warp``: ``L`` is a power of two up to 32, summed by ``shfl_xor_sync``
    (no barrier); else through the shared ``scr`` (2 L int32, half ``par``),
    one barrier.
    """
    if warp:
        mask = np.uint32(0xFFFFFFFF) if L == 32 else np.uint32((1 << L) - 1)
        off = L >> 1
        while off > 0:
            v = np.int32(v + cuda.shfl_xor_sync(mask, v, off))
            off >>= 1
        return v
    scr[par * L + t] = v
    cuda.syncthreads()
    tot = np.int32(0)
    for u in range(L):
        tot = np.int32(tot + scr[par * L + u])
    return tot


@cuda.jit(device=True)
def _cubic4(x, a, w, W):
    """``sum_j xi_j a_j^2`` over the four signed bytes ``xi_j`` of the word ``x`` (int32, exact).

    ``w``, ``W`` (the word and the words per row) are uint64, as every index of
    the visit loops: Numba adds a negative-index wrap-around (three 64-bit
    instructions) to every access through a signed index, none through an
    unsigned one.
    """
    x0 = np.int32(np.int32(x << 24) >> 24)
    x1 = np.int32(np.int32(x << 16) >> 24)
    x2 = np.int32(np.int32(x << 8) >> 24)
    x3 = np.int32(x >> 24)
    v0 = np.int32(a[w])
    v1 = np.int32(a[w + W])
    v2 = np.int32(a[w + np.uint64(2) * W])
    v3 = np.int32(a[w + np.uint64(3) * W])
    p = np.int32(x0 * np.int32(v0 * v0))
    p = np.int32(p + x1 * np.int32(v1 * v1))
    p = np.int32(p + x2 * np.int32(v2 * v2))
    return np.int32(p + x3 * np.int32(v3 * v3))


@cuda.jit(device=True)
def _linear4(x, a, w, W):
    """``sum_j xi_j a_j`` over the four signed bytes of ``x`` (indices as :func:`_cubic4`)."""
    p = np.int32(np.int32(np.int32(x << 24) >> 24) * np.int32(a[w]))
    p = np.int32(p + np.int32(np.int32(x << 16) >> 24) * np.int32(a[w + W]))
    p = np.int32(p + np.int32(np.int32(x << 8) >> 24) * np.int32(a[w + np.uint64(2) * W]))
    return np.int32(p + np.int32(x >> 24) * np.int32(a[w + np.uint64(3) * W]))


@cuda.jit(device=True)
def _visit_cubic(row, a, t, L, Wp):
    """This thread's ``sum xi a^2`` for the row ``xw[i]``: its ``Wp / L`` words, loaded four at a time before use."""
    uL = np.uint64(L)
    W = np.uint64(Wp)
    L3 = np.uint64(3) * uL
    L4 = np.uint64(4) * uL
    w0 = np.uint64(t)
    p = np.int32(0)
    while w0 + L3 < W:
        w1 = w0 + uL
        w2 = w1 + uL
        w3 = w2 + uL
        x0 = row[w0]
        x1 = row[w1]
        x2 = row[w2]
        x3 = row[w3]
        p = np.int32(p + _cubic4(x0, a, w0, W))
        p = np.int32(p + _cubic4(x1, a, w1, W))
        p = np.int32(p + _cubic4(x2, a, w2, W))
        p = np.int32(p + _cubic4(x3, a, w3, W))
        w0 = w0 + L4
    while w0 < W:
        p = np.int32(p + _cubic4(row[w0], a, w0, W))
        w0 = w0 + uL
    return p


@cuda.jit(device=True)
def _visit_linear(row, a, t, L, Wp):
    """This thread's ``sum xi a`` for the row ``xw[i]``, as :func:`_visit_cubic`."""
    uL = np.uint64(L)
    W = np.uint64(Wp)
    L3 = np.uint64(3) * uL
    L4 = np.uint64(4) * uL
    w0 = np.uint64(t)
    p = np.int32(0)
    while w0 + L3 < W:
        w1 = w0 + uL
        w2 = w1 + uL
        w3 = w2 + uL
        x0 = row[w0]
        x1 = row[w1]
        x2 = row[w2]
        x3 = row[w3]
        p = np.int32(p + _linear4(x0, a, w0, W))
        p = np.int32(p + _linear4(x1, a, w1, W))
        p = np.int32(p + _linear4(x2, a, w2, W))
        p = np.int32(p + _linear4(x3, a, w3, W))
        w0 = w0 + L4
    while w0 < W:
        p = np.int32(p + _linear4(row[w0], a, w0, W))
        w0 = w0 + uL
    return p


@cuda.jit(device=True)
def _field(i, si, xw, a, A, K, t, L, Wp, form, c, rowsum, scr, par, warp):
    """Exact ``h_i`` (int64) of the CPU's integer form; all threads call, all get it."""
    row = xw[i]
    if form == FORM_CUBIC:
        S = np.int64(_block_sum(_visit_cubic(row, a, t, L, Wp), scr, par, L, t, warp))
        Ri = rowsum[i]
        return c[1] * (S - 2 * si * A + Ri) + c[0] * Ri
    S = np.int64(_block_sum(_visit_linear(row, a, t, L, Wp), scr, par, L, t, warp))
    return c[0] * (S - si * K)


@cuda.jit(device=True)
def _flip(i, new, xw, a, s, t, L, Wp):
    """``s_i <- new``, ``a_mu += 2 new xi_i^mu`` for this thread's words (no barrier needed; unsigned indices)."""
    two_new = np.int32(2 * new)
    row = xw[i]
    uL = np.uint64(L)
    W = np.uint64(Wp)
    w = np.uint64(t)
    while w < W:
        x = row[w]
        w1 = w + W
        w2 = w1 + W
        w3 = w2 + W
        a[w] = np.int16(np.int32(a[w]) + two_new * np.int32(np.int32(x << 24) >> 24))
        a[w1] = np.int16(np.int32(a[w1]) + two_new * np.int32(np.int32(x << 16) >> 24))
        a[w2] = np.int16(np.int32(a[w2]) + two_new * np.int32(np.int32(x << 8) >> 24))
        a[w3] = np.int16(np.int32(a[w3]) + two_new * np.int32(x >> 24))
        w = w + uL
    s[i] = new  # every thread writes the same value: its own later reads see it


@cuda.jit
def dense_words_kernel(xw, K, rowsum, cues, trial_rng, form, c, sync, sequential, max_sweeps, record, e0,
                       out_states, out_a, out_flags, out_sweeps, out_trace):
    """Run cue ``blockIdx.x`` as ``dense_kernel`` does, for the integer ``form`` on the words ``xw`` (N, Wp).

    ``K``: the number of true patterns (``4 Wp >= K``, the rest zero), used
    by the n = 2 field (``s_i K``);
    outputs as ``dense_kernel`` (``out_a`` (B, K) in the original order);
    dynamic shared memory as sized by :func:`shared_bytes_words`.
    """
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    L = cuda.blockDim.x
    N = xw.shape[0]
    Wp = xw.shape[1]
    if b >= cues.shape[0]:
        return
    warp = L <= 32 and (L & (L - 1)) == 0
    sh32 = cuda.shared.array(0, types.int32)
    sh16 = cuda.shared.array(0, types.int16)
    scr = sh32[0:2 * L]
    s = sh32[2 * L:2 * L + N]
    perm = sh32[2 * L + N:2 * L + 2 * N]
    new = sh32[2 * L + 2 * N:2 * L + 3 * N]
    prev = sh32[2 * L + 3 * N:2 * L + 4 * N]
    draws = sh32[2 * L + 4 * N:2 * L + 5 * N]
    base = 2 * (2 * L + 5 * N)  # int16 units
    a = sh16[base:base + BYTES * Wp]
    for j in range(t, N, L):
        s[j] = np.int32(cues[b, j])
        perm[j] = j
    cuda.syncthreads()
    Ap = np.int32(0)
    for w in range(t, Wp, L):
        c0 = np.int32(0)
        c1 = np.int32(0)
        c2 = np.int32(0)
        c3 = np.int32(0)
        for j in range(N):
            x = xw[j, w]
            sj = s[j]
            c0 = np.int32(c0 + np.int32(np.int32(x << 24) >> 24) * sj)
            c1 = np.int32(c1 + np.int32(np.int32(x << 16) >> 24) * sj)
            c2 = np.int32(c2 + np.int32(np.int32(x << 8) >> 24) * sj)
            c3 = np.int32(c3 + np.int32(x >> 24) * sj)
        a[w] = np.int16(c0)
        a[Wp + w] = np.int16(c1)
        a[2 * Wp + w] = np.int16(c2)
        a[3 * Wp + w] = np.int16(c3)
        Ap = np.int32(Ap + c0 + c1 + c2 + c3)
    A = np.int64(_block_sum(Ap, scr, 0, L, t, warp))
    par = 1
    st = trial_rng[b]
    e = 0.0
    if record:
        e = e0[b]
        if t == 0:
            out_trace[b, 0] = e
    flags = 0
    sweeps = 0
    for sweep in range(max_sweeps):
        sweeps = sweep + 1
        if not sync:
            if not sequential:
                st = shuffle_parallel(perm, draws, st, N, t, L)
            changed = 0
            for k in range(N):
                i = perm[k]
                si = np.int64(s[i])
                h = _field(i, si, xw, a, A, K, t, L, Wp, form, c, rowsum, scr, par, warp)
                par = 1 - par
                sg = 1 if h > 0 else (-1 if h < 0 else 0)
                if sg != 0 and sg != si:
                    if record:
                        e = e + si * np.float64(h)
                    _flip(i, sg, xw, a, s, t, L, Wp)
                    A += 2 * np.int64(sg) * rowsum[i]
                    changed += 1
            if record and t == 0:
                out_trace[b, sweep + 1] = e
            if changed == 0:
                flags = 1
                break
        else:
            same = True
            for i in range(N):
                si = np.int64(s[i])
                h = _field(i, si, xw, a, A, K, t, L, Wp, form, c, rowsum, scr, par, warp)
                par = 1 - par
                nv = s[i] if h == 0 else np.int32(1 if h > 0 else -1)
                new[i] = nv  # every thread writes the same value
                if nv != s[i]:
                    same = False
            if same:
                flags = 1
                if record and t == 0:
                    out_trace[b, sweep + 1] = e
                break
            cuda.syncthreads()  # new[] complete
            back = sweep >= 1
            if back:
                for i in range(N):
                    if new[i] != prev[i]:
                        back = False
                        break
            cuda.syncthreads()  # prev read by all before it is overwritten
            for j in range(t, N, L):
                prev[j] = s[j]
            cuda.syncthreads()
            for i in range(N):
                if new[i] != s[i]:
                    if record:
                        si = np.int64(s[i])
                        h = _field(i, si, xw, a, A, K, t, L, Wp, form, c, rowsum, scr, par, warp)
                        par = 1 - par
                        e = e + si * np.float64(h)
                    nv = new[i]
                    _flip(i, nv, xw, a, s, t, L, Wp)
                    A += 2 * np.int64(nv) * rowsum[i]
            if record and t == 0:
                out_trace[b, sweep + 1] = e
            if back:
                flags = 2
                break
            cuda.syncthreads()
    Kout = out_a.shape[1]
    for w in range(t, Wp, L):
        for j in range(BYTES):
            mu = BYTES * w + j
            if mu < Kout:
                out_a[b, mu] = np.int32(a[j * Wp + w])
    cuda.syncthreads()
    for j in range(t, N, L):
        out_states[b, j] = np.int8(s[j])
    if t == 0:
        out_flags[b] = flags
        out_sweeps[b] = sweeps

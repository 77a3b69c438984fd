"""GPU kernel of the dense associative memory, the twin of :mod:`hopfield.kernels.dense`.

One thread block per cue (``L`` threads, 32 on a GPU: one warp, so every
``syncthreads`` is a one-warp barrier). The block keeps the cue's overlaps
``a_mu`` (K int32: ``|a_mu| <= N``), its state, its permutation and a small
reduction scratch in shared memory; the patterns ``xiT`` (N, K) int8, shared by
all cues, stay in global memory (200 kB at N = 100, K = 2000: resident in L2),
and a visit of neuron ``i`` reads the row ``xiT[i]``, contiguous in ``mu``, so
the ``L`` threads of a block read consecutive bytes (coalesced). Thread ``t``
owns the terms ``mu = t, t + L, t + 2L, ...``: it reads and updates only its
own ``a_mu``, so a flip needs no barrier at all, and a visit needs exactly one:
each thread writes its partial sum, one ``syncthreads``, every thread adds the
``L`` partials itself (broadcast reads, no second barrier to publish the
result). The scratch is double-buffered by the parity of the visit, so a fast
thread writing the next visit's partial never overwrites one a slow thread
has still to read.

Exactness. The integer fields are the CPU's integers: ``h_i`` is a sum of
integers that ``select_mode`` has bounded below 2**63, so any order of
summation gives the same int64, hence the same sign, the same flips, the same
energy trace (float64 additions of the same values in the same order) and the
same final overlaps; the final energies are computed on the host by the CPU's
own :func:`hopfield.kernels.dense.energy_from_overlaps`, so they are the CPU's
bits. For poly ``n = 3`` the field uses the CPU's identity
``h = c1 (sum_mu xi_i^mu a_mu^2 - 2 s_i A + R_i) + c0 R_i`` and a thread's
partial sum ``sum_mu xi_i^mu a_mu^2`` (at most ``ceil(K / L)`` terms of size
``<= N^2``) runs in int32 whenever ``K N^2 <= 2**31 - 1`` (then every partial sum of
every thread is below 2**31 in size: exact); int64 otherwise. 64-bit integer
multiplies cost several instructions on the GPU, 32-bit ones one.

Orders. ``sequential`` visits ``0..N-1``; ``random`` draws trial b's
permutation from the same SplitMix64 stream ``trial_states(seed, B)[b]`` in
the CPU's order (Fisher-Yates, last index first). The ``N - 1`` draws of a
sweep depend only on the stream's state, not on the permutation (draw ``k``
is ``mix64(state + (k + 1) GAMMA) mod (N - k)``), so the threads compute them
in parallel and thread 0 applies the swaps in batches
(:func:`hopfield.kernels.cuda.rng.shuffle_parallel`, shared with the
classical kernels; here the permutation is in shared memory, so a swap costs
tens of cycles, not a device-memory round trip).

Why one visit at a time (no speculation over the next ``C`` visits). At
N = 100, K = 2000 one visit is ~63 terms per thread of a 32-thread block plus
one barrier; evaluating ``C`` visits at once would share the ``a_mu`` reads
between ``C`` rows but multiplies the global reads and the registers by ``C``
and wastes them after every flip (the first sweep flips many neurons). With
thousands of cues the card is filled by the cues themselves (8192 cues =
8192 blocks over 132 SMs), so the parallelism within a cue is spent where it
is cheapest: the reduction over ``mu``.

Budget at N = 100, K = 2000, 32 threads: ~63 terms per thread and visit
(int8 load, int32 square and multiply-add), then 32 broadcast reads of the
partials; ~11 kB of shared memory per block, so ~20 blocks (warps) per SM.
The integer forms poly n = 3 and n = 2 run instead through the word-wide
kernel of :mod:`hopfield.kernels.cuda.dense_words` (4-byte pattern loads,
warp-shuffle sums, int16 overlaps), which gives the same bits; this kernel
serves every other ``F`` (and those two with ``run_dense_gpu(words=False)``).
Larger K than the 48 KiB of a block's shared memory allows is refused with a
ValueError (:func:`max_patterns`), not silently slowed.

Floats. ``MODE_FLOAT`` (polynomials that could overflow int64) and ``F =
"exp"`` sum float64 terms in another order than the CPU (a tree over threads
instead of ``mu = 0..K-1``), and the GPU may fuse a multiply and an add
(one rounding instead of two). For ``MODE_FLOAT`` the result is the CPU's
whenever the partial sums stay below 2**53 (then every float64 operation is
exact); for exp the per-bin counts are exact integers, ties are exact, and
``H = sum_b c_b exp(x_b - x_top)`` is summed in the CPU's order by one thread
from a table of the CPU's own ``exp`` values (:func:`exp_table`), so only a
fused multiply-add can move ``H`` by a rounding: a decision can differ only
where ``|H|`` is within ~``K * 2**-52`` of 0 (where the CPU's own value is
rounding noise). The exp energy trace uses the GPU's ``exp``/``log1p``
(within 2 ulp each, CUDA's documented bounds), so traces agree to a tolerance.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, njit, types

from hopfield.kernels.dense import EXP_WINDOW, INT32_MAX, MODE_EXP, MODE_FLOAT, MODE_INT, TWO_SINH1, energy_from_overlaps
from hopfield.kernels.cuda.rng import shuffle_parallel

#: Threads per cue on a GPU: one warp.
DEFAULT_THREADS = 32


@njit(cache=True)
def exp_table(m):
    """``exp(2.0 * (b - btop))`` for ``b - btop = 0, -1, ..., -m``, by the CPU kernel's expression."""
    out = np.empty(m + 1, np.float64)
    for k in range(m + 1):
        d = np.int64(-k)
        out[k] = np.exp(2.0 * d)
    return out


@cuda.jit(device=True)
def _isum(scr64, par, L, t, v):
    """Sum over the block of the int64 ``v``: one barrier, every thread gets the total."""
    scr64[par * L + t] = v
    cuda.syncthreads()
    tot = np.int64(0)
    for u in range(L):
        tot += scr64[par * L + u]
    return tot


@cuda.jit(device=True)
def _fsum(scrf, par, L, t, v):
    """Sum over the block of the float64 ``v`` (a fixed tree-free order: thread 0..L-1)."""
    scrf[par * L + t] = v
    cuda.syncthreads()
    tot = 0.0
    for u in range(L):
        tot += scrf[par * L + u]
    return tot


@cuda.jit(device=True)
def _field(i, si, par, t, L, xiT, rowsum, a, A, K, N, mode, fast3, use32, c, cf, n_even, rect, scr64, scrf,
           counts, table, bcast):
    """``(sign, value, x_top)`` of neuron ``i`` as the CPU's ``_visit``; all threads call, all get it."""
    nc = c.shape[0]
    if mode == MODE_INT:
        if fast3:
            if use32:
                p32 = np.int32(0)
                for mu in range(t, K, L):
                    v = a[mu]
                    p32 = np.int32(p32 + np.int32(xiT[i, mu]) * np.int32(v * v))
                p = np.int64(p32)
            else:
                p = np.int64(0)
                for mu in range(t, K, L):
                    v = np.int64(a[mu])
                    p += np.int64(xiT[i, mu]) * (v * v)
            S = _isum(scr64, par, L, t, p)
            Ri = rowsum[i]
            h = c[1] * (S - 2 * si * A + Ri) + c[0] * Ri
        elif nc == 1 and n_even and not rect:
            p = np.int64(0)
            for mu in range(t, K, L):
                p += np.int64(xiT[i, mu]) * np.int64(a[mu])
            h = c[0] * (_isum(scr64, par, L, t, p) - si * K)
        else:
            p = np.int64(0)
            top = c[nc - 1]
            for mu in range(t, K, L):
                r = np.int64(xiT[i, mu])
                x = np.int64(a[mu]) - si * r
                y = x * x
                d = top
                for j in range(nc - 2, -1, -1):
                    d = d * y + c[j]
                if n_even:
                    d = d * x
                if rect:
                    d = d if x > 0 else (np.int64(1) if x == 0 else np.int64(0))
                p += r * d
            h = _isum(scr64, par, L, t, p)
        sg = 1 if h > 0 else (-1 if h < 0 else 0)
        return sg, np.float64(h), 0.0
    if mode == MODE_FLOAT:
        pf = 0.0
        top = cf[nc - 1]
        for mu in range(t, K, L):
            r = np.int64(xiT[i, mu])
            x = np.float64(np.int64(a[mu]) - si * r)
            y = x * x
            d = top
            for j in range(nc - 2, -1, -1):
                d = d * y + cf[j]
            if n_even:
                d = d * x
            if rect:
                d = d if x > 0.0 else (1.0 if x == 0.0 else 0.0)
            pf += r * d
        hf = _fsum(scrf, par, L, t, pf)
        sg = 1 if hf > 0.0 else (-1 if hf < 0.0 else 0)
        return sg, hf, 0.0
    # MODE_EXP: exact integer counts per bin, then H summed by thread 0 in the CPU's order
    bmin = N
    bmax = -1
    for mu in range(t, K, L):
        r = np.int32(xiT[i, mu])
        b = (np.int64(a[mu]) - si * r + (N - 1)) >> 1
        cuda.atomic.add(counts, b, r)
        if b > bmax:
            bmax = b
        if b < bmin:
            bmin = b
    # block min/max through the int64 scratch: max as is, min negated, in two buffers
    cuda.syncthreads()  # every count is in
    hi = -_isum_max(scr64, par, L, t, -bmin)
    bmax = _isum_max(scr64, 1 - par, L, t, bmax)
    bmin = hi
    if t == 0:
        btop = np.int64(-1)
        for b in range(bmax, bmin - 1, -1):
            if counts[b] != 0:
                btop = b
                break
        H = 0.0
        if btop >= 0:
            lo = max(bmin, btop - EXP_WINDOW)
            for b in range(btop, lo - 1, -1):
                if counts[b] != 0:
                    H += counts[b] * table[btop - b]
        bcast[0] = H
        bcast[1] = np.float64(2 * btop - (N - 1))
    cuda.syncthreads()
    H = bcast[0]
    x_top = bcast[1]
    for b in range(bmin + t, bmax + 1, L):
        counts[b] = 0
    cuda.syncthreads()  # counts cleared and bcast read before anyone reuses them
    sg = 1 if H > 0.0 else (-1 if H < 0.0 else 0)
    return sg, H, x_top


@cuda.jit(device=True)
def _isum_max(scr64, par, L, t, v):
    """Maximum over the block of the int64 ``v`` (one barrier; every thread gets it)."""
    scr64[par * L + t] = v
    cuda.syncthreads()
    m = scr64[par * L]
    for u in range(1, L):
        w = scr64[par * L + u]
        if w > m:
            m = w
    cuda.syncthreads()  # both buffers are read before either is written again
    return m


@cuda.jit(device=True)
def _energy_delta(e, s_old, value, x_top, mode):
    if mode == MODE_EXP:
        return e - math.log1p(-s_old * TWO_SINH1 * value * math.exp(x_top + e))
    return e + s_old * value


@cuda.jit(device=True)
def _flip(i, new, t, L, K, xiT, a, s):
    """``s_i <- new``, ``a_mu += 2 new xi_i^mu`` for this thread's ``mu`` (no barrier needed)."""
    two_new = np.int32(2 * new)
    for mu in range(t, K, L):
        a[mu] = np.int32(a[mu] + two_new * np.int32(xiT[i, mu]))
    s[i] = new  # every thread writes the same value: its own later reads see it


@cuda.jit
def dense_kernel(xiT, rowsum, cues, trial_rng, mode, c, cf, n_even, rect, fast3, use32, sync, sequential,
                 max_sweeps, record, e0, table, out_states, out_a, out_flags, out_sweeps, out_trace):
    """Run cue ``blockIdx.x`` (async or sync), as the CPU's ``dense_range`` for one trial.

    ``out_flags[b]`` is ``1`` converged, ``2`` cycled, ``0`` neither; ``out_a``
    (B, K) int32; ``e0`` (B,) the cue's energy (the trace's first entry, only
    read when ``record``); dynamic shared memory as sized by :func:`shared_bytes`.
    """
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    L = cuda.blockDim.x
    N = xiT.shape[0]
    K = xiT.shape[1]
    if b >= cues.shape[0]:
        return
    scr64 = cuda.shared.array(0, types.int64)
    scrf = cuda.shared.array(0, types.float64)
    sh32 = cuda.shared.array(0, types.int32)
    base = 4 * L + 4  # int32 units: 2 L int64/float64 scratch words, then 2 float64 broadcast words
    bcast = scrf[2 * L:2 * L + 2]
    a = sh32[base:base + K]
    s = sh32[base + K:base + K + N]
    perm = sh32[base + K + N:base + K + 2 * N]
    new = sh32[base + K + 2 * N:base + K + 3 * N]
    prev = sh32[base + K + 3 * N:base + K + 4 * N]
    counts = sh32[base + K + 4 * N:base + K + 5 * N]
    draws = sh32[base + K + 5 * N:base + K + 6 * N]
    for j in range(t, N, L):
        s[j] = np.int32(cues[b, j])
        perm[j] = j
        counts[j] = 0
    cuda.syncthreads()
    A = np.int64(0)
    for mu in range(t, K, L):
        acc = np.int32(0)
        for j in range(N):
            acc = np.int32(acc + np.int32(xiT[j, mu]) * s[j])
        a[mu] = acc
        A += np.int64(acc)
    A = _isum(scr64, 0, L, t, A)
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
                sg, value, x_top = _field(i, si, par, t, L, xiT, rowsum, a, A, K, N, mode, fast3, use32, c, cf,
                                          n_even, rect, scr64, scrf, counts, table, bcast)
                par = 1 - par
                if sg != 0 and sg != si:
                    if record:
                        e = _energy_delta(e, si, value, x_top, mode)
                    _flip(i, sg, t, L, K, xiT, a, s)
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
                sg, value, x_top = _field(i, si, par, t, L, xiT, rowsum, a, A, K, N, mode, fast3, use32, c, cf,
                                          n_even, rect, scr64, scrf, counts, table, bcast)
                par = 1 - par
                nv = s[i] if sg == 0 else np.int32(sg)
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
                        sg, value, x_top = _field(i, si, par, t, L, xiT, rowsum, a, A, K, N, mode, fast3, use32, c,
                                                  cf, n_even, rect, scr64, scrf, counts, table, bcast)
                        par = 1 - par
                        e = _energy_delta(e, si, value, x_top, mode)
                    nv = new[i]
                    _flip(i, nv, t, L, K, xiT, a, s)
                    A += 2 * np.int64(nv) * rowsum[i]
            if record and t == 0:
                out_trace[b, sweep + 1] = e
            if back:
                flags = 2
                break
            cuda.syncthreads()
    for mu in range(t, K, L):
        out_a[b, mu] = a[mu]
    cuda.syncthreads()
    for j in range(t, N, L):
        out_states[b, j] = np.int8(s[j])
    if t == 0:
        out_flags[b] = flags
        out_sweeps[b] = sweeps


def shared_bytes(N, K, L):
    """Dynamic shared memory of one block: scratch ``2 L`` words of 8 bytes, 2 broadcast words, ``K + 6 N`` int32."""
    return 8 * (2 * L + 2) + 4 * (K + 6 * N)


#: A thread's poly n = 3 partial sums run in int32 when ``K N^2`` is at most this (exact: see the module docstring).
INT32_PARTIALS_MAX = INT32_MAX

#: Dynamic shared memory one block may use without the opt-in attribute (48 KiB on every CUDA GPU).
SHARED_LIMIT = 48 * 1024


def max_patterns(N, threads=DEFAULT_THREADS):
    """Largest K whose block fits :data:`SHARED_LIMIT` (the overlaps of a cue live in shared memory)."""
    return (SHARED_LIMIT - shared_bytes(N, 0, threads)) // 4


@njit(cache=True)
def _energies(a, mode, n, rect, out):
    """The CPU's ``energy_from_overlaps`` of every row of ``a`` (B, K) int64."""
    for b in range(a.shape[0]):
        out[b] = energy_from_overlaps(a[b], mode, n, rect)


def run_dense_gpu(xiT, rowsum, cues, trial_rng, mode, c, n_even, rect, n, sync, sequential, max_sweeps, record,
                  threads=DEFAULT_THREADS, words=True):
    """Run every cue on the GPU; returns ``(states, a, converged, sweeps, cycled, energies, trace)`` as the CPU.

    Arrays as in :func:`hopfield.kernels.dense.run_dense_kernel` (``xiT`` (N, K)
    int8, ``cues`` (B, N) int8, ``trial_rng`` (B,) uint64); ``threads``: threads
    per cue (the block size). ``a`` comes back int64 and the energies are
    computed on the host from it by the CPU's own function; ``trace`` is None
    unless ``record``. ``words``: run the integer forms poly n = 2 and n = 3
    through :mod:`hopfield.kernels.cuda.dense_words` where they qualify
    (:func:`~hopfield.kernels.cuda.dense_words.word_form`); False keeps
    ``dense_kernel`` for every F (same results, bit for bit).
    """
    from hopfield.kernels.cuda import dense_words as W_

    N, K = xiT.shape
    B = cues.shape[0]
    need = shared_bytes(N, K, threads)
    if need > SHARED_LIMIT:
        raise ValueError(f"device='gpu' keeps a cue's K overlaps in shared memory: K must be at most "
                         f"{max_patterns(N, threads)} at N = {N}, got K = {K} (use device='cpu')")
    nc = c.shape[0]
    fast3 = mode == MODE_INT and not rect and not n_even and nc == 2
    use32 = fast3 and K * N * N <= INT32_PARTIALS_MAX
    e0 = np.zeros(B, np.float64)
    if record:
        from hopfield.kernels.dense import energies_kernel
        energies_kernel(xiT, cues, mode, n, rect, e0)
    table = exp_table(EXP_WINDOW)
    cf = c.astype(np.float64)
    d = cuda.to_device
    out_states = cuda.device_array((B, N), np.int8)
    out_a = cuda.device_array((B, K), np.int32)
    out_flags = cuda.device_array(B, np.int8)
    out_sweeps = cuda.device_array(B, np.int64)
    out_trace = cuda.to_device(np.full((B, max_sweeps + 1) if record else (1, 1), np.nan))
    form = W_.word_form(mode, c, n_even, rect, N, K, INT32_PARTIALS_MAX) if words else W_.FORM_NONE
    if B > 0 and form != W_.FORM_NONE:
        xw = W_.pack_words(xiT, threads)
        W_.dense_words_kernel[B, threads, 0, W_.shared_bytes_words(N, xw.shape[1], threads)](
            d(xw), int(K), d(rowsum), d(np.ascontiguousarray(cues)), d(trial_rng), int(form), d(c), bool(sync),
            bool(sequential), int(max_sweeps), bool(record), d(e0), out_states, out_a, out_flags, out_sweeps,
            out_trace)
    elif B > 0:
        dense_kernel[B, threads, 0, need](
            d(np.ascontiguousarray(xiT)), d(rowsum), d(np.ascontiguousarray(cues)), d(trial_rng), mode, d(c), d(cf),
            bool(n_even), bool(rect), bool(fast3), bool(use32), bool(sync), bool(sequential), int(max_sweeps),
            bool(record), d(e0), d(table), out_states, out_a, out_flags, out_sweeps, out_trace)
    states = out_states.copy_to_host()
    a = out_a.copy_to_host().astype(np.int64)
    flags = out_flags.copy_to_host()
    energies = np.empty(B, np.float64)
    _energies(a, mode, n, rect, energies)
    trace = out_trace.copy_to_host() if record else None
    return states, a, flags == 1, out_sweeps.copy_to_host(), flags == 2, energies, trace

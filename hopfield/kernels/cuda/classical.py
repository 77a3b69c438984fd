"""GPU kernel of the classical network's exact asynchronous dynamics (Hebbian rule, patterns backend).

One thread block per cue runs the rules of
:func:`hopfield.kernels.classical.patterns_range` with the asynchronous
schedule (``T = 0``): overlaps ``M_mu = xi^mu . s`` (integers) are kept in
device memory, a visit decides from ``N h_i = sum_mu xi_i^mu M_mu - c s_i``
(a zero field keeps the neuron), a flip adds ``2 s_i xi_i^mu`` to every
``M_mu``, and the doubled energy ``e2`` is carried exactly as an integer and
updated on every flip (``e2 -= 4 s_i' N h_i + 4 dJ``); the recorded trace is
``e2 / (2 N)``, one correctly rounded division, as on the CPU. The random
order is the trial's SplitMix64 stream (:func:`hopfield.kernels.rng.trial_states`),
shuffled by one thread at the start of every sweep with the CPU's draws
(Fisher-Yates, last index first), so the trajectory is the CPU's, bit for bit.

Speculative asynchronous updates (exact)
    A visit ``k`` depends only on the state after visits ``< k``, and most
    visits flip nothing. The block's ``G = threads // lanes`` groups evaluate
    the fields of the next ``G`` visits at once, from the current overlaps;
    the first visit whose neuron flips is applied (its field was computed on
    exactly the state the serial loop would see, since the visits before it
    changed nothing) and the block continues from the visit after it;
    decisions after it, taken on a stale state, are dropped. The arithmetic
    is integer, so there is no rounding to differ: final states, overlaps,
    sweep counts, energies and traces equal the CPU's bit for bit, while a
    sweep costs about ``N / G`` parallel field evaluations plus one parallel
    update per flip.
"""

import numpy as np
from numba import cuda, int32, int64

from hopfield.kernels.cuda.rng import next_below

MAX_THREADS = 1024


@cuda.jit
def async_kernel(xiT, c, dJ, S, seeds, eden, max_sweeps, sequential, record, lanes, all_flips,
                 Mw, perm_all, trace, converged, sweeps, energy):
    """Cue ``blockIdx.x``: ``S`` (B, N) int8 in place, ``Mw`` (B, P) int64 overlaps, ``perm_all`` (B, N) int32.

    ``all_flips`` = 1 replaces the first-flip rule by "apply every flip found
    among the candidates" (a wrong rule, for the tests only).
    """
    b = cuda.blockIdx.x
    if b >= S.shape[0]:
        return
    N, P = xiT.shape
    tid = cuda.threadIdx.x
    T = cuda.blockDim.x
    G = T // lanes
    g = tid // lanes
    ln = tid - g * lanes
    s = S[b]
    M = Mw[b]
    od = perm_all[b]
    part = cuda.shared.array(MAX_THREADS, int64)
    flg = cuda.shared.array(MAX_THREADS, int32)
    hf = cuda.shared.array(MAX_THREADS, int64)
    sh = cuda.shared.array(2, int32)
    st = cuda.local.array(1, np.uint64)
    st[0] = seeds[b]
    for i in range(tid, N, T):
        od[i] = i
    for mu in range(tid, P, T):
        acc = int64(0)
        for i in range(N):
            acc += xiT[i, mu] if s[i] > 0 else -xiT[i, mu]
        M[mu] = acc
    cuda.syncthreads()
    e2 = int64(0)
    if tid == 0:
        e2 = int64(c) * N
        for mu in range(P):
            e2 -= M[mu] * M[mu]
        if record:
            trace[b, 0] = e2 / eden
    cv = False
    n = 0
    for sweep in range(max_sweeps):
        n = sweep + 1
        if tid == 0:
            if not sequential:
                for i in range(N - 1, 0, -1):
                    j = next_below(st, i + 1)
                    t = od[i]
                    od[i] = od[j]
                    od[j] = t
            sh[1] = 0
        cuda.syncthreads()
        k0 = 0
        while k0 < N:
            ci = k0 + g
            acc = int64(0)
            if ci < N:
                i = od[ci]
                for mu in range(ln, P, lanes):
                    acc += M[mu] if xiT[i, mu] > 0 else -M[mu]
            part[tid] = acc
            cuda.syncthreads()
            if ln == 0:
                f = 0
                if ci < N:
                    h = int64(0)
                    for q in range(lanes):
                        h += part[tid + q]
                    si = s[od[ci]]
                    h -= c * si
                    hf[g] = h
                    if (h > 0 and si < 0) or (h < 0 and si > 0):
                        f = 1
                flg[g] = f
            cuda.syncthreads()
            if tid == 0:
                first = G
                for q in range(G):
                    if flg[q]:
                        first = q
                        break
                sh[0] = first
                if first < G:
                    sh[1] = 1
            cuda.syncthreads()
            first = sh[0]
            if first < G and all_flips == 0:
                i = od[k0 + first]
                snew = -s[i]
                for mu in range(tid, P, T):
                    M[mu] += 2 * snew * xiT[i, mu]
                cuda.syncthreads()
                if tid == 0:
                    e2 = e2 - 4 * snew * hf[first] - 4 * dJ
                    s[i] = snew
                k0 += first + 1
            elif first < G:  # the wrong rule: every flip the candidates found, on stale fields
                if tid == 0:
                    for q in range(G):
                        if flg[q]:
                            i = od[k0 + q]
                            s[i] = -s[i]
                            e2 = e2 - 4 * s[i] * hf[q] - 4 * dJ
                            for mu in range(P):
                                M[mu] += 2 * s[i] * xiT[i, mu]
                k0 += G
            else:
                k0 += G
            cuda.syncthreads()
        if tid == 0 and record:
            trace[b, sweep + 1] = e2 / eden
        if sh[1] == 0:
            cv = True
            break
        cuda.syncthreads()
    if tid == 0:
        converged[b] = cv
        sweeps[b] = n
        energy[b] = e2 / eden


def run_async(xiT, c, dJ, S, seeds, eden, max_sweeps, sequential, record, threads=None, lanes=None,
              all_flips=False):
    """Run every row of ``S`` (B, N) int8 on the GPU; returns ``(S, Mw, trace, converged, sweeps, energy)``.

    Arguments as in :func:`hopfield.kernels.classical.run_patterns` (schedule
    async, ``T = 0``); ``threads`` per block (a multiple of ``lanes``; 256 by
    default, 8 under the simulator) and ``lanes`` per candidate field (32 by
    default, 2 under the simulator); ``all_flips`` selects the tests' wrong rule.
    """
    from hopfield._device import cuda as _cuda, simulated

    cu = _cuda()
    sim = simulated()
    threads = (8 if sim else 256) if threads is None else int(threads)
    lanes = (2 if sim else 32) if lanes is None else int(lanes)
    if lanes < 1 or threads % lanes or not 0 < threads <= MAX_THREADS:
        raise ValueError(f"threads must be a multiple of lanes = {lanes} in [1, {MAX_THREADS}], got {threads}")
    B, N = S.shape
    P = xiT.shape[1]
    n_trace = max_sweeps + 1 if record else 0
    d_xi = cu.to_device(np.ascontiguousarray(xiT, np.int8))
    d_S = cu.to_device(np.ascontiguousarray(S, np.int8))
    d_seeds = cu.to_device(np.ascontiguousarray(seeds, np.uint64))
    d_M = cu.device_array((B, P), np.int64)
    d_perm = cu.device_array((B, N), np.int32)
    d_trace = cu.to_device(np.full((B, n_trace), np.nan))
    d_cv = cu.device_array(B, np.bool_)
    d_sw = cu.device_array(B, np.int64)
    d_e = cu.device_array(B, np.float64)
    async_kernel[B, threads](d_xi, c, dJ, d_S, d_seeds, float(eden), max_sweeps, bool(sequential), bool(record),
                             lanes, 1 if all_flips else 0, d_M, d_perm, d_trace, d_cv, d_sw, d_e)
    return (d_S.copy_to_host(), d_M.copy_to_host(), d_trace.copy_to_host(), d_cv.copy_to_host(),
            d_sw.copy_to_host(), d_e.copy_to_host())

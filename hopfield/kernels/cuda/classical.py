"""GPU kernels of the classical network's dynamics: every rule, backend and schedule of the CPU kernels.

One thread block runs one cue, by the rules of
:mod:`hopfield.kernels.classical` (``patterns_range`` and ``weights_range``),
drawing the same SplitMix64 words in the same order from the trial's state
(:func:`hopfield.kernels.rng.trial_states`).

Patterns backend (Hebbian rule): :func:`patterns_kernel`, :func:`sync_kernel`
    Overlaps ``M_mu = xi^mu . s`` (integers) are kept in device memory; a
    visit decides from ``N h_i = sum_mu xi_i^mu M_mu - c s_i``, a flip adds
    ``2 s_i xi_i^mu`` to every ``M_mu``, and the doubled energy ``e2`` is an
    exact integer; the recorded trace is ``e2 / (2 N)``, one correctly rounded
    division, as on the CPU.
Weights backend (float64 ``W`` of the pseudo-inverse and Storkey rules, or the integer ``N W``): :func:`weights_kernel`
    The fields ``h = W s`` of the cue are kept in device memory (float64, or
    int64 for integer weights). Thread ``i`` forms ``h_i`` as the CPU does, a
    sequential sum over ``j = 0..N-1`` of ``+-W_ij``; ``e2`` starts as the
    sequential sum ``-sum_i s_i h_i`` (one thread); a flip of neuron ``i`` adds
    ``2 s_i' W_ij`` to every ``h_j`` (one thread per ``j``) and
    ``e2 <- e2 - 4 s_i' h_i - 4 W_ii``. Every product in these formulas is a
    float64 times a small power of two (``+-1``, ``+-2``, ``+-4``), hence
    exact, so a fused multiply-add (which the CUDA compiler does form: the
    PTX of this kernel for sm_90 holds ``fma.rn.f64``; Numba's ``cuda.jit``
    offers only ``fastmath``, off here, no switch against contraction) rounds
    once where the CPU rounds once: the same per-element operations in
    the same order give the same bits. Guarantee: for ``T = 0`` schedules,
    float64 weights give the CPU's final states, fields, sweep counts, flags,
    energies and traces bit for bit, on the simulator and on a GPU.

Random order
    The ``N - 1`` draws of a sweep's Fisher-Yates shuffle depend only on the
    stream's state (draw ``k`` is ``mix64(state + (k + 1) GAMMA) mod (N - k)``),
    so the threads compute them in parallel into a work array and one thread
    applies the swaps, last index first (the CPU's order), in batches whose
    loads overlap (:func:`hopfield.kernels.cuda.rng.shuffle_parallel`).

Speculative asynchronous updates (exact)
    A visit ``k`` depends only on the state after visits ``< k``, and most
    visits flip nothing. The block's ``G`` groups (``threads // lanes`` on the
    patterns backend, one thread each on the weights backend) decide the next
    ``G`` visits at once from the current state; the first visit whose neuron
    changes is applied (its decision was taken on exactly the state the serial
    loop would see, since the visits before it changed nothing) and the block
    continues from the visit after it; decisions after it, taken on a stale
    state, are dropped. A sweep costs about ``N / G`` parallel decisions plus
    one parallel update per flip.

Glauber dynamics at ``T > 0`` (``schedule="glauber"``)
    As on the CPU every visit draws exactly one uniform, after the sweep's
    shuffle words: visit ``k`` of a sweep whose stream state (after the
    shuffle) is ``t`` draws ``mix64(t + (k + 1) GAMMA)``, so each speculative
    candidate computes its own uniform and the scheme above stays exact: a
    visit "changes" its neuron when the heat-bath value differs from the
    current one. The probability ``1 / (1 + exp(-2 h_i / T))`` is formed with
    the CPU's expressions; ``exp`` is the platform's. Under Numba's CUDA
    simulator it is the host's libm ``exp``, and the runs are bit-identical to
    the CPU (the tests assert it). On a real GPU, CUDA's ``exp`` may differ in
    the last ulp, which changes a decision only when a uniform falls within an
    ulp of ``p`` (probability ~1e-16 per visit): glauber at ``T > 0`` is equal
    to the CPU statistically, not bitwise, on a GPU.

Synchronous schedule (``schedule="sync"``)
    All decisions are taken from the previous state in parallel. Patterns
    backend: the flips are applied at once, ``M_mu += sum_i 2 s_i' xi_i^mu``
    over the flipped ``i`` (integers), and ``e2 = c N - sum_mu M_mu^2``, the
    exact value that the CPU's sum of exact integer increments reaches in any
    order. Weights backend: the flips are applied one by one in index order,
    as on the CPU, each a parallel update of ``h`` with the CPU's increment
    (floats: the order matters, so it is kept). The 2-cycle rule is the CPU's
    (:func:`hopfield.kernels.schedule.two_cycle`): the step goes back to the
    state before the previous one.
"""

import math

import numpy as np
from numba import cuda, int32, int64

from hopfield.kernels.rng import GAMMA, INV53, S11
from hopfield.kernels.cuda.rng import mix64, shuffle_parallel

MAX_THREADS = 1024
ASYNC, SYNC, GLAUBER = 0, 1, 2  # the codes of hopfield.kernels.classical


@cuda.jit(device=True)
def first_flagged(flg, n):
    """The first of the ``n`` speculative candidates whose flag is set, ``n`` if none (one thread calls it).

    The rule that keeps speculative asynchronous updates exact: only the first candidate that flips is
    applied, since the decisions after it were taken on a state that is about to change.
    """
    for q in range(n):
        if flg[q]:
            return q
    return n


@cuda.jit(device=True)
def heat_bath(hi, scale, Temp, st, k):
    """Glauber value of a neuron with field ``hi * scale`` at visit ``k`` of a sweep whose stream is at ``st``.

    The CPU's ``_decide`` with ``hot``: ``p = 1 / (1 + exp(-x))``, ``x = 2 h / T``
    (written through ``exp(x)`` for ``x < 0``), ``+1`` when the visit's uniform is below ``p``.
    """
    x = 2.0 * (hi * scale) / Temp
    if x >= 0.0:
        p = 1.0 / (1.0 + math.exp(-x))
    else:
        ex = math.exp(x)
        p = ex / (1.0 + ex)
    u = np.float64(mix64(st + np.uint64(k + 1) * GAMMA) >> S11) * INV53
    if u < p:
        return 1
    return -1


@cuda.jit
def patterns_kernel(xiT, c, dJ, S, seeds, hot, Temp, scale, eden, max_sweeps, sequential, record, lanes,
                    all_flips, Mw, perm_all, draws_all, trace, converged, sweeps, energy):
    """Cue ``blockIdx.x``, asynchronous (``hot`` = 0) or glauber at ``T > 0`` (``hot`` = 1), patterns backend.

    ``S`` (B, N) int8 in place, ``Mw`` (B, P) int64 overlaps, ``perm_all`` and
    ``draws_all`` (B, N) int32 work rows. ``all_flips`` = 1 replaces the
    first-flip rule by "apply every flip found among the candidates" (a wrong
    rule, for the tests only).
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
    draws = draws_all[b]
    part = cuda.shared.array(MAX_THREADS, int64)
    flg = cuda.shared.array(MAX_THREADS, int32)
    hf = cuda.shared.array(MAX_THREADS, int64)
    sh = cuda.shared.array(2, int32)
    st = seeds[b]
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
        if not sequential:
            st = shuffle_parallel(od, draws, st, N, tid, T)
        if tid == 0:
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
                    h -= int64(c) * si
                    hf[g] = h
                    if hot:
                        if heat_bath(h, scale, Temp, st, ci) != si:
                            f = 1
                    elif (h > 0 and si < 0) or (h < 0 and si > 0):
                        f = 1
                flg[g] = f
            cuda.syncthreads()
            if tid == 0:
                first = first_flagged(flg, G)
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
        if hot:
            st = st + np.uint64(N) * GAMMA  # the sweep's N uniforms
        if tid == 0 and record:
            trace[b, sweep + 1] = e2 / eden
        cv = sh[1] == 0
        if cv and not hot:
            break
        cuda.syncthreads()
    if tid == 0:
        converged[b] = cv
        sweeps[b] = n
        energy[b] = e2 / eden


@cuda.jit
def sync_kernel(xiT, c, S, eden, max_sweeps, record, lanes, Mw, D, prev_all, trace, converged, sweeps, cycled,
                energy):
    """Cue ``blockIdx.x``, synchronous schedule, patterns backend; ``D``, ``prev_all`` (B, N) int8 work rows."""
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
    d = D[b]
    prev = prev_all[b]
    part = cuda.shared.array(MAX_THREADS, int64)
    sh = cuda.shared.array(2, int32)  # sh[0]: a neuron changes, sh[1]: the step differs from the 2-back state
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
    cy = False
    n = 0
    for sweep in range(max_sweeps):
        n = sweep + 1
        if tid == 0:
            sh[0] = 0
            sh[1] = 0
        cuda.syncthreads()
        for k0 in range(0, N, G):  # every decision from the previous state
            ci = k0 + g
            acc = int64(0)
            if ci < N:
                for mu in range(ln, P, lanes):
                    acc += M[mu] if xiT[ci, mu] > 0 else -M[mu]
            part[tid] = acc
            cuda.syncthreads()
            if ln == 0 and ci < N:
                h = int64(0)
                for q in range(lanes):
                    h += part[tid + q]
                si = s[ci]
                h -= int64(c) * si
                dv = si
                if h > 0:
                    dv = 1
                elif h < 0:
                    dv = -1
                d[ci] = dv
                if dv != si:
                    sh[0] = 1
                if sweep >= 1 and dv != prev[ci]:
                    sh[1] = 1
                prev[ci] = si  # two_cycle's prev <- s (read again only after a change)
            cuda.syncthreads()
        if sh[0] == 0:
            cv = True
            if tid == 0 and record:
                trace[b, sweep + 1] = e2 / eden
            break
        back = sweep >= 1 and sh[1] == 0
        for mu in range(tid, P, T):  # every flip at once: exact integers
            acc = int64(0)
            for i in range(N):
                if d[i] != s[i]:
                    acc += 2 * d[i] if xiT[i, mu] > 0 else -2 * d[i]
            M[mu] += acc
        cuda.syncthreads()
        for i in range(tid, N, T):
            s[i] = d[i]
        if tid == 0:
            e2 = int64(c) * N  # the CPU's e2 after its exact increments, in any order
            for mu in range(P):
                e2 -= M[mu] * M[mu]
            if record:
                trace[b, sweep + 1] = e2 / eden
        cuda.syncthreads()
        if back:
            cy = True
            break
    if tid == 0:
        converged[b] = cv
        cycled[b] = cy
        sweeps[b] = n
        energy[b] = e2 / eden


@cuda.jit
def weights_kernel(W, diag, S, seeds, schedule, Temp, scale, eden, max_sweeps, sequential, record, Hw, D,
                   prev_all, perm_all, draws_all, trace, converged, sweeps, cycled, energy):
    """Cue ``blockIdx.x`` on the weights backend, any schedule; ``Hw`` (B, N) fields (W's kind: int64 or float64).

    ``D``, ``prev_all`` (B, N) int8 and ``perm_all``, ``draws_all`` (B, N) int32 work rows.
    """
    b = cuda.blockIdx.x
    if b >= S.shape[0]:
        return
    N = S.shape[1]
    tid = cuda.threadIdx.x
    T = cuda.blockDim.x
    s = S[b]
    h = Hw[b]
    d = D[b]
    prev = prev_all[b]
    od = perm_all[b]
    draws = draws_all[b]
    flg = cuda.shared.array(MAX_THREADS, int32)
    sh = cuda.shared.array(2, int32)
    st = seeds[b]
    hot = schedule == GLAUBER and Temp > 0.0
    for i in range(tid, N, T):  # h = W s, each h_i a sequential sum over j (the CPU's order)
        od[i] = i
        h[i] = 0
        acc = h[i]
        for j in range(N):
            acc += W[i, j] if s[j] > 0 else -W[i, j]
        h[i] = acc
    cuda.syncthreads()
    e2 = h[0] * 0
    if tid == 0:
        for i in range(N):
            e2 -= s[i] * h[i]
        if record:
            trace[b, 0] = e2 / eden
    cv = False
    cy = False
    n = 0
    for sweep in range(max_sweeps):
        n = sweep + 1
        if schedule == SYNC:
            if tid == 0:
                sh[0] = 0
                sh[1] = 0
            cuda.syncthreads()
            for i in range(tid, N, T):
                si = s[i]
                dv = si
                if h[i] > 0:
                    dv = 1
                elif h[i] < 0:
                    dv = -1
                d[i] = dv
                if dv != si:
                    sh[0] = 1
                if sweep >= 1 and dv != prev[i]:
                    sh[1] = 1
                prev[i] = si
            cuda.syncthreads()
            if sh[0] == 0:
                cv = True
                if tid == 0 and record:
                    trace[b, sweep + 1] = e2 / eden
                break
            back = sweep >= 1 and sh[1] == 0
            for i in range(N):  # the flips one by one, in index order, with the current field (as the CPU)
                if d[i] != s[i]:
                    snew = int64(d[i])
                    if tid == 0:
                        e2 = e2 - 4 * snew * h[i] - 4 * diag[i]
                    cuda.syncthreads()
                    for j in range(tid, N, T):
                        h[j] += 2 * snew * W[i, j]
                    cuda.syncthreads()
            for i in range(tid, N, T):
                s[i] = d[i]
            if tid == 0 and record:
                trace[b, sweep + 1] = e2 / eden
            cuda.syncthreads()
            if back:
                cy = True
                break
            continue
        if not sequential:
            st = shuffle_parallel(od, draws, st, N, tid, T)
        if tid == 0:
            sh[1] = 0
        cuda.syncthreads()
        k0 = 0
        while k0 < N:  # speculative: thread t decides visit k0 + t
            ci = k0 + tid
            f = 0
            if ci < N:
                i = od[ci]
                si = s[i]
                hi = h[i]
                if hot:
                    if heat_bath(hi, scale, Temp, st, ci) != si:
                        f = 1
                elif (hi > 0 and si < 0) or (hi < 0 and si > 0):
                    f = 1
            flg[tid] = f
            cuda.syncthreads()
            if tid == 0:
                first = first_flagged(flg, T)
                sh[0] = first
                if first < T:
                    sh[1] = 1
                    i = od[k0 + first]
                    snew = int64(-s[i])
                    e2 = e2 - 4 * snew * h[i] - 4 * diag[i]
            cuda.syncthreads()
            first = sh[0]
            if first < T:
                i = od[k0 + first]
                snew = int64(-s[i])
                for j in range(tid, N, T):
                    h[j] += 2 * snew * W[i, j]
                cuda.syncthreads()
                if tid == 0:
                    s[i] = snew
                k0 += first + 1
            else:
                k0 += T
            cuda.syncthreads()
        if hot:
            st = st + np.uint64(N) * GAMMA
        if tid == 0 and record:
            trace[b, sweep + 1] = e2 / eden
        cv = sh[1] == 0
        if cv and not hot:
            break
        cuda.syncthreads()
    if tid == 0:
        converged[b] = cv
        cycled[b] = cy
        sweeps[b] = n
        energy[b] = e2 / eden


def _launch(threads, lanes):
    from hopfield._device import cuda as _cuda, simulated

    cu = _cuda()
    sim = simulated()
    threads = (8 if sim else 256) if threads is None else int(threads)
    lanes = (2 if sim else 32) if lanes is None else int(lanes)
    if lanes < 1 or threads % lanes or not 0 < threads <= MAX_THREADS:
        raise ValueError(f"threads must be a multiple of lanes = {lanes} in [1, {MAX_THREADS}], got {threads}")
    return cu, threads, lanes


def run_patterns(xiT, c, dJ, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record, threads=None,
                 lanes=None, all_flips=False):
    """Run every row of ``S`` (B, N) int8 on the GPU, patterns backend.

    Arguments as in :func:`hopfield.kernels.classical.run_patterns`;
    ``threads`` per block (a multiple of ``lanes``; 256 by default, 8 under
    the simulator) and ``lanes`` per candidate field (32 by default, 2 under
    the simulator); ``all_flips`` selects the tests' wrong rule (async only).

    Returns
    -------
    tuple
        ``(S, Mw, trace, converged, sweeps, cycled, energy)`` as numpy arrays.
    """
    cu, threads, lanes = _launch(threads, lanes)
    B, N = S.shape
    P = xiT.shape[1]
    n_trace = max_sweeps + 1 if record else 0
    d_xi = cu.to_device(np.ascontiguousarray(xiT, np.int8))
    d_S = cu.to_device(np.ascontiguousarray(S, np.int8))
    d_M = cu.device_array((B, P), np.int64)
    d_trace = cu.to_device(np.full((B, n_trace), np.nan))
    d_cv = cu.device_array(B, np.bool_)
    d_cy = cu.to_device(np.zeros(B, np.bool_))
    d_sw = cu.device_array(B, np.int64)
    d_e = cu.device_array(B, np.float64)
    if schedule == SYNC:
        d_D = cu.device_array((B, N), np.int8)
        d_prev = cu.device_array((B, N), np.int8)
        sync_kernel[B, threads](d_xi, c, d_S, float(eden), max_sweeps, bool(record), lanes, d_M, d_D, d_prev,
                                d_trace, d_cv, d_sw, d_cy, d_e)
    else:
        hot = schedule == GLAUBER and T > 0.0
        d_seeds = cu.to_device(np.ascontiguousarray(seeds, np.uint64))
        d_perm = cu.device_array((B, N), np.int32)
        d_draws = cu.device_array((B, N), np.int32)
        patterns_kernel[B, threads](d_xi, c, dJ, d_S, d_seeds, 1 if hot else 0, float(T), float(scale),
                                    float(eden), max_sweeps, bool(sequential), bool(record), lanes,
                                    1 if all_flips else 0, d_M, d_perm, d_draws, d_trace, d_cv, d_sw, d_e)
    return (d_S.copy_to_host(), d_M.copy_to_host(), d_trace.copy_to_host(), d_cv.copy_to_host(),
            d_sw.copy_to_host(), d_cy.copy_to_host(), d_e.copy_to_host())


def run_weights(W, diag, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record, threads=None):
    """Run every row of ``S`` (B, N) int8 on the GPU, weights backend (``W`` float64, or int32/int64 ``N W``).

    Arguments as in :func:`hopfield.kernels.classical.run_weights`;
    ``threads`` per block (256 by default, 8 under the simulator).

    Returns
    -------
    tuple
        ``(S, H, trace, converged, sweeps, cycled, energy)`` as numpy arrays,
        ``H`` (B, N) the final fields (int64 or float64, as W).
    """
    cu, threads, _ = _launch(threads, 1)
    B, N = S.shape
    n_trace = max_sweeps + 1 if record else 0
    hdt = np.float64 if W.dtype.kind == "f" else np.int64
    d_W = cu.to_device(np.ascontiguousarray(W))
    d_diag = cu.to_device(np.ascontiguousarray(diag))
    d_S = cu.to_device(np.ascontiguousarray(S, np.int8))
    d_seeds = cu.to_device(np.ascontiguousarray(seeds, np.uint64))
    d_H = cu.device_array((B, N), hdt)
    d_D = cu.device_array((B, N), np.int8)
    d_prev = cu.device_array((B, N), np.int8)
    d_perm = cu.device_array((B, N), np.int32)
    d_draws = cu.device_array((B, N), np.int32)
    d_trace = cu.to_device(np.full((B, n_trace), np.nan))
    d_cv = cu.device_array(B, np.bool_)
    d_cy = cu.device_array(B, np.bool_)
    d_sw = cu.device_array(B, np.int64)
    d_e = cu.device_array(B, np.float64)
    weights_kernel[B, threads](d_W, d_diag, d_S, d_seeds, int(schedule), float(T), float(scale), float(eden),
                               max_sweeps, bool(sequential), bool(record), d_H, d_D, d_prev, d_perm, d_draws,
                               d_trace, d_cv, d_sw, d_cy, d_e)
    return (d_S.copy_to_host(), d_H.copy_to_host(), d_trace.copy_to_host(), d_cv.copy_to_host(),
            d_sw.copy_to_host(), d_cy.copy_to_host(), d_e.copy_to_host())

"""GPU kernel of the classical capacity scan: one thread block per (point, trial), exact speculative dynamics.

Each block runs one trial of :mod:`hopfield.kernels.capacity` and draws the
same SplitMix64 words in the same order, so its final overlap, sweep count and
convergence flag are bit-identical to the CPU kernel's.

Patterns
    Word ``q`` of a trial's stream from its start state ``s0`` is
    ``mix64(s0 + (q + 1) GAMMA)``: the stream is counter-based, so any word can
    be computed without drawing the words before it. Entry ``xi_i^mu`` is bit
    ``k % 64`` of word ``k // 64``, ``k = mu N + i``. The block keeps a
    bit-packed, neuron-major table of its own (``N x ceil(P / 32)`` 32-bit
    words, 175 MB at ``N = 10^5, P = 14 000`` instead of 1.4 GB as int8);
    bit ``b`` of word ``w`` of neuron ``i`` holds pattern ``mu = b W + w``
    (``W = ceil(P / 32)``), so that the lanes reading consecutive words of a
    row also read consecutive overlaps ``M_mu``. The table is zeroed, then
    each thread hashes whole stream words (one ``mix64`` per 64 entries) and
    ORs each set bit into its table word (``cuda.atomic.or_``: the 64 entries
    of a stream word land in up to 64 different table words, owned by no one
    thread). The stream then skips the ``ceil(P N / 64)`` pattern words by
    advancing the counter; the ``n_flip`` draws of the cue (partial
    Fisher-Yates) and, at the start of every sweep, the ``N - 1`` draws of the
    visiting order (Fisher-Yates, last index first) are computed in parallel
    from their counters into a work row, then one thread applies the swaps
    in batches of 16 whose loads overlap
    (:func:`hopfield.kernels.cuda.rng.apply_swaps`), word for word the CPU's
    permutation; the cue's ``n_flip`` neurons are then flipped in parallel.
Overlaps
    ``M`` (``32 W`` int32) lives in the block's dynamic shared memory when it
    fits beside the static scratch (``P <= 8896``: :func:`shared_overlaps`),
    else in device memory.

Dynamics: speculative asynchronous updates
    A visit ``k`` of a sweep depends only on the state after visits ``< k``,
    and most visits flip nothing. The block's threads form ``G`` groups of
    ``lanes`` threads; group ``g`` evaluates the integer field
    ``N h_i + P s_i = sum_mu xi_i^mu M_mu`` of the neuron at visit ``k0 + g``
    from the current overlaps, all groups at once. The first visit whose
    neuron would flip (a block-wide minimum) is applied: ``s_i`` changes sign
    and every ``M_mu`` is updated in parallel with the same integer increment
    ``2 s_i xi_i^mu`` as on the CPU. Visits before it flip nothing and change
    nothing, so their decisions were taken on exactly the state the serial
    loop would see; decisions after it used a stale state and are discarded,
    and the block continues from the next visit. With no flip among the
    ``G`` candidates, the block moves on by ``G``. The integer arithmetic is
    exact, so this is the serial trajectory itself: sweeps and final states
    are bit-identical to the CPU, while a sweep costs about ``N / G``
    parallel field evaluations plus one parallel update per flip.

Expected cost per sweep (one trial; ``L`` = lanes, ``G = threads / L`` candidates, ``f`` flips in the sweep)
    * shuffle: ``N - 1`` hashes spread over the block, then ``N - 1`` swaps by
      one thread, the only serial part of a sweep. Applied one by one, each
      swap waited for two dependent device-memory round trips (``draws[k]``,
      then ``od[j_k]``: ~0.5-0.8 us on an H100), ~10-16 ms per sweep at
      ``N = 20 000``, more than the sweep's decisions; in batches of 16 a
      batch waits for one round trip and resolves its aliases in per-thread arrays,
      ~70-80 cycles per swap (:func:`hopfield.kernels.cuda.rng.apply_swaps`):
      ~1 ms per sweep at ``N = 20 000``, ~5 ms at ``N = 10^5`` (by design,
      from the latencies; to be measured);
    * decisions: ``ceil((N + f) / G)`` rounds, each reading one row of the
      table (``W`` words, ``W / L`` per lane) and ``P`` overlaps (``32 W / L``
      shared-memory reads and integer adds per lane), a ``G``-way first-flip
      search and 3 barriers: ``~(N + f) P / threads`` adds per thread;
    * flips: ``f`` parallel updates of ``P`` overlaps (``P / threads`` each).

    At ``N = 20 000, P = 2800`` with 256 threads and 32 lanes: ~1 ms of shuffle, then ~2 500 rounds of
    ~2 800 adds per lane (the table row is 350 B, the overlaps 11 kB of shared
    memory), against ``N P = 5.6e7`` adds for the serial sweep. The pattern
    table costs ``ceil(N P / 64)`` hashes and ``~N P / 2`` atomic ORs once per
    trial (formerly ``N P`` hashes: 64 times more hashing).

:func:`scan` is the host side: it cuts the trials into launches whose device
memory stays under a budget and copies the results back.
"""

import numpy as np
from numba import cuda, int32, int64, uint32, uint64

from hopfield.kernels.cuda.classical import first_flagged
from hopfield.kernels.cuda.rng import SWAP_BATCH, apply_swaps, mix64, shuffle_parallel
from hopfield.kernels.rng import GAMMA

#: Largest block the kernel's shared scratch arrays hold.
MAX_THREADS = 1024
U1 = np.uint64(1)


@cuda.jit
def trials_kernel(b0, N, Ps, seeds, n_flip, max_sweeps, lanes, all_flips, use_shared, bits, s_all, order_all,
                  draws_all, M_all, overlap, sweeps, converged):
    """Trials ``b0 + blockIdx.x`` (one per block); work arrays indexed by the block (its slot).

    ``bits`` (slots, N, Wmax) uint32, ``s_all`` (slots, N) int8, ``order_all``
    and ``draws_all`` (slots, N) int32, ``M_all`` (slots, 32 Wmax) int32
    (unused when ``use_shared``: the overlaps are then in dynamic shared memory). ``all_flips`` = 1
    replaces the first-flip rule by "apply every flip found among the
    candidates" (a wrong rule, for the tests only).
    """
    slot = cuda.blockIdx.x
    b = b0 + slot
    if b >= Ps.shape[0]:
        return
    tid = cuda.threadIdx.x
    T = cuda.blockDim.x
    G = T // lanes
    g = tid // lanes
    ln = tid - g * lanes
    P = Ps[b]
    W = (P + 31) // 32
    x = bits[slot]
    s = s_all[slot]
    od = order_all[slot]
    draws = draws_all[slot]
    Msh = cuda.shared.array(0, int32)  # the overlaps, when the launch gave the block 32 W int32 of it
    if use_shared:
        M = Msh[:32 * W]
    else:
        M = M_all[slot]
    part = cuda.shared.array(MAX_THREADS, int64)
    flg = cuda.shared.array(MAX_THREADS, int32)
    sh = cuda.shared.array(2, int32)  # sh[0]: first flipping candidate (G if none), sh[1]: sweep changed
    s0 = seeds[b]

    # 1. the patterns: entry (mu, i) = bit k % 64 of stream word k // 64, k = mu N + i; word w of neuron i,
    #    bit bb <-> mu = bb W + w. One hash per stream word, its set bits ORed into the zeroed table.
    for idx in range(tid, N * W, T):
        x[idx // W, idx % W] = uint32(0)
    cuda.syncthreads()
    n_words = (int64(P) * N + 63) // 64
    for q in range(tid, n_words, T):
        r = mix64(s0 + uint64(q + 1) * GAMMA)
        k = q * 64
        mu = k // N
        i = k - mu * N
        for t in range(64):
            if mu >= P:
                break
            if (r >> uint64(t)) & U1:
                cuda.atomic.or_(x, (i, mu % W), uint32(1) << uint32(mu // W))
            i += 1
            if i == N:
                i = 0
                mu += 1
    cuda.syncthreads()
    for i in range(tid, N, T):
        s[i] = 1 if x[i, 0] & uint32(1) else -1  # pattern 0 is bit 0 of word 0
        od[i] = i
    cuda.syncthreads()
    # 2. the cue: the stream continues after the ceil(P N / 64) pattern words; the partial Fisher-Yates
    #    draws (position k swapped with k + below(N - k)) computed in parallel, the swaps applied by one
    #    thread in batches; position k is final after swap k, so the first n_flip entries (distinct neurons)
    #    are then flipped in parallel, the CPU's flips in another order
    st0 = s0 + uint64(n_words) * GAMMA
    for k in range(tid, n_flip, T):
        draws[k] = int32(k + int64(mix64(st0 + uint64(k + 1) * GAMMA) % uint64(N - k)))
    cuda.syncthreads()
    if tid == 0:
        apply_swaps(od, draws, n_flip, 0, 1, SWAP_BATCH, 0)
    st = st0 + uint64(n_flip) * GAMMA
    cuda.syncthreads()
    for k in range(tid, n_flip, T):
        s[od[k]] = -s[od[k]]
    cuda.syncthreads()
    for i in range(tid, N, T):
        od[i] = i
    for mu in range(tid, 32 * W, T):  # M_mu = xi^mu . s (zero for the padding mu >= P)
        acc = int32(0)
        if mu < P:
            w = mu % W
            bb = uint32(mu // W)
            for i in range(N):
                if (x[i, w] >> bb) & uint32(1):
                    acc += s[i]
                else:
                    acc -= s[i]
        M[mu] = acc
    cuda.syncthreads()

    # 3. the dynamics
    cv = False
    n = max_sweeps
    for sweep in range(max_sweeps):
        st = shuffle_parallel(od, draws, st, N, tid, T)  # Fisher-Yates, last index first (rng.shuffle_inplace)
        if tid == 0:
            sh[1] = 0
        cuda.syncthreads()
        k0 = 0
        while k0 < N:
            c = k0 + g
            acc = int64(0)
            if c < N:
                i = od[c]
                for w in range(ln, W, lanes):
                    word = x[i, w]
                    for bb in range(32):
                        mv = M[bb * W + w]
                        if (word >> uint32(bb)) & uint32(1):
                            acc += mv
                        else:
                            acc -= mv
            part[tid] = acc
            cuda.syncthreads()
            if ln == 0:
                f = 0
                if c < N:
                    h = int64(0)
                    for q in range(lanes):
                        h += part[tid + q]
                    si = s[od[c]]
                    h -= P * si
                    if (h > 0 and si < 0) or (h < 0 and si > 0):
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
                twice = int32(-2 * s[i])  # 2 s_new
                for mu in range(tid, P, T):
                    w = mu % W
                    if (x[i, w] >> uint32(mu // W)) & uint32(1):
                        M[mu] += twice
                    else:
                        M[mu] -= twice
                cuda.syncthreads()
                if tid == 0:
                    s[i] = -s[i]
                k0 += first + 1
            elif first < G:  # the wrong rule: every flip the candidates found, on stale fields
                if tid == 0:
                    for q in range(G):
                        if flg[q]:
                            i = od[k0 + q]
                            s[i] = -s[i]
                            for mu in range(P):
                                w = mu % W
                                if (x[i, w] >> uint32(mu // W)) & uint32(1):
                                    M[mu] += 2 * s[i]
                                else:
                                    M[mu] -= 2 * s[i]
                k0 += G
            else:
                k0 += G
            cuda.syncthreads()
        if sh[1] == 0:
            cv = True
            n = sweep + 1
            break
        cuda.syncthreads()  # sh[1] read by all before thread 0 resets it
    if tid == 0:
        overlap[b] = M[0]
        sweeps[b] = n
        converged[b] = cv


#: Shared memory a block may use without an opt-in (bytes), and the kernel's static part of it.
SHARED_LIMIT = 48 * 1024
STATIC_SHARED = MAX_THREADS * (8 + 4) + 2 * 4


def shared_overlaps(P_max):
    """Whether the overlaps ``M`` (``32 ceil(P / 32)`` int32) fit the block's dynamic shared memory."""
    return 32 * ((P_max + 31) // 32) * 4 <= SHARED_LIMIT - STATIC_SHARED


def slot_bytes(N, P_max):
    """Device memory of one running trial: its bit table, state, order, draws and overlaps."""
    W = (P_max + 31) // 32
    return N * W * 4 + N + 2 * N * 4 + 32 * W * 4


def scan(N, Pb, seeds, n_flip, max_sweeps, threads=None, lanes=None, slots=None, mem_budget=None, all_flips=False,
         use_shared=None):
    """Run the trials ``(Pb[b], seeds[b])`` on the GPU; returns ``(overlap, sweeps, converged)`` as numpy arrays.

    Parameters
    ----------
    N : int
        Number of neurons.
    Pb, seeds : ndarray of shape (B,)
        Patterns (int64) and SplitMix64 start state (uint64) of each trial.
    n_flip, max_sweeps : int
        As in :func:`hopfield.kernels.capacity.trials_range`.
    threads : int, optional
        Threads per block, a multiple of ``lanes``, at most ``MAX_THREADS``;
        256 by default (8 under the simulator, which runs each as a Python thread).
    lanes : int, optional
        Threads that share one candidate's field (``threads // lanes``
        candidates are evaluated at a time); 32 (a warp) by default, 2 under
        the simulator.
    slots : int, optional
        Trials per launch; by default as many as ``mem_budget`` allows.
    mem_budget : int, optional
        Bytes of device memory for the work arrays of one launch; by default
        half the free device memory (64 MB under the simulator).
    all_flips : bool
        Replace the first-flip rule by a wrong one (for the tests' mutant).
    use_shared : bool, optional
        Keep the overlaps in dynamic shared memory; by default whenever they
        fit (:func:`shared_overlaps`, ``P <= 8896``), else in device memory.
    """
    from hopfield._device import cuda as _cuda, simulated

    cu = _cuda()
    sim = simulated()
    threads = (8 if sim else 256) if threads is None else int(threads)
    lanes = (2 if sim else 32) if lanes is None else int(lanes)
    if lanes < 1 or threads % lanes or not 0 < threads <= MAX_THREADS:
        raise ValueError(f"threads must be a multiple of lanes = {lanes} in [1, {MAX_THREADS}], got {threads}")
    B = int(Pb.shape[0])
    P_max = int(Pb.max())
    W = (P_max + 31) // 32
    per = slot_bytes(N, P_max)
    if slots is None:
        if mem_budget is None:
            mem_budget = 64 << 20 if sim else cu.current_context().get_memory_info()[0] // 2
        slots = max(1, min(B, int(mem_budget // per)))
    slots = int(min(slots, B))
    Pd = cu.to_device(np.ascontiguousarray(Pb, np.int64))
    Sd = cu.to_device(np.ascontiguousarray(seeds, np.uint64))
    ov = cu.device_array(B, np.int64)
    sw = cu.device_array(B, np.int64)
    cv = cu.device_array(B, np.bool_)
    bits = cu.device_array((slots, N, W), np.uint32)
    s = cu.device_array((slots, N), np.int8)
    order = cu.device_array((slots, N), np.int32)
    draws = cu.device_array((slots, N), np.int32)
    use_shared = shared_overlaps(P_max) if use_shared is None else bool(use_shared)
    M = cu.device_array((1, 1) if use_shared else (slots, 32 * W), np.int32)
    dyn = 32 * W * 4 if use_shared else 0
    for b0 in range(0, B, slots):
        trials_kernel[slots, threads, 0, dyn](b0, N, Pd, Sd, n_flip, max_sweeps, lanes, 1 if all_flips else 0,
                                              use_shared, bits, s, order, draws, M, ov, sw, cv)
    return ov.copy_to_host(), sw.copy_to_host(), cv.copy_to_host()

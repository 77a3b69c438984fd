"""Numba kernels of the AMICL model (Burns, Fukai & Earls, arXiv 2412.15113).

Every trial owns a SplitMix64 state (``hopfield.kernels.rng``); its Gaussians
come from Marsaglia's polar method on that stream, drawn in a fixed order, so a
trial's sequence depends on ``(seed, trial index)`` only and batches are
bit-identical for any number of threads. ``tests/reference.py`` holds the slow
twins (``amicl_sequence_ref``, ``amicl_scores_ref``, ``amicl_readout_ref``).

Draw order of one trial (``C = T // 2 - 1`` context pairs, ``D`` dimensions):

1. ``C`` context classes, each ``next_below(K)``;
2. the query's context pair ``j_q = next_below(C)``; the query class is ``c[j_q]``;
3. for each context pair in order whose class is new: ``D`` normals of the class
   vector ``mu``, then ``D`` normals of its label vector ``l``;
4. for each of the ``C + 1`` pairs (context, then query): ``D`` normals of ``eta``;
5. ``D`` normals of the noise key.

Normals come in polar-method pairs inside each block of ``D`` (an odd ``D``
discards the last one of a pair). All Gaussian vectors are scaled by ``1/sqrt(D)``.
"""

import numpy as np
from numba import njit

from hopfield.kernels.rng import S11, next_below, next_u64
from hopfield.kernels.threads import run_trials

INV52 = 2.0 / 9007199254740992.0  # 2**-52: (u64 >> 11) * INV52 - 1 is uniform on [-1, 1)

#: Similarity codes of the kernels.
SIMILARITIES = {"dot": 0, "pearson": 1, "euclidean": 2, "manhattan": 3}
#: Readout codes of the kernels.
READOUTS = {"argmax": 0, "softmax": 1}


@njit(cache=True)
def fill_normal(out, state, scale):
    """Fill ``out`` (float64, 1-D) with N(0, scale^2) draws by Marsaglia's polar method.

    Each attempt takes two uniforms ``u, v`` on [-1, 1) from 53-bit words and
    is kept when ``0 < s = u^2 + v^2 < 1``; it gives the pair
    ``(u, v) sqrt(-2 ln s / s)`` (an odd length discards the last ``v``).
    """
    n = out.shape[0]
    i = 0
    while i < n:
        while True:
            u = np.float64(next_u64(state) >> S11) * INV52 - 1.0
            w = np.float64(next_u64(state) >> S11) * INV52 - 1.0
            s = u * u + w * w
            if 0.0 < s < 1.0:
                break
        f = np.sqrt(-2.0 * np.log(s) / s) * scale
        out[i] = u * f
        if i + 1 < n:
            out[i + 1] = w * f
        i += 2


@njit(cache=True)
def generate_sequence(state, D, K, T, eps, tokens, classes, noise, mu, lab, buf):
    """Draw one trial's sequence into ``tokens`` (T, D), ``classes`` (T//2,), ``noise`` (D,).

    ``mu`` and ``lab`` are (T//2 - 1, D) scratch arrays, ``buf`` a (D,) scratch.
    Token ``2j`` is pair ``j``'s exemplar, ``2j + 1`` its label; the last pair is
    the query and its label token ``T - 1`` is zero (masked). ``classes[-1]`` is
    the query class.
    """
    n = T // 2
    C = n - 1
    scale = 1.0 / np.sqrt(D)
    for j in range(C):
        classes[j] = next_below(state, K)
    jq = next_below(state, C)
    classes[C] = classes[jq]
    slot = np.empty(n, np.int64)
    n_slots = 0
    for j in range(C):
        s = -1
        for k in range(j):
            if classes[k] == classes[j]:
                s = slot[k]
                break
        if s < 0:
            s = n_slots
            n_slots += 1
            fill_normal(mu[s], state, scale)
            fill_normal(lab[s], state, scale)
        slot[j] = s
    slot[C] = slot[jq]
    norm = 1.0 / np.sqrt(1.0 + eps * eps)
    for j in range(n):
        fill_normal(buf, state, scale)
        s = slot[j]
        for d in range(D):
            tokens[2 * j, d] = (mu[s, d] + eps * buf[d]) * norm
        if j < C:
            for d in range(D):
                tokens[2 * j + 1, d] = lab[s, d]
    for d in range(D):
        tokens[T - 1, d] = 0.0
    fill_normal(noise, state, scale)


@njit(cache=True)
def similarity(q, k, code):
    """Similarity of query ``q`` and key ``k`` (1-D, same length); larger is closer."""
    D = q.shape[0]
    if code == 0:
        s = 0.0
        for d in range(D):
            s += q[d] * k[d]
        return s
    if code == 1:
        mq = 0.0
        mk = 0.0
        for d in range(D):
            mq += q[d]
            mk += k[d]
        mq /= D
        mk /= D
        sqk = 0.0
        sqq = 0.0
        skk = 0.0
        for d in range(D):
            dq = q[d] - mq
            dk = k[d] - mk
            sqk += dq * dk
            sqq += dq * dq
            skk += dk * dk
        den = np.sqrt(sqq * skk)
        if den == 0.0:
            return 0.0
        return sqk / den
    if code == 2:
        s = 0.0
        for d in range(D):
            e = q[d] - k[d]
            s += e * e
        return -np.sqrt(s)
    s = 0.0
    for d in range(D):
        s += abs(q[d] - k[d])
    return -s


@njit(cache=True)
def attention_scores(tokens, noise, a, code, out):
    """Scores of the final query against every key, into ``out`` (T,).

    Queries and keys mix the previous token, ``h_t = (a z_{t-1} + z_t)/(a+1)``
    with ``z_{-1} = 0``; the query is ``h_{T-1}`` and the key at ``T - 1`` (the
    query's own) is replaced by ``noise``.
    """
    T, D = tokens.shape
    c = 1.0 / (a + 1.0)
    q = np.empty(D)
    k = np.empty(D)
    for d in range(D):
        q[d] = (a * tokens[T - 2, d] + tokens[T - 1, d]) * c
    for t in range(T - 1):
        for d in range(D):
            prev = tokens[t - 1, d] if t > 0 else 0.0
            k[d] = (a * prev + tokens[t, d]) * c
        out[t] = similarity(q, k, code)
    out[T - 1] = similarity(q, noise, code)


@njit(cache=True)
def readout(tokens, classes, scores, readout_code, beta, p):
    """Read out one trial: return ``(correct, weight)``; ``p`` (T,) receives the attention weights.

    Argmax: the value (token) at the first maximal score; correct iff it is a
    label token of the query class. Softmax: ``o = sum_t p_t z_t`` with
    ``p = softmax(beta * scores)``, decoded as the nearest (Euclidean) token at
    positions ``0 .. T-2``; correct iff that token is a label of the query
    class. ``weight`` is the attention mass on the query class's label tokens.
    """
    T, D = tokens.shape
    qc = classes[classes.shape[0] - 1]
    if readout_code == 0:
        best = 0
        for t in range(1, T):
            if scores[t] > scores[best]:
                best = t
        for t in range(T):
            p[t] = 0.0
        p[best] = 1.0
        chosen = best
    else:
        mx = scores[0]
        for t in range(1, T):
            if scores[t] > mx:
                mx = scores[t]
        tot = 0.0
        for t in range(T):
            p[t] = np.exp(beta * (scores[t] - mx))
            tot += p[t]
        for t in range(T):
            p[t] /= tot
        o = np.zeros(D)
        for t in range(T):
            if p[t] != 0.0:
                for d in range(D):
                    o[d] += p[t] * tokens[t, d]
        chosen = 0
        bestd = np.inf
        for t in range(T - 1):
            s = 0.0
            for d in range(D):
                e = o[d] - tokens[t, d]
                s += e * e
            if s < bestd:
                bestd = s
                chosen = t
    weight = 0.0
    for t in range(1, T - 1, 2):
        if classes[t // 2] == qc:
            weight += p[t]
    correct = (chosen % 2 == 1) and chosen < T - 1 and classes[chosen // 2] == qc
    return correct, weight


@njit(cache=True, nogil=True)
def trials_range(b0, b1, states, D, K, T, eps, a_values, code, readout_code, beta, want_scores,
                 out_correct, out_weight, out_m, out_distinct, out_scores):
    """Trials ``b0 <= b < b1`` of :func:`amicl_trials` (the one compiled kernel).

    states (B,) uint64; out_correct (B, G) bool; out_weight (B, G) float64;
    out_m (B,) int64 copies of the query class among the context pairs;
    out_distinct (B,) bool all context classes distinct; out_scores (B, G, T)
    float64 when ``want_scores`` (else any array, untouched).
    """
    G = a_values.shape[0]
    n = T // 2
    C = n - 1
    for b in range(b0, b1):
        st = np.empty(1, np.uint64)
        st[0] = states[b]
        tokens = np.empty((T, D))
        classes = np.empty(n, np.int64)
        noise = np.empty(D)
        mu = np.empty((C, D))
        lab = np.empty((C, D))
        buf = np.empty(D)
        generate_sequence(st, D, K, T, eps, tokens, classes, noise, mu, lab, buf)
        m = 0
        distinct = True
        for j in range(C):
            if classes[j] == classes[C]:
                m += 1
            for k in range(j):
                if classes[k] == classes[j]:
                    distinct = False
        out_m[b] = m
        out_distinct[b] = distinct
        scores = np.empty(T)
        p = np.empty(T)
        for g in range(G):
            attention_scores(tokens, noise, a_values[g], code, scores)
            ok, w = readout(tokens, classes, scores, readout_code, beta, p)
            out_correct[b, g] = ok
            out_weight[b, g] = w
            if want_scores:
                for t in range(T):
                    out_scores[b, g, t] = scores[t]


@njit(cache=True, nogil=True)
def sequences_range(b0, b1, states, D, K, T, eps, out_tokens, out_classes, out_noise):
    """Sequences ``b0 <= b < b1`` of :func:`amicl_sequences`."""
    C = T // 2 - 1
    for b in range(b0, b1):
        st = np.empty(1, np.uint64)
        st[0] = states[b]
        mu = np.empty((C, D))
        lab = np.empty((C, D))
        buf = np.empty(D)
        generate_sequence(st, D, K, T, eps, out_tokens[b], out_classes[b], out_noise[b], mu, lab, buf)


def amicl_trials(states, D, K, T, eps, a_values, code, readout_code, beta, want_scores,
                 out_correct, out_weight, out_m, out_distinct, out_scores):
    """Run ``B`` trials, each at every ``a`` in ``a_values`` (common random numbers).

    states (B,) uint64; out_correct (B, G) bool; out_weight (B, G) float64;
    out_m (B,) int64 copies of the query class among the context pairs;
    out_distinct (B,) bool all context classes distinct; out_scores (B, G, T)
    float64 when ``want_scores`` (else any array, untouched). The trials are
    spread over threads (:func:`hopfield.kernels.threads.run_trials`).
    """
    run_trials(trials_range, states.shape[0], states, D, K, T, eps, a_values, code, readout_code, beta,
               want_scores, out_correct, out_weight, out_m, out_distinct, out_scores)


def amicl_sequences(states, D, K, T, eps, out_tokens, out_classes, out_noise):
    """Draw ``B`` sequences: out_tokens (B, T, D), out_classes (B, T//2), out_noise (B, D)."""
    run_trials(sequences_range, states.shape[0], states, D, K, T, eps, out_tokens, out_classes, out_noise)

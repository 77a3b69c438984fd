"""Slow, obviously correct twins for the induction-head code (pure Python loops)."""

from __future__ import annotations

import math

import numpy as np


def trigger_sequence_slow(model, T, K, seed, i, triggers="random", outputs="uniform"):
    """One trigger sequence, position by position (same random draws as hopfield.induction_data)."""
    V = model.V
    rng = np.random.default_rng(np.random.SeedSequence([seed, i]))
    if triggers == "random":
        trig = list(rng.choice(V, size=K, replace=False, p=model.pi_u))
    else:
        trig = list(np.argsort(-model.pi_u, kind="stable")[:K])
    outs = []
    for k in range(K):
        outs.append(int(rng.integers(V)) if outputs == "uniform" else int(rng.choice(V, p=model.pi_b[trig[k]])))
    z = [int(rng.choice(V, p=model.pi_u))]
    u = rng.random(T)
    flags = [0]
    seen = {}
    for t in range(1, T):
        prev = z[-1]
        if prev in trig:
            seen[prev] = seen.get(prev, 0) + 1
            z.append(outs[trig.index(prev)])
            flags.append(seen[prev])
        else:
            acc, j = 0.0, 0
            row = model.pi_b[prev]
            cum = np.cumsum(row)
            cum[-1] = 1.0
            while j < V - 1 and cum[j] <= u[t]:
                j += 1
            z.append(j)
            flags.append(0)
    return np.array(z), np.array(flags)


def context_counts_slow(tokens, V):
    """n_q, c_{q->k}, cbar_k of the last position by a loop (first position: its own predecessor)."""
    q = tokens[-1]
    n_q, c, cbar = 0, [0] * V, [0] * V
    for s, z in enumerate(tokens):
        pred = tokens[s - 1] if s > 0 else tokens[0]
        if pred == q:
            n_q += 1
            c[z] += 1
        else:
            cbar[z] += 1
    return n_q, c, cbar


def forward_slow(model, z):
    """Logits and attention maps of one sequence by explicit loops over t and s (dense matrices)."""
    z = [int(a) for a in z]
    T = len(z)
    d = model.d
    P = model.P[:T] if model.pe == "ape" else np.zeros((T, d))
    x = [model.w_E[z[t]] + P[t] for t in range(T)]
    W1 = model.K1.dense()
    A1 = np.zeros((T, T))
    h1 = []
    for t in range(T):
        if model.pe == "ape":
            sc = [model.beta1 * (x[t] @ W1 @ x[s]) for s in range(t + 1)]
        else:
            sc = [model.beta1 * (model.K1.left[0] @ model.P[t - s]) for s in range(t + 1)]
        m = max(sc)
        w = [math.exp(a - m) for a in sc]
        tot = sum(w)
        o = np.zeros(d)
        for s in range(t + 1):
            A1[t, s] = w[s] / tot
            o += A1[t, s] * (model.W_OV1 @ x[s])
        h1.append(x[t] + o)
    W2, WO, WF = model.K2.dense(), model.O2.dense(), model.F.dense()
    A2 = np.zeros((T, T))
    logits = np.zeros((T, model.V))
    for t in range(T):
        sc = [model.beta2 * (h1[t] @ W2 @ h1[s]) for s in range(t + 1)]
        m = max(sc)
        w = [math.exp(a - m) for a in sc]
        tot = sum(w)
        o = np.zeros(d)
        for s in range(t + 1):
            A2[t, s] = w[s] / tot
            o += A2[t, s] * model.beta_O * (WO @ (model.W_V2 @ h1[s]))
        h2 = h1[t] + o
        for k in range(model.V):
            logits[t, k] = model.w_U[k] @ (h2 + model.gamma * (WF @ h1[t]))
    return A1, A2, logits


def ffn_memory_slow(model_bigram, w_E, w_U):
    """W_F = sum_ij alpha_ij w_U(j) w_E(i)^T, alpha = log pi_b with row means removed, by loops."""
    V, d = w_E.shape
    L = np.log(model_bigram.pi_b)
    W = np.zeros((d, d))
    for i in range(V):
        mean = sum(L[i]) / V
        for j in range(V):
            W += (L[i, j] - mean) * np.outer(w_U[j], w_E[i])
    return W


def ce_gradient_at_zero_numeric(X, Y, targets, eps=1e-6):
    """d/dW of mean_i -log softmax_j(y_ij^T W x_i)[target_i] at W = 0, by central differences."""
    m, d = X.shape

    def loss(W):
        tot = 0.0
        for i in range(m):
            sc = [Y[i, j] @ W @ X[i] for j in range(Y.shape[1])]
            mx = max(sc)
            lse = mx + math.log(sum(math.exp(a - mx) for a in sc))
            tot += lse - sc[targets[i]]
        return tot / m

    G = np.zeros((d, d))
    for a in range(d):
        for b in range(d):
            E = np.zeros((d, d))
            E[a, b] = eps
            G[a, b] = (loss(E) - loss(-E)) / (2 * eps)
    return G


def positional_recall_slow(model, T):
    """Previous-token recall of the positional scores by a loop over t and s."""
    hits = 0
    W = model.K1.dense()
    for t in range(1, T):
        best, arg = -math.inf, -1
        for s in range(t + 1):
            if model.pe == "ape":
                sc = model.P[t] @ W @ model.P[s]
            else:
                sc = model.K1.left[0] @ model.P[t - s]
            if sc > best:
                best, arg = sc, s
        hits += arg == t - 1
    return hits / (T - 1)


def layer1_softmax_slow(z, tEE, tEP, tPE, tPP):
    """A1[b, t, s] and the per-token sums C[b, t, k] of hopfield.kernels.induction.layer1_softmax, by loops."""
    B, T = z.shape
    V = tEE.shape[0]
    A = np.zeros((B, T, T))
    C = np.zeros((B, T, V))
    for b in range(B):
        for t in range(T):
            sc = [tEE[z[b, t], z[b, s]] + tEP[z[b, t], s] + tPE[t, z[b, s]] + tPP[t, s] for s in range(t + 1)]
            m = max(sc)
            w = [math.exp(a - m) for a in sc]
            for s in range(t + 1):
                A[b, t, s] = w[s] / sum(w)
                C[b, t, z[b, s]] += A[b, t, s]
    return A, C


def causal_softmax_slow(S):
    """Row softmax over s <= t of S[b, t, s] (zeros above the diagonal), by loops."""
    B, T, _ = S.shape
    A = np.zeros((B, T, T))
    for b in range(B):
        for t in range(T):
            m = max(S[b, t, : t + 1])
            w = [math.exp(S[b, t, s] - m) for s in range(t + 1)]
            for s in range(t + 1):
                A[b, t, s] = w[s] / sum(w)
    return A

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

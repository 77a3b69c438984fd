"""Slow, obviously correct twins of the capacity kernels (pure numpy / Python)."""

from __future__ import annotations

import math

import numpy as np


def minover_reference(patterns, targets, kappa, max_updates):
    """MinOver recomputed from scratch at every step.

    ``J`` starts at 0; while some stability ``y_mu J . xi^mu / |J|`` is below
    ``kappa`` (or ``J = 0``), add ``y_mu xi^mu`` for the smallest aligned field
    (the lowest index among ties). Returns ``(J, counts, converged, updates)``.
    """
    X = [[int(y) * int(v) for v in row] for row, y in zip(patterns, targets)]  # y_mu xi^mu, Python ints
    P, N = len(X), len(X[0])
    J = [0] * N
    counts = [0] * P
    updates = 0
    while True:
        fields = [sum(a * b for a, b in zip(J, x)) for x in X]
        mu = min(range(P), key=lambda m: (fields[m], m))
        norm = math.sqrt(sum(j * j for j in J))
        if updates > 0 and fields[mu] > 0 and fields[mu] >= kappa * norm:
            return np.array(J), np.array(counts), True, updates
        if updates >= max_updates:
            return np.array(J), np.array(counts), False, updates
        J = [j + x for j, x in zip(J, X[mu])]
        counts[mu] += 1
        updates += 1


def covariance_fields_reference(patterns, state, a):
    """``h_i = sum_{j != i} W_ij V_j`` with ``W_ij = sum_mu (xi_i - a)(xi_j - a) / (N a (1 - a))``, by loops."""
    P, N = len(patterns), len(patterns[0])
    h = []
    for i in range(N):
        total = 0.0
        for j in range(N):
            if j == i or state[j] == 0:
                continue
            total += sum((patterns[m][i] - a) * (patterns[m][j] - a) for m in range(P))
        h.append(total / (N * a * (1 - a)))
    return np.array(h)

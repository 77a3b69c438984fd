"""Numba kernel of Storkey's incremental learning rule.

``storkey_learn(x, W)`` adds the patterns ``x`` (rows, float64 +-1) to the
weights ``W`` in place, one pattern at a time:

    w_ij <- w_ij + (x_i x_j - x_i h_ji - h_ij x_j) / N,
    h_ij = sum_{k != i, j} w_ik x_k = g_i - w_ii x_i - w_ij x_j   (i != j),
    h_ii = g_i - w_ii x_i,                         g = W x (old weights).

The update of ``w_ij`` and ``w_ji`` is the same number (``W`` stays exactly
symmetric), so each pair ``i < j`` is computed once; ``g`` and the diagonal
are read before the pattern changes anything (the diagonal cancels out of
``h_ij``: it is in ``g_i`` and subtracted again).
O(N^2) per pattern, no temporary ``N x N`` arrays.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def storkey_learn(x, W):
    """Learn the rows of ``x`` (shape (P, N), float64 +-1) into ``W`` (shape (N, N), float64), in place."""
    P, N = x.shape
    g = np.empty(N)  # (N,) W x with the weights before the pattern
    d = np.empty(N)  # (N,) old diagonal
    for mu in range(P):
        xm = x[mu]
        for i in range(N):
            acc = 0.0
            for k in range(N):
                acc += W[i, k] * xm[k]
            g[i] = acc
            d[i] = W[i, i]
        for i in range(N):
            xi = xm[i]
            gi = g[i] - d[i] * xi
            for j in range(i + 1, N):
                xj = xm[j]
                w = W[i, j]
                h_ij = gi - w * xj  # k = i and k = j removed
                h_ji = g[j] - d[j] * xj - w * xi
                new = w + (xi * xj - xi * h_ji - h_ij * xj) / N
                W[i, j] = new
                W[j, i] = new
        for i in range(N):
            h_ii = g[i] - d[i] * xm[i]
            W[i, i] = d[i] + (1.0 - 2.0 * xm[i] * h_ii) / N
    return W

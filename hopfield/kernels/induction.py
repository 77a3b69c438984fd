"""Numba kernels of the induction-model forward pass (``hopfield.induction.forward``).

Both kernels compute causal softmax rows and touch only the positions
``s <= t`` that the causal mask keeps (the rest of each row is written as
zeros, so that the rows can enter dense matrix products). They do no
validation, run in the dtype of their arrays (float32 stays float32), write
into the arrays given to them, and are written serially over a range of
sequences ``b0 <= b < b1`` (``nogil``) for ``hopfield.kernels.threads.run_trials``:
every row is computed by one thread in one fixed order, so the results do not
depend on the number of threads. Slow twin: ``tests/reference_induction.py``
(``forward_slow``).
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _exp_prefix(row, t):
    """``row[s] <- exp(row[s] - max_{s' <= t} row[s'])`` for ``s <= t``, zero for ``s > t``;
    returns the sum of the exponentials (the softmax normaliser of the causal prefix)."""
    m = row[0]
    for s in range(1, t + 1):
        if row[s] > m:
            m = row[s]
    tot = row.dtype.type(0.0)
    for s in range(t + 1):
        e = np.exp(row[s] - m)
        row[s] = e
        tot += e
    for s in range(t + 1, row.shape[0]):
        row[s] = row.dtype.type(0.0)
    return tot


@njit(cache=True, nogil=True)
def layer1_softmax(b0, b1, z, tEE, tEP, tPE, tPP, A, C):
    """Layer-1 attention of sequences ``b0 <= b < b1`` from score tables, and its token sums.

    The score of query ``t`` and key ``s <= t`` of sequence ``b`` is
    ``(tEE[z_t, z_s] + tPE[t, z_s]) + (tEP[z_t, s] + tPP[t, s])`` (the four
    tables already carry ``beta1``); ``A[b, t, s]`` receives the softmax over
    ``s <= t`` (zero for ``s > t``); ``C[b, t, k] = sum_{s <= t, z_s = k} A[b, t, s]``.

    ``z`` (B, T) int64; ``tEE`` (V, V); ``tEP`` (V, T); ``tPE`` (T, V); ``tPP`` (T, T);
    ``A`` (B, T, T) and ``C`` (B, T, V), written.
    """
    T = z.shape[1]
    V = C.shape[2]
    zero = A.dtype.type(0.0)
    u = np.empty(V, dtype=A.dtype)  # the token-dependent part of row t: tEE[z_t, k] + tPE[t, k]
    for b in range(b0, b1):
        for t in range(T):
            zt = z[b, t]
            for k in range(V):
                u[k] = tEE[zt, k] + tPE[t, k]
            row = A[b, t]  # (T,)
            for s in range(t + 1):
                row[s] = u[z[b, s]] + (tEP[zt, s] + tPP[t, s])
            tot = _exp_prefix(row, t)
            cr = C[b, t]  # (V,)
            for k in range(V):
                cr[k] = zero
            for s in range(t + 1):
                a = row[s] / tot
                row[s] = a
                cr[z[b, s]] += a


@njit(cache=True, nogil=True)
def causal_softmax(b0, b1, S):
    """Row softmax over ``s <= t`` of scores ``S[b, t, s]``, in place, for ``b0 <= b < b1``.

    ``S`` (B, T, T); entries with ``s > t`` are not read and are set to zero.
    """
    T = S.shape[1]
    for b in range(b0, b1):
        for t in range(T):
            row = S[b, t]  # (T,)
            tot = _exp_prefix(row, t)
            for s in range(t + 1):
                row[s] = row[s] / tot


@njit(cache=True, nogil=True)
def add_rows(b0, b1, z, XE, XP, H):
    """``H[b, t] += XE[z[b, t]] + XP[t]`` for ``b0 <= b < b1``.

    ``z`` (B, T) int64; ``XE`` (V, c); ``XP`` (T, c); ``H`` (B, T, c), updated.
    """
    T = z.shape[1]
    c = H.shape[2]
    for b in range(b0, b1):
        for t in range(T):
            e = XE[z[b, t]]
            p = XP[t]
            h = H[b, t]
            for j in range(c):
                h[j] += e[j] + p[j]

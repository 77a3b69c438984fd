"""Numba kernels of the binary palimpsests (``hopfield.palimpsest``).

A stream of +-1 patterns ``xi`` (P, N), oldest first, is written one pattern
after another into a coupling matrix ``J`` (N, N) with a zero diagonal:

* marginalist: ``J_ij <- lam J_ij + xi_i xi_j / N``;
* bounded (Parisi 1986): ``J_ij <- clip(J_ij + xi_i xi_j / N, -b, b)``.

Row ``i`` of ``J`` depends on row ``i`` alone, so a kernel runs over a range of
rows (``*_rows``, ``nogil``) and :func:`write` spreads the rows over threads
with :func:`hopfield.kernels.threads.run_trials`: every entry goes through the
same operations in the same order for any thread count. The increment
``xi_i xi_j inv_n`` is exact (``+-inv_n``), so a numpy twin doing
``lam * J + outer(xi, xi) * inv_n`` pattern by pattern gives the same bits
(``tests/reference_palimpsest.py``). Arithmetic is in ``J``'s dtype.
"""

import numpy as np
from numba import njit

from hopfield.kernels.threads import run_trials

MARGINALIST = 0
BOUNDED = 1


@njit(cache=True, nogil=True)
def write_rows(i0, i1, J, xi, rule, lam, inv_n, bound):
    """Write every pattern of ``xi`` (P, N) int8 into rows ``i0 <= i < i1`` of ``J`` (N, N), in place.

    ``rule`` 0: ``J_ij <- lam J_ij + xi_i xi_j inv_n``; 1: ``J_ij <- clip(J_ij + xi_i xi_j inv_n, -bound, bound)``;
    ``J_ii`` is set to 0. ``lam``, ``inv_n`` and ``bound`` are scalars of ``J``'s dtype.
    """
    P, N = xi.shape
    zero = J.dtype.type(0.0)
    for i in range(i0, i1):
        row = J[i]  # (N,)
        for p in range(P):
            a = inv_n if xi[p, i] > 0 else -inv_n  # xi_i / N
            if rule == MARGINALIST:
                for j in range(N):
                    row[j] = lam * row[j] + (a if xi[p, j] > 0 else -a)
            else:
                for j in range(N):
                    v = row[j] + (a if xi[p, j] > 0 else -a)
                    if v > bound:
                        v = bound
                    elif v < -bound:
                        v = -bound
                    row[j] = v
            row[i] = zero


def write(J, xi, rule, lam, inv_n, bound):
    """:func:`write_rows` over all rows of ``J``, spread over threads."""
    run_trials(write_rows, J.shape[0], J, xi, rule, lam, inv_n, bound)


@njit(cache=True, nogil=True)
def aligned_rows(r0, r1, J, xi, rows, out):
    """``out[k, i] = xi[rows[k], i] * sum_j J[i, j] xi[rows[k], j]`` for ``r0 <= k < r1`` (float64 sums)."""
    N = J.shape[0]
    for k in range(r0, r1):
        x = xi[rows[k]]  # (N,)
        for i in range(N):
            acc = 0.0
            for j in range(N):
                acc += np.float64(J[i, j]) if x[j] > 0 else -np.float64(J[i, j])
            out[k, i] = acc if x[i] > 0 else -acc


def aligned(J, xi, rows, out):
    """:func:`aligned_rows` over every requested pattern, spread over threads."""
    run_trials(aligned_rows, rows.shape[0], J, xi, rows, out)

"""Kernels of the dense associative memory (Krotov & Hopfield 2016, eq. 2-4).

The state of one trial is the spin vector ``s`` (N,) and the overlaps
``a_mu = xi^mu . s`` (K,), int64, kept up to date after every flip (O(K)).
Patterns are stored neuron-major, ``xiT`` of shape (N, K), int8, so visiting
neuron ``i`` reads the contiguous row ``xiT[i]``, one byte per term (the
arithmetic itself is int64: every pattern entry is widened on load).

For neuron ``i`` with ``x_mu = a_mu - xi_i^mu s_i`` (the sum over ``j != i``),
eq. 4 of Krotov & Hopfield reads ``s_i <- Sign[h_i]`` with

    h_i = sum_mu F(x_mu + xi_i^mu) - F(x_mu - xi_i^mu) = sum_mu xi_i^mu D(x_mu),
    D(x) = F(x + 1) - F(x - 1),

because ``xi_i^mu`` is +-1. A tie (``h_i == 0`` exactly) keeps the current
state. Flipping ``s_i`` changes the energy ``E = -sum_mu F(a_mu)`` by
``s_i h_i`` (``s_i`` the value before the flip), which is how energy traces are
kept without recomputation.

Three arithmetic modes:

* ``MODE_INT`` (polynomial and rectified F when every partial sum fits int64):
  ``D(x) = (x+1)^n - (x-1)^n = 2 sum_{k: n-k odd} C(n,k) x^k`` evaluated by
  Horner in ``y = x^2`` with integer coefficients; exact. For n = 2 and 3 the
  sum over mu is expanded with ``xi^2 = 1`` into dot products of the pattern row
  with ``a`` (n = 2) or with ``a**2`` (n = 3, kept up to date on every flip),
  plus ``sum_mu a_mu`` and the row sum: the same integers, fewer operations.
* ``MODE_FLOAT``: the same polynomial in float64, used when int64 could
  overflow (see ``select_mode``). Sign decisions are exact while the partial
  sums stay below 2**53 and otherwise subject to float64 rounding.
* ``MODE_EXP`` (F = exp): ``D(x) = 2 sinh(1) e^x``. The field is accumulated as
  integer counts ``c_b = sum_{mu: x_mu = x_b} xi_i^mu`` over the possible
  values ``x_b`` (they share the parity of N-1), then
  ``H = sum_b c_b exp(x_b - x_top)`` with ``x_top`` the largest ``x_b`` with
  ``c_b != 0`` (a log-sum-exp style shift: no overflow at any N). Since the
  powers of e are linearly independent over the rationals, ``h_i = 0`` exactly
  iff all counts vanish, so ties are detected exactly (a non-tie whose ``H``
  cancels to below float64 rounding could still be misjudged). The energy is reported
  as ``-log(-E) = -log sum_mu exp(a_mu)``, a monotone increasing function of
  E that does not overflow.
"""

from __future__ import annotations

from math import comb

import numpy as np
from numba import njit

from hopfield.kernels.rng import shuffle_inplace
from hopfield.kernels.schedule import two_cycle
from hopfield.kernels.threads import run_trials

MODE_INT = 0
MODE_FLOAT = 1
MODE_EXP = 2
INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1
#: Largest N whose squared overlaps a_mu^2 <= N^2 fit int32 (the n = 3 form of ``_field_int``).
SQUARES_MAX_N = 46340
TWO_SINH1 = 2.0 * np.sinh(1.0)
#: Bins more than this many steps of 2 below the top give exp(-2*400) == 0.0 in float64.
EXP_WINDOW = 400


def difference_coefficients(n: int) -> tuple[np.ndarray, bool]:
    """Coefficients of ``D(x) = (x+1)^n - (x-1)^n`` as a polynomial in ``y = x^2``.

    Returns ``(c, odd_in_x)``: for odd ``n``, ``D = sum_j c[j] y^j``; for even
    ``n``, ``D = x sum_j c[j] y^j``. Only the terms ``x^k`` with ``n - k`` odd
    survive, each with coefficient ``2 C(n, k)``.
    """
    if n % 2 == 1:
        c = [2 * comb(n, 2 * j) for j in range((n + 1) // 2)]
    else:
        c = [2 * comb(n, 2 * j + 1) for j in range(n // 2)]
    return np.array(c, dtype=np.int64), n % 2 == 0


def max_abs_difference(N: int, n: int) -> int:
    """Largest ``|D(x)|`` over ``|x| <= N + 1`` (Python int).

    ``D`` has non-negative coefficients in ``|x|``, so the bound is
    ``sum_k |coefficient_k| (N+1)^k``; it bounds every Horner partial sum. The
    reachable ``x`` satisfy ``|x| <= N - 1``; the margin of two covers the
    intermediate sums of the n = 2, 3 forms in ``_field_int``, which use
    ``a_mu`` (``|a_mu| <= N``) and ``a_mu^2``: e.g. for n = 3,
    ``6 (K N^2 + 2 K N + K) + 2 K = K D(N + 1)``. The rectified ``D`` equals the
    polynomial for ``x >= 1`` and is 0 or 1 below.
    """
    x = N + 1
    return max(sum(2 * comb(n, k) * x**k for k in range(n + 1) if (n - k) % 2 == 1), 1)


def select_mode(F: str, N: int, K: int, n: int) -> int:
    """Arithmetic mode: ``MODE_EXP`` for exp, else ``MODE_INT`` if int64 is safe.

    The field is a sum of K terms, each (and each partial sum of its
    evaluation) at most ``max_abs_difference(N, n)`` in size; the integer path
    is taken iff ``K * max_abs_difference(N, n) <= 2**63 - 1`` (computed with
    Python integers, so the check itself cannot overflow).
    """
    if F == "exp":
        return MODE_EXP
    return MODE_INT if K * max_abs_difference(N, n) <= INT64_MAX else MODE_FLOAT


# --------------------------------------------------------------------------
# fields


@njit(cache=True)
def _difference_inplace(t, acc, c, n_even, rect):
    """``acc[mu] <- D(t[mu])`` by Horner in ``t^2``, one vectorisable pass per step.

    On entry ``acc`` holds the top coefficient ``c[-1]``; ``t``, ``acc``, ``c``
    are all int64 (exact) or all float64 (``_field_float``).
    """
    K = t.shape[0]
    for j in range(c.shape[0] - 2, -1, -1):
        cj = c[j]
        for mu in range(K):
            acc[mu] = acc[mu] * (t[mu] * t[mu]) + cj
    if n_even:
        for mu in range(K):
            acc[mu] *= t[mu]
    if rect:
        for mu in range(K):
            x = t[mu]
            acc[mu] = acc[mu] if x > 0 else (1 if x == 0 else 0)


@njit(cache=True)
def _signed_sum_i32(row, v):
    """``sum_mu row[mu] * v[mu]`` in int32 (the caller bounds the sum below 2**31)."""
    p = np.int32(0)
    for mu in range(v.shape[0]):
        m = np.int32(row[mu] >> 1)  # 0 for +1, -1 for -1: (v ^ m) - m == r * v
        p = np.int32(p + ((v[mu] ^ m) - m))
    return p


@njit(cache=True)
def _field_int(row, rowsum_i, a, a2, A, si, c, n_even, rect, block, t, acc):
    """Exact ``h_i`` in int64 (see module docstring).

    ``a2`` (K,) int32 holds ``a_mu**2`` and ``A = sum_mu a_mu`` (used for poly n = 3
    when ``N <= SQUARES_MAX_N``; otherwise ``a2`` is empty and the fused pass runs);
    ``block``: terms per int32 partial sum of the n = 3 form;
    ``t``, ``acc``: (K,) scratch for n >= 9.
    """
    K = a.shape[0]
    nc = c.shape[0]
    ms = si >> 1  # 0 for +1, -1 for -1: (r ^ ms) - ms == si * r
    if not rect and not n_even and nc == 2 and a2.shape[0] == K:
        # poly n = 3, D(x) = c1 x^2 + c0 with x = a - si r and r^2 = 1:
        # sum_mu r D(x_mu) = c1 (sum_mu r a_mu^2 - 2 si A + R_i) + c0 R_i, R_i = sum_mu r.
        # a2 is int32 (a_mu^2 <= N^2 < 2**31) and the sum over mu runs in int32 blocks of
        # at most ``block`` terms (block * N^2 < 2**31): eight terms per 256-bit vector, exact.
        s2 = np.int64(0)
        for start in range(0, K, block):
            stop = min(start + block, K)
            s2 += _signed_sum_i32(row[start:stop], a2[start:stop])
        return c[1] * (s2 - 2 * si * A + rowsum_i) + c[0] * rowsum_i
    if not rect and n_even and nc == 1:
        # poly n = 2, D(x) = c0 x: sum_mu r D(x_mu) = c0 (sum_mu r a_mu - si K)
        s1 = np.int64(0)
        for mu in range(K):
            m = row[mu] >> 1
            s1 += (a[mu] ^ m) - m
        return c[0] * (s1 - si * K)
    if nc == 2:
        # n = 3, 4 (rectified, or poly n = 4): one fused pass, D = (c1 y + c0) [* x]
        c0 = c[0]
        c1 = c[1]
        h = np.int64(0)
        for mu in range(K):
            r = row[mu]
            x = a[mu] - ((r ^ ms) - ms)
            d = c1 * (x * x) + c0
            if n_even:
                d = d * x
            if rect:
                d = d if x > 0 else (np.int64(1) if x == 0 else np.int64(0))
            m = r >> 1
            h += (d ^ m) - m
        return h
    if nc <= 4:
        # n <= 8: one fused pass, Horner in y padded to degree 3 with zero coefficients
        c0 = c[0]
        c1 = c[1] if nc > 1 else np.int64(0)
        c2 = c[2] if nc > 2 else np.int64(0)
        c3 = c[3] if nc > 3 else np.int64(0)
        h = np.int64(0)
        for mu in range(K):
            r = row[mu]
            x = a[mu] - ((r ^ ms) - ms)
            y = x * x
            d = ((c3 * y + c2) * y + c1) * y + c0
            if n_even:
                d = d * x
            if rect:
                d = d if x > 0 else (np.int64(1) if x == 0 else np.int64(0))
            m = r >> 1
            h += (d ^ m) - m
        return h
    # n >= 9: one vectorisable pass per Horner step
    top = c[nc - 1]
    for mu in range(K):
        r = row[mu]
        t[mu] = a[mu] - ((r ^ ms) - ms)
        acc[mu] = top
    _difference_inplace(t, acc, c, n_even, rect)
    h = np.int64(0)
    for mu in range(K):
        m = row[mu] >> 1
        h += (acc[mu] ^ m) - m
    return h


@njit(cache=True)
def _field_float(row, a, si, cf, n_even, rect, tf, accf):
    """``h_i`` with the same polynomial in float64 (overflow-safe, rounded)."""
    K = a.shape[0]
    nc = cf.shape[0]
    top = cf[nc - 1]
    for mu in range(K):
        tf[mu] = np.float64(a[mu] - si * row[mu])
        accf[mu] = top
    _difference_inplace(tf, accf, cf, n_even, rect)
    h = 0.0
    for mu in range(K):
        h += row[mu] * accf[mu]
    return h


@njit(cache=True)
def _field_exp(row, a, si, N, counts):
    """Shifted exp field: returns ``(H, x_top)`` with ``h_i = 2 sinh(1) e^x_top H``.

    ``counts``: (N,) int64 scratch, all zero on entry and on return. ``H == 0.0``
    exactly iff the field vanishes exactly (a tie).
    """
    K = a.shape[0]
    bmin = N
    bmax = -1
    for mu in range(K):
        r = row[mu]
        b = (a[mu] - si * r + (N - 1)) >> 1
        counts[b] += r
        if b > bmax:
            bmax = b
        if b < bmin:
            bmin = b
    btop = -1
    for b in range(bmax, bmin - 1, -1):
        if counts[b] != 0:
            btop = b
            break
    H = 0.0
    if btop >= 0:
        lo = max(bmin, btop - EXP_WINDOW)
        for b in range(btop, lo - 1, -1):
            if counts[b] != 0:
                H += counts[b] * np.exp(2.0 * (b - btop))
    for b in range(bmin, bmax + 1):
        counts[b] = 0
    x_top = np.float64(2 * btop - (N - 1))
    return H, x_top


@njit(cache=True)
def _visit(i, xiT, rowsum, a, a2, A, si, mode, c, cf, n_even, rect, N, block, t, acc, tf, accf, counts):
    """Field at neuron ``i``: ``(sign, value, x_top)``.

    ``sign`` in {-1, 0, +1} is the sign of ``h_i`` (0: exact tie). ``value`` is
    ``h_i`` as float64 (``H`` of the shifted form for exp), ``x_top`` the shift
    (0 unless exp).
    """
    row = xiT[i]
    if mode == MODE_INT:
        h = _field_int(row, rowsum[i], a, a2, A, si, c, n_even, rect, block, t, acc)
        sg = 1 if h > 0 else (-1 if h < 0 else 0)
        return sg, np.float64(h), 0.0
    if mode == MODE_FLOAT:
        hf = _field_float(row, a, si, cf, n_even, rect, tf, accf)
        sg = 1 if hf > 0.0 else (-1 if hf < 0.0 else 0)
        return sg, hf, 0.0
    H, x_top = _field_exp(row, a, si, N, counts)
    sg = 1 if H > 0.0 else (-1 if H < 0.0 else 0)
    return sg, H, x_top


@njit(cache=True)
def _energy_delta(e, s_old, value, x_top, mode):
    """Energy after flipping a neuron whose field was ``value`` (see ``_visit``)."""
    if mode == MODE_EXP:
        # e = -log Z ; Z' = Z - s_old 2 sinh(1) e^x_top H
        return e - np.log1p(-s_old * TWO_SINH1 * value * np.exp(x_top + e))
    return e + s_old * value


@njit(cache=True)
def energy_from_overlaps(a, mode, n, rect):
    """``-sum_mu F(a_mu)`` (poly/rectified) or ``-log sum_mu exp(a_mu)`` (exp)."""
    K = a.shape[0]
    if mode == MODE_EXP:
        amax = a[0]
        for mu in range(1, K):
            if a[mu] > amax:
                amax = a[mu]
        z = 0.0
        for mu in range(K):
            z += np.exp(np.float64(a[mu] - amax))
        return -(np.float64(amax) + np.log(z))
    e = 0.0
    for mu in range(K):
        x = np.float64(a[mu])
        if rect and x < 0.0:
            continue
        e -= x**n
    return e


@njit(cache=True)
def _overlaps(xiT, s, a):
    """``a_mu = sum_j xiT[j, mu] s_j`` row by row (contiguous in mu)."""
    N, K = xiT.shape
    for mu in range(K):
        a[mu] = 0
    for j in range(N):
        m = np.int64(s[j]) >> 1  # 0 for +1, -1 for -1: (r ^ m) - m == s_j * r, no multiplication
        row = xiT[j]
        for mu in range(K):
            a[mu] += (row[mu] ^ m) - m


@njit(cache=True)
def _flip(xiT, rowsum, a, a2, A, s, i, new, squares):
    """Set ``s_i = new`` (= -s_i), update ``a += 2 new xi_i`` (and ``a2 = a**2`` if
    ``squares``); returns the updated ``A = sum_mu a_mu``."""
    row = xiT[i]
    m = np.int64(new) >> 1  # 0 for +1, -1 for -1: (r ^ m) - m == new * r
    for mu in range(a.shape[0]):
        a[mu] += ((row[mu] ^ m) - m) << 1
    if squares:
        for mu in range(a.shape[0]):
            a2[mu] = np.int32(a[mu] * a[mu])
    s[i] = new
    return A + 2 * np.int64(new) * rowsum[i]


@njit(cache=True)
def energies_kernel(xiT, states, mode, n, rect, out):
    """Energy of each row of ``states`` (B, N) into ``out`` (B,)."""
    K = xiT.shape[1]
    for b in range(states.shape[0]):
        a = np.empty(K, np.int64)
        _overlaps(xiT, states[b], a)
        out[b] = energy_from_overlaps(a, mode, n, rect)


@njit(cache=True, nogil=True)
def dense_range(
    b0,  # first trial
    b1,  # one past the last trial
    xiT,  # (N, K) int8 in {-1, +1}
    rowsum,  # (N,) int64, sum_mu xi_i^mu
    cues,  # (B, N) int8
    trial_rng,  # (B,) uint64, one SplitMix64 state per trial
    mode,
    c,  # (nc,) int64 coefficients of D
    n_even,
    rect,
    n,
    sync,
    sequential,
    max_sweeps,
    record,
    out_states,  # (B, N) int8
    out_a,  # (B, K) int64
    out_converged,  # (B,) bool
    out_sweeps,  # (B,) int64
    out_cycled,  # (B,) bool
    out_energy,  # (B,) float64
    out_trace,  # (B, max_sweeps + 1) float64 (ignored unless record)
):
    """Trials ``b0 <= b < b1`` of :func:`run_dense_kernel` (the one compiled kernel)."""
    N, K = xiT.shape
    cf = c.astype(np.float64)
    # poly n = 3 on the integer path uses the squared overlaps (see _field_int)
    squares = mode == MODE_INT and not rect and not n_even and c.shape[0] == 2 and N <= SQUARES_MAX_N
    block = max(INT32_MAX // max(N * N, 1), 1)  # int32 partial sums of a_mu^2 terms
    for b in range(b0, b1):
        s = out_states[b]
        for j in range(N):
            s[j] = cues[b, j]
        a = out_a[b]
        _overlaps(xiT, s, a)
        A = np.int64(0)
        for mu in range(K):
            A += a[mu]
        a2 = np.empty(K if squares else 0, np.int32)
        if squares:
            for mu in range(K):
                a2[mu] = np.int32(a[mu] * a[mu])
        t = np.empty(K, np.int64)
        acc = np.empty(K, np.int64)
        tf = np.empty(K, np.float64)
        accf = np.empty(K, np.float64)
        counts = np.zeros(max(N, 1), np.int64)
        st = np.empty(1, np.uint64)
        st[0] = trial_rng[b]
        perm = np.arange(N)
        e = 0.0
        if record:
            e = energy_from_overlaps(a, mode, n, rect)
            out_trace[b, 0] = e
        converged = False
        cycled = False
        sweeps = 0
        if sync:
            new = np.empty(N, np.int8)
            prev = np.empty(N, np.int8)
        else:
            new = np.empty(0, np.int8)
            prev = np.empty(0, np.int8)
        for sweep in range(max_sweeps):
            sweeps = sweep + 1
            if not sync:
                if not sequential:
                    shuffle_inplace(perm, st)
                changed = 0
                for k in range(N):
                    i = perm[k]
                    si = np.int64(s[i])
                    sg, value, x_top = _visit(i, xiT, rowsum, a, a2, A, si, mode, c, cf, n_even, rect, N, block, t, acc, tf, accf, counts)
                    if sg != 0 and sg != si:
                        if record:
                            e = _energy_delta(e, si, value, x_top, mode)
                        A = _flip(xiT, rowsum, a, a2, A, s, i, np.int8(sg), squares)
                        changed += 1
                if record:
                    out_trace[b, sweep + 1] = e
                if changed == 0:
                    converged = True
                    break
            else:
                same = True
                for i in range(N):
                    si = np.int64(s[i])
                    sg, value, x_top = _visit(i, xiT, rowsum, a, a2, A, si, mode, c, cf, n_even, rect, N, block, t, acc, tf, accf, counts)
                    new[i] = s[i] if sg == 0 else np.int8(sg)
                    if new[i] != s[i]:
                        same = False
                if same:
                    converged = True
                    if record:
                        out_trace[b, sweep + 1] = e
                    break
                back = two_cycle(new, prev, s, sweep >= 1)
                # apply the step one flip at a time (exact incremental energy)
                for i in range(N):
                    if new[i] != s[i]:
                        if record:
                            si = np.int64(s[i])
                            sg, value, x_top = _visit(i, xiT, rowsum, a, a2, A, si, mode, c, cf, n_even, rect, N, block, t, acc, tf, accf, counts)
                            e = _energy_delta(e, si, value, x_top, mode)
                        A = _flip(xiT, rowsum, a, a2, A, s, i, new[i], squares)
                if record:
                    out_trace[b, sweep + 1] = e
                if back:
                    cycled = True
                    break
        out_converged[b] = converged
        out_cycled[b] = cycled
        out_sweeps[b] = sweeps
        out_energy[b] = energy_from_overlaps(a, mode, n, rect)


def run_dense_kernel(xiT, rowsum, cues, trial_rng, mode, c, n_even, rect, n, sync, sequential, max_sweeps, record,
                     out_states, out_a, out_converged, out_sweeps, out_cycled, out_energy, out_trace):
    """Run async or sync dynamics on every cue; trial b owns ``trial_rng[b]``.

    The trials are spread over threads by :func:`hopfield.kernels.threads.run_trials`
    (one compiled kernel, :func:`dense_range`, for every thread count). Arrays as
    in :func:`dense_range`: ``xiT`` (N, K) int8, ``cues`` (B, N) int8, outputs with
    B rows.
    """
    run_trials(dense_range, cues.shape[0], xiT, rowsum, cues, trial_rng, mode, c, n_even, rect, n, sync, sequential,
               max_sweeps, record, out_states, out_a, out_converged, out_sweeps, out_cycled, out_energy, out_trace)

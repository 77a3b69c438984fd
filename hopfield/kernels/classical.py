"""Numba kernels of the classical Hopfield network dynamics.

Two backends share one set of rules:

* ``run_weights``: a dense symmetric weight matrix ``W`` (integer ``N W`` for
  the Hebbian rule, float64 ``W`` otherwise) and incrementally maintained
  local fields ``h = W s``: a visit reads ``h_i`` (O(1)), a flip of neuron i
  adds ``2 s_i W[:, i]`` to ``h`` (O(N)).
* ``run_patterns``: the Hebbian rule without the ``N x N`` matrix. Overlaps
  ``M_mu = xi^mu . s`` (integers) are maintained; a visit computes
  ``N h_i = sum_mu xi_i^mu M_mu - c s_i`` (O(P), ``c = P`` removes the
  diagonal, ``c = 0`` keeps it), a flip adds ``2 s_i xi_i^mu`` to every
  ``M_mu`` (O(P)). Patterns are stored neuron-major, ``xiT`` of shape (N, P),
  so both loops read contiguous memory.

Each backend has one compiled kernel over a range of trials
(``weights_range``, ``patterns_range``, ``nogil``); ``run_weights`` and
``run_patterns`` spread a batch over threads with
:func:`hopfield.kernels.threads.run_trials`, the ``_serial`` entry points run
it on the calling thread.

In Hebbian mode both backends work with the same integers ``N h_i``, so on the
same random stream they follow identical trajectories.

Energy ``E = -1/2 s^T W s`` is carried as ``e2 = 2 E`` (times ``N`` for the
integer backends) and updated on every flip by the exact difference

    dE = -2 s_i' h_i - 2 W_ii,

where ``h_i`` is the field before the flip (diagonal term included) and
``s_i' = -s_i`` the new value: the term ``W_ii s_i^2`` is constant, so only
``sum_{j != i} W_ij s_j = h_i - W_ii s_i`` changes sign. It is never
recomputed from scratch after the start.

Rules of one visit (schedule codes: 0 async, 1 sync, 2 glauber):
deterministic ``s_i <- sign(h_i)`` with ``h_i = 0`` keeping the current value;
at temperature ``T > 0`` (glauber) ``s_i <- +1`` with probability
``1 / (1 + exp(-2 h_i / T))`` (one uniform drawn per visit).
"""

import numpy as np
from numba import njit

from hopfield.kernels.rng import next_uniform, shuffle_inplace
from hopfield.kernels.schedule import two_cycle
from hopfield.kernels.threads import run_trials

ASYNC = 0
SYNC = 1
GLAUBER = 2


@njit(cache=True)
def _decide(hi, si, hot, T, scale, state):
    """New value of one neuron with field ``hi * scale`` (current value ``si``)."""
    if hot:
        x = 2.0 * (hi * scale) / T
        if x >= 0.0:
            p = 1.0 / (1.0 + np.exp(-x))
        else:
            ex = np.exp(x)
            p = ex / (1.0 + ex)
        if next_uniform(state) < p:
            return np.int64(1)
        return np.int64(-1)
    if hi > 0:
        return np.int64(1)
    if hi < 0:
        return np.int64(-1)
    return np.int64(si)


@njit(cache=True)
def _field_pat(xiT, M, c, s, i):
    """Integer ``N h_i`` from the overlaps ``M`` (self term ``c s_i`` removed)."""
    acc = np.int64(0)
    for mu in range(M.shape[0]):  # xi = +-1: a select, which vectorises better than a multiply
        acc += M[mu] if xiT[i, mu] > 0 else -M[mu]
    return acc - c * s[i]


@njit(cache=True)
def _init(pat, W, h, xiT, c, M, s):
    """Fill the backend's state (``h = W s`` or ``M = xi s``) and return ``e2``."""
    N = s.shape[0]
    if pat:
        P = M.shape[0]
        for mu in range(P):
            M[mu] = 0
        for i in range(N):
            if s[i] > 0:
                for mu in range(P):
                    M[mu] += xiT[i, mu]
            else:
                for mu in range(P):
                    M[mu] -= xiT[i, mu]
        e2 = np.int64(c) * N  # -s^T (xi^T xi - c I) s = -(sum M^2 - c N)
        for mu in range(P):
            e2 -= M[mu] * M[mu]
        return e2
    e2 = h[0] * 0
    for i in range(N):  # h = W s, once
        acc = h[0] * 0
        for j in range(N):  # s = +-1: a select, exact and faster than a multiply
            acc += W[i, j] if s[j] > 0 else -W[i, j]
        h[i] = acc
    for i in range(N):
        e2 -= s[i] * h[i]
    return e2


@njit(cache=True)
def _field(pat, h, xiT, M, c, s, i):
    """Local field of neuron ``i``: ``h_i`` (weights) or ``N h_i`` from the overlaps (patterns)."""
    if pat:
        return _field_pat(xiT, M, c, s, i)
    return h[i]


@njit(cache=True)
def _flip(pat, W, diag, h, xiT, dJ, M, s, i, snew, hi, e2):
    """Set ``s_i = snew`` (= -s_i) with field ``hi``; update ``h`` or ``M``; return the new ``e2``."""
    if pat:
        e2 = e2 - 4 * snew * hi - 4 * dJ
        for mu in range(M.shape[0]):
            M[mu] += 2 * snew * xiT[i, mu]
    else:
        e2 = e2 - 4 * snew * hi - 4 * diag[i]
        for j in range(s.shape[0]):  # W symmetric: column i == row i
            h[j] += 2 * snew * W[i, j]
    s[i] = snew
    return e2


@njit(cache=True)
def _trial(pat, W, diag, h, xiT, c, dJ, M, s, state, schedule, T, scale, eden, max_sweeps, sequential,
           record, trace):
    """One trial; ``s`` (N,) int8 is updated in place.

    ``pat`` selects the backend: False reads ``W``, ``diag``, ``h`` (weights),
    True reads ``xiT``, ``c``, ``dJ``, ``M`` (patterns); the other backend's
    arrays are not touched (length-0 placeholders).
    """
    N = s.shape[0]
    e2 = _init(pat, W, h, xiT, c, M, s)
    if record:
        trace[0] = e2 / eden
    hot = schedule == GLAUBER and T > 0.0
    converged = False
    cycled = False
    sweeps = 0
    if schedule == SYNC:
        d = np.empty(N, np.int8)
        prev = np.empty(N, np.int8)
        for sweep in range(max_sweeps):
            sweeps = sweep + 1
            changed = 0
            for i in range(N):
                d[i] = _decide(_field(pat, h, xiT, M, c, s, i), s[i], False, T, scale, state)
                if d[i] != s[i]:
                    changed += 1
            if changed == 0:
                converged = True
                if record:
                    trace[sweep + 1] = e2 / eden
                break
            back = two_cycle(d, prev, s, sweep >= 1)
            for i in range(N):  # apply the flips one by one: exact dE each
                if d[i] != s[i]:
                    hi = _field(pat, h, xiT, M, c, s, i)
                    e2 = _flip(pat, W, diag, h, xiT, dJ, M, s, i, np.int64(d[i]), hi, e2)
            if record:
                trace[sweep + 1] = e2 / eden
            if back:
                cycled = True
                break
    else:
        perm = np.arange(N)
        for sweep in range(max_sweeps):
            sweeps = sweep + 1
            if not sequential:
                shuffle_inplace(perm, state)
            changed = 0
            for k in range(N):
                i = perm[k]
                hi = _field(pat, h, xiT, M, c, s, i)
                snew = _decide(hi, s[i], hot, T, scale, state)
                if snew != s[i]:
                    e2 = _flip(pat, W, diag, h, xiT, dJ, M, s, i, snew, hi, e2)
                    changed += 1
            if record:
                trace[sweep + 1] = e2 / eden
            converged = changed == 0
            if converged and not hot:
                break
    return converged, sweeps, cycled, e2 / eden


@njit(cache=True)
def _run_one(b, pat, W, diag, H, xiT, c, dJ, Mw, S, seeds, schedule, T, scale, eden, max_sweeps, sequential,
             record, trace, converged, sweeps, cycled, energy):
    """Trial ``b`` of a batch: its own SplitMix64 state, work rows and outputs.

    The unused backend's work array (``H`` or ``Mw``) is (B, 0).
    """
    state = np.empty(1, np.uint64)
    state[0] = seeds[b]
    cv, n, y, e = _trial(pat, W, diag, H[b], xiT, c, dJ, Mw[b], S[b], state, schedule, T, scale, eden,
                         max_sweeps, sequential, record, trace[b])
    converged[b] = cv
    sweeps[b] = n
    cycled[b] = y
    energy[b] = e


@njit(cache=True, nogil=True)
def weights_range(b0, b1, W, diag, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record,
                  H, trace, converged, sweeps, cycled, energy):
    """Trials ``b0 <= b < b1`` of :func:`run_weights` (the one compiled weights kernel)."""
    xiT = np.empty((0, 0), np.int8)
    Mw = np.empty((S.shape[0], 0), np.int64)
    for b in range(b0, b1):
        _run_one(b, False, W, diag, H, xiT, 0, 0, Mw, S, seeds, schedule, T, scale, eden, max_sweeps,
                 sequential, record, trace, converged, sweeps, cycled, energy)


@njit(cache=True, nogil=True)
def patterns_range(b0, b1, xiT, c, dJ, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record,
                   Mw, trace, converged, sweeps, cycled, energy):
    """Trials ``b0 <= b < b1`` of :func:`run_patterns` (the one compiled patterns kernel)."""
    W = np.empty((0, 0), np.int64)
    diag = np.empty(0, np.int64)
    H = np.empty((S.shape[0], 0), np.int64)
    for b in range(b0, b1):
        _run_one(b, True, W, diag, H, xiT, c, dJ, Mw, S, seeds, schedule, T, scale, eden, max_sweeps,
                 sequential, record, trace, converged, sweeps, cycled, energy)


def run_weights(W, diag, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record,
                H, trace, converged, sweeps, cycled, energy):
    """Run every row of ``S`` (B, N) int8 in place on the weights backend, trials spread over threads.

    ``W`` (N, N) symmetric, int32/int64 (``N W``, then ``scale = 1/N``,
    ``eden = 2 N``, ``H`` int64) or float64 (``scale = 1``, ``eden = 2``,
    ``H`` float64); ``diag`` (N,) its diagonal; ``seeds`` (B,) uint64
    SplitMix64 states; ``H`` (B, N) work array for the fields; ``trace`` (B, max_sweeps + 1) float64 (or
    (B, 0) when ``record`` is False); outputs ``converged``, ``sweeps``,
    ``cycled``, ``energy`` of shape (B,).
    """
    run_trials(weights_range, S.shape[0], W, diag, S, seeds, schedule, T, scale, eden, max_sweeps, sequential,
               record, H, trace, converged, sweeps, cycled, energy)


def run_patterns(xiT, c, dJ, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record,
                 Mw, trace, converged, sweeps, cycled, energy):
    """Run every row of ``S`` (B, N) int8 in place on the patterns backend, trials spread over threads.

    ``xiT`` (N, P) int8 neuron-major patterns; ``c`` the self term removed
    from ``N h_i`` (P for a zero diagonal, 0 to keep it); ``dJ = P - c`` the
    diagonal of ``N W``; ``Mw`` (B, P) int64 work array; the rest as in
    :func:`run_weights` with ``scale = 1/N`` and ``eden = 2 N``.
    """
    run_trials(patterns_range, S.shape[0], xiT, c, dJ, S, seeds, schedule, T, scale, eden, max_sweeps,
               sequential, record, Mw, trace, converged, sweeps, cycled, energy)


def run_weights_serial(W, diag, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record,
                       H, trace, converged, sweeps, cycled, energy):
    """:func:`run_weights` on the calling thread (the same compiled kernel)."""
    weights_range(0, S.shape[0], W, diag, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record,
                  H, trace, converged, sweeps, cycled, energy)


def run_patterns_serial(xiT, c, dJ, S, seeds, schedule, T, scale, eden, max_sweeps, sequential, record,
                        Mw, trace, converged, sweeps, cycled, energy):
    """:func:`run_patterns` on the calling thread (the same compiled kernel)."""
    patterns_range(0, S.shape[0], xiT, c, dJ, S, seeds, schedule, T, scale, eden, max_sweeps, sequential,
                   record, Mw, trace, converged, sweeps, cycled, energy)

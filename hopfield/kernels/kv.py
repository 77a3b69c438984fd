"""Numba kernels of the key-value memories (``hopfield.kv``).

The kernels do no validation; ``hopfield.kv`` checks shapes, dtypes and
parameters first. Every kernel runs in the dtype of its arrays (float32 stays
float32) and writes into ``out``/``W`` arrays given to it. Slow twins live in
``tests/reference_kv.py``.

Layout: a batch of ``S`` sequences of length ``L``; keys and queries ``(S, L, d_k)``,
values ``(S, L, d_v)``, memory matrices ``W`` of shape ``(d_v, d_k)``.

The streaming kernels are written over a range of sequences, serially, with the
GIL released (``*_range``); :func:`stream_hebbian` and :func:`stream_delta`
spread the sequences over threads with :func:`hopfield.kernels.threads.run_trials`.
One serial function compiles in about a third of the time of a ``prange``
kernel (no parallel region), and sequences are independent, so the results do
not depend on the number of threads.
"""

import numpy as np
from numba import njit

from hopfield.kernels.threads import run_trials


@njit(cache=True)
def _read(W, x, out):
    """``out[a] = sum_b W[a, b] x[b]`` (the memory read ``W x``), accumulated in ``W``'s dtype."""
    dv, dk = W.shape
    for a in range(dv):
        acc = W.dtype.type(0.0)
        for b in range(dk):
            acc += W[a, b] * x[b]
        out[a] = acc


@njit(cache=True)
def delta_write(W, K, V, eta, lam, passes):
    """Delta-rule writes in place: for each pass, for each row ``i`` in order,
    ``W <- lam W + eta (v_i - lam W k_i) k_i^T``.

    ``W`` (d_v, d_k); ``K`` (M, d_k); ``V`` (M, d_v); ``eta`` (M,) per-pair rates; ``lam`` scalar.
    """
    M, dk = K.shape
    dv = V.shape[1]
    r = np.empty(dv, dtype=W.dtype)
    for _ in range(passes):
        for i in range(M):
            _read(W, K[i], r)  # r = v - lam W k
            for a in range(dv):
                r[a] = V[i, a] - lam * r[a]
            for a in range(dv):  # W = lam W + eta r k^T
                c = eta[i] * r[a]
                for b in range(dk):
                    W[a, b] = lam * W[a, b] + c * K[i, b]


def stream_hebbian(K, V, Q, normalize, out):
    """Causal Hebbian (linear-attention) stream over a batch of sequences.

    At each position ``t``: ``W += v_t k_t^T`` (and ``z += k_t`` when
    ``normalize``), then ``out_t = W q_t`` (divided by ``z . q_t`` when
    ``normalize``; 0 where that is 0). ``K``, ``Q`` (S, L, d_k); ``V``, ``out`` (S, L, d_v).
    The sequences are spread over threads (:func:`stream_hebbian_range`).
    """
    run_trials(stream_hebbian_range, K.shape[0], K, V, Q, normalize, out)


@njit(cache=True, nogil=True)
def stream_hebbian_range(s0, s1, K, V, Q, normalize, out):
    """:func:`stream_hebbian` on sequences ``s0 <= s < s1``."""
    L, dk = K.shape[1], K.shape[2]
    dv = V.shape[2]
    for s in range(s0, s1):
        W = np.zeros((dv, dk), dtype=out.dtype)  # (d_v, d_k)
        z = np.zeros(dk, dtype=out.dtype)
        for t in range(L):
            for a in range(dv):
                va = V[s, t, a]
                for b in range(dk):
                    W[a, b] += va * K[s, t, b]
            den = out.dtype.type(1.0)
            if normalize:
                den = out.dtype.type(0.0)
                for b in range(dk):
                    z[b] += K[s, t, b]
                    den += z[b] * Q[s, t, b]
            _read(W, Q[s, t], out[s, t])
            for a in range(dv):
                out[s, t, a] = out[s, t, a] / den if den != 0 else out.dtype.type(0.0)


def stream_delta(K, V, Q, eta, lam, out):
    """Causal delta-rule stream: at each ``t``, ``W <- lam W + eta (v_t - lam W k_t) k_t^T``,
    then ``out_t = W q_t``. Shapes as in ``stream_hebbian``; ``eta`` (S, L) per-position rates.
    The sequences are spread over threads (:func:`stream_delta_range`).
    """
    run_trials(stream_delta_range, K.shape[0], K, V, Q, eta, lam, out)


@njit(cache=True, nogil=True)
def stream_delta_range(s0, s1, K, V, Q, eta, lam, out):
    """:func:`stream_delta` on sequences ``s0 <= s < s1``."""
    L, dk = K.shape[1], K.shape[2]
    dv = V.shape[2]
    for s in range(s0, s1):
        W = np.zeros((dv, dk), dtype=out.dtype)  # (d_v, d_k)
        r = np.empty(dv, dtype=out.dtype)
        for t in range(L):
            _read(W, K[s, t], r)
            for a in range(dv):
                r[a] = V[s, t, a] - lam * r[a]
            for a in range(dv):
                c = eta[s, t] * r[a]
                for b in range(dk):
                    W[a, b] = lam * W[a, b] + c * K[s, t, b]
            _read(W, Q[s, t], out[s, t])


# ---------------------------------------------------------------- memories that forget
#
# Written at every step with a forgetting factor; one state W (d_v, d_k) per sequence (Titans adds
# its momentum S of the same shape). Gates and rates arrive as (S, L) arrays in W's dtype.


def stream_gated(K, V, Q, gate, out):
    """Gated Hebbian stream: at each ``t``, ``W <- g_t W + v_t k_t^T``, then ``out_t = W q_t``.

    ``gate`` (S, L): the scalar decay ``lam`` repeated (RetNet, Mamba-2) or a per-step gate
    (GLA-style, one scalar per position). Shapes as in :func:`stream_hebbian`.
    """
    run_trials(stream_gated_range, K.shape[0], K, V, Q, gate, out)


@njit(cache=True, nogil=True)
def stream_gated_range(s0, s1, K, V, Q, gate, out):
    """:func:`stream_gated` on sequences ``s0 <= s < s1``."""
    L, dk = K.shape[1], K.shape[2]
    dv = V.shape[2]
    for s in range(s0, s1):
        W = np.zeros((dv, dk), dtype=out.dtype)  # (d_v, d_k)
        for t in range(L):
            g = gate[s, t]
            for a in range(dv):
                va = V[s, t, a]
                for b in range(dk):
                    W[a, b] = g * W[a, b] + va * K[s, t, b]
            _read(W, Q[s, t], out[s, t])


def stream_gated_delta(K, V, Q, alpha, beta, out):
    """Gated delta-rule stream: ``W <- a_t W (I - b_t k_t k_t^T) + b_t v_t k_t^T``, then ``out_t = W q_t``.

    ``alpha`` (S, L) the decay gates ``a_t``, ``beta`` (S, L) the rates ``b_t`` (Yang, Kautz &
    Hatamizadeh 2025). Longhorn's update is the case ``a_t = 1``, ``b_t = eps_t``.
    """
    run_trials(stream_gated_delta_range, K.shape[0], K, V, Q, alpha, beta, out)


@njit(cache=True, nogil=True)
def stream_gated_delta_range(s0, s1, K, V, Q, alpha, beta, out):
    """:func:`stream_gated_delta` on sequences ``s0 <= s < s1``."""
    L, dk = K.shape[1], K.shape[2]
    dv = V.shape[2]
    for s in range(s0, s1):
        W = np.zeros((dv, dk), dtype=out.dtype)  # (d_v, d_k)
        r = np.empty(dv, dtype=out.dtype)
        for t in range(L):
            a_t, b_t = alpha[s, t], beta[s, t]
            _read(W, K[s, t], r)  # r = W_{t-1} k_t
            for a in range(dv):
                u = b_t * r[a]
                c = b_t * V[s, t, a]
                for b in range(dk):
                    kb = K[s, t, b]
                    W[a, b] = a_t * (W[a, b] - u * kb) + c * kb
            _read(W, Q[s, t], out[s, t])


def stream_titans(K, V, Q, theta, momentum, decay, out):
    """Titans' memory update (momentum and weight decay on ``|W k - v|^2 / 2``), then ``out_t = W q_t``.

    ``S <- momentum S - theta (W k_t - v_t) k_t^T``; ``W <- decay W + S`` (``decay = 1 - alpha``);
    ``theta``, ``momentum``, ``decay`` scalars of W's dtype (Behrouz, Zhong & Mirrokni 2024).
    """
    run_trials(stream_titans_range, K.shape[0], K, V, Q, theta, momentum, decay, out)


@njit(cache=True, nogil=True)
def stream_titans_range(s0, s1, K, V, Q, theta, momentum, decay, out):
    """:func:`stream_titans` on sequences ``s0 <= s < s1``."""
    L, dk = K.shape[1], K.shape[2]
    dv = V.shape[2]
    for s in range(s0, s1):
        W = np.zeros((dv, dk), dtype=out.dtype)  # (d_v, d_k) memory
        M = np.zeros((dv, dk), dtype=out.dtype)  # (d_v, d_k) momentum ("surprise")
        r = np.empty(dv, dtype=out.dtype)
        for t in range(L):
            _read(W, K[s, t], r)  # r = W_{t-1} k_t
            for a in range(dv):
                c = theta * (r[a] - V[s, t, a])  # gradient of |W k - v|^2 / 2 is (W k - v) k^T
                for b in range(dk):
                    M[a, b] = momentum * M[a, b] - c * K[s, t, b]
                    W[a, b] = decay * W[a, b] + M[a, b]
            _read(W, Q[s, t], out[s, t])

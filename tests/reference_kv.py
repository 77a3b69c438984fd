"""Slow twins of the key-value kernels (``hopfield.kernels.kv``): plain loops and numpy outer products."""

from __future__ import annotations

import numpy as np


def delta_write_ref(W, K, V, eta, lam, passes):
    """The delta rule pair by pair in float64: ``W <- lam W + eta_i (v_i - lam W k_i) k_i^T``."""
    W = np.array(W, dtype=np.float64)
    for _ in range(passes):
        for i in range(K.shape[0]):
            k, v = np.asarray(K[i], np.float64), np.asarray(V[i], np.float64)
            W = lam * W + float(eta[i]) * np.outer(v - lam * W @ k, k)
    return W


def stream_ref(K, V, Q, rule="linear", eta=None, lam=1.0):
    """Per-sequence, per-step loop: write the pair at t, then read the query at t (float64)."""
    K, V, Q = (np.asarray(a, np.float64) for a in (K, V, Q))
    S, L, dk = K.shape
    out = np.zeros((S, L, V.shape[2]))
    for s in range(S):
        W = np.zeros((V.shape[2], dk))
        z = np.zeros(dk)
        for t in range(L):
            k, v, q = K[s, t], V[s, t], Q[s, t]
            if rule == "normalized":
                k = np.where(k > 0, k + 1, np.exp(k))
                q = np.where(q > 0, q + 1, np.exp(q))
            if rule == "delta":
                e = (1.0 / (k @ k) if k @ k > 0 else 0.0) if eta is None else eta
                W = lam * W + e * np.outer(v - lam * W @ k, k)
            else:
                W = W + np.outer(v, k)
                z = z + k
            o = W @ q
            if rule == "normalized":
                o = o / (z @ q)
            out[s, t] = o
    return out


def softmax_attention_ref(Q, K, V, beta):
    """``softmax(beta q . k_j)`` weights of every query, one at a time, by the textbook formula."""
    Q, K, V = (np.asarray(a, np.float64) for a in (Q, K, V))
    out = np.zeros((Q.shape[0], V.shape[1]))
    for b in range(Q.shape[0]):
        s = beta * (K @ Q[b])
        w = np.exp(s - s.max())
        out[b] = (w / w.sum()) @ V
    return out


def causal_softmax_ref(K, V, Q, beta):
    """Causal softmax attention by a loop over positions (float64)."""
    K, V, Q = (np.asarray(a, np.float64) for a in (K, V, Q))
    out = np.zeros((K.shape[0], K.shape[1], V.shape[2]))
    for s in range(K.shape[0]):
        for t in range(K.shape[1]):
            out[s, t] = softmax_attention_ref(Q[s, t:t + 1], K[s, :t + 1], V[s, :t + 1], beta)[0]
    return out


def stream_forgetting_ref(K, V, Q, rule, eta=None, decay=1.0, gate=None, momentum=0.0):
    """The memories that forget, step by step in float64 with numpy outer products, written from their papers' forms.

    decay/gla: ``W = g W + v k^T``; gated-delta: ``W = a W (I - b k k^T) + b v k^T``; titans:
    ``S = eta_m S - theta (W k - v) k^T``, ``W = (1 - alpha) W + S``; longhorn: ``W = W (I - eps k k^T)
    + eps v k^T``, ``eps = beta / (1 + beta |k|^2)``. Per-step parameters are (S, L) arrays or scalars.
    """
    K, V, Q = (np.asarray(a, np.float64) for a in (K, V, Q))
    S, L, dk = K.shape
    dv = V.shape[2]
    at = lambda x, s, t: float(np.broadcast_to(np.asarray(x, np.float64), (S, L))[s, t])  # noqa: E731
    out = np.zeros((S, L, dv))
    I = np.eye(dk)
    for s in range(S):
        W, Sm = np.zeros((dv, dk)), np.zeros((dv, dk))
        for t in range(L):
            k, v = K[s, t], V[s, t]
            if rule in ("decay", "gla"):
                g = decay if rule == "decay" else at(gate, s, t)
                W = g * W + np.outer(v, k)
            elif rule == "gated-delta":
                a = at(decay, s, t)
                b = (1.0 / (k @ k) if k @ k > 0 else 0.0) if eta is None else at(eta, s, t)
                W = a * W @ (I - b * np.outer(k, k)) + b * np.outer(v, k)
            elif rule == "titans":
                Sm = momentum * Sm - eta * np.outer(W @ k - v, k)
                W = decay * W + Sm
            elif rule == "longhorn":
                beta = at(eta, s, t)
                e = beta / (1.0 + beta * (k @ k))
                W = W @ (I - e * np.outer(k, k)) + e * np.outer(v, k)
            out[s, t] = W @ Q[s, t]
    return out

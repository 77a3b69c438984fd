"""Simulated recall by age of the key-value memories that forget (``hopfield.kv.stream``'s forgetting rules).

Every function takes a ``seed``; chunk ``c`` of memories draws from its own stream
``default_rng([seed, 26, c])``, so results do not depend on how many chunks are run.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from hopfield import kv

__all__ = ["decay_scores"]

#: Memories per chunk of :func:`decay_scores` (one random stream each).
CHUNK = 500


def decay_scores(d: int, L: int, lam: float, ages: Sequence[int], n: int, seed: int = 0) -> dict:
    """Scores of the pairs of given ages in ``n`` independent decaying memories, written and read by the stream kernel.

    Each memory writes ``L`` Gaussian pairs (keys and values i.i.d. ``N(0, I/d)``) with
    ``W_t = lam W_{t-1} + v_t k_t^T``, then reads the key of the pair of each age ``a``
    (written at position ``L - 1 - a``) at extra positions that write nothing (zero key and
    value, gate 1: ``W`` stays ``W_L``). One stream, rule ``"gla"`` with the gates
    ``[lam] * L + [1] * len(ages)``: the scalar-decay kernel (``stream_gated``) for the writes.

    Returns
    -------
    dict of float64 arrays of shape (n, len(ages))
        ``"stored"``: ``v_j . W_L u_j``; ``"fresh"``: ``f . W_L u_j`` for a fresh Gaussian ``f``
        (one per memory and age).

    Examples
    --------
    >>> s = decay_scores(16, 40, 0.9, [0, 5], 2000, seed=0)
    >>> np.round(s["stored"].mean(axis=0), 1).tolist()  # theory: lam^age = 1, 0.59
    [1.0, 0.6]
    """
    ages = np.asarray(ages, dtype=np.int64)
    if ages.ndim != 1 or ages.size == 0 or ages.min() < 0 or ages.max() >= L:
        raise ValueError(f"ages must be a non-empty list of integers in [0, L - 1 = {L - 1}], got {ages.tolist()}")
    A = ages.size
    gate = np.concatenate([np.full(L, float(lam)), np.ones(A)])
    out = {"stored": [], "fresh": []}
    for c, s in enumerate(range(0, n, CHUNK)):
        rng = np.random.default_rng([int(seed), 26, c])
        b = min(CHUNK, n - s)
        K = np.zeros((b, L + A, d))
        Vv = np.zeros((b, L + A, d))
        K[:, :L] = rng.standard_normal((b, L, d)) / np.sqrt(d)
        Vv[:, :L] = rng.standard_normal((b, L, d)) / np.sqrt(d)
        f = rng.standard_normal((b, A, d)) / np.sqrt(d)
        Q = np.zeros_like(K)
        Q[:, L:] = K[:, L - 1 - ages]  # read the key of age a after the last write
        r = kv.stream(K, Vv, Q, "gla", gate=np.broadcast_to(gate, (b, L + A)))[:, L:]  # (b, A, d) = W_L u_j
        out["stored"].append(np.einsum("bad,bad->ba", Vv[:, L - 1 - ages], r))
        out["fresh"].append(np.einsum("bad,bad->ba", f, r))
    return {k: np.concatenate(v) for k, v in out.items()}

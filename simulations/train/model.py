"""The two-layer attention model of Burns, Fukai & Earls (2024) with residual attention streams.

Input: the ``T = 2N + 1`` tokens of a bursty sequence (dimension ``D``), each
concatenated with a one-hot position, ``x0_t = [z_t ; e_t]`` (width
``d = D + T``). Two single-head attention layers without LayerNorm, causal
mask, residual connections (Reddy 2024, Sec. 2):

    Q1, K1, V1 = x0 W_Q1, x0 W_K1, x0 W_V1
    x1 = x0 + softmax(mask(Q1 K1^T / sqrt(d))) V1
    Q2, K2, V2 = x1 W_Q2 + c_Q Q1, x1 W_K2 + c_K K1, x1 W_V2 + c_V V1
    x2 = x1 + softmax(mask(Q2 K2^T / sqrt(d))) V2

then three ReLU layers on the last token's ``x2`` and a linear readout to ``L``
label logits. The variants of layer 2 (Burns et al. 2024, Sec. 5: the layer-1
head's values, queries or keys added to layer 2's, no new parameters) are
``c = (c_Q, c_K, c_V)``: baseline ``(0, 0, 0)``, values ``(0, 0, 1)``, queries
``(1, 0, 0)``, keys ``(0, 1, 0)``. As plain numbers, the coefficients let every
variant run in one ``vmap``-ed program.

References
----------
M. Burns, T. Fukai, C. Earls, arXiv:2412.15113 (2024), Sec. 5 (residual
attention streams).
G. Reddy, ICLR 2024 (arXiv:2312.03002), Sec. 2 (the two-layer model).
"""

from __future__ import annotations

from typing import Optional, Sequence

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["VARIANTS", "coefficients", "init_params", "embed", "attend", "project", "add_streams", "stream", "logits", "loss"]

#: Layer-2 variants and their coefficients (c_Q, c_K, c_V).
VARIANTS = {"baseline": (0.0, 0.0, 0.0), "values": (0.0, 0.0, 1.0), "queries": (1.0, 0.0, 0.0),
            "keys": (0.0, 1.0, 0.0)}


def coefficients(variants: Sequence[str]) -> jnp.ndarray:
    """(len(variants), 3) float32 coefficients ``(c_Q, c_K, c_V)`` of the named variants."""
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        raise ValueError(f"variants must be among {tuple(VARIANTS)}, got {bad}")
    return jnp.asarray([VARIANTS[v] for v in variants], jnp.float32)


def init_params(key: jax.Array, D: int, T: int, L: int, hidden: int = 128) -> dict:
    """Parameters (a dict pytree): attention matrices (d, d), d = D + T; MLP (d->h->h->h->L).

    Weights are N(0, 1/fan_in); biases zero.

    Examples
    --------
    >>> import jax
    >>> p = init_params(jax.random.PRNGKey(0), D=16, T=17, L=8, hidden=32)
    >>> p["attn1"]["W_Q"].shape, p["mlp"][3]["W"].shape
    ((33, 33), (32, 8))
    """
    d = D + T
    ks = iter(jax.random.split(key, 10))

    def w(m, n):
        return jax.random.normal(next(ks), (m, n), jnp.float32) / np.sqrt(m)

    attn = [{name: w(d, d) for name in ("W_Q", "W_K", "W_V")} for _ in range(2)]
    sizes = [d, hidden, hidden, hidden, L]
    mlp = [{"W": w(a, b), "b": jnp.zeros(b, jnp.float32)} for a, b in zip(sizes[:-1], sizes[1:])]
    return {"attn1": attn[0], "attn2": attn[1], "mlp": mlp}


def embed(tokens: jnp.ndarray) -> jnp.ndarray:
    """(n, T, D) tokens -> (n, T, D + T): each token with its one-hot position."""
    n, T, _ = tokens.shape
    pos = jnp.broadcast_to(jnp.eye(T, dtype=tokens.dtype), (n, T, T))
    return jnp.concatenate([tokens, pos], axis=-1)


def attend(q: jnp.ndarray, k: jnp.ndarray, v: jnp.ndarray, heads: int = 1) -> jnp.ndarray:
    """Causal softmax attention: (n, T, d) each -> (n, T, d), ``heads`` heads of width ``d / heads``.

    Position ``t`` attends to positions ``0..t``; each head's scores are scaled by
    ``1 / sqrt(d / heads)``. One head is the two-layer model's attention; the
    language model of :mod:`simulations.train.lm` uses several.
    """
    n, T, d = q.shape
    causal = jnp.tril(jnp.ones((T, T), bool))
    if heads == 1:
        s = jnp.einsum("ntd,nsd->nts", q, k) / np.sqrt(d)  # (n, T, T)
        s = jnp.where(causal[None], s, -jnp.inf)
        return jnp.einsum("nts,nsd->ntd", jax.nn.softmax(s, axis=-1), v)
    dh = d // heads
    q, k, v = (x.reshape(n, T, heads, dh) for x in (q, k, v))  # (n, T, H, dh)
    s = jnp.einsum("nthd,nshd->nhts", q, k) / np.sqrt(dh)  # (n, H, T, T)
    s = jnp.where(causal[None, None], s, -jnp.inf)
    return jnp.einsum("nhts,nshd->nthd", jax.nn.softmax(s, axis=-1), v).reshape(n, T, d)


_attend = attend  # the single-head form, the name the tests' mutants use


def project(x: jnp.ndarray, attn: dict, prev: Optional[tuple], coef: jnp.ndarray) -> tuple:
    """Queries, keys and values of a layer with the residual attention streams: ``(q, k, v)``.

    ``q = x W_Q + c_Q q_prev`` and likewise for keys and values, where ``prev`` is
    the earlier layer's ``(q, k, v)`` (``None`` for the first layer: no stream) and
    ``coef = (c_Q, c_K, c_V)`` (Burns et al. 2024, Sec. 5). Shapes (n, T, d).
    """
    return add_streams((x @ attn["W_Q"], x @ attn["W_K"], x @ attn["W_V"]), prev, coef)


def add_streams(qkv: Sequence[jnp.ndarray], prev: Optional[tuple], coef: jnp.ndarray) -> tuple:
    """``qkv + coef * prev`` term by term (``(q, k, v)`` of this layer, ``prev`` of an earlier one or None)."""
    if prev is None:
        return tuple(qkv)
    return tuple(x + c * p for x, c, p in zip(qkv, (coef[0], coef[1], coef[2]), prev))


def stream(params: dict, tokens: jnp.ndarray, coef: jnp.ndarray) -> jnp.ndarray:
    """The residual stream after layer 2, shape (n, T, d), for tokens (n, T, D) and ``coef`` (3,)."""
    x0 = embed(tokens)
    qkv1 = project(x0, params["attn1"], None, coef)
    x1 = x0 + _attend(*qkv1)
    return x1 + _attend(*project(x1, params["attn2"], qkv1, coef))


def logits(params: dict, tokens: jnp.ndarray, coef: jnp.ndarray) -> jnp.ndarray:
    """(n, L) label logits read out from the last token."""
    h = stream(params, tokens, coef)[:, -1]  # (n, d)
    mlp = params["mlp"]
    for layer in mlp[:-1]:
        h = jax.nn.relu(h @ layer["W"] + layer["b"])
    return h @ mlp[-1]["W"] + mlp[-1]["b"]


def loss(params: dict, tokens: jnp.ndarray, target: jnp.ndarray, coef: jnp.ndarray) -> jnp.ndarray:
    """Mean cross-entropy of the query's label; ``target`` (n,) int."""
    lp = jax.nn.log_softmax(logits(params, tokens, coef), axis=-1)
    return -jnp.mean(jnp.take_along_axis(lp, target[:, None], axis=1))

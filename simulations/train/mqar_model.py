"""Two-layer models for MQAR in JAX, one sequence mixer to choose (the mixers of Zoology, Based and DeltaNet).

A token ``x_t`` is embedded (token and learned absolute position), then each of
the two layers adds ``W_O mix(conv(n(x)))`` to the residual stream (and, with
``mlp``, a GELU MLP of width ``2 d``), ``n`` a parameter-free layer norm and
``conv`` an optional short causal depthwise convolution of kernel 4 (Zoology's
short convolution: ``y_t = sum_j w_j * u_{t-j}``). The readout is
``n(x) W_out`` over the vocabulary. The mixer sees ``u`` (L, d) and projects
``q, k, v = u W_Q, u W_K, u W_V`` (one head, ``d_k = d_v = d``):

* ``attention``: ``o_t = sum_{s<=t} softmax_s(q_t . k_s / sqrt(d)) v_s`` (KV cache ``2 L d``);
* ``linear``: linear attention, the outer-product (Hebbian) memory
  ``S_t = S_{t-1} + v_t k_t^T``, ``o_t = S_t q_t`` (computed in its parallel, masked form);
* ``decay``: decayed linear attention ``S_t = gamma S_{t-1} + v_t k_t^T`` with a learned scalar
  ``gamma = sigmoid(c)`` per layer (parallel form, weights ``gamma^(t-s)``);
* ``delta``: DeltaNet, ``S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T`` with
  ``beta_t = sigmoid(u_t . w_beta + b_beta)`` or a fixed ``beta``;
* ``gated_delta``: gated DeltaNet, ``S_t = alpha_t S_{t-1} (I - beta_t k_t k_t^T) + beta_t v_t k_t^T``
  with ``alpha_t = sigmoid(u_t . w_alpha + b_alpha)`` in (0, 1) and ``beta_t`` as above.

The delta rules run as a ``lax.scan`` over chunks of ``CHUNK`` tokens (:func:`_delta_chunks`: one
unit lower-triangular system per chunk, the state read and written once per chunk), or token by token
(:func:`_delta_steps`) when ``CHUNK`` does not divide the length.

The recurrent mixers normalise ``q`` and ``k`` to unit length (as DeltaNet does),
so their state is the memory of :mod:`hopfield.kv` with unit keys; its size is
``d_k d_v = d^2`` per layer (:func:`state_size`).

References
----------
S. Arora et al., "Zoology", ICLR 2024, arXiv:2312.04927 (MQAR, short convolutions).
S. Arora et al., "Simple linear attention language models balance the recall-throughput
tradeoff" (Based), ICML 2024, arXiv:2402.18668.
S. Yang, B. Wang, Y. Zhang, Y. Shen, Y. Kim, "Parallelizing linear transformers with the
delta rule over sequence length" (DeltaNet), NeurIPS 2024, arXiv:2406.06484.
S. Yang, J. Kautz, A. Hatamizadeh, "Gated Delta Networks", ICLR 2025, arXiv:2412.06464.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["MIXERS", "ModelSpec", "state_size", "init_params", "mix", "hidden", "query_logits", "loss", "keys_at"]

MIXERS = ("attention", "linear", "decay", "delta", "gated_delta")
KERNEL = 4
#: Tokens per chunk of the delta-rule recurrence (the state is read and written once per chunk); a power of 2.
CHUNK = 16
EPS = 1e-6


@dataclass(frozen=True)
class ModelSpec:
    """The static shape of a model: ``mixer``, width ``d``, ``vocab_size``, ``seq_len``, ``conv``, ``mlp``, and
    ``beta`` (DeltaNet's fixed rate; ``None``: learned gate)."""

    mixer: str
    d: int
    vocab_size: int
    seq_len: int
    conv: bool = True
    mlp: bool = False
    beta: Optional[float] = None

    def __post_init__(self):
        if self.mixer not in MIXERS:
            raise ValueError(f"mixer must be one of {MIXERS}, got {self.mixer!r}")


def state_size(mixer: str, d: int, seq_len: int) -> int:
    """Floats a layer's mixer keeps to read the next token: ``d_k d_v = d^2`` (one head), attention ``2 L d``.

    Examples
    --------
    >>> state_size("delta", 64, 256), state_size("attention", 64, 256)
    (4096, 32768)
    """
    if mixer not in MIXERS:
        raise ValueError(f"mixer must be one of {MIXERS}, got {mixer!r}")
    return 2 * seq_len * d if mixer == "attention" else d * d


def init_params(key: jax.Array, spec: ModelSpec) -> dict:
    """Parameters (a dict pytree, float32): weights ``N(0, 1/fan_in)``, embeddings ``N(0, 1)``.

    Gates start at ``sigmoid(3) = 0.95`` (decay, ``alpha``) and ``sigmoid(0) = 0.5`` (``beta``).
    """
    d, V, L = spec.d, spec.vocab_size, spec.seq_len
    ks = iter(jax.random.split(key, 32))

    def w(m, n):
        return jax.random.normal(next(ks), (m, n), jnp.float32) / np.sqrt(m)

    def layer():
        p = {"W_Q": w(d, d), "W_K": w(d, d), "W_V": w(d, d), "W_O": w(d, d)}
        if spec.conv:
            p["conv"] = jax.random.normal(next(ks), (KERNEL, d), jnp.float32) / np.sqrt(KERNEL)
        if spec.mixer == "decay":
            p["decay"] = jnp.asarray(3.0, jnp.float32)
        if spec.mixer in ("delta", "gated_delta") and spec.beta is None:
            p["w_beta"], p["b_beta"] = jnp.zeros(d, jnp.float32), jnp.asarray(0.0, jnp.float32)
        if spec.mixer == "gated_delta":
            p["w_alpha"], p["b_alpha"] = jnp.zeros(d, jnp.float32), jnp.asarray(3.0, jnp.float32)
        if spec.mlp:
            p["W_1"], p["W_2"] = w(d, 2 * d), w(2 * d, d)
        return p

    return {"embed": jax.random.normal(next(ks), (V, d), jnp.float32),
            "pos": jax.random.normal(next(ks), (L, d), jnp.float32),
            "layers": [layer(), layer()], "W_out": w(d, V)}


def _norm(x):
    m = x.mean(-1, keepdims=True)
    return (x - m) / jnp.sqrt(((x - m) ** 2).mean(-1, keepdims=True) + EPS)


def _unit(x):
    return x / jnp.sqrt((x * x).sum(-1, keepdims=True) + EPS)


def _causal(L: int) -> jax.Array:
    """(L, L) bool: ``s <= t``."""
    return jnp.tril(jnp.ones((L, L), bool))


def _conv(u, w):
    """Causal depthwise convolution: (L, d), (KERNEL, d) -> (L, d), ``y_t = sum_j w_j u_{t-j}``."""
    L = u.shape[0]
    pad = jnp.concatenate([jnp.zeros((KERNEL - 1, u.shape[1]), u.dtype), u])  # (L + 3, d)
    return sum(w[j] * pad[KERNEL - 1 - j:KERNEL - 1 - j + L] for j in range(KERNEL))


def _rate(p, u, spec, name):
    if name == "beta" and spec.beta is not None:
        return jnp.full(u.shape[0], spec.beta, u.dtype)
    return jax.nn.sigmoid(u @ p[f"w_{name}"] + p[f"b_{name}"])  # (L,)


def _delta_steps(q, k, v, beta, log_alpha):
    """The (gated) delta rule token by token (a scan over time); ``log_alpha`` (L,) zeros for DeltaNet.

    ``S_t = alpha_t S_{t-1} (I - beta_t k_t k_t^T) + beta_t v_t k_t^T``, ``o_t = S_t q_t``; returns (L, d_v).
    """
    d_k, d_v = k.shape[1], v.shape[1]

    def step(S, x):  # S (d_v, d_k)
        q_t, k_t, v_t, b_t, la_t = x
        S = jnp.exp(la_t) * (S - b_t * jnp.outer(S @ k_t, k_t)) + b_t * jnp.outer(v_t, k_t)
        return S, S @ q_t

    return jax.lax.scan(step, jnp.zeros((d_v, d_k), q.dtype), (q, k, v, beta, log_alpha))[1]


def _delta_chunks(q, k, v, beta, log_alpha):
    """The same recurrence, CHUNK tokens at a time (the state is read and written once per chunk).

    Within a chunk, with ``g_t`` the product of the gates since the chunk began and ``S_0`` the state
    (``d_k x d_v``, so ``o_t = S_t^T q_t``) at its start, ``S_t = alpha_t S_{t-1} + k_t u_t^T`` with
    ``u_t = beta_t (v_t - g_t S_0^T k_t - sum_{i<t} (g_t/g_i)(k_i . k_t) u_i)``: a unit lower-triangular
    system for the rows ``u_t``. Then ``o_t = g_t S_0^T q_t + sum_{i<=t} (g_t/g_i)(k_i . q_t) u_i`` and
    the next state is ``g_C S_0 + sum_i (g_C/g_i) k_i u_i^T``. Every ratio ``g_t/g_i`` (``t >= i``) is
    the exponential of a difference of cumulative log gates, at most 1.
    """
    L, d_k = k.shape
    d_v, C = v.shape[1], CHUNK
    incl = jnp.tril(jnp.ones((C, C), bool))
    strict = jnp.tril(jnp.ones((C, C), bool), -1)

    def chunk(S, x):  # S (d_k, d_v)
        qc, kc, vc, bc, lac = x  # (C, d_k), (C, d_k), (C, d_v), (C,), (C,)
        lg = jnp.cumsum(lac)  # log g_t
        ratio = jnp.where(incl, jnp.exp(jnp.where(incl, lg[:, None] - lg[None, :], 0.0)), 0.0)  # g_t / g_i
        system = jnp.eye(C, dtype=qc.dtype) + bc[:, None] * jnp.where(strict, ratio * (kc @ kc.T), 0.0)
        g = jnp.exp(lg)[:, None]
        u = _unit_lower_inverse(system - jnp.eye(C, dtype=qc.dtype)) @ (bc[:, None] * (vc - g * (kc @ S)))
        o = g * (qc @ S) + (ratio * (qc @ kc.T)) @ u
        S = jnp.exp(lg[-1]) * S + kc.T @ (jnp.exp(lg[-1] - lg)[:, None] * u)
        return S, o

    xs = jax.tree_util.tree_map(lambda x: x.reshape((L // C, C) + x.shape[1:]), (q, k, v, beta, log_alpha))
    _, o = jax.lax.scan(chunk, jnp.zeros((d_k, d_v), q.dtype), xs)
    return o.reshape(L, d_v)


def _unit_lower_inverse(N):
    """``(I + N)^-1`` for a strictly lower-triangular (C, C) ``N``, C a power of 2: ``N`` is nilpotent
    (``N^C = 0``), so ``(I + N)(I - N)(I + N^2)(I + N^4)... = I - N^C = I``; matrix products only
    (XLA's triangular solve on the CPU hung inside the vmapped, scanned training step)."""
    C = N.shape[0]
    eye = jnp.eye(C, dtype=N.dtype)
    inv, power = eye - N, N
    for _ in range(int(np.log2(C)) - 1):
        power = power @ power
        inv = inv @ (eye + power)
    return inv


def _delta_scan(q, k, v, beta, log_alpha):
    """The (gated) delta rule: by chunks when ``CHUNK`` divides the length, else token by token."""
    if q.shape[0] % CHUNK == 0:
        return _delta_chunks(q, k, v, beta, log_alpha)
    return _delta_steps(q, k, v, beta, log_alpha)


def mix(p: dict, u: jax.Array, spec: ModelSpec) -> jax.Array:
    """The sequence mixer on one sequence: ``u`` (L, d) -> (L, d) (before ``W_O``)."""
    q, k, v = u @ p["W_Q"], u @ p["W_K"], u @ p["W_V"]
    L = u.shape[0]
    mask = _causal(L)
    if spec.mixer == "attention":
        s = jnp.where(mask, q @ k.T / np.sqrt(spec.d), -jnp.inf)
        return jax.nn.softmax(s, axis=-1) @ v
    q, k = _unit(q), _unit(k)
    if spec.mixer == "linear":
        return jnp.where(mask, q @ k.T, 0.0) @ v
    if spec.mixer == "decay":
        t = jnp.arange(L)
        lag = (t[:, None] - t[None, :]).astype(u.dtype)
        w = jnp.where(mask, jnp.exp(jnp.where(mask, lag, 0.0) * jax.nn.log_sigmoid(p["decay"])), 0.0)
        return (w * (q @ k.T)) @ v
    beta = _rate(p, u, spec, "beta")
    log_alpha = jax.nn.log_sigmoid(u @ p["w_alpha"] + p["b_alpha"]) if spec.mixer == "gated_delta" \
        else jnp.zeros(L, u.dtype)
    return _delta_scan(q, k, v, beta, log_alpha)


def _layer_input(p, x, spec):
    u = _norm(x)
    return _conv(u, p["conv"]) if spec.conv else u


def hidden(params: dict, tokens: jax.Array, spec: ModelSpec) -> jax.Array:
    """The residual stream after both layers for one sequence: tokens (L,) int -> (L, d)."""
    x = params["embed"][tokens] + params["pos"][: tokens.shape[0]]
    for p in params["layers"]:
        x = x + mix(p, _layer_input(p, x, spec), spec) @ p["W_O"]
        if spec.mlp:
            x = x + jax.nn.gelu(_norm(x) @ p["W_1"]) @ p["W_2"]
    return _norm(x)


def keys_at(params: dict, tokens: jax.Array, spec: ModelSpec, layer: int = 1) -> jax.Array:
    """The mixer keys ``k_t`` (L, d) of ``layer`` (0 or 1) for one sequence (before normalisation)."""
    x = params["embed"][tokens] + params["pos"][: tokens.shape[0]]
    for i, p in enumerate(params["layers"]):
        u = _layer_input(p, x, spec)
        if i == layer:
            return u @ p["W_K"]
        x = x + mix(p, u, spec) @ p["W_O"]
        if spec.mlp:
            x = x + jax.nn.gelu(_norm(x) @ p["W_1"]) @ p["W_2"]
    raise ValueError(f"layer must be 0 or 1, got {layer}")


def query_logits(params: dict, tokens: jax.Array, query_pos: jax.Array, spec: ModelSpec) -> jax.Array:
    """Logits over the vocabulary at the query positions: tokens (B, L), query_pos (B, P) -> (B, P, V)."""
    h = jax.vmap(lambda t: hidden(params, t, spec))(tokens)  # (B, L, d)
    h = jnp.take_along_axis(h, query_pos[..., None], axis=1)  # (B, P, d)
    return h @ params["W_out"]


def loss(params: dict, tokens: jax.Array, query_pos: jax.Array, answers: jax.Array, valid: jax.Array,
         spec: ModelSpec) -> jax.Array:
    """Mean cross-entropy of the answers at the valid query positions (the other positions carry no loss)."""
    lp = jax.nn.log_softmax(query_logits(params, tokens, query_pos, spec), axis=-1)
    nll = -jnp.take_along_axis(lp, answers[..., None], axis=-1)[..., 0]  # (B, P)
    return jnp.sum(jnp.where(valid, nll, 0.0)) / jnp.maximum(valid.sum(), 1)

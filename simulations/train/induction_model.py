"""The two-layer attention-only induction model of Bietti et al. (2023) in JAX, and its data sampler.

Model (the one of :mod:`hopfield.induction`, with its memories trained instead
of written). Frozen random token embeddings ``w_E``, ``w_U`` (V, d), absolute
positions ``p_t`` (T, d), ``W_OV^1`` and ``W_V^2`` (d, d), all ``N(0, 1/d)`` and
taken from :func:`hopfield.induction.build_induction_model` at the same seed, so
that the trained model and the built associative-memory model share every
frozen part. Trained: ``W_K^1``, ``W_K^2``, ``W_O^2`` and, optionally, the
feed-forward memory ``W_F``. Forward pass (causal, ``s <= t``)::

    x_t  = w_E(z_t) + p_t
    A1   = softmax_s(x_t^T W_K^1 x_s)
    h1_t = x_t + sum_s A1[t, s] W_OV^1 x_s
    A2   = softmax_s(h1_t^T W_K^2 h1_s)
    h2_t = h1_t + sum_s A2[t, s] W_O^2 W_V^2 h1_s
    xi_t = w_U (h2_t + W_F h1_t)

which is :func:`hopfield.induction.forward` with unit scales (``beta1 = beta2
= beta_O = gamma = 1``): the trained scales live in the matrices.
:func:`to_numpy_model` exports trained weights as a
:class:`hopfield.induction.InductionModel`.

Sampler: :func:`sample` draws Bietti's trigger sequences with ``jax.random``
inside a jitted step, with the distributions of
:func:`hopfield.induction_data.trigger_sequences` (``triggers="random"``,
``outputs="uniform"``): ``K`` distinct triggers drawn from ``pi_u`` without
replacement (Gumbel top-``K``, the same law as sequential draws), outputs
uniform over the ``V`` tokens, the first token from ``pi_u``; after a trigger
its output follows, else the next token is drawn from ``pi_b(. | previous)``.

References
----------
A. Bietti, V. Cabannes, D. Bouchacourt, H. Jegou, L. Bottou, "Birth of a
Transformer: A Memory Viewpoint", NeurIPS 2023 (arXiv:2306.00802), Sec. 3-6.
W. Kool, H. van Hoof, M. Welling, "Stochastic beams and where to find them:
the Gumbel-top-k trick", ICML 2019 (arXiv:1903.06059) (sampling without replacement).
"""

from __future__ import annotations

from typing import Dict, Tuple

import jax
import jax.numpy as jnp
import numpy as np

from hopfield.bigram import BigramModel
from hopfield.induction import InductionModel

__all__ = ["MATRICES", "sample", "frozen_parts", "init_params", "forward", "loss", "probes",
           "to_numpy_model"]

#: The trainable matrices (``F`` only with the feed-forward memory).
MATRICES = ("W_K1", "W_K2", "W_O2", "W_F")


def sample(key: jax.Array, log_pi_u: jnp.ndarray, log_pi_b: jnp.ndarray, n: int, T: int,
           K: int) -> Tuple[jnp.ndarray, jnp.ndarray]:
    """Trigger sequences ``(tokens, flags)``, each (n, T) int32, from a ``jax.random`` key.

    Parameters
    ----------
    key : jax PRNG key
    log_pi_u : (V,) float32
        Log unigram (first token, triggers).
    log_pi_b : (V, V) float32
        Log transitions, ``log_pi_b[i, j] = log pi_b(j | i)``.
    n, T, K : int (static)
        Sequences, length, triggers per sequence.

    Returns
    -------
    tokens, flags : (n, T) int32
        As :func:`hopfield.induction_data.trigger_sequences`: ``flags[b, t] = j``
        when ``tokens[b, t]`` is the output after the ``j``-th occurrence of its
        trigger, 0 for bigram tokens.

    Examples
    --------
    >>> import jax, numpy as np
    >>> from hopfield.bigram import synthetic_bigram
    >>> bg = synthetic_bigram(8, seed=0)
    >>> draw = jax.jit(sample, static_argnums=(3, 4, 5))  # compiled once, not op by op
    >>> tok, fl = draw(jax.random.PRNGKey(0), np.log(bg.pi_u), np.log(bg.pi_b), 64, 16, 3)
    >>> tok.shape, int(tok.max()) < 8
    ((64, 16), True)
    """
    V = log_pi_u.shape[0]
    k_trig, k_out, k_first, k_steps = jax.random.split(key, 4)
    ar = jnp.arange(n)
    trig = jax.lax.top_k(log_pi_u[None] + jax.random.gumbel(k_trig, (n, V)), K)[1]  # (n, K) distinct
    outs = jax.random.randint(k_out, (n, K), 0, V)
    first = jax.random.categorical(k_first, log_pi_u, shape=(n,))
    out_of = jnp.full((n, V), -1, jnp.int32).at[ar[:, None], trig].set(outs.astype(jnp.int32))

    def body(carry, k):
        prev, occ = carry
        forced = out_of[ar, prev]
        hit = forced >= 0
        occ = occ.at[ar, prev].add(hit.astype(jnp.int32))
        nxt = jnp.where(hit, forced, jax.random.categorical(k, log_pi_b[prev], axis=-1).astype(jnp.int32))
        flag = jnp.where(hit, occ[ar, prev], 0)
        return (nxt, occ), (nxt, flag)

    first = first.astype(jnp.int32)
    _, (rest, fl) = jax.lax.scan(body, (first, jnp.zeros((n, V), jnp.int32)), jax.random.split(k_steps, T - 1))
    tokens = jnp.concatenate([first[:, None], rest.T], axis=1)
    flags = jnp.concatenate([jnp.zeros((n, 1), jnp.int32), fl.T], axis=1)
    return tokens, flags


def frozen_parts(bigram: BigramModel, d: int, T: int, seed: int) -> Dict[str, np.ndarray]:
    """The frozen embeddings and matrices (float32) of ``build_induction_model(bigram, d, T, seed)``."""
    from hopfield.induction import build_induction_model

    m = build_induction_model(bigram, d=d, T_max=T, seed=seed)
    return {name: np.asarray(getattr(m, attr), np.float32)
            for name, attr in (("w_E", "w_E"), ("w_U", "w_U"), ("P", "P"), ("W_OV1", "W_OV1"), ("W_V2", "W_V2"))}


def init_params(key: jax.Array, d: int, ffn: bool = True, scale: float = 0.0) -> Dict[str, jnp.ndarray]:
    """Trainable matrices (d, d): zeros (``scale = 0``, the setting of Bietti et al.'s Lemma 1) or ``N(0, scale^2/d)``.

    Examples
    --------
    >>> import jax
    >>> sorted(init_params(jax.random.PRNGKey(0), d=4))
    ['W_F', 'W_K1', 'W_K2', 'W_O2']
    """
    names = MATRICES if ffn else MATRICES[:3]
    keys = jax.random.split(key, len(names))
    return {nm: scale / np.sqrt(d) * jax.random.normal(k, (d, d), jnp.float32) for nm, k in zip(names, keys)}


def _causal_softmax(S):
    T = S.shape[-1]
    return jax.nn.softmax(jnp.where(jnp.tril(jnp.ones((T, T), bool)), S, -jnp.inf), axis=-1)


def forward(params: Dict[str, jnp.ndarray], fz: Dict[str, np.ndarray],
            tokens: jnp.ndarray) -> Tuple[jnp.ndarray, jnp.ndarray, jnp.ndarray]:
    """``(A1, A2, logits)``: attention maps (n, T, T) and logits (n, T, V) for tokens (n, T) int.

    ``fz`` holds the frozen parts (:func:`frozen_parts`); ``params`` the trained matrices.
    """
    T = tokens.shape[1]
    x = fz["w_E"][tokens] + fz["P"][:T]  # (n, T, d)
    A1 = _causal_softmax(jnp.einsum("ntd,de,nse->nts", x, params["W_K1"], x))
    h1 = x + A1 @ (x @ fz["W_OV1"].T)
    A2 = _causal_softmax(jnp.einsum("ntd,de,nse->nts", h1, params["W_K2"], h1))
    h2 = h1 + A2 @ (h1 @ (params["W_O2"] @ fz["W_V2"]).T)
    if "W_F" in params:
        h2 = h2 + h1 @ params["W_F"].T
    return A1, A2, h2 @ fz["w_U"].T


def loss(params: Dict[str, jnp.ndarray], fz: Dict[str, np.ndarray], tokens: jnp.ndarray, flags: jnp.ndarray,
         only_icl: bool = False) -> jnp.ndarray:
    """Mean next-token cross-entropy over positions ``0..T-2`` (or only where ``flags >= 2``)."""
    lp = jax.nn.log_softmax(forward(params, fz, tokens)[2][:, :-1], axis=-1)
    ce = -jnp.take_along_axis(lp, tokens[:, 1:, None], axis=-1)[..., 0]  # (n, T-1)
    if not only_icl:
        return jnp.mean(ce)
    w = (flags[:, 1:] >= 2).astype(ce.dtype)
    return jnp.sum(ce * w) / jnp.maximum(jnp.sum(w), 1.0)


def probes(params: Dict[str, jnp.ndarray], fz: Dict[str, np.ndarray], tokens: jnp.ndarray,
           flags: jnp.ndarray) -> Dict[str, jnp.ndarray]:
    """The memory-recall probes of :func:`hopfield.induction.probes`, and the loss, in JAX.

    ``prev_token`` (layer-1 attention peaks at ``t - 1``), ``induction`` (layer-2
    attention peaks on a position preceded by ``z_t``, over positions whose token
    occurred before), ``copy`` (``argmax_k w_U(k)^T W_O^2 W_V^2 w_E(z) = z`` over
    all tokens), ``icl`` (the logits' argmax is the next token where ``flags >= 2``),
    ``loss`` (next-token cross-entropy).
    """
    A1, A2, logits = forward(params, fz, tokens)
    n, T = tokens.shape
    res = {"prev_token": jnp.mean(jnp.argmax(A1[:, 1:], -1) == jnp.arange(T - 1)[None])}
    pred = jnp.concatenate([tokens[:, :1], tokens[:, :-1]], axis=1)
    earlier = jnp.tril(jnp.ones((T, T), bool), -1)  # u < t
    seen = ((tokens[:, :, None] == tokens[:, None, :]) & earlier[None]).any(-1)  # (n, T)
    hit = jnp.take_along_axis(pred, jnp.argmax(A2, -1), axis=1) == tokens
    res["induction"] = jnp.sum(hit & seen) / jnp.maximum(jnp.sum(seen), 1)
    rec = jnp.argmax(fz["w_E"] @ (params["W_O2"] @ fz["W_V2"]).T @ fz["w_U"].T, axis=1)  # (V,)
    res["copy"] = jnp.mean(rec[tokens] == tokens)
    elig = flags[:, 1:] >= 2
    right = jnp.argmax(logits[:, :-1], -1) == tokens[:, 1:]
    res["icl"] = jnp.sum(right & elig) / jnp.maximum(jnp.sum(elig), 1)
    lp = jax.nn.log_softmax(logits[:, :-1], axis=-1)
    res["loss"] = -jnp.mean(jnp.take_along_axis(lp, tokens[:, 1:, None], axis=-1))
    return res


def to_numpy_model(params: Dict[str, jnp.ndarray], fz: Dict[str, np.ndarray], pe: str = "ape") -> InductionModel:
    """The trained weights as a :class:`hopfield.induction.InductionModel` (unit scales, float64).

    A trained ``W`` is stored as the factor pair ``(I, W)`` (``I^T W = W``); without
    ``W_F`` the feed-forward memory is zero and ``gamma = 0``.
    """
    from hopfield.induction import InductionModel, Memory

    f = {k: np.asarray(v, np.float64) for k, v in fz.items()}
    p = {k: np.asarray(v, np.float64) for k, v in params.items()}
    d = f["w_E"].shape[1]
    eye = np.eye(d)
    F = Memory(eye, p["W_F"]) if "W_F" in p else Memory(np.zeros((1, d)), np.zeros((1, d)))
    return InductionModel(f["w_E"], f["w_U"], f["P"], f["W_OV1"], f["W_V2"], Memory(eye, p["W_K1"]),
                          Memory(eye, p["W_K2"]), Memory(eye, p["W_O2"]), F, 1.0, 1.0, 1.0,
                          1.0 if "W_F" in p else 0.0, pe)

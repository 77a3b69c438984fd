"""MQAR sequences sampled on the device with ``jax.random``, from the law of :func:`hopfield.mqar.make_mqar`.

The same vocabulary split (token 0 the filler, keys from ``1 .. vocab/2 - 1``,
values from ``vocab/2 .. vocab - 1``), the same layout (``P`` pairs
``k_1 v_1 ... k_P v_P``, then every key queried once at position
``2P + 2g`` among filler tokens) and the same gap law: the ``P`` distinct
slots ``g`` in ``0 .. (L - 2P)/2 - 1`` are drawn without replacement with
probabilities proportional to ``(g + 1)^(a - 1)``, one after another. Here the
successive draws are made at once by the Gumbel top-``k`` trick (the ``P``
largest of ``log w_g + Gumbel`` are a successive sample without replacement);
NumPy's ``Generator.choice(..., replace=False, p=...)`` in ``make_mqar`` keeps
the first new index of repeated draws, which is the same law. The streams
differ, so the two generators agree in distribution, not token by token
(``tests/test_train_mqar_data.py`` compares them).

The number of pairs ``P`` may be a traced value up to a static ``P_max``: the
arrays have ``P_max`` query columns and a ``valid`` mask, so models trained on
several pair counts at one sequence length share one compiled program
(``vmap`` over ``P``).

References
----------
S. Arora et al., "Zoology: measuring and improving recall in efficient language
models", ICLR 2024, arXiv:2312.04927 (MQAR, Sec. 3).
"""

from __future__ import annotations

import functools
from typing import NamedTuple, Union

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["MQARArrays", "sample", "gap_law", "check_shape"]

FILLER = 0


class MQARArrays(NamedTuple):
    """A batch on the device.

    Attributes
    ----------
    tokens : (B, L) int32
    query_pos : (B, P_max) int32
        Query positions in increasing order (columns ``>= P`` are padding: ``L - 1``).
    answers : (B, P_max) int32
        The value each query asks for (padding: 0).
    valid : (B, P_max) bool
        ``True`` for the ``P`` real queries.
    """

    tokens: jax.Array
    query_pos: jax.Array
    answers: jax.Array
    valid: jax.Array


def gap_law(seq_len: int, num_pairs: int, power_a: float) -> np.ndarray:
    """The gap-slot probabilities of :func:`hopfield.mqar.make_mqar`: ``(g + 1)^(a - 1)``, normalised.

    Returns ndarray of shape ((seq_len - 2 P) // 2,), float64.
    """
    space = (seq_len - 2 * num_pairs) // 2
    w = np.arange(1, space + 1, dtype=np.float64) ** (power_a - 1)
    return w / w.sum()


def check_shape(vocab_size: int, max_pairs: int, seq_len: int, power_a: float) -> None:
    """Raise ``ValueError`` naming the field when the shape cannot hold ``max_pairs`` queried pairs."""
    if vocab_size < 4:
        raise ValueError(f"vocab_size must be >= 4, got {vocab_size}")
    if not 1 <= max_pairs <= vocab_size // 2 - 1:
        raise ValueError(f"pairs must be in 1 .. vocab_size // 2 - 1 = {vocab_size // 2 - 1}, got {max_pairs}")
    if seq_len < 4 * max_pairs:
        raise ValueError(f"seq_len must be >= 4 * pairs = {4 * max_pairs} (pairs and their queries), got {seq_len}")
    if not 0.0 < power_a <= 1.0:
        raise ValueError(f"power_a must be in (0, 1], got {power_a}")


def _one(key, P, *, vocab_size: int, max_pairs: int, seq_len: int, power_a: float):
    half = vocab_size // 2
    L, Pm = seq_len, max_pairs
    kk, kv, kw, kg = jax.random.split(key, 4)
    keys = 1 + jax.random.permutation(kk, half - 1)[:Pm]  # (Pm,) distinct keys
    values = half + jax.random.permutation(kv, half)[:Pm]  # (Pm,) distinct values
    j = jnp.arange(Pm)
    valid = j < P
    # which pair each query asks for: a random order of the P pairs
    which = jnp.argsort(jnp.where(valid, jax.random.uniform(kw, (Pm,)), 2.0))
    # P distinct gap slots, successive sampling proportional to (g + 1)^(a - 1) (Gumbel top-k)
    space = (L - 2 * P) // 2
    g = jnp.arange(L // 2)
    logw = jnp.where(g < space, (power_a - 1.0) * jnp.log1p(g.astype(jnp.float32)), -jnp.inf)
    _, slots = jax.lax.top_k(logw + jax.random.gumbel(kg, (L // 2,)), Pm)  # (Pm,)
    pos = 2 * P + 2 * slots
    pos = jnp.where(valid, pos, L - 1)
    t = jnp.arange(L)
    pair_tok = jnp.where(t % 2 == 0, keys[jnp.minimum(t // 2, Pm - 1)], values[jnp.minimum(t // 2, Pm - 1)])
    tokens = jnp.where(t < 2 * P, pair_tok, FILLER)
    tokens = tokens.at[jnp.where(valid, pos, L)].set(keys[which], mode="drop")  # padding writes nothing
    order = jnp.argsort(jnp.where(valid, pos, L + j))  # real queries first, by position
    pos, which, valid = pos[order], which[order], valid[order]
    answers = jnp.where(valid, values[which], 0)
    return tokens.astype(jnp.int32), pos.astype(jnp.int32), answers.astype(jnp.int32), valid


@functools.partial(jax.jit, static_argnames=("batch", "vocab_size", "max_pairs", "seq_len"))
def sample(key: jax.Array, batch: int, num_pairs: Union[int, jax.Array], *, vocab_size: int, max_pairs: int, seq_len: int,
           power_a: float = 0.01) -> MQARArrays:
    """Draw ``batch`` MQAR sequences with ``num_pairs`` pairs (traced, ``<= max_pairs``) on the device.

    Parameters
    ----------
    key : PRNG key
    batch : int (static)
    num_pairs : int or traced int
        ``P``, at most ``max_pairs``; every key is queried once.
    vocab_size, max_pairs, seq_len : int (static)
        ``seq_len >= 4 max_pairs``.
    power_a : float or traced float
        Exponent ``a`` of the gap law.

    Returns
    -------
    MQARArrays

    Examples
    --------
    >>> import jax
    >>> b = sample(jax.random.PRNGKey(0), 2, 3, vocab_size=20, max_pairs=4, seq_len=16)
    >>> b.tokens.shape, b.valid[0].tolist()
    ((2, 16), [True, True, True, False])
    """
    keys = jax.random.split(key, batch)
    f = jax.vmap(lambda k: _one(k, num_pairs, vocab_size=vocab_size, max_pairs=max_pairs, seq_len=seq_len,
                                power_a=power_a))
    return MQARArrays(*f(keys))

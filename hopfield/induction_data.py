"""Data for induction heads: Bietti's trigger sequences, designed prompts, and context counts.

Trigger sequences (Bietti et al. 2023, Sec. 3): every sequence draws ``K``
trigger tokens ``q_1..q_K`` and their outputs ``o_1..o_K``; the first token is
drawn from ``pi_u``; after a trigger ``q_k`` the next token is ``o_k``,
otherwise it is drawn from the bigram ``pi_b(. | previous)``. A trigger output
is predictable in context from its second occurrence on, which is what the
induction head learns.

Designed prompts (after Wang & Sato 2024, who test the in-context knowledge
against the global bigram): a query token ``q`` last, an in-context successor
``k`` of ``q`` that differs from the global bigram answer ``g = argmax_j
pi_b(j | q)``, and controlled counts ``n_q`` (positions preceded by ``q``),
``c_qk`` (of those, followed by ``k``), ``cbar_k`` (occurrences of ``k`` not
preceded by ``q``) and length ``t``; the other tokens are fillers distinct from
``q``, ``k`` and ``g``.

Randomness: sequence (or prompt) ``i`` of a call draws only from
``numpy.random.SeedSequence([seed, i])``, so it does not depend on how many
sequences are drawn at once, nor on any thread count.

References
----------
A. Bietti, V. Cabannes, D. Bouchacourt, H. Jegou, L. Bottou, "Birth of a
Transformer: A Memory Viewpoint", NeurIPS 2023 (arXiv:2306.00802), Sec. 3.
J. Wang, I. Sato, "Rethinking associative memory mechanism in induction head",
COLM 2025 (arXiv:2412.11459).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import numpy.typing as npt

from hopfield import _validate as v
from hopfield.bigram import BigramModel, check_tokens

__all__ = ["trigger_sequences", "designed_prompts", "Prompts", "context_counts", "TRIGGERS", "OUTPUTS"]

TRIGGERS = ("random", "fixed")
OUTPUTS = ("uniform", "bigram")


def _check_model(model):
    if not isinstance(model, BigramModel):
        raise TypeError(f"model must be a hopfield.bigram.BigramModel, got {type(model).__name__}")
    return model


def _rngs(seed: int, n: int):
    return [np.random.default_rng(np.random.SeedSequence([seed, i])) for i in range(n)]


def _sample_rows(cdf: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws: for each b, the j with cdf[rows[b], j-1] <= u[b] < cdf[rows[b], j]."""
    j = (cdf[rows] <= u[:, None]).sum(axis=1)  # (n,)
    return np.minimum(j, cdf.shape[1] - 1)


def trigger_sequences(model: BigramModel, n: int, T: int, K: int = 3, seed: int = 0,
                      triggers: str = "random", outputs: str = "uniform", trigger_tokens: npt.ArrayLike | None = None,
                      return_pairs: bool = False) -> tuple[np.ndarray, ...]:
    """Bietti's trigger sequences: ``(tokens, flags)`` from a seed.

    Parameters
    ----------
    model : BigramModel
        The bigram model (``V`` tokens).
    n : int
        Number of sequences.
    T : int
        Sequence length (>= 2).
    K : int
        Triggers per sequence (``0 <= K <= V``).
    seed : int
        Sequence ``i`` draws from ``SeedSequence([seed, i])``.
    triggers : {"random", "fixed"}
        ``"random"``: ``K`` distinct tokens drawn from ``pi_u`` for every
        sequence; ``"fixed"``: the same ``K`` tokens in every sequence
        (``trigger_tokens``, default the ``K`` most frequent under ``pi_u``).
    outputs : {"uniform", "bigram"}
        Each output ``o_k`` uniform over the ``V`` tokens, or drawn from ``pi_b(. | q_k)``.
    trigger_tokens : array_like of int, optional
        The fixed triggers (only with ``triggers="fixed"``).
    return_pairs : bool
        Also return the triggers and outputs, shape (n, K) each.

    Returns
    -------
    tokens : ndarray of shape (n, T), int64
        Token ids in ``0..V-1``.
    flags : ndarray of shape (n, T), int64
        ``flags[b, t] = j >= 1`` when ``tokens[b, t]`` is a trigger output that
        follows the ``j``-th occurrence of its trigger in sequence ``b``; 0 for
        bigram tokens. Positions with ``flags >= 2`` are predictable in context.
    triggers, outputs : ndarray of shape (n, K), int64
        Only with ``return_pairs=True``.

    Examples
    --------
    >>> from hopfield.bigram import synthetic_bigram
    >>> tokens, flags = trigger_sequences(synthetic_bigram(16, seed=0), n=4, T=32, K=2, seed=1)
    >>> tokens.shape, flags.dtype, int(flags.max()) >= 1
    ((4, 32), dtype('int64'), True)
    """
    model = _check_model(model)
    V = model.V
    n = v.as_int(n, "n", minimum=1)
    T = v.as_int(T, "T", minimum=2)
    K = v.as_int(K, "K", minimum=0, maximum=V)
    seed = v.as_seed(seed)
    triggers = v.as_choice(triggers, "triggers", TRIGGERS)
    outputs = v.as_choice(outputs, "outputs", OUTPUTS)
    fixed = None
    if trigger_tokens is not None:
        if triggers != "fixed":
            raise ValueError("trigger_tokens is only used with triggers='fixed'")
        fixed = check_tokens(trigger_tokens, V, "trigger_tokens").ravel()
        if fixed.size != K or np.unique(fixed).size != K:
            raise ValueError(f"trigger_tokens must hold K = {K} distinct ids, got {fixed.tolist()}")
    elif triggers == "fixed":
        fixed = np.argsort(-model.pi_u, kind="stable")[:K].astype(np.int64)
    v.check_memory(3 * n * T * 8 + n * V * 16, "trigger_sequences", "draw fewer or shorter sequences per call")

    trig = np.empty((n, K), np.int64)
    outs = np.empty((n, K), np.int64)
    first = np.empty(n, np.int64)
    u = np.empty((n, T), np.float64)
    for i, rng in enumerate(_rngs(seed, n)):
        trig[i] = fixed if fixed is not None else rng.choice(V, size=K, replace=False, p=model.pi_u)
        for k in range(K):
            outs[i, k] = rng.integers(V) if outputs == "uniform" else rng.choice(V, p=model.pi_b[trig[i, k]])
        first[i] = rng.choice(V, p=model.pi_u)
        u[i] = rng.random(T)

    out_of = np.full((n, V), -1, np.int64)  # (n, V): output of token v if v is a trigger of sequence b
    rows = np.repeat(np.arange(n), K)
    out_of[rows, trig.ravel()] = outs.ravel()
    cdf = np.cumsum(model.pi_b, axis=1)
    cdf[:, -1] = 1.0
    occ = np.zeros((n, V), np.int64)
    tokens = np.empty((n, T), np.int64)
    flags = np.zeros((n, T), np.int64)
    tokens[:, 0] = first
    ar = np.arange(n)
    for t in range(1, T):
        prev = tokens[:, t - 1]
        forced = out_of[ar, prev]  # (n,)
        hit = forced >= 0
        occ[ar[hit], prev[hit]] += 1
        flags[hit, t] = occ[ar[hit], prev[hit]]
        tokens[:, t] = np.where(hit, forced, _sample_rows(cdf, prev, u[:, t]))
    if return_pairs:
        return tokens, flags, trig, outs
    return tokens, flags


@dataclass(frozen=True)
class Prompts:
    """A batch of designed prompts.

    Attributes
    ----------
    tokens : ndarray of shape (n, t), int64
        The prompts; the last token of each is its query ``q``.
    q, k, g : ndarray of shape (n,), int64
        Query, in-context successor, global bigram answer ``argmax_j pi_b(j | q)``.
    n_q, c_qk, cbar_k : int
        The counts every prompt has (see ``designed_prompts``).
    """

    tokens: np.ndarray
    q: np.ndarray
    k: np.ndarray
    g: np.ndarray
    n_q: int
    c_qk: int
    cbar_k: int

    @property
    def t(self) -> int:
        """Prompt length (the number of positions the query attends to)."""
        return int(self.tokens.shape[1])


def designed_prompts(model: BigramModel, n: int, t: int, n_q: int, c_qk: int, cbar_k: int = 0,
                     seed: int = 0, q: Optional[int] = None, k: Optional[int] = None) -> Prompts:
    """Prompts whose query's in-context successor conflicts with the global bigram answer.

    Every prompt has length ``t`` and ends with the query ``q``. Counting over
    the ``t`` positions ``s`` (the first position counts as preceded by itself):
    exactly ``n_q`` positions are preceded by ``q``, ``c_qk`` of them hold ``k``
    and the other ``n_q - c_qk`` hold fillers; ``k`` occurs ``cbar_k`` more
    times not preceded by ``q``; the global answer ``g`` never occurs. Fillers
    are uniform over the tokens other than ``q``, ``k``, ``g``; the first token
    is a filler. The units ("q k", "q f", "k", "f") are shuffled.

    Parameters
    ----------
    model : BigramModel
        Needs ``V >= 4``.
    n : int
        Number of prompts.
    t : int
        Length; needs ``t >= 2 n_q + cbar_k + 2``.
    n_q, c_qk, cbar_k : int
        The counts (``0 <= c_qk <= n_q``).
    seed : int
        Prompt ``i`` draws from ``SeedSequence([seed, i])``.
    q, k : int, optional
        Fixed query (with ``g != q``) and successor (``k`` not ``q`` nor ``g``);
        default drawn per prompt (``q`` uniform over the tokens with ``g != q``).

    Returns
    -------
    Prompts

    Examples
    --------
    >>> from hopfield.bigram import synthetic_bigram
    >>> p = designed_prompts(synthetic_bigram(16, seed=0), n=2, t=20, n_q=3, c_qk=2, cbar_k=1, seed=0)
    >>> p.tokens.shape, bool((p.tokens[:, -1] == p.q).all())
    ((2, 20), True)
    """
    model = _check_model(model)
    V = model.V
    if V < 4:
        raise ValueError(f"designed prompts need a vocabulary of V >= 4 tokens, got V = {V}")
    n = v.as_int(n, "n", minimum=1)
    n_q = v.as_int(n_q, "n_q", minimum=0)
    c_qk = v.as_int(c_qk, "c_qk", minimum=0, maximum=n_q)
    cbar_k = v.as_int(cbar_k, "cbar_k", minimum=0)
    t = v.as_int(t, "t", minimum=2 * n_q + cbar_k + 2)
    seed = v.as_seed(seed)
    g_of = np.argmax(model.pi_b, axis=1)
    ok_q = np.flatnonzero(g_of != np.arange(V))  # queries whose global answer is another token
    if ok_q.size == 0:
        raise ValueError("every token's most likely successor is itself; designed prompts need a query q "
                         "with argmax_j pi_b(j|q) != q")
    if q is not None:
        q = v.as_int(q, "q", minimum=0, maximum=V - 1)
        if g_of[q] == q:
            raise ValueError(f"q = {q} is its own most likely successor (g = q); choose a q with g != q, "
                             f"e.g. one of {ok_q[:5].tolist()}")
    if k is not None:
        k = v.as_int(k, "k", minimum=0, maximum=V - 1)
        if q is not None and (k == q or k == g_of[q]):
            raise ValueError(f"k must differ from q = {q} and from its global bigram answer g = {int(g_of[q])}, "
                             f"got k = {k}")
    v.check_memory(n * t * 8, "designed_prompts", "draw fewer prompts per call")
    tokens = np.empty((n, t), np.int64)
    qs, ks, gs = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    n_f = t - 2 * n_q - cbar_k - 1
    for i, rng in enumerate(_rngs(seed, n)):
        qi = int(ok_q[rng.integers(ok_q.size)]) if q is None else q
        gi = int(g_of[qi])
        if k is None:
            cand = np.setdiff1d(np.arange(V), [qi, gi])
            ki = int(cand[rng.integers(cand.size)])
        else:
            ki = k
            if ki == qi or ki == gi:
                raise ValueError(f"k = {ki} equals the query or its global answer g = {gi}; choose another k or q")
        fill = np.setdiff1d(np.arange(V), [qi, ki, gi])
        units = [[qi, ki]] * c_qk + [[qi, -1]] * (n_q - c_qk) + [[ki]] * cbar_k + [[-1]] * (n_f - 1)
        order = rng.permutation(len(units))
        seq = [-1] + [tok for j in order for tok in units[j]] + [qi]
        seq = np.array(seq, np.int64)
        holes = seq < 0
        seq[holes] = fill[rng.integers(fill.size, size=int(holes.sum()))]
        tokens[i], qs[i], ks[i], gs[i] = seq, qi, ki, gi
    return Prompts(tokens, qs, ks, gs, n_q, c_qk, cbar_k)


def context_counts(tokens: npt.ArrayLike, V: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The context counts of the last position of each sequence (the query ``q = z_t``).

    Over positions ``s = 1..t`` (all of them, the query included) with
    predecessor ``z_{s-1}`` (the first position counts as its own predecessor):

    * ``n_q``: positions preceded by ``q``;
    * ``c[k]`` = ``c_{q->k}``: positions preceded by ``q`` that hold ``k``;
    * ``cbar[k]``: positions not preceded by ``q`` that hold ``k``.

    Parameters
    ----------
    tokens : array_like of shape (n, t) or (t,), int
    V : int

    Returns
    -------
    n_q : ndarray of shape (n,), int64
    c, cbar : ndarray of shape (n, V), int64

    Examples
    --------
    >>> n_q, c, cbar = context_counts([2, 0, 1, 2, 0, 1, 0], V=3)
    >>> int(n_q[0]), c[0].tolist(), cbar[0].tolist()
    (2, [0, 2, 0], [3, 0, 2])
    """
    V = v.as_int(V, "V", minimum=1)
    tok = check_tokens(tokens, V)
    if tok.ndim == 1:
        tok = tok[None]
    if tok.ndim != 2 or tok.shape[1] < 1:
        raise ValueError(f"tokens must have shape (n, t) with t >= 1, got {np.shape(tokens)}")
    n = tok.shape[0]
    pred = np.concatenate([tok[:, :1], tok[:, :-1]], axis=1)  # (n, t)
    after_q = pred == tok[:, -1:]
    c = np.zeros((n, V), np.int64)
    cbar = np.zeros((n, V), np.int64)
    rows = np.broadcast_to(np.arange(n)[:, None], tok.shape)
    np.add.at(c, (rows[after_q], tok[after_q]), 1)
    np.add.at(cbar, (rows[~after_q], tok[~after_q]), 1)
    return after_q.sum(axis=1).astype(np.int64), c, cbar

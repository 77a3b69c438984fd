"""Multi-query associative recall (MQAR), the synthetic task of Zoology (Arora et al. 2023).

A sequence starts with ``P`` key-value pairs ``k_1 v_1 k_2 v_2 ... k_P v_P`` (keys
from the lower half of the vocabulary, values from the upper half, no key
repeated), followed by filler tokens among which some keys reappear as queries;
the answer to a query is the value paired with that key. The gap between a
key's pair and its query follows a power law: query ``j`` sits at position
``2P + 2 g_j`` with distinct slots ``g_j`` in ``0 .. (L - 2P)/2 - 1`` drawn with
probabilities proportional to ``(g + 1)^(a - 1)`` (small ``a``: mostly short gaps).

The evaluator runs a key-value memory directly on embedded sequences, with no
training: each token has a random embedding; the memory writes the pairs
(key embedding, value embedding) and reads each query's key embedding; the
prediction is the value token whose embedding scores highest. This is the
memory a trained model would implement with a perfect previous-token head.

References
----------
S. Arora, S. Eyuboglu, A. Timalsina, I. Johnson, M. Poli, J. Zou, A. Rudra, C. Re,
"Zoology: measuring and improving recall in efficient language models", ICLR 2024,
arXiv:2312.04927 (MQAR, Sec. 3 and App. of the data generator).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hopfield import _validate as V
from hopfield import kv

__all__ = ["MQARBatch", "MQARResult", "make_mqar", "evaluate_mqar", "MEMORIES"]

#: The memories ``evaluate_mqar`` knows.
MEMORIES = ("hebbian", "normalized", "delta", "softmax")
#: The filler token (never a key or a value).
FILLER = 0


@dataclass(frozen=True)
class MQARBatch:
    """A batch of MQAR sequences.

    Attributes
    ----------
    tokens : ndarray of shape (S, L), int64
        The input sequences.
    keys, values : ndarray of shape (S, P), int64
        The pairs in order of appearance (``tokens[:, 0:2P:2]`` and ``tokens[:, 1:2P:2]``).
    query_pos : ndarray of shape (S, n_q), int64
        Positions of the queries (a query's token is a key).
    query_pair : ndarray of shape (S, n_q), int64
        Which pair each query asks for (index into ``keys``/``values``).
    answers : ndarray of shape (S, n_q), int64
        The value tokens to predict.
    vocab_size, seq_len, num_pairs, num_queries : int
    power_a : float
    seed : int
    """

    tokens: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    query_pos: np.ndarray
    query_pair: np.ndarray
    answers: np.ndarray
    vocab_size: int
    seq_len: int
    num_pairs: int
    num_queries: int
    power_a: float
    seed: int

    @property
    def gaps(self) -> np.ndarray:
        """Distance from each queried pair's value to its query, in tokens (S, n_q)."""
        return self.query_pos - (2 * self.query_pair + 1)


def make_mqar(n_seq: int, vocab_size: int = 8192, num_pairs: int = 8, seq_len: int = 64,
              num_queries: int | None = None, power_a: float = 0.01, seed: int = 0) -> MQARBatch:
    """Draw ``n_seq`` MQAR sequences; sequence ``i`` uses its own stream from ``(seed, i)``.

    Parameters
    ----------
    n_seq : int >= 1
    vocab_size : int
        Tokens ``0 .. vocab_size - 1``; 0 is the filler, keys come from
        ``1 .. vocab_size/2 - 1`` and values from ``vocab_size/2 .. vocab_size - 1``.
    num_pairs : int >= 1
        ``P``, at most ``vocab_size/2 - 1``.
    seq_len : int
        ``L >= 2 P + 2 n_q``.
    num_queries : int, optional
        ``n_q <= P`` queried keys (default ``P``: every key is asked once, as in Zoology).
    power_a : float in (0, 1]
        Exponent ``a`` of the gap law ``P(g) ~ (g + 1)^(a - 1)`` (Zoology's default 0.01).
    seed : int >= 0

    Returns
    -------
    MQARBatch

    Examples
    --------
    >>> b = make_mqar(1, vocab_size=20, num_pairs=3, seq_len=12, seed=1)
    >>> b.tokens[0].tolist()  # three pairs, then queries (keys) among filler zeros
    [5, 17, 4, 19, 7, 11, 7, 0, 4, 0, 5, 0]
    >>> b.answers[0].tolist()  # the values paired with the queried keys 7, 4, 5
    [11, 19, 17]
    """
    n_seq = V.as_int(n_seq, "n_seq", minimum=1)
    vocab_size = V.as_int(vocab_size, "vocab_size", minimum=4)
    half = vocab_size // 2
    P = V.as_int(num_pairs, "num_pairs", minimum=1, maximum=half - 1)
    nq = P if num_queries is None else V.as_int(num_queries, "num_queries", minimum=1, maximum=P)
    L = V.as_int(seq_len, "seq_len", minimum=2 * P + 2 * nq)
    a = V.as_float(power_a, "power_a", minimum=0.0, strict=True)
    if a > 1.0:
        raise ValueError(f"power_a must be in (0, 1], got {a}")
    seed = V.as_seed(seed)
    V.check_memory(n_seq * L * 8 * 2, "the MQAR batch", "lower n_seq or seq_len")
    space = (L - 2 * P) // 2
    pg = np.arange(1, space + 1, dtype=np.float64) ** (a - 1)
    pg /= pg.sum()
    tokens = np.full((n_seq, L), FILLER, dtype=np.int64)
    keys = np.empty((n_seq, P), dtype=np.int64)
    values = np.empty((n_seq, P), dtype=np.int64)
    qpos = np.empty((n_seq, nq), dtype=np.int64)
    qpair = np.empty((n_seq, nq), dtype=np.int64)
    for i in range(n_seq):
        rng = np.random.default_rng(np.random.SeedSequence([seed, i]))
        keys[i] = rng.choice(np.arange(1, half), size=P, replace=False)
        values[i] = rng.choice(np.arange(half, vocab_size), size=P, replace=False)
        which = rng.choice(P, size=nq, replace=False)  # the queried pairs
        slots = rng.choice(space, size=nq, replace=False, p=pg)  # their gap slots
        tokens[i, 0:2 * P:2], tokens[i, 1:2 * P:2] = keys[i], values[i]
        qpos[i] = 2 * P + 2 * slots
        qpair[i] = which
        tokens[i, qpos[i]] = keys[i, which]
    order = np.argsort(qpos, axis=1)
    qpos, qpair = np.take_along_axis(qpos, order, 1), np.take_along_axis(qpair, order, 1)
    answers = np.take_along_axis(values, qpair, 1)
    return MQARBatch(tokens, keys, values, qpos, qpair, answers, vocab_size, L, P, nq, a, seed)


@dataclass(frozen=True)
class MQARResult:
    """Outcome of ``evaluate_mqar``: ``correct`` (S, n_q) bool, its mean ``accuracy``, the memory's ``state_size``."""

    memory: str
    d: int
    correct: np.ndarray
    predictions: np.ndarray
    state_size: int

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean())


def _memory(memory: str, d: int, beta: float, eta, dtype):
    if memory == "hebbian":
        return kv.HebbianMemory(d, dtype=dtype)
    if memory == "normalized":
        return kv.HebbianMemory(d, normalize=True, feature_map="elu+1", dtype=dtype)
    if memory == "delta":
        return kv.DeltaMemory(d, eta=eta, dtype=dtype)
    return kv.SoftmaxMemory(d, beta=beta, dtype=dtype)


def evaluate_mqar(batch: MQARBatch, memory: str = "hebbian", d: int = 64, *, embedding: str = "gaussian",
                  beta: float | None = None, eta: float | None = None, seed: int = 0,
                 dtype: npt.DTypeLike = "float64") -> MQARResult:
    """Accuracy of a key-value memory on MQAR, run on embedded tokens (no training).

    Parameters
    ----------
    batch : MQARBatch
    memory : {"hebbian", "normalized", "delta", "softmax"}
        :class:`hopfield.kv.HebbianMemory` (plain or normalised with ``elu + 1``),
        :class:`hopfield.kv.DeltaMemory` (one pass in order) or :class:`hopfield.kv.SoftmaxMemory`.
    d : int >= 1
        Embedding dimension (keys and values).
    embedding : {"gaussian", "rademacher", "orthonormal"}
        How the ``vocab_size`` token embeddings are drawn (``hopfield.kv.sample_embeddings``).
    beta : float > 0, optional
        Softmax only; default ``2 sqrt(d) ln(vocab_size)`` (near-hard attention on unit-norm keys).
    eta : float or None
        Delta rule only (``None``: ``1/|k|^2``).
    seed : int >= 0
        Seed of the embeddings.
    dtype : {"float64", "float32"}

    Returns
    -------
    MQARResult
        ``state_size`` is ``d^2`` for the fixed-state memories (``d^2 + d`` normalised)
        and ``2 P d`` (keys and values kept) for softmax.

    Examples
    --------
    >>> b = make_mqar(20, vocab_size=256, num_pairs=4, seq_len=32, seed=0)
    >>> evaluate_mqar(b, "softmax", d=64).accuracy
    1.0
    """
    if not isinstance(batch, MQARBatch):
        raise TypeError(f"batch must be an MQARBatch (from make_mqar), got {type(batch).__name__}")
    V.as_choice(memory, "memory", MEMORIES)
    d = V.as_int(d, "d", minimum=1)
    if beta is None:
        beta = 2.0 * np.sqrt(d) * np.log(batch.vocab_size)
    beta = V.as_float(beta, "beta", minimum=0.0, strict=True)
    E = kv.sample_embeddings(batch.vocab_size, d, embedding, rng=np.random.SeedSequence([V.as_seed(seed), 1]),
                             dtype=dtype)
    half = batch.vocab_size // 2
    cand = E[half:]  # (vocab/2, d): every value token
    S, nq = batch.answers.shape
    reads = np.empty((S, nq, d), dtype=E.dtype)  # (S, n_q, d)
    mem = _memory(memory, d, beta, eta, dtype)
    for s in range(S):
        mem.reset()
        mem.write(E[batch.keys[s]], E[batch.values[s]])
        reads[s] = mem.read(E[batch.tokens[s, batch.query_pos[s]]])
    flat = reads.reshape(S * nq, d)
    pred = np.empty(S * nq, dtype=np.int64)
    step = max(1, 2**22 // cand.shape[0])  # bound the score block to ~4M floats
    for i in range(0, S * nq, step):
        pred[i:i + step] = half + np.argmax(flat[i:i + step] @ cand.T, axis=1)
    pred = pred.reshape(S, nq)
    return MQARResult(memory, d, pred == batch.answers, pred, mem.state_size)

"""AMICL: an associative memory that classifies in context (Burns, Fukai & Earls 2024).

A sequence holds ``C = T/2 - 1`` exemplar-label pairs and then the query
exemplar with its label masked (zero). Queries and keys mix each token with the
previous one, ``h_t = (a z_{t-1} + z_t)/(a+1)`` (``z_{-1} = 0``); the key at the
query's own position is replaced by a noise vector; values are the raw tokens.
One step of hard (argmax) or soft (softmax) attention retrieves a token; the
trial is correct when it is a label of the query's class.

The generative process (per trial, all vectors in ``R^D``):

* class vectors ``mu_k`` and label vectors ``l_k`` ~ N(0, I/D), drawn afresh for
  each trial for the classes that occur in it (statistically the same as a fixed
  bank of ``K`` classes resampled per trial, and it keeps trials independent);
* context classes ``c_1 .. c_C`` i.i.d. uniform on ``{0 .. K-1}``; the query
  copies the class of a uniformly chosen context pair (so it is always present,
  ``m >= 1`` times);
* exemplars ``x = (mu_c + eps eta)/sqrt(1 + eps^2)``, ``eta`` ~ N(0, I/D);
* the noise key ~ N(0, I/D).

References
----------
M. Burns, T. Fukai, C. Earls, "Associative memory inspires improvements for
in-context learning using a novel attention residual stream architecture",
arXiv:2412.15113 (2024), Sec. 3 and the authors' notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Union

import numpy as np

from hopfield import _validate as v
from hopfield.kernels import amicl as _k
from hopfield.kernels.rng import trial_states

__all__ = ["AMICLSequences", "AMICLResult", "AMICLSweep", "make_sequences", "run_amicl", "sweep_amicl",
           "SIMILARITIES", "READOUTS"]

SIMILARITIES = tuple(_k.SIMILARITIES)
READOUTS = tuple(_k.READOUTS)


@dataclass(frozen=True)
class AMICLSequences:
    """A batch of AMICL sequences.

    Attributes
    ----------
    tokens : ndarray of shape (B, T, D), float64
        Token ``2j`` is pair ``j``'s exemplar, ``2j + 1`` its label; the last
        pair is the query, whose label token ``T - 1`` is zero.
    classes : ndarray of shape (B, T // 2), int64
        Class of each pair; ``classes[:, -1]`` is the query class.
    noise : ndarray of shape (B, D), float64
        The key that replaces the query's own key.
    """

    tokens: np.ndarray
    classes: np.ndarray
    noise: np.ndarray

    @property
    def m(self) -> np.ndarray:
        """Copies of the query class among the context pairs, shape (B,), int64."""
        return (self.classes[:, :-1] == self.classes[:, -1:]).sum(axis=1).astype(np.int64)


@dataclass(frozen=True)
class AMICLResult:
    """Per-trial outcome of ``run_amicl``.

    Attributes
    ----------
    correct : ndarray of shape (B,), bool
    weight : ndarray of shape (B,), float64
        Attention weight on the label tokens of the query class (0/1 for argmax).
    m : ndarray of shape (B,), int64
        Copies of the query class among the context pairs.
    distinct : ndarray of shape (B,), bool
        True where all context classes differ (then ``m == 1``).
    scores : ndarray of shape (B, T), float64, or None
        Similarity of the query with every key (when asked for).
    """

    correct: np.ndarray
    weight: np.ndarray
    m: np.ndarray
    distinct: np.ndarray
    scores: Optional[np.ndarray] = None

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean())


@dataclass(frozen=True)
class AMICLSweep:
    """Counts over a grid; arrays have shape ``(len(a), len(D), len(T), len(K))``.

    ``correct`` counts correct trials of ``n_trials``; ``correct_distinct`` counts
    them among the ``n_distinct`` trials whose context classes are all distinct
    (the setting of ``theory.amicl``); ``weight`` is the mean attention weight on
    the correct label.
    """

    a: np.ndarray
    D: np.ndarray
    T: np.ndarray
    K: np.ndarray
    n_trials: int
    correct: np.ndarray
    n_distinct: np.ndarray
    correct_distinct: np.ndarray
    weight: np.ndarray

    @property
    def accuracy(self) -> np.ndarray:
        return self.correct / self.n_trials


def _check_sizes(D, K, T, eps):
    D = v.as_int(D, "D", minimum=1)
    K = v.as_int(K, "K", minimum=1)
    T = v.as_int(T, "T", minimum=4)
    if T % 2:
        raise ValueError(f"T must be even (pairs of exemplar and label), got {T}")
    eps = v.as_float(eps, "eps", minimum=0.0)
    return D, K, T, eps


def _check_model(similarity, readout, beta):
    v.as_choice(similarity, "similarity", SIMILARITIES)
    v.as_choice(readout, "readout", READOUTS)
    beta = v.as_float(beta, "beta", minimum=0.0, strict=True)
    return beta


def _as_a(a, name="a") -> np.ndarray:
    try:
        arr = None if isinstance(a, (str, bytes, bool)) else np.atleast_1d(np.asarray(a, dtype=np.float64))
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 1 or arr.size == 0:
        raise TypeError(f"{name} must be a number or a non-empty 1-D sequence of numbers, got {a!r}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and >= 0, got {a!r}")
    return arr


def make_sequences(n_trials: int, *, D: int = 100, K: int = 512, T: int = 20, eps: float = 0.1,
                   seed: int = 0) -> AMICLSequences:
    """Draw ``n_trials`` AMICL sequences (see the module docstring for the process).

    Parameters
    ----------
    n_trials : int
        Number of sequences ``B``.
    D : int
        Dimension of tokens.
    K : int
        Number of classes.
    T : int
        Sequence length (even): ``T/2 - 1`` context pairs, the query and its masked label.
    eps : float
        Within-class noise ``eps`` of ``x = (mu + eps eta)/sqrt(1 + eps^2)``.
    seed : int
        Trial ``i`` draws from ``(seed, i)`` only.

    Returns
    -------
    AMICLSequences

    Examples
    --------
    >>> s = make_sequences(3, D=8, K=5, T=6, seed=1)
    >>> s.tokens.shape, s.classes.shape
    ((3, 6, 8), (3, 3))
    >>> bool((s.tokens[:, -1] == 0).all())
    True
    """
    B = v.as_int(n_trials, "n_trials", minimum=1)
    D, K, T, eps = _check_sizes(D, K, T, eps)
    seed = v.as_seed(seed)
    v.check_memory(8 * B * T * D, "make_sequences", "draw fewer trials at a time")
    tokens = np.empty((B, T, D))
    classes = np.empty((B, T // 2), np.int64)
    noise = np.empty((B, D))
    _k.amicl_sequences(trial_states(seed, B), D, K, T, eps, tokens, classes, noise)
    return AMICLSequences(tokens, classes, noise)


def _run(a_arr, B, D, K, T, eps, similarity, readout, beta, seed, want_scores, start=0):
    G = a_arr.shape[0]
    correct = np.empty((B, G), np.bool_)
    weight = np.empty((B, G))
    m = np.empty(B, np.int64)
    distinct = np.empty(B, np.bool_)
    scores = np.empty((B, G, T)) if want_scores else np.empty((1, 1, 1))
    _k.amicl_trials(trial_states(seed, B, start), D, K, T, eps, a_arr, _k.SIMILARITIES[similarity],
                    _k.READOUTS[readout], beta, want_scores, correct, weight, m, distinct, scores)
    return correct, weight, m, distinct, (scores if want_scores else None)


def run_amicl(a: float = 2.0, *, D: int = 100, K: int = 512, T: int = 20, eps: float = 0.1, n_trials: int = 1000,
              similarity: str = "dot", readout: str = "argmax", beta: float = 1.0, seed: int = 0,
              return_scores: bool = False) -> AMICLResult:
    """Run the AMICL model on ``n_trials`` fresh sequences.

    Parameters
    ----------
    a : float
        Previous-token mixing weight, ``a >= 0`` (``a = 0``: no mixing).
    D, K, T, eps, seed
        As in ``make_sequences`` (the same seed gives the same sequences).
    n_trials : int
        Number of trials ``B``.
    similarity : {"dot", "pearson", "euclidean", "manhattan"}
        Query-key similarity; the distances enter with a minus sign, so the
        nearest key wins (argmin of the distance).
    readout : {"argmax", "softmax"}
        Hard attention, or softmax with inverse temperature ``beta`` (decoded as
        the nearest token of the sequence); argmax is its ``beta -> inf`` limit.
    beta : float
        Inverse temperature of the softmax readout (> 0).
    return_scores : bool
        Also return the (B, T) similarity scores of the query with each key.

    Returns
    -------
    AMICLResult

    Notes
    -----
    Score of key ``t`` for the dot product: ``q . k_t`` with
    ``q = a x_query/(a+1)`` and ``k_t = (a z_{t-1} + z_t)/(a+1)``. The correct
    label's key carries ``a x_i``, the exemplar keys carry ``x_i``: labels win
    for ``a > 1`` and exemplars for ``a < 1`` (``theory.amicl``).

    References
    ----------
    Burns, Fukai & Earls, arXiv:2412.15113, Sec. 3.

    Examples
    --------
    >>> r = run_amicl(2.0, n_trials=200, seed=0)
    >>> r.accuracy > 0.95
    True
    >>> run_amicl(0.5, n_trials=200, seed=0).accuracy < 0.05
    True
    """
    a_arr = _as_a(a)
    if a_arr.size != 1:
        raise TypeError(f"a must be a single number here (use sweep_amicl for a grid), got {a!r}")
    B = v.as_int(n_trials, "n_trials", minimum=1)
    D, K, T, eps = _check_sizes(D, K, T, eps)
    beta = _check_model(similarity, readout, beta)
    seed = v.as_seed(seed)
    v.check_memory(8 * B * T * (2 if return_scores else 0) + 16 * B, "run_amicl")
    correct, weight, m, distinct, scores = _run(a_arr, B, D, K, T, eps, similarity, readout, beta, seed,
                                                bool(return_scores))
    return AMICLResult(correct[:, 0].copy(), weight[:, 0].copy(), m, distinct,
                       None if scores is None else scores[:, 0, :].copy())


#: Most query-key multiply-adds (trials x a values x D x T, over the grid) one ``sweep_amicl`` call
#: may ask for: about 1e13, hours on one core; larger requests are refused up front.
SWEEP_WORK_LIMIT = 10**13


def sweep_amicl(a: Union[float, Sequence[float]], *, D: Union[int, Sequence[int]] = 100,
                T: Union[int, Sequence[int]] = 20, K: Union[int, Sequence[int]] = 512, eps: float = 0.1,
                n_trials: int = 1000, similarity: str = "dot", readout: str = "argmax", beta: float = 1.0,
                seed: int = 0, chunk: int = 4096) -> AMICLSweep:
    """Accuracy counts over the grid ``a x D x T x K``.

    For each ``(D, T, K)`` the same ``n_trials`` sequences (trial ``i`` from
    ``(seed, i)``) are read out at every ``a`` (common random numbers: each
    point is an exact binomial sample, points along ``a`` are correlated).

    Parameters
    ----------
    a : float or sequence of float
        Mixing weights (>= 0).
    D, T, K : int or sequence of int
        Dimensions, sequence lengths (even) and numbers of classes.
    eps, n_trials, similarity, readout, beta, seed
        As in ``run_amicl``.
    chunk : int
        Trials per kernel call (bounds memory; results do not depend on it).

    Returns
    -------
    AMICLSweep

    Examples
    --------
    >>> s = sweep_amicl([0.5, 2.0], D=[50, 100], n_trials=100)
    >>> s.correct.shape
    (2, 2, 1, 1)
    >>> bool((s.correct[1] > 90).all() and (s.correct[0] < 10).all())
    True
    """
    a_arr = _as_a(a)
    Ds = [v.as_int(x, "D", minimum=1) for x in np.atleast_1d(D).tolist()]
    Ts = [v.as_int(x, "T", minimum=4) for x in np.atleast_1d(T).tolist()]
    Ks = [v.as_int(x, "K", minimum=1) for x in np.atleast_1d(K).tolist()]
    for t in Ts:
        _check_sizes(1, 1, t, eps)
    eps = v.as_float(eps, "eps", minimum=0.0)
    B = v.as_int(n_trials, "n_trials", minimum=1)
    work = B * a_arr.size * sum(Dv * Tv for Dv in Ds for Tv in Ts) * len(Ks)  # query-key products, about
    if work > SWEEP_WORK_LIMIT:
        raise ValueError(f"n_trials={B} over this grid needs about {work:.2g} multiply-adds, more than the "
                         f"{SWEEP_WORK_LIMIT:.0e} (hours on one core) sweep_amicl allows; expected fewer trials "
                         f"or a smaller grid")
    beta = _check_model(similarity, readout, beta)
    seed = v.as_seed(seed)
    chunk = v.as_int(chunk, "chunk", minimum=1)
    shape = (a_arr.size, len(Ds), len(Ts), len(Ks))
    correct = np.zeros(shape, np.int64)
    correct_d = np.zeros(shape, np.int64)
    n_d = np.zeros(shape[1:], np.int64)
    wsum = np.zeros(shape)
    for i, Dv in enumerate(Ds):
        for j, Tv in enumerate(Ts):
            for k, Kv in enumerate(Ks):
                for start in range(0, B, chunk):
                    nb = min(chunk, B - start)
                    c, w, _, dist, _ = _run(a_arr, nb, Dv, Kv, Tv, eps, similarity, readout, beta, seed, False,
                                            start)
                    correct[:, i, j, k] += c.sum(axis=0)
                    correct_d[:, i, j, k] += c[dist].sum(axis=0)
                    n_d[i, j, k] += int(dist.sum())
                    wsum[:, i, j, k] += w.sum(axis=0)
    return AMICLSweep(a_arr, np.array(Ds), np.array(Ts), np.array(Ks), B, correct, n_d, correct_d, wsum / B)

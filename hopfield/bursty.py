"""Bursty in-context classification sequences (Chan et al. 2022; Reddy 2024), as used by Burns et al. 2024.

Generative process (Reddy 2024, Sec. 2, which simplifies Chan et al. 2022 to
Gaussian items; the parameter names are his):

* ``K`` classes with means ``mu_k ~ N(0, I_D/D)``; an item of class ``k`` is
  ``x = (mu_k + eps eta)/sqrt(1 + eps^2)``, ``eta ~ N(0, I_D/D)`` drawn afresh for
  every item.
* Every class has one of ``L <= K`` labels, fixed once per task (a balanced
  assignment: a random permutation of ``0..K-1`` taken modulo ``L``); label ``y``
  is embedded as a vector ``l_y ~ N(0, I_D/D)``.
* Classes are drawn with the rank-frequency law ``p(k) ~ (k+1)^(-alpha)``
  (``alpha = 0``: uniform).
* A sequence holds ``N`` item-label pairs and a query item; the task is the
  query's label. Tokens: ``x_1, l_1, ..., x_N, l_N, x_q`` (``2N + 1`` vectors).
* Bursty sequence (probability ``p_B`` in training): ``N/B`` distinct classes,
  each contributing ``B`` items, in random order; the query's class is one of
  them (uniform). Non-bursty sequence: the ``N`` items' classes and the query's
  class are i.i.d. from ``p(k)``, so the query's class need not be in context.
* Novel classes (``p_C``, ``n_novel``; as in Reddy's published data generator,
  which Burns et al. 2024, Sec. 5, use with 128 novel classes): with probability
  ``p_C``, independently of ``p_B``, a training sequence is a bursty sequence
  whose ``N/B`` classes come from a pool of ``n_novel`` extra classes whose
  labels are drawn afresh for each sequence (uniform, distinct when
  ``N/B <= L``), so only the context can tell the label. The other sequences are
  bursty with probability ``p_B``. Fractions: novel ``p_C``, bursty
  ``p_C + (1 - p_C) p_B``. (Reddy's generator draws the novel means afresh for
  every batch and labels them ``k mod L``; a fixed pool with labels drawn per
  sequence makes the labels just as impossible to learn in the weights.)

Test sets (Reddy 2024, Fig. 1b):

* ``"train"``: the training mixture above;
* ``"icl"``: bursty sequences of brand-new classes (means drawn for that
  sequence only) with random labels: solvable only in context;
* ``"icl_flipped"``: bursty sequences of the ``K`` training classes whose labels
  are all shifted by the same random ``r in {1..L-1}`` modulo ``L``: the context
  contradicts the trained mapping;
* ``"iwl"``: non-bursty sequences of training classes: solvable only from the
  weights.

Randomness: batch ``b`` of a call draws from ``numpy.random.SeedSequence([seed, b])``
(vectorized numpy, fast for training loops); the task's fixed parts from
``SeedSequence(seed)``.

References
----------
S. Chan et al., "Data distributional properties drive emergent in-context
learning in transformers", NeurIPS 2022 (arXiv:2205.05055).
G. Reddy, "The mechanistic basis of data dependence and abrupt learning in an
in-context classification task", ICLR 2024 (arXiv:2312.03002), Sec. 2.
M. Burns, T. Fukai, C. Earls, arXiv:2412.15113 (2024), Sec. 5 (K = 512, L = 32,
N = 8, B = 2, p_B = p_C = 0.5, 128 novel classes, eps = 0.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hopfield import _validate as v

__all__ = ["BurstyTask", "BurstyBatch", "KINDS"]

KINDS = ("train", "icl", "icl_flipped", "iwl")


@dataclass(frozen=True)
class BurstyBatch:
    """A batch of ``n`` sequences.

    Attributes
    ----------
    items : ndarray of shape (n, N + 1, D), float64
        Context items, then the query item (last).
    classes : ndarray of shape (n, N + 1), int64
        Class of each item: ``0..K-1`` training classes, ``K..K+n_novel-1`` the
        novel pool, ``-1`` a brand-new class (``"icl"``).
    labels : ndarray of shape (n, N + 1), int64
        Label shown with each context item; the last column is the query's
        correct label (the target).
    bursty : ndarray of shape (n,), bool
    novel : ndarray of shape (n,), bool
        Classes from the novel pool or brand new.
    label_vectors : ndarray of shape (L, D), float64
    """

    items: np.ndarray
    classes: np.ndarray
    labels: np.ndarray
    bursty: np.ndarray
    novel: np.ndarray
    label_vectors: np.ndarray = field(repr=False)

    @property
    def target(self) -> np.ndarray:
        """The query's correct label, shape (n,), int64."""
        return self.labels[:, -1]

    def tokens(self) -> np.ndarray:
        """The interleaved sequence ``x_1, l_1, ..., x_N, l_N, x_q``, shape (n, 2N + 1, D)."""
        n, N1, D = self.items.shape
        out = np.empty((n, 2 * N1 - 1, D))
        out[:, 0::2] = self.items
        out[:, 1::2] = self.label_vectors[self.labels[:, :-1]]
        return out


class BurstyTask:
    """The fixed part of the task (class means, novel pool, label assignment) and its samplers.

    Parameters
    ----------
    K : int
        Training classes.
    L : int
        Labels (``1 <= L <= K``).
    N : int
        Item-label pairs per sequence (a multiple of ``B``).
    B : int
        Burstiness: items per class in a bursty sequence (``1 <= B <= N``).
    D : int
        Dimension of items and labels.
    eps : float
        Within-class noise.
    alpha : float
        Rank-frequency exponent (``>= 0``).
    p_B : float
        Probability that a training sequence of the ``K`` training classes is bursty.
    p_C : float
        Fraction of training sequences that are bursty sequences of novel-pool
        classes (drawn independently of ``p_B``).
    n_novel : int
        Size of the novel pool (``>= N/B`` when ``p_C > 0``).
    seed : int
        Seed of the fixed part and of the batches.

    Examples
    --------
    >>> task = BurstyTask(K=512, L=32, N=8, B=2, D=64, p_B=0.5, p_C=0.5, n_novel=128, seed=0)
    >>> batch = task.sample(128, "train", batch_index=0)
    >>> batch.items.shape, batch.tokens().shape, batch.target.shape
    ((128, 9, 64), (128, 17, 64), (128,))
    """

    def __init__(self, K: int = 512, L: int = 32, N: int = 8, B: int = 2, D: int = 64, eps: float = 0.1,
                 alpha: float = 0.0, p_B: float = 0.5, p_C: float = 0.5, n_novel: int = 128, seed: int = 0) -> None:
        self.K = v.as_int(K, "K", minimum=1)
        self.L = v.as_int(L, "L", minimum=1, maximum=self.K)
        self.N = v.as_int(N, "N", minimum=1)
        self.B = v.as_int(B, "B", minimum=1, maximum=self.N)
        if self.N % self.B:
            raise ValueError(f"N must be a multiple of B, got N={self.N}, B={self.B}")
        if self.N // self.B > self.K:
            raise ValueError(f"K must be >= N/B (distinct classes of a bursty sequence), got K={self.K}, "
                             f"N/B={self.N // self.B}")
        self.D = v.as_int(D, "D", minimum=1)
        self.eps = v.as_float(eps, "eps", minimum=0.0)
        self.alpha = v.as_float(alpha, "alpha", minimum=0.0)
        self.p_B = _prob(p_B, "p_B")
        self.p_C = _prob(p_C, "p_C")
        self.n_novel = v.as_int(n_novel, "n_novel", minimum=0)
        if self.p_C > 0 and self.n_novel < self.N // self.B:
            raise ValueError(f"n_novel must be >= N/B = {self.N // self.B} when p_C > 0, got {self.n_novel}")
        self.seed = v.as_seed(seed)
        rng = np.random.default_rng(np.random.SeedSequence(self.seed))
        s = 1.0 / np.sqrt(self.D)
        self.means = rng.standard_normal((self.K, self.D)) * s  # (K, D)
        self.novel_means = rng.standard_normal((self.n_novel, self.D)) * s  # (n_novel, D)
        self.label_vectors = rng.standard_normal((self.L, self.D)) * s  # (L, D)
        self.class_labels = (rng.permutation(self.K) % self.L).astype(np.int64)  # (K,)
        w = (np.arange(1, self.K + 1, dtype=float)) ** (-self.alpha)
        self.p_class = w / w.sum()  # (K,)

    # -- helpers -------------------------------------------------------------------------------
    def _items(self, rng, means):
        """Items ``(mu + eps eta)/sqrt(1+eps^2)`` for an array of means (..., D)."""
        eta = rng.standard_normal(means.shape) / np.sqrt(self.D)
        return (means + self.eps * eta) / np.sqrt(1.0 + self.eps**2)

    def _bursty_classes(self, rng, n, pool_p):
        """(n, N+1) classes: N/B distinct classes x B, shuffled, then the query's class; pool ids 0..len-1."""
        G = self.N // self.B
        chosen = _choice_without_replacement(rng, pool_p, n, G)  # (n, G)
        ctx = np.repeat(chosen, self.B, axis=1)  # (n, N)
        ctx = np.take_along_axis(ctx, np.argsort(rng.random((n, self.N)), axis=1), axis=1)
        q = chosen[np.arange(n), rng.integers(0, G, n)]
        return np.concatenate([ctx, q[:, None]], axis=1)

    def _random_labels(self, rng, n):
        """(n, N/B) labels for the groups of a sequence: distinct when N/B <= L."""
        G = self.N // self.B
        if G <= self.L:
            return np.argsort(rng.random((n, self.L)), axis=1)[:, :G].astype(np.int64)
        return rng.integers(0, self.L, (n, G))

    def _group_labels(self, classes, group_labels):
        """Map each item's class to its group's label: the ``g``-th distinct class in ``classes`` order."""
        n = classes.shape[0]
        out = np.empty_like(classes)
        for i in range(n):
            uniq = np.unique(classes[i, :-1])
            idx = np.searchsorted(uniq, classes[i])
            out[i] = group_labels[i, idx]
        return out

    # -- the four kinds ----------------------------------------------------------------------
    def sample(self, n: int, kind: str = "train", batch_index: int = 0) -> BurstyBatch:
        """Draw ``n`` sequences of ``kind`` (``"train"``, ``"icl"``, ``"icl_flipped"``, ``"iwl"``).

        Batch ``batch_index`` draws from ``SeedSequence([seed, batch_index, kind])`` only.
        """
        n = v.as_int(n, "n", minimum=1)
        v.as_choice(kind, "kind", KINDS)
        b = v.as_int(batch_index, "batch_index", minimum=0)
        if kind == "icl_flipped" and self.L < 2:
            raise ValueError(f"kind 'icl_flipped' needs L >= 2 labels to flip, got L={self.L}")
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, b, KINDS.index(kind)]))
        K, N = self.K, self.N
        if kind == "iwl":
            return self._iid(rng, n)
        if kind == "icl_flipped":
            cls = self._bursty_classes(rng, n, self.p_class)
            r = rng.integers(1, self.L, n) if self.L > 1 else np.zeros(n, np.int64)
            labels = (self.class_labels[cls] + r[:, None]) % self.L
            return BurstyBatch(self._items(rng, self.means[cls]), cls, labels, np.ones(n, bool), np.zeros(n, bool),
                               self.label_vectors)
        if kind == "icl":
            G = N // self.B
            local = self._bursty_classes(rng, n, np.full(G, 1.0 / G))  # groups 0..G-1 of fresh classes
            fresh = rng.standard_normal((n, G, self.D)) / np.sqrt(self.D)  # (n, G, D)
            means = np.take_along_axis(fresh, local[:, :, None], axis=1)
            labels = np.take_along_axis(self._random_labels(rng, n), local, axis=1)
            return BurstyBatch(self._items(rng, means), np.full((n, N + 1), -1, np.int64), labels, np.ones(n, bool),
                               np.ones(n, bool), self.label_vectors)
        # training mixture
        u_B, u_C = rng.random(n), rng.random(n)
        novel = u_C < self.p_C  # novel-pool sequences are always bursty
        bursty = novel | (u_B < self.p_B)
        cls = rng.choice(K, size=(n, N + 1), p=self.p_class).astype(np.int64)  # non-bursty rows: i.i.d.
        labels = self.class_labels[cls]
        known = bursty & ~novel
        if known.any():
            c = self._bursty_classes(rng, int(known.sum()), self.p_class)
            cls[known] = c
            labels[known] = self.class_labels[c]
        if novel.any():
            nn = int(novel.sum())
            c = self._bursty_classes(rng, nn, np.full(self.n_novel, 1.0 / self.n_novel))
            cls[novel] = K + c
            labels[novel] = self._group_labels(c, self._random_labels(rng, nn))
        means = np.empty((n, N + 1, self.D))
        pool = cls >= K
        means[~pool] = self.means[cls[~pool]]
        means[pool] = self.novel_means[cls[pool] - K]
        return BurstyBatch(self._items(rng, means), cls, labels, bursty, novel, self.label_vectors)

    def _iid(self, rng, n):
        cls = rng.choice(self.K, size=(n, self.N + 1), p=self.p_class).astype(np.int64)
        return BurstyBatch(self._items(rng, self.means[cls]), cls, self.class_labels[cls], np.zeros(n, bool),
                           np.zeros(n, bool), self.label_vectors)


def _prob(x, name):
    x = v.as_float(x, name, minimum=0.0)
    if x > 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {x}")
    return x


def _choice_without_replacement(rng, p, n, G):
    """(n, G) distinct indices per row drawn with weights ``p`` (Gumbel top-G, i.e. sequential sampling)."""
    g = np.log(p)[None, :] - np.log(-np.log(rng.random((n, p.shape[0]))))
    return np.argsort(-g, axis=1)[:, :G].astype(np.int64)

"""Bigram language models over ``V`` tokens: synthetic (seeded) or estimated from a text.

A bigram model is a unigram ``pi_u`` (the distribution of a sequence's first
token, and of trigger tokens) and a transition matrix ``pi_b`` with
``pi_b[i, j] = pi_b(j | i)``. It is the data model of Bietti et al. (2023),
Sec. 3, and of Wang & Sato (2024), whose transformer stores ``log pi_b`` in a
feed-forward associative memory.

Two sources:

* :func:`synthetic_bigram`: a Zipfian unigram ``pi_u(k) ~ (k + 1)^(-zipf)`` and
  rows ``pi_b(. | i) ~ Dirichlet(concentration * V * pi_u)`` (mean ``pi_u``),
  mixed with ``floor * pi_u`` so that every entry is positive (``log pi_b`` is
  finite). Drawn from ``numpy.random.SeedSequence(seed)``.
* :func:`bigram_from_text`: character level, add-one (Laplace) smoothing of the
  unigram and bigram counts of a text. :func:`shipped_text` returns the small
  public-domain text shipped with amlab (Jane Austen, *Pride and Prejudice*,
  1813, chapter 1, and Abraham Lincoln's Gettysburg Address, 1863; both in the
  public domain, written out for amlab and lower-cased). Nothing is downloaded.

References
----------
A. Bietti, V. Cabannes, D. Bouchacourt, H. Jegou, L. Bottou, "Birth of a
Transformer: A Memory Viewpoint", NeurIPS 2023 (arXiv:2306.00802), Sec. 3.
J. Wang, I. Sato, "Rethinking associative memory mechanism in induction head",
COLM 2025 (arXiv:2412.11459).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Optional

import numpy as np
import numpy.typing as npt

from hopfield import _validate as v

__all__ = ["BigramModel", "synthetic_bigram", "bigram_from_text", "shipped_text", "SHIPPED_TEXT"]

#: File name of the shipped public-domain text (package data of ``hopfield``).
SHIPPED_TEXT = "pride_and_gettysburg.txt"

#: Rows of ``pi_b`` (and ``pi_u``) must sum to 1 within this tolerance.
SUM_TOL = 1e-8


def _check_distribution(p, name: str, ndim: int) -> np.ndarray:
    """Return ``p`` as float64 if it holds probability vectors along its last axis, else raise."""
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a float array of probabilities, got {type(p).__name__}") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries; expected probabilities")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, found {arr[arr < 0].ravel()[0]!r}")
    sums = arr.sum(axis=-1)
    bad = np.flatnonzero(np.abs(sums - 1.0).ravel() > SUM_TOL)
    if bad.size:
        where = f"row {int(bad[0])} " if ndim == 2 else ""
        raise ValueError(f"{name} {where}sums to {float(sums.ravel()[bad[0]])!r}; expected rows that sum to 1")
    return arr


@dataclass(frozen=True)
class BigramModel:
    """A bigram language model: ``pi_u`` and ``pi_b[i, j] = pi_b(j | i)``.

    Parameters
    ----------
    pi_u : ndarray of shape (V,), float64
        Unigram distribution (first token, trigger tokens).
    pi_b : ndarray of shape (V, V), float64
        Transition matrix; every row sums to 1. All entries must be positive:
        the feed-forward memory stores ``log pi_b``.
    vocab : str or None
        For a character-level model, ``vocab[k]`` is the character of token ``k``.

    Examples
    --------
    >>> import numpy as np
    >>> m = BigramModel(np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]]))
    >>> m.V, round(float(m.log_pi_b[0, 1]), 4)
    (2, -2.3026)
    """

    pi_u: np.ndarray
    pi_b: np.ndarray
    vocab: Optional[str] = field(default=None, compare=False)

    def __post_init__(self):
        pi_u = _check_distribution(self.pi_u, "pi_u", 1)
        pi_b = _check_distribution(self.pi_b, "pi_b", 2)
        V = pi_u.shape[0]
        if pi_b.shape != (V, V):
            raise ValueError(f"pi_b must have shape (V, V) = ({V}, {V}) to match pi_u, got {pi_b.shape}")
        if V < 2:
            raise ValueError(f"the vocabulary size V must be >= 2, got {V}")
        if np.any(pi_b == 0):
            i, j = np.argwhere(pi_b == 0)[0]
            raise ValueError(f"pi_b[{i}, {j}] is 0; log pi_b is needed, so every transition must be positive "
                             "(smooth the counts, e.g. add-one)")
        if self.vocab is not None and (not isinstance(self.vocab, str) or len(self.vocab) != V):
            raise ValueError(f"vocab must be a string of V = {V} characters or None, got {self.vocab!r:.40}")
        object.__setattr__(self, "pi_u", pi_u)
        object.__setattr__(self, "pi_b", pi_b)

    @property
    def V(self) -> int:
        """Vocabulary size."""
        return int(self.pi_u.shape[0])

    @property
    def log_pi_b(self) -> np.ndarray:
        """``log pi_b``, shape (V, V), float64 (finite: all entries are positive)."""
        return np.log(self.pi_b)

    def encode(self, text: str) -> np.ndarray:
        """Token ids of the characters of ``text`` (character-level models only), int64."""
        if self.vocab is None:
            raise ValueError("encode needs a character-level model (vocab is None)")
        index = {c: i for i, c in enumerate(self.vocab)}
        missing = sorted(set(text) - set(index))
        if missing:
            raise ValueError(f"text holds characters outside the vocabulary: {''.join(missing)!r}")
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, tokens: npt.ArrayLike) -> str:
        """The characters of token ids (character-level models only)."""
        if self.vocab is None:
            raise ValueError("decode needs a character-level model (vocab is None)")
        toks = check_tokens(tokens, self.V)
        return "".join(self.vocab[int(k)] for k in toks.ravel())


def check_tokens(tokens: npt.ArrayLike, V: int, name: str = "tokens") -> np.ndarray:
    """Return ``tokens`` as an int64 array if all ids lie in ``0..V-1``, else raise."""
    arr = np.asarray(tokens)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an integer array of token ids, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= V):
        bad = arr[(arr < 0) | (arr >= V)].ravel()[0]
        raise ValueError(f"{name} holds the id {int(bad)}, outside the vocabulary 0..{V - 1}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def synthetic_bigram(V: int, seed: int = 0, zipf: float = 1.0, concentration: float = 1.0,
                     floor: float = 1e-3) -> BigramModel:
    """A seeded synthetic bigram model with a Zipfian unigram and Dirichlet rows.

    Parameters
    ----------
    V : int
        Vocabulary size (>= 2).
    seed : int
        Seed of ``numpy.random.SeedSequence``.
    zipf : float
        Exponent of the unigram ``pi_u(k) ~ (k + 1)^(-zipf)`` (0: uniform).
    concentration : float
        Row ``i`` is ``(1 - floor) g_i + floor pi_u`` with
        ``g_i ~ Dirichlet(concentration * V * pi_u)``; small values give peaked rows.
    floor : float
        Weight of ``pi_u`` mixed into every row, in (0, 1), so that ``pi_b > 0``.

    Returns
    -------
    BigramModel

    Examples
    --------
    >>> m = synthetic_bigram(8, seed=1)
    >>> m.pi_b.shape, bool(abs(m.pi_b.sum(axis=1) - 1).max() < 1e-12)
    ((8, 8), True)
    """
    V = v.as_int(V, "V", minimum=2)
    seed = v.as_seed(seed)
    zipf = v.as_float(zipf, "zipf", minimum=0.0)
    concentration = v.as_float(concentration, "concentration", minimum=0.0, strict=True)
    floor = v.as_float(floor, "floor", minimum=0.0, strict=True)
    if floor >= 1:
        raise ValueError(f"floor must be < 1, got {floor}")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    pi_u = (np.arange(1, V + 1, dtype=np.float64)) ** (-zipf)
    pi_u /= pi_u.sum()
    g = rng.gamma(concentration * V * pi_u, size=(V, V))  # (V, V): row i ~ Dirichlet via gammas
    s = g.sum(axis=1, keepdims=True)
    g = np.where(s > 0, g / np.where(s > 0, s, 1.0), pi_u)  # an all-zero row (tiny shapes) becomes pi_u
    pi_b = (1 - floor) * g + floor * pi_u
    pi_b /= pi_b.sum(axis=1, keepdims=True)
    return BigramModel(pi_u, pi_b)


def shipped_text() -> str:
    """The public-domain text shipped with amlab (about 6 KB, lower case).

    Jane Austen, *Pride and Prejudice* (1813), chapter 1, and Abraham Lincoln,
    the Gettysburg Address (1863); both in the public domain.

    Examples
    --------
    >>> shipped_text()[:30]
    'it is a truth universally ackn'
    """
    return resources.files("hopfield").joinpath("data", SHIPPED_TEXT).read_text(encoding="utf-8")


def bigram_from_text(text: Optional[str] = None, path: str | Path | None = None,
                     vocab: Optional[str] = None) -> BigramModel:
    """Character-level bigram model of a text, with add-one smoothing.

    ``pi_u(c) = (n_c + 1) / (n + V)`` and ``pi_b(c' | c) = (n_{c c'} + 1) / (n_{c .} + V)``
    where ``n_c`` counts characters and ``n_{c c'}`` adjacent pairs.

    Parameters
    ----------
    text : str, optional
        The text; give either ``text`` or ``path``. With neither, the shipped text.
    path : str or Path, optional
        A UTF-8 text file.
    vocab : str, optional
        The characters, in token order (default: the sorted distinct characters of the text).

    Returns
    -------
    BigramModel
        With ``vocab`` set.

    Examples
    --------
    >>> m = bigram_from_text("abab")
    >>> m.vocab, m.pi_b[0].round(3).tolist()
    ('ab', [0.25, 0.75])
    """
    if text is not None and path is not None:
        raise ValueError("give either text or path, not both")
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ValueError(f"path must be an existing text file, got {str(path)!r}")
        text = p.read_text(encoding="utf-8")
    elif text is None:
        text = shipped_text()
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if len(text) < 2:
        raise ValueError(f"text must hold at least 2 characters, got {len(text)}")
    if vocab is None:
        vocab = "".join(sorted(set(text)))
    elif not isinstance(vocab, str) or len(set(vocab)) != len(vocab):
        raise ValueError(f"vocab must be a string of distinct characters, got {vocab!r:.40}")
    V = len(vocab)
    if V < 2:
        raise ValueError(f"the text must hold at least 2 distinct characters, got {V}")
    index = {c: i for i, c in enumerate(vocab)}
    missing = sorted(set(text) - set(index))
    if missing:
        raise ValueError(f"text holds characters outside vocab: {''.join(missing)!r}")
    ids = np.array([index[c] for c in text], dtype=np.int64)
    uni = np.bincount(ids, minlength=V).astype(np.float64) + 1.0
    pairs = np.zeros((V, V))
    np.add.at(pairs, (ids[:-1], ids[1:]), 1.0)
    pairs += 1.0
    return BigramModel(uni / uni.sum(), pairs / pairs.sum(axis=1, keepdims=True), vocab=vocab)

"""Text for the language-model experiment: a byte-level tokenizer, the corpus reader and its splits.

The tokenizer is amlab's own and needs no download: a text's tokens are its
UTF-8 bytes (vocabulary 256), so any file is a corpus and decoding is exact.
The corpus is split into a training part (the first ``1 - val_fraction`` of
the bytes) and a validation part (the rest): contiguous, so no passage is in
both. Training batches are windows drawn at random offsets of the training part
on the device (:func:`sample_windows`, inside the jitted step); the validation
windows are fixed, evenly spaced over the validation part
(:func:`eval_offsets`), so every evaluation scores the same text.

Corpora: ``"sample"`` is the few-KB public-domain text shipped with amlab
(``hopfield/data/pride_and_gettysburg.txt``: the opening of *Pride and
Prejudice* and the Gettysburg Address), for tests; the default of the
training runs is the King James Version prepared by
``benchmarks/prepare_lm_corpus.py`` from Debian's ``bible-kjv-text`` package
into ``.corpus/kjv.txt`` (public domain; docs/training.md). Any other path is
read as the user's own UTF-8 text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Tuple, Union

import numpy as np
import numpy.typing as npt

__all__ = ["VOCAB", "SAMPLE", "DEFAULT_CORPUS", "encode", "decode", "resolve", "read_corpus", "split",
           "eval_offsets", "sample_windows", "digest"]

#: Vocabulary size of the byte-level tokenizer.
VOCAB = 256
#: The shipped public-domain sample (tests, smoke runs).
SAMPLE = Path(__file__).resolve().parents[2] / "hopfield" / "data" / "pride_and_gettysburg.txt"
#: Where ``benchmarks/prepare_lm_corpus.py`` writes the prepared corpus (relative to the working directory).
DEFAULT_CORPUS = ".corpus/kjv.txt"


def encode(text: str) -> np.ndarray:
    """Tokens of ``text``: its UTF-8 bytes, shape (n,), uint8.

    Examples
    --------
    >>> encode("Let there be light").tolist()[:3]
    [76, 101, 116]
    >>> decode(encode("naïve café"))
    'naïve café'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8).copy()


def decode(tokens: npt.ArrayLike) -> str:
    """The text of byte tokens (an incomplete UTF-8 sequence at a window's edge becomes U+FFFD)."""
    arr = np.asarray(tokens)
    if arr.ndim != 1 or (arr.size and (arr.min() < 0 or arr.max() >= VOCAB)):
        raise ValueError(f"tokens must be a 1-d array of integers in [0, {VOCAB}), got shape {arr.shape}")
    return arr.astype(np.uint8).tobytes().decode("utf-8", errors="replace")


def resolve(corpus: Union[str, Path]) -> Path:
    """The file of ``corpus``: ``"sample"`` is the shipped sample, anything else a path.

    Raises
    ------
    ValueError
        The file does not exist (the message says how to prepare the default corpus).
    """
    if str(corpus) == "sample":
        return SAMPLE
    path = Path(corpus)
    if not path.is_file():
        hint = (" (prepare it with `python benchmarks/prepare_lm_corpus.py`, or pass --corpus PATH to a "
                "UTF-8 text file, or --corpus sample)") if str(corpus) == DEFAULT_CORPUS else ""
        raise ValueError(f"corpus must be an existing text file, got {str(corpus)!r}{hint}")
    return path


def read_corpus(corpus: Union[str, Path]) -> np.ndarray:
    """The byte tokens (n,) uint8 of a corpus file (:func:`resolve`); ``ValueError`` if it is not UTF-8 text."""
    data = resolve(corpus).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"corpus must be UTF-8 text, {str(corpus)!r} is not ({exc.reason} at byte {exc.start})") \
            from None
    return np.frombuffer(data, dtype=np.uint8).copy()


def digest(tokens: np.ndarray) -> str:
    """SHA-256 of the token bytes (recorded, and part of a checkpoint's key)."""
    return hashlib.sha256(np.ascontiguousarray(tokens, dtype=np.uint8).tobytes()).hexdigest()


def split(tokens: np.ndarray, val_fraction: float, T: int) -> Tuple[np.ndarray, np.ndarray]:
    """``(train, val)``: the first ``1 - val_fraction`` of the tokens and the rest.

    Raises
    ------
    ValueError
        A part is too short for one window of ``T + 1`` tokens.
    """
    n = len(tokens)
    n_val = int(round(n * val_fraction))
    train, val = tokens[: n - n_val], tokens[n - n_val:]
    for name, part in (("training", train), ("validation", val)):
        if len(part) < T + 1:
            raise ValueError(f"T must be smaller than the corpus's {name} part ({len(part)} tokens of {n}, "
                             f"val_fraction={val_fraction}), got T={T}")
    return train, val


def eval_offsets(n_tokens: int, T: int, n: int) -> np.ndarray:
    """Start offsets (n,) int of ``n`` evaluation windows of ``T + 1`` tokens, evenly spaced (may overlap)."""
    return np.linspace(0, n_tokens - T - 1, n).round().astype(np.int32)


def sample_windows(key: Any, tokens: Any, T: int, B: int) -> Any:
    """``B`` windows of ``T + 1`` tokens at uniform random offsets of ``tokens`` (a device array): (B, T + 1) int32.

    JAX, traceable (used inside the jitted training step).
    """
    import jax
    import jax.numpy as jnp

    starts = jax.random.randint(key, (B,), 0, tokens.shape[0] - T)  # (B,), the last start is n - T - 1
    return jax.vmap(lambda s: jax.lax.dynamic_slice(tokens, (s,), (T + 1,)))(starts).astype(jnp.int32)

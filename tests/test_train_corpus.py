"""The language model's corpus: byte tokenizer round trip, reader, splits, windows, the KJV preparation."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from simulations.train import corpus as C

ROOT = Path(__file__).resolve().parents[1]


def test_round_trip_and_bytes():
    text = "In the beginning, naïve café — “quoted”.\n"
    tok = C.encode(text)
    assert tok.dtype == np.uint8 and len(tok) == len(text.encode("utf-8")) > len(text)  # multi-byte characters
    assert C.decode(tok) == text
    assert C.decode(C.encode("abc")[::-1]) == "cba"  # decoding follows the tokens, not a cached text
    with pytest.raises(TypeError, match="text"):
        C.encode(b"bytes")
    with pytest.raises(ValueError, match="tokens"):
        C.decode([300])


def test_reader_sample_and_split():
    tok = C.read_corpus("sample")
    assert C.decode(tok) == C.SAMPLE.read_text(encoding="utf-8")
    train, val = C.split(tok, 0.1, 64)
    assert len(val) == round(0.1 * len(tok)) and np.array_equal(np.concatenate([train, val]), tok)
    with pytest.raises(ValueError, match="T must be smaller"):
        C.split(tok, 0.001, 64)
    off = C.eval_offsets(len(val), 64, 5)
    assert off[0] == 0 and off[-1] == len(val) - 65 and np.all(np.diff(off) > 0)


def test_reader_user_file_and_bad_files(tmp_path, monkeypatch):
    good = tmp_path / "mine.txt"
    good.write_text("my own text, my own words\n", encoding="utf-8")
    assert C.decode(C.read_corpus(good)) == "my own text, my own words\n"
    with pytest.raises(ValueError, match="corpus must be an existing"):
        C.read_corpus(tmp_path / "missing.txt")
    monkeypatch.chdir(tmp_path)  # no prepared corpus here: the message says how to make it
    with pytest.raises(ValueError, match="prepare_lm_corpus"):
        C.resolve(C.DEFAULT_CORPUS)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("café".encode("latin-1"))
    with pytest.raises(ValueError, match="UTF-8"):
        C.read_corpus(bad)


def test_sample_windows_are_slices():
    jax = pytest.importorskip("jax")
    tok = np.arange(200, dtype=np.uint8)
    w = np.asarray(C.sample_windows(jax.random.PRNGKey(0), jax.numpy.asarray(tok), 16, 64))
    assert w.shape == (64, 17)
    assert np.all(np.diff(w, axis=1) == 1)  # contiguous windows of the corpus
    assert w[:, 0].min() >= 0 and w[:, -1].max() <= 199 and len(set(w[:, 0])) > 30


def test_prepare_kjv_prose():
    spec = importlib.util.spec_from_file_location("prep", ROOT / "benchmarks" / "prepare_lm_corpus.py")
    prep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(prep)
    raw = ("\nGenesis 1\n\n  1 In the beginning God created the heaven and the earth.\n  2 And the earth was\n"
           "without form.\n\nGenesis 2\n\n  1 Thus the heavens\n\n1 John 1\n\n  1 That which was from the beginning\n")
    assert prep.prose(raw) == ("Genesis 1\nIn the beginning God created the heaven and the earth. And the earth was "
                               "without form.\n\nGenesis 2\nThus the heavens\n\n1 John 1\nThat which was from the "
                               "beginning\n")

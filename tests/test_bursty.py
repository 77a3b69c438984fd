"""Bursty in-context classification sequences: structure and statistics of the four kinds."""

import numpy as np
import pytest
from scipy import stats

from hopfield.bursty import BurstyTask

TASK = dict(K=64, L=8, N=8, B=2, D=64, eps=0.1, p_B=0.5, p_C=0.5, n_novel=16, seed=3)


@pytest.fixture(scope="module")
def task():
    return BurstyTask(**TASK)


def _group_counts(row):
    _, counts = np.unique(row, return_counts=True)
    return sorted(counts.tolist())


def test_shapes_and_tokens(task):
    b = task.sample(50, "train", batch_index=0)
    assert b.items.shape == (50, 9, 64) and b.classes.shape == b.labels.shape == (50, 9)
    tok = b.tokens()
    assert tok.shape == (50, 17, 64)
    assert np.array_equal(tok[:, 0::2], b.items)
    assert np.array_equal(tok[:, 1::2], task.label_vectors[b.labels[:, :-1]])


def test_burstiness_and_query_in_context(task):
    b = task.sample(400, "train", batch_index=1)
    for i in np.nonzero(b.bursty)[0]:
        ctx = b.classes[i, :-1]
        assert _group_counts(ctx) == [2, 2, 2, 2]  # N/B = 4 classes, B = 2 items each
        assert b.classes[i, -1] in ctx
    # Non-bursty rows: i.i.d. classes, so with K = 64 and N = 8 most rows have 8 distinct classes
    # (probability prod(1 - j/64) = 0.63); bursty rows never do.
    nb = ~b.bursty
    distinct = np.array([len(set(r[:-1])) for r in b.classes[nb]])
    assert (distinct == 8).mean() > 0.45


def test_label_mapping_of_training_classes(task):
    counts = np.bincount(task.class_labels, minlength=task.L)
    assert np.all(counts == task.K // task.L)  # balanced assignment
    b = task.sample(300, "train", batch_index=2)
    known = ~b.novel
    assert np.array_equal(b.labels[known], task.class_labels[b.classes[known]])
    iwl = task.sample(100, "iwl")
    assert np.array_equal(iwl.labels, task.class_labels[iwl.classes])
    assert not iwl.bursty.any()


def test_novel_classes_in_training(task):
    b = task.sample(400, "train", batch_index=4)
    for i in np.nonzero(b.novel)[0]:
        c, y = b.classes[i], b.labels[i]
        assert np.all((c >= task.K) & (c < task.K + task.n_novel))
        for cls in np.unique(c):
            assert len(set(y[c == cls])) == 1  # one label per class within a sequence
        assert len(set(y[:-1])) == 4  # N/B = 4 <= L: distinct labels
    assert np.all(b.bursty[b.novel])


def test_mixture_fractions(task):
    # 4000 sequences, p_B = p_C = 0.5 as in Reddy's generator: novel fraction p_C = 0.5 (sd 0.0079),
    # bursty fraction p_C + (1 - p_C) p_B = 0.75 (sd 0.0068), bursty among the training-class
    # sequences p_B = 0.5; exact binomial tests at level 1e-4.
    b = task.sample(4000, "train", batch_index=5)
    assert stats.binomtest(int(b.novel.sum()), 4000, 0.5).pvalue > 1e-4
    assert stats.binomtest(int(b.bursty.sum()), 4000, 0.75).pvalue > 1e-4
    known = ~b.novel
    assert stats.binomtest(int(b.bursty[known].sum()), int(known.sum()), 0.5).pvalue > 1e-4


def test_flipped_labels(task):
    b = task.sample(300, "icl_flipped", batch_index=6)
    shift = (b.labels - task.class_labels[b.classes]) % task.L
    assert np.all(shift == shift[:, :1])  # one shift per sequence
    assert np.all(shift[:, 0] != 0)  # every label differs from the trained one
    # The target is the flipped label, consistent with the context.
    for i in range(300):
        q = b.classes[i, -1]
        assert b.target[i] in b.labels[i, :-1][b.classes[i, :-1] == q]
    # Shifts are uniform on 1..L-1: chi-square over 300 sequences.
    obs = np.bincount(shift[:, 0], minlength=task.L)[1:]
    assert stats.chisquare(obs).pvalue > 1e-4


def test_icl_uses_brand_new_classes(task):
    b = task.sample(200, "icl", batch_index=7)
    assert np.all(b.classes == -1) and b.novel.all() and b.bursty.all()
    x = b.items / np.linalg.norm(b.items, axis=-1, keepdims=True)
    mu = task.means / np.linalg.norm(task.means, axis=-1, keepdims=True)
    # A training item has cosine ~1/sqrt(1+eps^2) = 0.995 with its mean; a new class's items are
    # random directions: |cos| with 64 means in D = 64 stays below ~0.6 (sd 1/8, 5 sd).
    assert np.abs(x @ mu.T).max() < 0.65
    for i in range(200):
        y = b.labels[i]
        assert _group_counts(y[:-1]) == [2, 2, 2, 2]
        assert y[-1] in y[:-1]
        # items that share a label share a class: cosine ~ 0.99
        j, k = np.nonzero(y[:-1] == y[-1])[0]
        assert x[i, j] @ x[i, k] > 0.9


def test_item_statistics(task):
    # Coordinates of items are N(0, 1/D): variance of 300*9*64 values, relative sd 0.005; 5 sd.
    b = task.sample(300, "iwl", batch_index=8)
    assert abs(b.items.var() * task.D - 1) < 0.03


def test_rank_frequency():
    t = BurstyTask(K=20, L=4, N=4, B=2, D=8, alpha=1.0, p_C=0.0, n_novel=0, seed=1)
    c = t.sample(5000, "iwl").classes.ravel()
    obs = np.bincount(c, minlength=20)
    expect = obs.sum() / np.arange(1, 21) / np.sum(1 / np.arange(1, 21))
    assert stats.chisquare(obs, expect).pvalue > 1e-4
    # A wrong law (uniform) is rejected.
    assert stats.chisquare(obs).pvalue < 1e-6


def test_determinism(task):
    a = task.sample(20, "train", batch_index=9)
    b = BurstyTask(**TASK).sample(20, "train", batch_index=9)
    assert np.array_equal(a.items, b.items) and np.array_equal(a.labels, b.labels)
    c = task.sample(20, "train", batch_index=10)
    assert not np.array_equal(a.items, c.items)


@pytest.mark.parametrize("kw,exc,word", [
    (dict(N=7, B=2), ValueError, "multiple"),
    (dict(L=100, K=64), ValueError, "L"),
    (dict(p_B=1.5), ValueError, "p_B"),
    (dict(p_C=0.5, n_novel=2), ValueError, "n_novel"),
    (dict(eps=-0.1), ValueError, "eps"),
])
def test_bad_parameters(kw, exc, word):
    with pytest.raises(exc, match=word):
        BurstyTask(**{**TASK, **kw})


def test_bad_kind(task):
    with pytest.raises(ValueError, match="kind"):
        task.sample(3, "test")
    with pytest.raises(ValueError, match="L >= 2"):
        BurstyTask(**{**TASK, "L": 1}).sample(3, "icl_flipped")

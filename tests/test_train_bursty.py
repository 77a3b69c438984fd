"""The JAX bursty sampler against hopfield.bursty.BurstyTask: exact structure and distributions.

Statistical comparisons use a two-sided level of 1e-3 per comparison (about ten
comparisons, so a false alarm has probability about 1%); sample sizes of 2000
sequences detect a 5-point shift of a proportion with power > 0.99.
"""

import numpy as np
import pytest
from scipy import stats

jax = pytest.importorskip("jax")
pytest.importorskip("optax")

from hopfield.bursty import BurstyTask  # noqa: E402
from simulations.train import bursty as JB  # noqa: E402

ALPHA = 1e-3
n = 2000


@pytest.fixture(scope="module")
def task():
    return BurstyTask(K=64, L=8, N=8, B=2, D=16, eps=0.1, alpha=1.0, p_B=0.5, p_C=0.3, n_novel=16, seed=5)


def draw(task, kind, novel="pool", seed=1):
    spec, arrays = JB.Spec.of(task, novel), JB.task_arrays(task)
    f = jax.jit(lambda key, a: JB.sample(key, a, spec, n, kind))  # a fresh trace: monkeypatched helpers apply
    b = f(jax.random.PRNGKey(seed), arrays)
    return {k: np.asarray(getattr(b, k)) for k in b._fields}


def _bursty_structure(cls, labels, B, G):
    """Each bursty row: G distinct context classes, B items each; the query's class and label are in context."""
    for c, lab in zip(cls, labels):
        vals, counts = np.unique(c[:-1], return_counts=True)
        assert len(vals) == G and np.all(counts == B)
        assert c[-1] in c[:-1]
        assert lab[-1] == lab[:-1][c[:-1] == c[-1]][0]
        for v in vals:  # one label per class
            assert len(np.unique(lab[:-1][c[:-1] == v])) == 1


def test_train_mixture(task):
    b = draw(task, "train")
    G = task.N // task.B
    # proportions against the task's parameters (binomial tests)
    assert stats.binomtest(int(b["novel"].sum()), n, task.p_C).pvalue > ALPHA
    p_bursty = task.p_C + (1 - task.p_C) * task.p_B
    assert stats.binomtest(int(b["bursty"].sum()), n, p_bursty).pvalue > ALPHA
    known = b["bursty"] & ~b["novel"]
    _bursty_structure(b["classes"][known], b["labels"][known], task.B, G)
    np.testing.assert_array_equal(b["labels"][known], task.class_labels[b["classes"][known]])
    nov = b["novel"]
    assert np.all(b["classes"][nov] >= task.K)
    _bursty_structure(b["classes"][nov], b["labels"][nov], task.B, G)
    # novel labels are distinct across a sequence's groups (pool mode, G <= L)
    assert all(len(np.unique(lab[:-1])) == G for lab in b["labels"][nov])
    iid = ~b["bursty"]
    np.testing.assert_array_equal(b["labels"][iid], task.class_labels[b["classes"][iid]])


def test_tokens_and_items(task):
    b = draw(task, "train")
    tok = b["tokens"]
    lab_vec = task.label_vectors[b["labels"][:, :-1]]
    np.testing.assert_allclose(tok[:, 1::2], lab_vec, rtol=1e-6, atol=1e-6)
    # items: (mu + eps eta)/sqrt(1+eps^2): the residual has variance eps^2/(D (1 + eps^2)) per coordinate
    known = ~b["novel"]
    mu = task.means[b["classes"][known]] / np.sqrt(1 + task.eps**2)
    resid = (tok[known][:, 0::2] - mu).ravel()
    sd = task.eps / np.sqrt(task.D * (1 + task.eps**2))
    assert stats.kstest(resid / sd, "norm").pvalue > ALPHA
    # the same item-norm distribution as BurstyTask's (two-sample KS)
    ref = task.sample(n, "train", batch_index=0).tokens()
    assert stats.ks_2samp(np.linalg.norm(tok[:, 0::2], axis=-1).ravel()[:5000],
                          np.linalg.norm(ref[:, 0::2], axis=-1).ravel()[:5000]).pvalue > ALPHA


def test_iwl_class_frequencies(task):
    b = draw(task, "iwl")
    counts = np.bincount(b["classes"].ravel(), minlength=task.K)
    assert stats.chisquare(counts, counts.sum() * task.p_class).pvalue > ALPHA
    np.testing.assert_array_equal(b["target"], task.class_labels[b["classes"][:, -1]])


def test_icl_and_flipped(task):
    G = task.N // task.B
    b = draw(task, "icl")
    assert np.all(b["classes"] == -1) and b["bursty"].all()
    assert stats.chisquare(np.bincount(b["target"], minlength=task.L)).pvalue > ALPHA
    f = draw(task, "icl_flipped")
    _bursty_structure(f["classes"], f["labels"], task.B, G)
    shift = (f["labels"] - task.class_labels[f["classes"]]) % task.L
    assert np.all(shift == shift[:, :1]) and np.all(shift[:, 0] >= 1)  # one r != 0 per sequence
    assert stats.chisquare(np.bincount(shift[:, 0], minlength=task.L)[1:]).pvalue > ALPHA


def test_redraw_mode(task):
    """Reddy's generator: novel class k has label k mod L; the novel means change every batch."""
    b = draw(task, "train", novel="redraw")
    nov = b["novel"]
    np.testing.assert_array_equal(b["labels"][nov], (b["classes"][nov] - task.K) % task.L)
    c = draw(task, "train", novel="redraw", seed=2)
    first = {int(k): b["tokens"][i, 0] for i, k in enumerate(b["classes"][:, 0]) if b["novel"][i]}
    again = [(first[int(k)], c["tokens"][i, 0]) for i, k in enumerate(c["classes"][:, 0])
             if c["novel"][i] and int(k) in first]
    # items of the same novel index in two batches are unrelated (cosine near 0, not near 1)
    cos = [x @ y / np.linalg.norm(x) / np.linalg.norm(y) for x, y in again]
    assert len(cos) > 20 and abs(np.mean(cos)) < 0.2


def test_mutants_are_caught(task, monkeypatch):
    def with_replacement(r, logits, n_, G):  # a sequence's classes drawn with replacement (may repeat)
        return orig_iid(r, jax.nn.log_softmax(logits), (n_, G))

    def iid_uniform(r, log_p, shape):  # ignores the rank-frequency law
        return orig_iid(r, log_p * 0.0, shape)

    orig_iid = JB._iid
    with monkeypatch.context() as m:
        m.setattr(JB, "_iid", iid_uniform)
        with pytest.raises(AssertionError):
            test_iwl_class_frequencies(task)
    with monkeypatch.context() as m:
        m.setattr(JB, "_distinct", with_replacement)
        with pytest.raises(AssertionError):
            test_train_mixture(task)

"""Bigram models, trigger sequences and designed prompts (hopfield.bigram, hopfield.induction_data)."""

import numpy as np
import pytest

from hopfield.bigram import BigramModel, bigram_from_text, shipped_text, synthetic_bigram
from hopfield.induction_data import context_counts, designed_prompts, trigger_sequences
from tests.reference_induction import context_counts_slow, trigger_sequence_slow


def test_synthetic_rows_are_distributions_and_seeded():
    m = synthetic_bigram(20, seed=3, zipf=1.2, concentration=0.5)
    assert np.allclose(m.pi_b.sum(1), 1, atol=1e-12) and (m.pi_b > 0).all()
    # Zipf: pi_u(k) / pi_u(0) = (k + 1)^-1.2
    assert m.pi_u[4] / m.pi_u[0] == pytest.approx(5 ** -1.2, rel=1e-12)
    assert np.array_equal(m.pi_b, synthetic_bigram(20, seed=3, zipf=1.2, concentration=0.5).pi_b)
    assert not np.array_equal(m.pi_b, synthetic_bigram(20, seed=4, zipf=1.2, concentration=0.5).pi_b)


def test_synthetic_rows_have_mean_pi_u():
    # Dirichlet(c V pi_u) rows average to pi_u: over V = 400 rows the mean of column j is pi_u(j) within
    # 5 standard errors (sd of a Dirichlet marginal = sqrt(p(1-p)/(cV+1)), /sqrt(V) for the mean)
    V = 400
    m = synthetic_bigram(V, seed=0, zipf=1.0, concentration=1.0, floor=1e-6)
    se = np.sqrt(m.pi_u * (1 - m.pi_u) / (V + 1)) / np.sqrt(V)
    assert np.all(np.abs(m.pi_b.mean(0) - m.pi_u)[:10] < 5 * se[:10])


def test_text_counts_add_one_by_hand():
    m = bigram_from_text("abcab")
    assert m.vocab == "abc"
    # pairs ab, bc, ca, ab: row a: (0+1, 2+1, 0+1)/5; unigram (2+1, 2+1, 1+1)/8
    assert np.allclose(m.pi_b[0], [1 / 5, 3 / 5, 1 / 5])
    assert np.allclose(m.pi_b[2], [2 / 4, 1 / 4, 1 / 4])
    assert np.allclose(m.pi_u, [3 / 8, 3 / 8, 2 / 8])
    assert m.decode(m.encode("cab")) == "cab"


def test_shipped_text_is_there_and_small():
    text = shipped_text()
    assert 3000 < len(text) < 20000 and text.startswith("it is a truth universally acknowledged")
    m = bigram_from_text()
    assert m.V == len(set(text))
    # the most likely successor of 'q' in English is 'u'
    assert m.vocab[int(np.argmax(m.pi_b[m.vocab.index("q")]))] == "u"


def test_text_from_path(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("hello world", encoding="utf-8")
    assert bigram_from_text(path=f).vocab == " dehlorw"
    with pytest.raises(ValueError, match="path"):
        bigram_from_text(path=tmp_path / "missing.txt")


@pytest.mark.parametrize("kw, match", [
    (dict(pi_u=[0.5, 0.6], pi_b=[[0.5, 0.5], [0.5, 0.5]]), "pi_u .*sums to"),
    (dict(pi_u=[0.5, 0.5], pi_b=[[0.5, 0.4], [0.5, 0.5]]), "pi_b row 0 sums to"),
    (dict(pi_u=[0.5, 0.5], pi_b=[[1.0, 0.0], [0.5, 0.5]]), r"pi_b\[0, 1\] is 0"),
    (dict(pi_u=[0.5, 0.5], pi_b=[[0.5, 0.5]]), "pi_b must have shape"),
    (dict(pi_u=[1.0], pi_b=[[1.0]]), "V must be >= 2"),
    (dict(pi_u=[0.5, 0.5], pi_b=[[1.5, -0.5], [0.5, 0.5]]), "non-negative"),
])
def test_bad_bigram(kw, match):
    with pytest.raises(ValueError, match=match):
        BigramModel(np.asarray(kw["pi_u"], float), np.asarray(kw["pi_b"], float))


def test_bad_synthetic_and_text():
    with pytest.raises(ValueError, match="V must be >= 2"):
        synthetic_bigram(1)
    with pytest.raises(TypeError, match="V must be an integer"):
        synthetic_bigram(4.0)
    with pytest.raises(ValueError, match="floor must be < 1"):
        synthetic_bigram(4, floor=1.0)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        bigram_from_text("abab").encode("abc")
    with pytest.raises(ValueError, match="outside the vocabulary 0..1"):
        bigram_from_text("abab").decode([0, 2])


def test_trigger_sequences_match_slow_twin():
    m = synthetic_bigram(12, seed=1, concentration=0.3)
    for triggers, outputs in [("random", "uniform"), ("random", "bigram"), ("fixed", "uniform")]:
        tok, fl, trig, outs = trigger_sequences(m, 6, 40, K=3, seed=7, triggers=triggers, outputs=outputs,
                                                return_pairs=True)
        for i in range(6):
            rt, rf = trigger_sequence_slow(m, 40, 3, 7, i, triggers, outputs)
            assert np.array_equal(tok[i], rt) and np.array_equal(fl[i], rf)


def test_trigger_sequences_rules_and_determinism():
    m = synthetic_bigram(16, seed=2)
    tok, fl, trig, outs = trigger_sequences(m, 30, 64, K=4, seed=5, return_pairs=True)
    for i in range(30):
        assert np.unique(trig[i]).size == 4
        for t in range(1, 64):
            if tok[i, t - 1] in trig[i]:
                j = list(trig[i]).index(tok[i, t - 1])
                assert tok[i, t] == outs[i, j]
                # occurrence index = how often this trigger occurred up to t-1
                assert fl[i, t] == np.sum(tok[i, :t] == tok[i, t - 1])
            else:
                assert fl[i, t] == 0
    # sequence i depends on (seed, i) only, not on n
    tok5, fl5 = trigger_sequences(m, 5, 64, K=4, seed=5)
    assert np.array_equal(tok5, tok[:5]) and np.array_equal(fl5, fl[:5])
    tokf = trigger_sequences(m, 4, 20, K=2, seed=0, triggers="fixed")[0]
    assert tokf.shape == (4, 20)


def test_trigger_sequences_follow_the_bigram():
    # without triggers, transition counts from state 0 follow pi_b(.|0): chi-square at 1e-3 (V = 4 categories)
    from scipy import stats
    m = synthetic_bigram(4, seed=0, zipf=0.0)
    tok, _ = trigger_sequences(m, 200, 100, K=0, seed=1)
    prev, nxt = tok[:, :-1].ravel(), tok[:, 1:].ravel()
    obs = np.bincount(nxt[prev == 0], minlength=4)
    assert stats.chisquare(obs, obs.sum() * m.pi_b[0]).pvalue > 1e-3


def test_bad_trigger_input():
    m = synthetic_bigram(8, seed=0)
    with pytest.raises(ValueError, match="T must be >= 2"):
        trigger_sequences(m, 2, 1)
    with pytest.raises(ValueError, match="K must be <= 8"):
        trigger_sequences(m, 2, 10, K=9)
    with pytest.raises(ValueError, match="triggers must be one of"):
        trigger_sequences(m, 2, 10, triggers="some")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        trigger_sequences(m, 2, 10, K=1, triggers="fixed", trigger_tokens=[8])
    with pytest.raises(TypeError, match="BigramModel"):
        trigger_sequences(m.pi_b, 2, 10)


def test_designed_prompts_have_the_counts():
    m = synthetic_bigram(20, seed=4)
    p = designed_prompts(m, 25, t=40, n_q=5, c_qk=3, cbar_k=2, seed=9)
    n_q, c, cbar = context_counts(p.tokens, m.V)
    ar = np.arange(25)
    assert (n_q == 5).all() and (c[ar, p.k] == 3).all() and (cbar[ar, p.k] == 2).all()
    assert (c[ar, p.g] == 0).all() and (cbar[ar, p.g] == 0).all()
    assert (p.g == np.argmax(m.pi_b[p.q], axis=1)).all() and (p.k != p.g).all() and (p.k != p.q).all()
    assert (p.tokens[:, 0] != p.q).all() and (p.tokens[:, -1] == p.q).all() and (p.g != p.q).all()
    p2 = designed_prompts(m, 3, t=40, n_q=5, c_qk=3, cbar_k=2, seed=9)
    assert np.array_equal(p2.tokens, p.tokens[:3])


def test_bad_designed_prompts():
    m = synthetic_bigram(10, seed=0)
    with pytest.raises(ValueError, match="t must be >= 10"):
        designed_prompts(m, 1, t=9, n_q=4, c_qk=2)
    with pytest.raises(ValueError, match="c_qk must be <= 2"):
        designed_prompts(m, 1, t=20, n_q=2, c_qk=3)
    q = int(np.flatnonzero(np.argmax(m.pi_b, 1) != np.arange(10))[0])
    g = int(np.argmax(m.pi_b[q]))
    with pytest.raises(ValueError, match="k must differ"):
        designed_prompts(m, 1, t=20, n_q=2, c_qk=1, q=q, k=g)
    own = np.flatnonzero(np.argmax(m.pi_b, 1) == np.arange(10))
    if own.size:
        with pytest.raises(ValueError, match="its own most likely successor"):
            designed_prompts(m, 1, t=20, n_q=2, c_qk=1, q=int(own[0]))
    sticky = BigramModel(np.full(4, 0.25), np.full((4, 4), 0.1) + 0.6 * np.eye(4))
    with pytest.raises(ValueError, match="every token's most likely successor is itself"):
        designed_prompts(sticky, 1, t=20, n_q=2, c_qk=1)
    with pytest.raises(ValueError, match="V >= 4"):
        designed_prompts(synthetic_bigram(3), 1, t=20, n_q=2, c_qk=1)


def test_context_counts_match_slow_twin():
    rng = np.random.default_rng(0)
    tok = rng.integers(0, 5, size=(20, 15))
    n_q, c, cbar = context_counts(tok, 5)
    for i in range(20):
        rn, rc, rcb = context_counts_slow(tok[i].tolist(), 5)
        assert n_q[i] == rn and c[i].tolist() == rc and cbar[i].tolist() == rcb

"""MQAR generator (structure, gap law, determinism) and evaluator (against a plain computation)."""

import numpy as np
import pytest
from scipy import stats

from hopfield import kv
from hopfield.mqar import FILLER, MEMORIES, evaluate_mqar, make_mqar


def test_structure():
    b = make_mqar(50, vocab_size=64, num_pairs=6, seq_len=40, num_queries=4, seed=2)
    P, half = 6, 32
    assert b.tokens.shape == (50, 40) and b.answers.shape == (50, 4)
    np.testing.assert_array_equal(b.tokens[:, 0:2 * P:2], b.keys)
    np.testing.assert_array_equal(b.tokens[:, 1:2 * P:2], b.values)
    assert np.all((b.keys >= 1) & (b.keys < half)) and np.all(b.values >= half) and np.all(b.values < 64)
    for s in range(50):
        assert len(set(b.keys[s])) == P and len(set(b.query_pair[s])) == 4
        np.testing.assert_array_equal(b.tokens[s, b.query_pos[s]], b.keys[s, b.query_pair[s]])
        rest = np.setdiff1d(np.arange(2 * P, 40), b.query_pos[s])
        assert np.all(b.tokens[s, rest] == FILLER)
    assert np.all(b.query_pos >= 2 * P) and np.all((b.query_pos - 2 * P) % 2 == 0)
    assert np.all(np.diff(b.query_pos, axis=1) > 0)
    np.testing.assert_array_equal(b.answers, np.take_along_axis(b.values, b.query_pair, 1))
    assert np.all(b.gaps > 0)


def test_sequence_i_depends_on_seed_and_i_only():
    a = make_mqar(5, vocab_size=100, num_pairs=4, seq_len=30, seed=3)
    b = make_mqar(3, vocab_size=100, num_pairs=4, seq_len=30, seed=3)
    np.testing.assert_array_equal(a.tokens[:3], b.tokens)
    assert not np.array_equal(make_mqar(3, vocab_size=100, num_pairs=4, seq_len=30, seed=4).tokens, b.tokens)


def test_gap_law_is_the_power_law():
    # one query per sequence: its slot g has P(g) ~ (g+1)^(a-1) exactly; chi-square over 4000 sequences
    a, P, L = 0.3, 2, 24
    b = make_mqar(4000, vocab_size=16, num_pairs=P, seq_len=L, num_queries=1, power_a=a, seed=5)
    slots = (b.query_pos[:, 0] - 2 * P) // 2
    space = (L - 2 * P) // 2
    p = np.arange(1, space + 1) ** (a - 1.0)
    p /= p.sum()
    obs = np.bincount(slots, minlength=space)
    assert stats.chisquare(obs, 4000 * p).pvalue > 1e-3
    # the same test rejects the uniform law (a = 1) on these data: the check can fail
    assert stats.chisquare(obs, np.full(space, 4000 / space)).pvalue < 1e-6


def test_evaluator_equals_a_plain_computation():
    b = make_mqar(6, vocab_size=80, num_pairs=10, seq_len=40, seed=6)
    d = 12
    res = evaluate_mqar(b, "hebbian", d, seed=7)
    E = kv.sample_embeddings(80, d, rng=np.random.SeedSequence([7, 1]))
    for s in range(6):
        W = sum(np.outer(E[v], E[k]) for k, v in zip(b.keys[s], b.values[s]))
        for j in range(b.num_queries):
            q = E[b.tokens[s, b.query_pos[s, j]]]
            scores = [E[t] @ (W @ q) for t in range(40, 80)]
            assert res.predictions[s, j] == 40 + int(np.argmax(scores))
    np.testing.assert_array_equal(res.correct, res.predictions == b.answers)
    assert res.state_size == d * d


def test_orthonormal_embeddings_recall_everything():
    b = make_mqar(10, vocab_size=64, num_pairs=8, seq_len=40, seed=8)
    for m in MEMORIES:
        res = evaluate_mqar(b, m, 64, embedding="orthonormal", beta=50.0)
        assert res.accuracy == 1.0 or m == "normalized", m
    assert evaluate_mqar(b, "softmax", 16).state_size == 2 * 8 * 16


def test_more_pairs_hurt_the_fixed_state_memories_not_softmax():
    small = make_mqar(40, vocab_size=512, num_pairs=4, seq_len=64, seed=9)
    large = make_mqar(40, vocab_size=512, num_pairs=24, seq_len=96, seed=9)
    for m in ("hebbian", "delta"):
        assert evaluate_mqar(small, m, 16).accuracy > evaluate_mqar(large, m, 16).accuracy + 0.2
    # at d = 16 decoding among 256 Gaussian value embeddings itself errs; d = 32 keeps that rare
    assert evaluate_mqar(large, "softmax", 32).accuracy > 0.95


def test_bad_input():
    with pytest.raises(ValueError, match="seq_len must be >= 20"):
        make_mqar(2, num_pairs=5, seq_len=10)
    with pytest.raises(ValueError, match="num_pairs must be <= 9"):
        make_mqar(2, vocab_size=20, num_pairs=12, seq_len=100)
    with pytest.raises(ValueError, match="power_a must be in"):
        make_mqar(2, power_a=2.0)
    with pytest.raises(ValueError, match="num_queries must be <= 8"):
        make_mqar(2, num_queries=9)
    b = make_mqar(2, vocab_size=64, num_pairs=4, seq_len=20)
    with pytest.raises(ValueError, match="memory must be one of"):
        evaluate_mqar(b, "lstm")
    with pytest.raises(ValueError, match="beta must be > 0"):
        evaluate_mqar(b, "softmax", beta=0.0)
    with pytest.raises(TypeError, match="batch must be an MQARBatch"):
        evaluate_mqar(b.tokens)

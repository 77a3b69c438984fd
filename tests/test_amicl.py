"""AMICL model: kernels against their slow twins, determinism, limits and bad input."""

import numba
import numpy as np
import pytest

from hopfield.amicl import SIMILARITIES, make_sequences, run_amicl, sweep_amicl
from hopfield.kernels.rng import trial_states
from tests.reference import amicl_readout_ref, amicl_scores_ref, amicl_sequence_ref

SMALL = dict(D=7, K=4, T=10, eps=0.3)


def test_sequences_equal_reference():
    s = make_sequences(6, seed=11, **SMALL)
    for i, st in enumerate(trial_states(11, 6)):
        tok, cls, noise = amicl_sequence_ref(int(st), **SMALL)
        assert np.array_equal(s.classes[i], cls)  # integer draws: exact
        # log and sqrt through libm in Numba and in Python: equal up to a few ulp.
        np.testing.assert_allclose(s.tokens[i], tok, rtol=0, atol=1e-14)
        np.testing.assert_allclose(s.noise[i], noise, rtol=0, atol=1e-14)


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("readout,beta", [("argmax", 1.0), ("softmax", 3.0)])
def test_run_equals_reference(similarity, readout, beta):
    a, n = 1.3, 40
    r = run_amicl(a, n_trials=n, similarity=similarity, readout=readout, beta=beta, seed=5, return_scores=True,
                  **SMALL)
    s = make_sequences(n, seed=5, **SMALL)
    for i in range(n):
        ref_scores = amicl_scores_ref(s.tokens[i], s.noise[i], a, similarity)
        np.testing.assert_allclose(r.scores[i], ref_scores, rtol=1e-12, atol=1e-12)
        ok, w = amicl_readout_ref(s.tokens[i], s.classes[i], ref_scores, readout, beta)
        assert bool(r.correct[i]) == ok
        assert r.weight[i] == pytest.approx(w, abs=1e-12)
    assert np.array_equal(r.m, s.m)
    assert np.array_equal(r.distinct, [len(set(c[:-1])) == len(c) - 1 for c in s.classes])


def test_generator_statistics():
    # 4000 trials, D = 50: every coordinate of a token is N(0, 1/D) (exemplars too, since
    # (mu + eps eta)/sqrt(1+eps^2) keeps the variance). Variance estimate over 4000*8*50 draws of
    # the label tokens: relative sd sqrt(2/160000) = 0.0035; tolerance 5 sd.
    s = make_sequences(4000, D=50, K=30, T=18, eps=0.5, seed=2)
    labels = s.tokens[:, 1:-1:2]
    exemplars = s.tokens[:, 0::2]
    assert abs(labels.var() * 50 - 1) < 0.02
    assert abs(exemplars.var() * 50 - 1) < 0.02
    assert np.all(s.tokens[:, -1] == 0)
    m = s.m
    assert m.min() >= 1
    # Query class drawn from the context pairs: with K = 30 and 8 context pairs, E[m] = 1 + 7/30.
    # sd of m is about 0.45, so the mean of 4000 has sd 0.007; tolerance 5 sd.
    assert abs(m.mean() - (1 + 7 / 30)) < 0.035
    # Same class => same label token; exemplars of one class are correlated by 1/(1+eps^2).
    i = int(np.argmax(m >= 2))
    cls = s.classes[i]
    same = [j for j in range(8) if cls[j] == cls[-1]]
    assert np.array_equal(s.tokens[i, 2 * same[0] + 1], s.tokens[i, 2 * same[1] + 1])


def test_thread_count_does_not_change_results():
    kw = dict(n_trials=300, D=20, K=16, T=12, readout="softmax", beta=5.0, seed=9, return_scores=True)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        r1 = run_amicl(1.2, **kw)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        r2 = run_amicl(1.2, **kw)
    finally:
        numba.set_num_threads(old)
    assert np.array_equal(r1.scores, r2.scores)
    assert np.array_equal(r1.correct, r2.correct)
    assert np.array_equal(r1.weight, r2.weight)


def test_trial_depends_on_seed_and_index_only():
    a = run_amicl(1.1, n_trials=50, seed=3, return_scores=True, **SMALL)
    b = sweep_amicl([1.1], n_trials=50, seed=3, chunk=7, **SMALL)
    assert b.correct[0, 0, 0, 0] == a.correct.sum()
    c = run_amicl(1.1, n_trials=20, seed=3, return_scores=True, **SMALL)
    assert np.array_equal(a.scores[:20], c.scores)


@pytest.mark.parametrize("similarity", SIMILARITIES)
def test_argmax_is_the_large_beta_limit_of_softmax(similarity):
    kw = dict(n_trials=400, D=30, K=50, T=12, similarity=similarity, seed=4)
    for a in (0.8, 1.0, 1.4):
        hard = run_amicl(a, readout="argmax", return_scores=True, **kw)
        soft = run_amicl(a, readout="softmax", beta=1e9, **kw)
        # Exact ties have no limit (softmax splits them, argmax takes the first): at a = 1 two keys
        # are identical when consecutive pairs share a class, (l + x_j) = (l + x_j). Leave them out.
        top2 = np.sort(hard.scores, axis=1)[:, -2:]
        untied = top2[:, 1] > top2[:, 0]
        assert untied.mean() > 0.95
        assert np.array_equal(hard.correct[untied], soft.correct[untied])
        np.testing.assert_allclose(soft.weight[untied], hard.weight[untied], atol=1e-6)
    # At beta = 1 attention is spread out: the weight on the answer is strictly inside (0, 1).
    warm = run_amicl(2.0, readout="softmax", beta=1.0, **kw)
    assert 1e-6 < warm.weight.min() and warm.weight.max() < 0.99


def test_switch_at_a_equal_one():
    # Large D: exemplars win below a = 1, labels above (theory.amicl); 500 trials each.
    lo = run_amicl(0.8, D=400, n_trials=500, seed=1).correct.mean()
    hi = run_amicl(1.25, D=400, n_trials=500, seed=1).correct.mean()
    assert lo < 0.02 and hi > 0.98


@pytest.mark.parametrize(
    "kwargs,exc,word",
    [
        (dict(T=7), ValueError, "T"),
        (dict(T=2), ValueError, "T"),
        (dict(D=0), ValueError, "D"),
        (dict(K=1.5), TypeError, "K"),
        (dict(eps=-1.0), ValueError, "eps"),
        (dict(similarity="cosine"), ValueError, "similarity"),
        (dict(readout="max"), ValueError, "readout"),
        (dict(readout="softmax", beta=0.0), ValueError, "beta"),
        (dict(n_trials=0), ValueError, "n_trials"),
        (dict(seed=-1), ValueError, "seed"),
    ],
)
def test_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        run_amicl(1.0, **kwargs)


def test_bad_a():
    with pytest.raises(ValueError, match="a must"):
        run_amicl(-0.5)
    with pytest.raises(TypeError, match="a must"):
        run_amicl([1.0, 2.0])
    with pytest.raises(TypeError, match="a must"):
        run_amicl("two")
    with pytest.raises(TypeError, match="a must"):
        sweep_amicl([])
    with pytest.raises(ValueError, match="a must"):
        sweep_amicl([1.0, float("nan")])
    with pytest.raises(ValueError, match="T must"):
        sweep_amicl(1.0, T=[20, 21])

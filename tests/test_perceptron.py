"""hopfield.perceptron: MinOver kernel against its slow twin, determinism, Cover's count, bad input."""

import numpy as np
import pytest
from scipy import stats

from hopfield.perceptron import capacity_trials, learn
from tests.reference_capacity import minover_reference
from theory.gardner import cover_separable


@pytest.mark.parametrize("P,N,kappa,budget", [(6, 9, 0.0, 500), (15, 10, 0.3, 400), (25, 10, 0.0, 300),
                                              (12, 16, 1.0, 2000)])
def test_minover_matches_the_slow_twin_exactly(P, N, kappa, budget):
    rng = np.random.default_rng(P * 100 + N)
    for _ in range(4):
        xi = np.where(rng.random((P, N)) < 0.5, -1, 1).astype(np.int8)
        y = np.where(rng.random(P) < 0.5, -1, 1).astype(np.int8)
        J, counts, ok, upd = minover_reference(xi, y, kappa, budget)
        res = learn(xi, y, kappa, budget)
        assert np.array_equal(res.J[0], J) and np.array_equal(res.counts[0], counts)
        assert bool(res.converged[0]) == ok and int(res.updates[0]) == upd
        if ok:  # the stop rule's promise, recomputed in floating point
            h = (xi.astype(float) @ J) * y
            assert h.min() / np.linalg.norm(J) >= kappa - 1e-12


def test_trials_do_not_depend_on_chunks_or_threads():
    import numba

    a = capacity_trials(30, 40, 0.2, 10, seed=7, max_updates=3000, chunk=3)
    prev = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        b = capacity_trials(30, 40, 0.2, 10, seed=7, max_updates=3000, chunk=10)
    finally:
        numba.set_num_threads(prev)
    assert np.array_equal(a.J, b.J) and np.array_equal(a.updates, b.updates)


@pytest.mark.parametrize("P", [30, 50])
def test_kappa_zero_success_rate_is_covers_probability(P):
    # N = 20: Cover's exact separable fraction is 0.969 (P = 30) and 0.076 (P = 50). MinOver with 10^5
    # updates decides nearly all of these (a separable problem not solved in time would count as a
    # failure; at P = 2N such problems are common and the rate falls to 0.44 instead of 0.5, so the
    # test stays away from P = 2N). Two-sided binomial test at 1%, no allowance.
    res = capacity_trials(20, P, 0.0, 400, seed=3, max_updates=100_000)
    k = int(res.converged.sum())
    assert stats.binomtest(k, 400, float(cover_separable(P, 20))).pvalue > 0.01


def test_bad_input():
    xi = np.ones((3, 5), np.int8)
    with pytest.raises(ValueError, match="kappa"):
        learn(xi, np.ones(3, np.int8), kappa=-0.1)
    with pytest.raises(ValueError, match="targets must have shape"):
        learn(xi, np.ones(4, np.int8))
    with pytest.raises(ValueError, match="max_updates"):
        learn(xi, np.ones(3, np.int8), max_updates=0)
    with pytest.raises(ValueError, match="N must be >= 2"):
        capacity_trials(1, 3, 0.0, 2)

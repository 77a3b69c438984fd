"""Storkey rule: the Numba kernel against the element-by-element twin, the capacity measurement, its check."""

import numpy as np
import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
import tests.reference as ref
from hopfield.classical import storkey_weights
from hopfield.kernels.storkey import storkey_learn
from hopfield.patterns import random_binary
from simulations.estimators import storkey as sk
from simulations.checks.registry import CHECKS, run_check
from tests.mutants import MUTANTS


@pytest.mark.parametrize("P, N, seed", [(1, 2, 0), (3, 7, 1), (6, 5, 2), (9, 9, 3), (4, 12, 4)])
def test_kernel_equals_the_element_by_element_rule(P, N, seed):
    xi = random_binary(P, N, seed=seed)
    want = np.array(ref.storkey_W(xi.tolist()))  # (N, N), diagonal as the formula leaves it
    got = storkey_learn(xi.astype(np.float64), np.zeros((N, N)))
    # sums of a few O(1) terms in a different order: 1e-12 absolute is ample
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert np.array_equal(got, got.T)  # exactly symmetric (one value written to both entries)


def test_learning_in_chunks_is_learning_in_one_go():
    xi = random_binary(20, 30, seed=7).astype(np.float64)
    W1 = storkey_learn(xi, np.zeros((30, 30)))
    W2 = np.zeros((30, 30))
    for a, b in ((0, 3), (3, 4), (4, 20)):
        storkey_learn(xi[a:b], W2)
    assert np.array_equal(W1, W2)
    assert np.array_equal(storkey_weights(xi.astype(np.int8), keep_diagonal=True), W1)


def test_stability_against_brute_force():
    N, Ps = 12, [2, 5, 9]
    all_fixed, frac = sk.storkey_stability(seed=3, N=N, Ps=Ps, networks=4)
    for k, ss in enumerate(np.random.SeedSequence(3).spawn(4)):
        xi = random_binary(Ps[-1], N, seed=np.random.default_rng(ss))
        for j, P in enumerate(Ps):
            W = np.array(ref.storkey_W(xi[:P].tolist()))
            fixed = [all(xi[m, i] * sum(W[i][l] * xi[m, l] for l in range(N) if l != i) >= -1e-12 for i in range(N))
                     for m in range(P)]
            assert all_fixed[k, j] == all(fixed) and frac[k, j] == pytest.approx(np.mean(fixed))


def test_bad_input():
    with pytest.raises(ValueError, match="Ps must be increasing"):
        sk.storkey_stability(seed=0, N=10, Ps=[5, 3], networks=2)
    with pytest.raises(ValueError, match="N must be"):
        sk.storkey_stability(seed=0, N=1, Ps=[1], networks=2)


def test_check_passes_and_is_deterministic():
    a = run_check(CHECKS["storkey-capacity"], "quick", seed=1)
    b = run_check(CHECKS["storkey-capacity"], "quick", seed=1)
    assert a.passed and a.points[0].estimate == b.points[0].estimate


@pytest.mark.parametrize("mutant", ["storkey-capacity-no-2", "storkey-kernel-no-hji", "storkey-hebbian"])
def test_mutants_are_caught(mutant):
    with MUTANTS[mutant].apply():
        res = run_check(CHECKS["storkey-capacity"], "quick", seed=0)
    assert not res.passed, f"{mutant} survives storkey-capacity"
    assert run_check(CHECKS["storkey-capacity"], "quick", seed=0).passed  # restored

"""The checks catch the bugs of the mutant catalogue (tests/mutants.py).

Default suite: the affordable quick-size kills, each next to the same check
passing on the unmutated code with the same parameters. Slow (``-m slow``):
every declared target of every mutant at quick and at full size, as listed in
``MUTANTS``; ``benchmarks/kill_matrix.py`` runs the whole matrix.
"""

import numpy as np
import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.registry import CHECKS, run_check
from tests.mutants import MUTANTS, run_row


def _fails_only_under(mutant, check, seed, **params):
    assert run_check(CHECKS[check], "quick", seed=seed, **params).passed, "the unmutated check must pass"
    with MUTANTS[mutant].apply():
        res = run_check(CHECKS[check], "quick", seed=seed, **params)
    assert not res.passed, f"{mutant} survives {check}"
    assert run_check(CHECKS[check], "quick", seed=seed, **params).passed, "leaving the mutant restores the code"
    return res


def test_every_mutant_has_a_target_and_a_family():
    for m in MUTANTS.values():
        assert m.kind in ("formula", "simulator")
        assert set(m.quick_targets) <= set(m.targets) <= set(m.family), m.name
        assert set(m.family) <= set(CHECKS), m.name


def test_self_term_kernel_is_the_buggy_field():
    # slow twin of the mutant: one synchronous step with h_i = sum_mu xi_i^mu D(xi^mu . s), D(x) = (x+1)^3 - (x-1)^3
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    rng = np.random.default_rng(3)
    xi = random_binary(30, 21, seed=rng)
    s = random_binary(5, 21, seed=rng)
    a = s.astype(np.int64) @ xi.T.astype(np.int64)  # (5, K)
    h = ((a + 1) ** 3 - (a - 1) ** 3) @ xi.astype(np.int64)  # (5, N)
    want = np.where(h > 0, 1, np.where(h < 0, -1, s))
    with MUTANTS["dense-self-term"].apply():
        got = DenseAssociativeMemory(xi, F="poly", n=3).run(s, schedule="sync", max_sweeps=1).states
    assert np.array_equal(got, want)
    right = DenseAssociativeMemory(xi, F="poly", n=3).run(s, schedule="sync", max_sweeps=1).states
    assert not np.array_equal(right, want)  # the bug changes something at this size


def test_dense_self_term_is_caught_by_the_exact_one_step_check():
    res = _fails_only_under("dense-self-term", "dense-exact-one-step", 0, cases=[[2, 100, "poly"]], networks=10,
                            cues=30)
    assert not res.points[0].ok  # the one-step error, not the bookkeeping


@pytest.mark.parametrize("mutant", ["modern-radius-tenth", "modern-radius-M2", "modern-beta-half"])
def test_modern_fixed_point_mutants(mutant):
    _fails_only_under(mutant, "modern-fixed-points", 0, configs=[[16, 8, 3.0, "simplex"]], starts=5, steps_max=100)


@pytest.mark.parametrize("mutant", ["modern-thm5-no-2M", "modern-beta-half"])
def test_modern_bound_mutants(mutant):
    _fails_only_under(mutant, "modern-retrieval-bound", 0, configs=[[16, 8, 3.0]], beta_factors=[4.0], radii=[0.4],
                      cues=200)


@pytest.mark.parametrize("mutant", ["classical-keep-diagonal", "ags-one-step-overlap"])
def test_ags_overlap_mutants(mutant):
    _fails_only_under(mutant, "ags-overlap", 1, Ns=[1000], alphas=[0.125], networks=200)


@pytest.mark.slow
def test_classical_fixed_independent_at_quick_size():
    _fails_only_under("classical-fixed-independent", "classical-fixed-points", 0, Ns=[100], networks=400, samples=0.5)


QUICK = [(m.name, c) for m in MUTANTS.values() for c in m.quick_targets]
FULL = [(m.name, c) for m in MUTANTS.values() for c in m.targets]


@pytest.mark.slow
@pytest.mark.parametrize("mutant,check", QUICK, ids=[f"{m}:{c}" for m, c in QUICK])
def test_quick_size_kills(mutant, check):
    assert run_row(mutant, check, "quick")["verdict"] == "FAIL"


@pytest.mark.slow
@pytest.mark.parametrize("mutant,check", FULL, ids=[f"{m}:{c}" for m, c in FULL])
def test_full_size_kills(mutant, check):
    assert run_row(mutant, check, "full")["verdict"] == "FAIL"


@pytest.mark.slow  # compiling the patched dense kernels (Numba cache off) takes about 10 s
def test_dense_no_cross_term_is_the_buggy_field_and_dense_basin_kills_it():
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    # the mutant's field is sum_mu xi_i^mu (6 a_mu^2 + 8), a_mu with bit i included (numpy twin)
    rng = np.random.default_rng(5)
    xi = random_binary(40, 21, seed=rng)
    s = random_binary(6, 21, seed=rng)
    a = s.astype(np.int64) @ xi.T.astype(np.int64)
    h = (6 * a**2 + 8) @ xi.astype(np.int64)
    want = np.where(h > 0, 1, np.where(h < 0, -1, s))
    with MUTANTS["dense-no-cross-term"].apply():
        got = DenseAssociativeMemory(xi, F="poly", n=3).run(s, schedule="sync", max_sweeps=1).states
    assert np.array_equal(got, want)
    assert not np.array_equal(DenseAssociativeMemory(xi, F="poly", n=3).run(s, schedule="sync", max_sweeps=1).states,
                              want)
    # at quick size: the unmutated check passes at seeds 0 and 1, the mutant fails it on the exact-law point
    assert run_check(CHECKS["dense-basin"], "quick", seed=1).passed
    res = _fails_only_under("dense-no-cross-term", "dense-basin", 0)
    assert not res.points[0].ok

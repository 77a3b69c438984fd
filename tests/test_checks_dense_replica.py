"""The dense-replica check: passes on the code, fails under each of its mutants (quick size, reduced grid)."""

import numpy as np
import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
import simulations.checks.suite.dense_replica as cdr
import theory.dense_replica as tr
from simulations.checks.registry import CHECKS, run_check
from tests.mutants import MUTANTS

#: A reduced quick grid: one N, a load far below and one near alpha_c (0.9 alpha_c), enough networks
#: for a standard error of ~0.003 on the mean overlap.
SMALL = {"Ns": [100], "alphas": [0.05, 0.075], "networks": 80, "report": [], "above": 0.1, "edge": []}


@pytest.fixture(scope="module")
def baseline():
    return run_check(CHECKS["dense-replica"], "quick", seed=0, **SMALL)


def test_passes_unmutated(baseline):
    assert baseline.passed
    tested = [p for p in baseline.points if p.p_value is not None]
    assert len(tested) == 2
    above = [p for p in baseline.points if p.kind == "reported"]
    assert above and np.isnan(above[0].theory)  # alpha = 0.1 > alpha_c(3): no RS state, reported only


@pytest.mark.parametrize("mutant", ["dense-replica-ags-reaction", "dense-replica-cn-factorial",
                                    "dense-replica-rectified"])
def test_fails_under_mutant(baseline, mutant):
    assert "dense-replica" in MUTANTS[mutant].quick_targets
    with MUTANTS[mutant].apply():
        res = run_check(CHECKS["dense-replica"], "quick", seed=0, **SMALL)
    assert not res.passed, f"{mutant} survives dense-replica"
    assert not res.points[0].ok  # the load far below alpha_c already fails
    assert float(tr.retrieval_overlap(0.05, 3)) == pytest.approx(0.98833, abs=1e-5)  # restored on leaving


@pytest.mark.slow
def test_upper_edge_point_kills_the_halved_reaction():
    # the edge point near alpha_c (quick size: N = 400, 200 networks) passes with the code's Gamma C and
    # fails when the Onsager reaction is halved ((n-1) for (n-1)^2): one simulation, judged both ways
    (N, alpha, k), = CHECKS["dense-replica"].sizes["quick"]["edge"]
    p = cdr.replica_point(0, 3, N, alpha, k)
    assert p.p_value > 0.05 and p.estimate < p.params["high"] - 5 * p.se  # well inside the correct band
    with MUTANTS["dense-replica-reaction-linear"].apply():
        lo, hi = cdr.band(alpha, N, 3, k)
        mutated = cdr.replica_point(0, 3, N, alpha, k)
    assert hi < p.params["high"] - 0.02  # the mutant lowers the upper edge (0.961 -> 0.918)
    # same simulation, now far above the band: rejected even at a Holm level of 1% over 30 points
    assert mutated.estimate == p.estimate and mutated.p_value < 0.01 / 30


def test_rectified_mutant_is_the_rectified_model():
    # slow twin of the simulator mutant: under it, F="poly" behaves exactly like F="rectified"
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    rng = np.random.default_rng(5)
    xi = random_binary(300, 40, seed=rng)
    cue = xi[0].copy()
    cue[:8] *= -1
    want = DenseAssociativeMemory(xi, F="rectified", n=3).run(cue, seed=2).states
    with MUTANTS["dense-replica-rectified"].apply():
        got = DenseAssociativeMemory(xi, F="poly", n=3).run(cue, seed=2).states
    right = DenseAssociativeMemory(xi, F="poly", n=3).run(cue, seed=2).states
    assert np.array_equal(got, want) and not np.array_equal(right, want)


def test_band_and_effective_load():
    # the exact finite-N noise is a little larger than the asymptotic one: alpha_eff > alpha, -> alpha as N grows
    e = [cdr.effective_alpha(0.05, N, 3) / 0.05 for N in (100, 200, 400, 4000)]
    assert all(a > b > 1 for a, b in zip(e, e[1:])) and e[-1] < 1.001
    lo, hi = cdr.band(0.075, 200, 3, 100)
    m = float(tr.retrieval_overlap(0.075, 3))
    assert lo < m < hi and hi - m == pytest.approx(float(tr.reaction_excess(cdr.effective_alpha(0.075, 200, 3), 3)),
                                                   rel=1e-12)


def test_point_is_deterministic_and_keyed():
    a = cdr.replica_point(7, 3, 60, 0.06, 12)
    b = cdr.replica_point(7, 3, 60, 0.06, 12)
    assert a.estimate == b.estimate and a.params == b.params
    r1 = cdr.stationary_overlaps(123, 60, 0.06, 3, 12)["m"]
    r2 = cdr.stationary_overlaps(123, 60, 0.06, 3, 12)["m"]
    assert np.array_equal(r1, r2) and a.params["P"] == 216


def test_crosstalk_variance_against_a_loop():
    # slow twin: the field of each bit summed pattern by pattern in pure Python
    rng = np.random.default_rng(11)
    xi = np.where(rng.random((7, 9)) < 0.5, -1, 1)
    s = np.where(rng.random(9) < 0.5, -1, 1)
    for n in (2, 3, 4):
        vals = []
        for i in range(9):
            h = 0
            for mu in range(1, 7):
                x = sum(int(xi[mu, j]) * int(s[j]) for j in range(9) if j != i)
                h += int(xi[mu, i]) * ((x + 1) ** n - (x - 1) ** n)
            vals.append(h * int(xi[0, i]) / (2 * n * 9 ** (n - 1)))
        assert cdr.crosstalk_variance(xi, s, n) == pytest.approx(float(np.var(vals)), rel=1e-12)


def test_no_noise_amplification_at_the_fixed_point():
    # The derivation's key step for n >= 3: the crosstalk at the fixed point has the variance it has at the
    # pattern (r = 1). AGS-type amplification 1/(1-C)^2 would give ~2.1 at alpha = 0.075 (C = 0.31);
    # measured 1.07 +- 0.04, 1.06 +- 0.02, 1.05 +- 0.02 at N = 200, 400, 600 (finite-N feedback of the
    # flipped bits, falling with N); single networks range 0.97-1.5, so the mean of 16 is bounded by 1.35.
    pt = cdr.amplification_point(0, 200, 0.075, 16)
    assert pt.kind == "reported" and 0.9 < pt.estimate < 1.35
    m = float(tr.retrieval_overlap(0.075, 3))
    sig2 = 0.075 * 3
    C = np.sqrt(2 / np.pi / sig2) * np.exp(-m**4 / (2 * sig2))
    assert 1 / (1 - C) ** 2 > 1.8  # what the AGS-type theory would have needed

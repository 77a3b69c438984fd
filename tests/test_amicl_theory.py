"""AMICL theory: literature values, exact identities, quadrature convergence, limits."""

import numpy as np
import pytest
import sympy as sp

from theory import amicl as th
from theory.derivation import DERIVATIONS


def test_large_D_integral_matches_references_values():
    # Burns et al. 2024, recomputed independently (docs/references.md, icl): D = 100.
    got = th.accuracy_large_D([0.9, 1.1, 1.2, 1.3, 1.5], 100)
    np.testing.assert_allclose(got, [0.113, 0.613, 0.827, 0.937, 0.995], atol=6e-4)


def test_large_D_integral_limits():
    # a = 1: P(z0 > z1, z0 > z2) = 1/3 exactly, for any D (the integrand is Phi(z)^2).
    assert th.accuracy_large_D(1.0, [10, 100, 10**4]) == pytest.approx([1 / 3] * 3, abs=1e-9)
    # D -> inf: a step at a = 1.
    big = th.accuracy_large_D([0.8, 1.2], 1e6)
    assert big[0] < 1e-12 and big[1] > 1 - 1e-12


def test_switch_and_symbolic_forms():
    assert th.switch_point() == 1
    f, g = th.accuracy_at_switch(), th.accuracy_at_switch(shared_labels=True)
    (m,) = f.symbols
    assert sp.simplify(f.expr - m / (2 * m + 1)) == 0
    assert f.expr.subs(m, 1) == g.expr.subs(m, 1) == sp.Rational(1, 3)
    assert g.expr.subs(m, 2) == sp.Rational(1, 4)
    (C,) = th.pearson_ceiling().symbols
    assert th.pearson_ceiling().expr.subs(C, 9) == sp.Rational(8, 9)
    # beta -> 0: uniform attention over T keys; the closed form must give 1/T.
    w = th.softmax_weight()
    a, b, T, e = w.symbols
    assert sp.limit(w.expr.subs({a: 2, T: 20, e: sp.Rational(1, 10)}), b, 0) == sp.Rational(1, 20)


def test_softmax_weight_by_hand():
    # beta = 10, a = 2, eps = 0.1, T = 20: scores 40/9 r, 20/9 r, 20/9 with r = 1/1.01.
    r = 1 / 1.01
    sl, se, sq = 10 * 4 * r / 9, 10 * 2 * r / 9, 10 * 2 / 9
    expect = np.exp(sl) / (np.exp(sl) + np.exp(se) + np.exp(sq) + 17)
    assert th.softmax_weight().evaluate(a=2.0, beta=10.0, T=20, epsilon=0.1) == pytest.approx(expect, rel=1e-12)


FAST = th.ExactSettings(n_R=12, n_u=161, n_c=101, n_xy=81)


@pytest.mark.slow
def test_exact_quadrature_converges():
    fine = th.ExactSettings(n_R=48, n_u=481, n_c=321, n_xy=241)
    for D in (20, 100):
        coarse = th.accuracy_exact([1.0, 1.25, 2.0], D)
        ref = th.accuracy_exact([1.0, 1.25, 2.0], D, settings=fine)
        np.testing.assert_allclose(coarse, ref, atol=1.5e-3)


def test_exact_limits_and_small_D_ordering():
    # a < 1 at large D: exemplars win; a = 2 at D = 1000: labels win.
    assert th.accuracy_exact(0.7, 1000, settings=FAST) < 1e-3
    assert th.accuracy_exact(2.0, 1000, settings=FAST) > 1 - 1e-3
    # The simple integral overestimates at small D and is close at D = 100.
    for D in (10, 20):
        assert th.accuracy_large_D(2.0, D) - th.accuracy_exact(2.0, D, settings=FAST) > 0.01
    assert abs(th.accuracy_large_D(2.0, 100) - th.accuracy_exact(2.0, 100, settings=FAST)) < 2e-3


def test_exact_with_one_pair_by_hand():
    # T = 4: one context pair (the query's), no other class. Scores (standardized, r = sqrt(D)|w|):
    # exemplar v = r/s2 + tau E, label a v + Y, query's exemplar a Y + r, noise (a+1) N.
    # Check against a direct Monte Carlo of these four Gaussian scores (independent code path).
    rng = np.random.default_rng(0)
    a, D, eps, n = 1.2, 30, 0.3, 400_000
    s2 = 1 + eps**2
    tau = eps * np.sqrt(2 + eps**2) / s2
    r = np.sqrt(rng.chisquare(D, n))
    v = r / s2 + tau * rng.standard_normal(n)
    Y = rng.standard_normal(n)
    S = a * v + Y
    ok = (S > v) & (S > a * Y + r) & (S > (a + 1) * rng.standard_normal(n))
    # Monte Carlo sd <= 0.5/sqrt(4e5) = 8e-4; quadrature error < 1.5e-3.
    assert th.accuracy_exact(a, D, T_value=4, eps_value=eps) == pytest.approx(ok.mean(), abs=4e-3)


def test_exact_bad_input():
    with pytest.raises(ValueError, match="a_values"):
        th.accuracy_exact(0.0, 100)
    with pytest.raises(ValueError, match="T_value"):
        th.accuracy_exact(1.0, 100, T_value=7)


@pytest.mark.parametrize("name", ["amicl-switch", "amicl-large-D", "amicl-pearson-softmax", "amicl-exact"])
def test_derivations_render(name):
    d = DERIVATIONS[name]()
    text = d.render()
    assert d.title in text and len(d.steps) >= 3
    d.render(latex=True)


def test_pearson_softmax_derivation_limit():
    steps = DERIVATIONS["amicl-pearson-softmax"]().steps
    assert steps[-1].expr.rhs == 1


def test_softmax_weight_against_simulation():
    # D = 4000: the scores' finite-D noise (sd ~ a/(a+1)^2 sqrt((1+a^2)/D) = 0.008) shifts the mean
    # weight by less than 1e-3 (measured at D = 1000: <= 3e-3, shrinking like 1/D); sampling: 5 se.
    from hopfield.amicl import run_amicl

    for beta in (5.0, 10.0, 20.0):
        r = run_amicl(2.0, D=4000, n_trials=600, readout="softmax", beta=beta, seed=1)
        w = r.weight[r.distinct]
        se = w.std(ddof=1) / np.sqrt(w.size)
        assert abs(w.mean() - th.softmax_weight().evaluate(a=2.0, beta=beta, T=20, epsilon=0.1)) < 5 * se + 1e-3


def test_pearson_ceiling_against_simulation():
    # Trials with distinct classes, a = 2 and 3, D = 1000: the only failure is the query's class in the
    # first pair, probability exactly 1/C = 1/9. Exact binomial test at level 1e-3.
    from scipy import stats

    from hopfield.amicl import run_amicl

    for a in (2.0, 3.0):
        r = run_amicl(a, D=1000, n_trials=3000, similarity="pearson", seed=2)
        c = r.correct[r.distinct]
        assert stats.binomtest(int(c.sum()), c.size, float(th.pearson_ceiling().evaluate(C=9))).pvalue > 1e-3


@pytest.mark.slow  # the same examples run in the default suite's tests/test_doctests.py
@pytest.mark.parametrize("name", ["theory.amicl", "hopfield.amicl", "hopfield.bursty"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow  # the default suite's tests/test_theory_derivations.py imports theory.amicl the same way
def test_theory_amicl_imports_no_simulator():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = ("import sys, theory.amicl; "
            "print([m for m in ('hopfield', 'simulations', 'figures') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

"""REM threshold of the exponential memory (theory.rem) against independent computations.

* alpha_1 against a brute-force solution of its definition: the quenched REM
  exponent phi(t) = max_{I(q) <= alpha} [alpha - I(q) + t q] maximised on a grid of
  q, and the alpha where beta (1 - 2 rho) = phi(2 beta)/2 found by bisection;
* the literature: beta -> oo gives the typical-case count I(1-2rho) (ln 2 at
  rho = 0), and at beta = 1 in the condensed regime alpha_1 is twice the bound
  of Demircigil et al. (2017);
* the finite-N recovery probability against exact enumeration of all 2^N
  patterns (the tail B) and against a pure-numpy competitor count (binomial test).
"""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from scipy import optimize, special, stats

import theory.catalog  # noqa: F401
import theory.exponential as te
import theory.rem as rem
from theory.derivation import DERIVATIONS

Q = np.linspace(-1.0, 1.0, 400_001)
I_Q = (special.xlogy(1 + Q, 1 + Q) + special.xlogy(1 - Q, 1 - Q)) / 2


def _phi(alpha, t):
    """Quenched REM exponent (1/N) ln sum_mu exp(t y_mu) for exp(alpha N) levels y = qN with rate I(q)."""
    ok = I_Q <= alpha
    return float(np.max((alpha - I_Q + t * Q)[ok]))


def _alpha_1_brute(beta, rho):
    g = lambda a: beta * (1 - 2 * rho) - _phi(a, 2 * beta) / 2  # noqa: E731  (> 0: retrieval)
    return optimize.brentq(g, 1e-9, math.log(2) - 1e-9, xtol=1e-10)


@pytest.mark.parametrize("beta", [0.3, 0.7, 1.0, 2.0])
@pytest.mark.parametrize("rho", [0.0, 0.005, 0.02, 0.1, 0.3])
def test_alpha_1_solves_its_definition(beta, rho):
    got = rem.alpha_1().evaluate(beta=beta, rho=rho)
    # grid spacing 5e-6 in q: phi is within ~t * 5e-6 of its maximum, alpha_1 within ~1e-5
    assert got == pytest.approx(_alpha_1_brute(beta, rho), abs=5e-5)


def test_limits_from_the_literature():
    f = rem.alpha_1()
    rho = np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.45])
    typical = 2 * te.demircigil_alpha().evaluate(rho=rho)  # I(1-2rho): the typical-case competitor count
    assert np.allclose(f.evaluate(beta=200.0, rho=rho), typical, rtol=0, atol=1e-12)
    assert f.evaluate(beta=200.0, rho=0.0) == pytest.approx(math.log(2), abs=1e-12)
    cond = rho[rho >= rem.rho_condensed().evaluate(beta=1.0)]
    assert np.allclose(f.evaluate(beta=1.0, rho=cond), 2 * te.demircigil_alpha().evaluate(rho=cond), atol=1e-14)
    # uncondensed branch at beta = 1, rho = 0: 2 - ln cosh 2, below ln 2
    assert f.evaluate(beta=1.0, rho=0.0) == pytest.approx(2 - math.log(math.cosh(2)), abs=1e-14)


def test_branches_are_continuous_and_ordered():
    f = rem.alpha_1()
    for beta in (0.2, 1.0, 3.0):
        r0 = float(rem.rho_condensed().evaluate(beta=beta))
        below = f.evaluate(beta=beta, rho=r0 * (1 - 1e-9))
        above = f.evaluate(beta=beta, rho=r0)
        assert below == pytest.approx(above, abs=1e-8)
    rho = np.linspace(0, 0.49, 50)
    I = 2 * te.demircigil_alpha().evaluate(rho=rho)
    a = f.evaluate(beta=0.5, rho=rho)
    assert np.all(a <= I + 1e-14)  # Legendre: the uncondensed branch never exceeds I(1-2rho)
    assert np.all(np.diff(a) < 0)  # more corruption, fewer patterns


@pytest.mark.parametrize("N, k", [(10, 2), (12, 3), (12, 0), (9, 4)])
def test_tail_by_exact_enumeration(N, k):
    cue = np.ones(N, dtype=np.int64)
    count = sum(1 for v in itertools.product((-1, 1), repeat=N) if np.dot(v, cue) >= N - 2 * k)
    rho = k / N
    got = rem.competitor_tail(sp.Integer(N), sp.Rational(k, N)).evalf()  # through the SymPy function too
    assert float(got) == pytest.approx(count / 2**N, rel=1e-12)
    M = 7
    want = (1 - count / 2**N) ** (M - 1)
    assert rem.recovery_probability().evaluate(N=N, M=M, rho=rho) == pytest.approx(want, rel=1e-12)


def test_recovery_probability_against_a_competitor_count():
    # pure numpy: M - 1 random patterns, recovered when none agrees with the cue on >= N - k bits
    N, k, M, trials = 20, 6, 40, 4000
    rng = np.random.default_rng(5)
    agree = (rng.random((trials, M - 1, N)) < 0.5).sum(axis=2)
    ok = ~np.any(agree >= N - k, axis=1)
    p = rem.recovery_probability().evaluate(N=N, M=M, rho=k / N)
    assert stats.binomtest(int(ok.sum()), trials, p).pvalue > 1e-3


def test_competitor_count_exponent_tends_to_alpha_minus_I():
    rho, alpha = 0.3, 0.05
    I = 2 * te.demircigil_alpha().evaluate(rho=rho)
    for N, tol in ((1000, 0.01), (10000, 0.001)):
        log_count = alpha * N + rem._log_tail(N, rho)
        assert log_count / N == pytest.approx(alpha - I, abs=tol)


def test_bad_input():
    with pytest.raises(ValueError, match="rho \\* N must be an integer"):
        rem.recovery_probability().evaluate(N=80, M=10, rho=0.31)
    with pytest.raises(ValueError, match="rho"):
        rem.alpha_1().evaluate(beta=1.0, rho=0.6)
    with pytest.raises(ValueError, match="beta"):
        rem.alpha_1().evaluate(beta=-1.0, rho=0.1)


def test_derivation_has_no_open_steps():
    der = DERIVATIONS["rem-capacity"]()
    text = der.render()
    assert "True" not in text
    eqs = [e for s in der.steps for e in (s.expr.args if isinstance(s.expr, sp.Tuple) else (s.expr,))
           if isinstance(e, sp.Eq) and str(e.lhs) in ("difference", "minus_demircigil", "max_residual")]
    assert len(eqs) == 4 and all(abs(float(e.rhs)) < 1e-100 for e in eqs)
    assert "(0, 0)" in text  # the field split holds at eps = +1 and -1
    assert all(s.expr is not None for s in der.steps) and len(der.steps) >= 10

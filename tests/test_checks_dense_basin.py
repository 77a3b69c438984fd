"""dense-basin: the one-step theory from noisy cues, its exact law, and the check passing and failing."""

import itertools

import numpy as np
import pytest
import sympy as sp

import simulations.checks.suite  # noqa: F401  (registers the checks)
import theory.dense_basin as tb
import theory.dense_replica as tr
from simulations.checks.registry import CHECKS, run_check
from simulations.checks.suite import dense_basin as cb
from simulations.estimators import dense_basin as est


def test_leading_order_is_the_rs_retrieval_map():
    m = sp.Symbol("m", positive=True)
    for n in (3, 4):
        lead = tb.one_step_leading(n).expr.subs(sp.Symbol("m0", real=True), m)
        assert sp.simplify(lead - tr.retrieval_map(n).expr) == 0


def test_one_step_tends_to_leading_order_and_first_order_error_is_second_order():
    # the 1/N form's error against the exact-moment form falls as 1/N^2 (a factor ~4 per doubling of N);
    # the leading order's as 1/N (a factor ~2): the two rates tell a wrong 1/N coefficient apart
    m0, alpha = 0.6, 0.0432
    for n in (3, 4):
        full = lambda N: float(tb.one_step(n).evaluate(N=N, K=alpha * N ** (n - 1), m0=m0))  # noqa: E731
        lead = float(tb.one_step_leading(n).evaluate(m0=m0, alpha=alpha))
        first = lambda N: float(tb.one_step_first_order(n).evaluate(N=N, m0=m0, alpha=alpha))  # noqa: E731
        e1 = [abs(full(N) - first(N)) for N in (400, 800)]
        e0 = [abs(full(N) - lead) for N in (400, 800)]
        assert 3.3 < e1[0] / e1[1] < 4.7, e1
        assert 1.7 < e0[0] / e0[1] < 2.3, e0
    # n = 3 by hand: signal D(N m0 -+ 1)/(6 N^2 m0^2) = 1 -+ 2/(N m0) + ...; noise std 1 - 11/(9N) + ...
    m = sp.Symbol("m0", real=True)
    assert tb.first_order_coefficients(3) == (sp.Rational(11, 9) - 2 / m, sp.Rational(11, 9) + 2 / m)


def _brute_one_step(N, K, n, d):
    """E[m1] by enumerating every pattern set (pattern nu = all ones WLOG, cue with the first d bits flipped)."""
    xi_nu = np.ones(N, dtype=np.int64)
    s = xi_nu.copy()
    s[:d] = -1
    others = np.array(list(itertools.product((-1, 1), repeat=N)), dtype=np.int64)
    D = lambda x: (x + 1) ** n - (x - 1) ** n  # noqa: E731
    tot, count = 0.0, 0
    for combo in itertools.product(range(len(others)), repeat=K - 1):
        xi = np.vstack([xi_nu] + [others[c] for c in combo])  # (K, N)
        a = xi @ s
        new = np.empty(N, dtype=np.int64)
        for i in range(N):
            h = int(np.sum(xi[:, i] * D(a - xi[:, i] * s[i])))
            new[i] = s[i] if h == 0 else (1 if h > 0 else -1)
        tot += float(new @ xi_nu) / N
        count += 1
    return tot / count


@pytest.mark.parametrize("N,K,n,d", [(5, 3, 3, 1), (6, 3, 3, 2), (5, 3, 4, 2)])
def test_exact_one_step_equals_enumeration(N, K, n, d):
    want = _brute_one_step(N, K, n, d)
    m0 = (N - 2 * d) / N
    assert est.exact_one_step(N, K, n, m0) == pytest.approx(want, abs=1e-9)
    # the comparison can fail: the Gaussian form (exact moments) differs from the enumeration at these sizes
    gauss = float(tb.one_step(n).evaluate(N=N, K=K, m0=m0))
    assert abs(gauss - want) > 1e-3


def test_gaussian_tolerance_covers_the_gaussian_forms_error_at_the_check_sizes():
    for n, N in [(3, 50), (3, 100), (4, 30), (4, 50)]:
        K = est.k_at_z(N, n, 0.6, cb.Z_TEST)
        gap = abs(float(tb.one_step(n).evaluate(N=N, K=K, m0=0.6)) - est.exact_one_step(N, K, n, 0.6))
        assert gap <= est.gaussian_tolerance(N, K, n, 0.6), (n, N, gap)
    # the comparison can fail: the leading order misses the exact law at n = 4, N = 30 by more than 0.005
    assert abs(float(tb.one_step_leading(4).evaluate(m0=0.6, alpha=84 / 30**3)) - est.exact_one_step(30, 84, 4, 0.6)) \
        > 0.005


SMALL = {"cases": [[3, 50]], "networks": [400]}


def test_check_passes_and_fails_on_a_wrong_cue(monkeypatch):
    assert run_check(CHECKS["dense-basin"], "quick", seed=0, **SMALL).passed
    real = est.dense_basin
    # one more flipped bit than the theory is told: m0 = 0.56 for 0.6
    monkeypatch.setattr(cb.est, "dense_basin", lambda **kw: real(**{**kw, "m0": kw["m0"] - 2 / kw["N"]}))
    res = run_check(CHECKS["dense-basin"], "quick", seed=0, **SMALL)
    assert not res.passed and not res.points[0].ok


def test_bad_input():
    with pytest.raises(ValueError, match="m0"):
        est.flipped_bits(10, 1.5)
    with pytest.raises(ValueError, match="networks"):
        cb.dense_basin(seed=0, cases=[[3, 20]], m0=0.6, networks=[10, 10], cues=2, max_sweeps=5)

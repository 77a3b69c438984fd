"""Covariance rule: fields against the slow twin, theory limits, and the sparse-one-step check with mutants."""

import numpy as np
import pytest
import sympy as sp

import simulations.checks.suite  # noqa: F401  (registers the checks)
import theory.sparse as sparse
from hopfield.sparse import covariance_fields, update
from simulations.checks.registry import CHECKS, run_check
from tests.reference_capacity import covariance_fields_reference
from theory.derivation import DERIVATIONS
from theory.formula import Formula, Phi


def test_fields_match_the_slow_twin():
    rng = np.random.default_rng(0)
    for a in (0.1, 0.3):
        xi = (rng.random((7, 23)) < a).astype(np.int8)
        V = (rng.random(23) < 0.5).astype(np.int8)
        assert np.allclose(covariance_fields(xi, V, a), covariance_fields_reference(xi.tolist(), V.tolist(), a),
                           atol=1e-12)
        assert update(xi, V[None], a, 0.2).shape == (1, 23)


def test_bad_input():
    xi = np.zeros((2, 5), np.int8)
    with pytest.raises(ValueError, match="a must lie in the open interval"):
        covariance_fields(xi, xi[0], 1.0)
    with pytest.raises(ValueError, match="patterns must hold integers in"):
        covariance_fields(xi - 1, xi[0], 0.1)
    with pytest.raises(ValueError, match="states must have N = 5"):
        covariance_fields(xi, np.zeros(4, np.int8), 0.1)


def test_tsodyks_feigelman_is_the_limit_of_the_derivation():
    assert "\n    1\n" in DERIVATIONS["sparse"]().render()
    a = np.array([1e-2, 1e-3])
    assert np.allclose(sparse.tsodyks_feigelman().evaluate(a=a), 1 / (2 * a * np.log(1 / a)))
    # symmetric threshold theta = 1/2 - a gives equal rates Phi(-1/(2 sqrt(alpha a)))
    e = sparse.bit_errors()
    assert np.isclose(e["active"].evaluate(a=0.1, alpha=0.3, theta=0.4),
                      e["inactive"].evaluate(a=0.1, alpha=0.3, theta=0.4))


SMALL = {"N": 1500, "cases": [[0.1, 0.5, 0.45]], "networks": 8, "cues": 8}


def test_check_passes_and_fails_without_the_factor_a(monkeypatch):
    assert run_check(CHECKS["sparse-one-step"], "quick", seed=4, **SMALL).passed
    a, alpha, theta = sp.Symbol("a", positive=True), sp.Symbol("alpha", positive=True), sp.Symbol("theta", real=True)
    kw = dict(symbols=(a, alpha, theta), source="-", assumptions="-", definition="-")
    wrong = {"active": Formula("w1", Phi(-(1 - a - theta) / sp.sqrt(alpha)), **kw),
             "inactive": Formula("w0", Phi(-(theta + a) / sp.sqrt(alpha)), **kw)}
    monkeypatch.setattr(sparse, "bit_errors", lambda: wrong)  # crosstalk variance alpha instead of alpha a
    assert not run_check(CHECKS["sparse-one-step"], "quick", seed=4, **SMALL).passed


def test_check_fails_with_the_unbiased_rule():
    # mutant simulator: the rule centred at 1/2 (the +-1 Hebbian rule) on patterns of coding level 0.1
    assert not run_check(CHECKS["sparse-one-step"], "quick", seed=4, a_rule=0.5, **SMALL).passed

"""theory.mixtures by direct enumeration and by finite differences; mixture-stability with mutants."""

import itertools

import numpy as np
import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
import theory.mixtures as mixtures
from simulations.checks.registry import CHECKS, run_check


def _free_energy(m, T, P=4):
    # f(m) = |m|^2/2 - T <ln 2 cosh(xi . m / T)> over all 2^P sign vectors (alpha -> 0)
    X = np.array(list(itertools.product((-1, 1), repeat=P)), float)
    return 0.5 * m @ m - T * np.mean(np.logaddexp(X @ m / T, -X @ m / T))


def test_t0_overlap_by_enumeration():
    # overlap of sign(xi^1 + ... + xi^n) with xi^1, averaged over all sign vectors
    for n in (3, 5, 7):
        X = np.array(list(itertools.product((-1, 1), repeat=n)))
        assert np.isclose(np.mean(X[:, 0] * np.sign(X.sum(axis=1))), mixtures.overlap_t0().evaluate(n=n))


def test_mixture_is_stationary_and_the_hessian_matches_finite_differences():
    for T in (0.3, 0.6):
        r = mixtures.symmetric_mixture(T)
        m = np.array([r["m"]] * 3 + [0.0])
        eps = 1e-4
        H = np.empty((4, 4))
        for i in range(4):
            for j in range(4):
                e_i, e_j = np.eye(4)[i] * eps, np.eye(4)[j] * eps
                H[i, j] = (_free_energy(m + e_i + e_j, T) - _free_energy(m + e_i - e_j, T)
                           - _free_energy(m - e_i + e_j, T) + _free_energy(m - e_i - e_j, T)) / (4 * eps**2)
        grad = [(_free_energy(m + np.eye(4)[i] * eps, T) - _free_energy(m - np.eye(4)[i] * eps, T)) / (2 * eps)
                for i in range(4)]
        assert np.allclose(grad, 0, atol=1e-7)
        want = sorted([r["lambda_sym"], r["lambda_break"], r["lambda_break"], r["lambda_out"]])
        assert np.allclose(sorted(np.linalg.eigvalsh(H)), want, atol=1e-5)


def test_instability_temperature():
    T = mixtures.instability_T(3)
    assert abs(T - 0.46) < 0.005  # AGS 1985 quote "T ~ 0.46" [secondary]
    assert mixtures.symmetric_mixture(T - 0.01)["lambda_break"] > 0 > mixtures.symmetric_mixture(T + 0.01)["lambda_break"]
    with pytest.raises(ValueError, match="n must be odd"):
        mixtures.symmetric_mixture(0.3, n=4)


SMALL = {"N": 6000, "P": 4, "temperatures": [0.2, 0.55], "runs": 12, "sweeps": 30}


def test_check_passes_and_fails_with_a_wrong_instability_temperature(monkeypatch):
    assert run_check(CHECKS["mixture-stability"], "quick", seed=6, **SMALL).passed
    monkeypatch.setattr(mixtures, "instability_T", lambda n=3: 0.7)  # mixtures claimed stable at T = 0.55
    assert not run_check(CHECKS["mixture-stability"], "quick", seed=6, **SMALL).passed


def test_check_fails_at_half_the_temperature():
    # mutant simulator: heat bath at T/2 keeps the mixture at T = 0.55
    assert not run_check(CHECKS["mixture-stability"], "quick", seed=6, T_factor=0.5, **SMALL).passed

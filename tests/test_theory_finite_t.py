"""theory.finite_t: T_g in closed form against the RS equations, limits of m(alpha, T), bad input."""

import numpy as np
import pytest

import theory.ags as ags
import theory.finite_t as ft
from theory.derivation import DERIVATIONS


def test_spin_glass_line_matches_the_numerical_rs_equations():
    a = np.array([0.01, 0.05, 0.14])
    assert np.allclose(ft.spin_glass_line().evaluate(alpha=a), ags.T_g(a), atol=1e-5)


def test_retrieval_overlap_limits():
    # T -> 0: the T = 0 RS overlap erf(y); alpha -> 0: the Curie-Weiss overlap
    assert abs(ft.retrieval_overlap(0.12, 0.02) - ags.retrieval_overlap(0.12)) < 2e-3
    assert abs(ft.retrieval_overlap(1e-5, 0.6) - ft.curie_weiss_overlap(0.6)) < 1e-3
    # the noise of the other patterns lowers m at fixed T
    assert ft.retrieval_overlap(0.05, 0.45) < ft.curie_weiss_overlap(0.45) - 0.02
    # none above the retrieval line
    assert np.isnan(ft.retrieval_overlap(0.05, 0.6)) and ft.retrieval_line(0.05) < 0.6


def test_curie_weiss_root():
    T = np.array([0.3, 0.5, 0.9])
    m = ft.curie_weiss_overlap(T)
    assert np.allclose(np.tanh(m / T), m, atol=1e-12) and np.all(m > 0.3)
    assert ft.curie_weiss_overlap(1.2) == 0.0


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="T must lie in the open interval"):
        ft.retrieval_overlap(0.05, 1.2)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        ft.retrieval_overlap(-0.1, 0.5)


def test_derivation_closes():
    text = DERIVATIONS["finite-t"]().render()
    assert "difference = 0" in text

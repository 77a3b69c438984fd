"""The Formula object: evaluation, validation, and lambdify against SymPy at random points."""

import dataclasses
import zlib

import numpy as np
import pytest
import sympy as sp

from theory import ags, classical, dense, exponential, kv_memory, modern
from theory.formula import Formula, sym, validate


def all_formulas():
    fs = [classical.bit_error(), classical.bit_error(True), classical.alpha_at_error(),
          classical.p_pattern_fixed(), classical.p_all_fixed(), classical.mceliece(), classical.mceliece(True),
          classical.mceliece_corrected(), classical.mceliece_corrected(True), ags.alpha_of_y(),
          exponential.demircigil_alpha(), exponential.demircigil_capacity(),
          modern.fixed_point_radius(), modern.fixed_point_condition(), modern.retrieval_error_bound(),
          modern.capacity_c(), kv_memory.zipf_error_exponent("frequency"),
          kv_memory.zipf_error_exponent("threshold"), kv_memory.zipf_sample_exponent()]
    for n in (2, 3, 4, 5):
        fs += [dense.snr_squared(n), dense.bit_error(n), dense.k_max_threshold(n), dense.k_max_exact(n),
               dense.k_max_error_free(n), dense.k_max_error_free(n, True)]
    fs += [dense.snr_squared(3, "rectified"), dense.bit_error(2, "rectified")]
    fs += [kv_memory.readout_variance(k) for k in ("stored", "other", "fresh")]
    fs += [kv_memory.readout_mean(k) for k in ("stored", "other", "fresh")]
    return fs


# Ranges inside each argument's domain where the formulas are numerically meaningful.
RANGES = {"N": (50, 2000), "P": (2, 40), "K": (2, 500), "p_err": (1e-6, 0.4), "threshold": (1e-6, 0.4),
          "q": (0.05, 0.95), "y": (0.2, 4.0), "rho": (0.0, 0.49), "beta": (0.1, 5.0), "M": (0.5, 3.0),
          "Delta": (0.0, 10.0), "dist": (0.0, 1.0), "d": (2, 200), "p": (1e-4, 0.5), "alpha_zipf": (1.1, 3.0)}
INTEGER = {"N", "K", "d"}


@pytest.mark.parametrize("f", all_formulas(), ids=lambda f: f.name)
def test_lambdify_matches_sympy_at_random_points(f):
    rng = np.random.default_rng(zlib.crc32(f.name.encode()))  # fixed points per formula
    for _ in range(3):
        vals = {}
        for s in f.symbols:
            lo, hi = RANGES[s.name]
            v = rng.uniform(lo, hi)
            vals[s.name] = float(round(v)) if s.name in INTEGER else v
        num = f.evaluate_continuous(**vals)
        exact = complex(f.expr.subs({s: sp.Float(vals[s.name], 30) for s in f.symbols}).evalf(30))
        assert exact.imag == pytest.approx(0, abs=1e-12 * max(1, abs(exact.real)))
        assert num == pytest.approx(exact.real, rel=1e-9, abs=1e-300), (f.name, vals)


def test_evaluate_broadcasts_and_returns_float_for_scalars():
    f = classical.bit_error()
    out = f.evaluate(N=np.array([100, 1000])[:, None], P=np.array([5, 10, 20]))
    assert out.shape == (2, 3) and out.dtype == np.float64
    assert isinstance(f.evaluate(N=100, P=10), float)
    # a constant expression still broadcasts over its arguments
    m = kv_memory.readout_mean("stored").evaluate(d=np.array([8, 16, 32]), M=4)
    np.testing.assert_array_equal(m, [1.0, 1.0, 1.0])
    assert out[1, 2] == pytest.approx(f.evaluate(N=1000, P=20), rel=1e-15)
    # a formula with one argument still returns the broadcast shape
    g = classical.mceliece()
    assert g.evaluate(N=np.full((3, 2), 100.0)).shape == (3, 2)


def test_evaluate_names_missing_and_unknown_arguments():
    f = classical.bit_error()
    with pytest.raises(TypeError, match=r"missing argument\(s\) \['P'\]"):
        f.evaluate(N=100)
    with pytest.raises(TypeError, match=r"unknown argument\(s\) \['Q'\]"):
        f.evaluate(N=100, P=3, Q=1)


@pytest.mark.parametrize("name,value,match", [
    ("N", 1, "N must be >= 2, got 1"), ("P", 0, "P must be >= 1"), ("n", 1, "n must be >= 2"),
    ("rho", 0.5, r"rho must be in \[0, 1/2\), got 0.5"), ("rho", -0.1, "rho must be in"),
    ("beta", 0.0, "beta must be > 0"), ("beta", -1, "beta must be > 0"), ("N", np.nan, "N must be finite"),
    ("p_err", 0.7, "p_err must be in the open interval"), ("N", [10, 1], "N must be >= 2, got 1"),
])
def test_validate_rejects_values_outside_the_domain(name, value, match):
    with pytest.raises(ValueError, match=match):
        validate(name, value)


@pytest.mark.parametrize("value", [True, "3", None, [1, "a"], 1 + 2j])
def test_validate_rejects_non_numbers(value):
    with pytest.raises(TypeError, match="N must be a real number"):
        validate("N", value)


def test_evaluate_validates_values():
    with pytest.raises(ValueError, match="rho must be in"):
        exponential.demircigil_alpha().evaluate(rho=0.5)
    with pytest.raises(ValueError, match="beta must be > 0"):
        modern.fixed_point_radius().evaluate(beta=0.0, N=3, M=1.0)
    with pytest.raises(ValueError, match="N must be an integer, got 10.5"):
        dense.snr_squared(3, "rectified").evaluate(N=10.5, K=3)


def test_formula_is_frozen_and_records_provenance():
    f = classical.bit_error()
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.source = "x"
    assert f.names == ("N", "P")
    N = f.symbols[0]
    assert N.is_integer and N.is_positive
    assert "erfc" in f.latex()
    for g in all_formulas():
        assert g.source and g.definition and g.assumptions


def test_formula_rejects_symbols_that_omit_free_symbols():
    N, P = sym("N"), sym("P")
    with pytest.raises(ValueError, match="omit free symbol"):
        Formula("x", N / P, (N,), source="-", assumptions="-", definition="-")

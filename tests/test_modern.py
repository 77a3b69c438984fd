import numpy as np
import pytest

from hopfield.modern import ModernHopfield, separation
from tests.reference import modern_energy_reference, modern_update_reference


@pytest.mark.parametrize("beta", [0.05, 1.0, 30.0])
def test_update_and_energy_equal_reference(beta):
    rng = np.random.default_rng(int(beta * 100))
    X = rng.normal(size=(9, 6))
    xi = rng.normal(size=(4, 6)) * 2
    net = ModernHopfield(X, beta)
    out = net.update(xi)
    e = net.energy(xi)
    for b in range(4):
        # Same sums in a different order: agreement to a few ulps of the entries (atol 1e-12).
        np.testing.assert_allclose(out[b], modern_update_reference(X, beta, xi[b]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(e[b], modern_energy_reference(X, beta, xi[b]), rtol=1e-12)
    # One row vs the batch: BLAS may round a matrix-vector and a matrix-matrix product
    # differently (last bits), so compare at rtol 1e-14.
    np.testing.assert_allclose(net.update(xi[2]), out[2], rtol=1e-14, atol=1e-15)
    assert net.energy(xi[1]) == pytest.approx(e[1], rel=1e-14)


@pytest.mark.parametrize("beta", [0.1, 1.0, 8.0])
def test_energy_non_increasing_along_iterations(beta):
    # CCCP (Ramsauer et al. Thm 1-2): E(xi_{t+1}) <= E(xi_t) in exact arithmetic; in float64
    # the energy (a sum of terms of size ~|xi|^2 ~ 100) is evaluated with error ~1e-13,
    # so allow 1e-11 per step.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 10)) * 1.5
    net = ModernHopfield(X, beta)
    q = rng.normal(size=(8, 10)) * 3
    energies = [net.energy(q)]
    for _ in range(25):
        q = net.update(q)
        energies.append(net.energy(q))
    E = np.array(energies)  # (steps + 1, B)
    assert np.all(np.diff(E, axis=0) <= 1e-11)
    assert np.all(E[0] - E[-1] > 1e-3)  # real descent happened from every start


def test_energy_bounds():
    # E >= 0 for every xi, E <= 2 M^2 inside the convex hull of the patterns (after a step).
    rng = np.random.default_rng(4)
    X = rng.normal(size=(12, 5))
    for beta in (0.01, 0.5, 20.0):
        net = ModernHopfield(X, beta)
        q = rng.normal(size=(50, 5)) * 4
        assert np.all(net.energy(q) >= 0)
        assert np.all(net.energy(net.update(q)) <= 2 * net.M**2)


def test_retrieve_semantics():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, 32))
    net = ModernHopfield(X, 0.3)
    q = X + 0.8 * rng.normal(size=X.shape)
    assert np.array_equal(net.retrieve(q, max_steps=1), net.update(q))
    two = net.update(net.update(q))
    assert np.array_equal(net.retrieve(q, max_steps=2), two)
    # with tol, a row that stops moving is frozen; rows are independent of the batch
    # (up to BLAS rounding of a single row vs the batch, see above)
    r = net.retrieve(q, max_steps=50, tol=1e-9)
    for b in range(6):
        np.testing.assert_allclose(net.retrieve(q[b], max_steps=50, tol=1e-9), r[b], rtol=0, atol=1e-8)
        assert np.max(np.abs(net.update(r[b]) - r[b])) <= 1e-9 * 10
    # large beta, well separated patterns: one step lands on the pattern (Ramsauer Thm 4-5)
    net = ModernHopfield(X, 5.0)
    np.testing.assert_allclose(net.retrieve(q, max_steps=1), X, atol=1e-10)


def test_separation_brute_force():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(7, 4))
    d = separation(X)
    for i in range(7):
        assert d[i] == pytest.approx(min(X[i] @ X[i] - X[i] @ X[j] for j in range(7) if j != i), rel=1e-12)
    with pytest.raises(ValueError, match="X"):
        separation(X[:1])


def test_bad_input_names_parameter():
    X = np.eye(3)
    cases = [
        (lambda: ModernHopfield(X, 0.0), ValueError, "beta"),
        (lambda: ModernHopfield(X, -1.0), ValueError, "beta"),
        (lambda: ModernHopfield(X, float("nan")), ValueError, "beta"),
        (lambda: ModernHopfield(X, "1"), TypeError, "beta"),
        (lambda: ModernHopfield(X[0], 1.0), ValueError, "X"),
        (lambda: ModernHopfield(np.zeros((0, 3)), 1.0), ValueError, "X"),
        (lambda: ModernHopfield(X * np.nan, 1.0), ValueError, "X"),
        (lambda: ModernHopfield(X, 1.0).update(np.ones(4)), ValueError, "xi"),
        (lambda: ModernHopfield(X, 1.0).energy(np.full(3, np.inf)), ValueError, "xi"),
        (lambda: ModernHopfield(X, 1.0).retrieve(np.ones(3), max_steps=0), ValueError, "max_steps"),
        (lambda: ModernHopfield(X, 1.0).retrieve(np.ones(3), tol=-1.0), ValueError, "tol"),
    ]
    for fn, exc, name in cases:
        with pytest.raises(exc, match=name):
            fn()

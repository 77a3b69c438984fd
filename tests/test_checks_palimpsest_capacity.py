"""Check palimpsest-capacity: its finite-size band, and that it passes the simulator and fails a wrong window."""

import math

import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.registry import CHECKS
from simulations.checks.suite import palimpsest as cp
from tests.mutants import MUTANTS


def test_registered_with_its_figure_and_band_sizes():
    c = CHECKS["palimpsest-capacity"]
    assert c.figures == ("palimpsest-capacity",) and "quick" in c.smoke
    for size in (c.sizes["quick"], c.sizes["full"]):  # the band needs a recorded alpha_c(N)
        assert min(cp.AGS_CROSSINGS) <= size["N"] <= max(cp.AGS_CROSSINGS)


def test_alpha_c_of_n_and_shift():
    assert cp.alpha_c_of_n(1000) == 0.1651
    assert 0.1651 > cp.alpha_c_of_n(1500) > 0.1572
    # D = ln(alpha_c(N) / 0.1379) / (2 eps), by hand at N = 500, eps = 8
    assert cp.finite_size_shift(500, 8.0) == pytest.approx(math.log(0.1788 / 0.13790) / 16.0, rel=1e-3)
    with pytest.raises(ValueError, match="N must lie in"):
        cp.alpha_c_of_n(100)


def test_case_passes_and_the_published_constant_fails():
    # N = 500, eps = 20 (about 1 s): the simulated window (about 0.044) lies in the replica band
    # [0.0387, 0.0452]; the constant 0.05 puts the band at [0.05, 0.0565], many standard errors above it
    (p,) = cp.capacity_case(seed=0, N=500, eps=20.0, n_net=12)
    assert p.ok and p.p_value > 0.01
    with MUTANTS["palimpsest-window-constant"].apply():
        (q,) = cp.capacity_case(seed=0, N=500, eps=20.0, n_net=12)
    assert q.estimate == p.estimate and q.p_value < 1e-4

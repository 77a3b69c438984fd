"""Check palimpsest-window: exact standard errors for the mean points, and that a wrong variance fails."""

import math

import pytest
from scipy import stats

import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.suite import palimpsest as cp
from tests.mutants import MUTANTS


@pytest.mark.slow  # 12 networks of 400 neurons: 1-4 s
def test_quick_seed_60_no_longer_a_false_alarm():
    """The former quick size (12 networks), master seed 60, eps = 10: the 12 networks' sample sd of the bin [0.05, 0.1) fell to about
    half the exact one, and a z-test with it gave p < 1e-6; the exact standard error gives p > 1e-3."""
    pts = cp.moments_case(seed=60, N=400, eps=10.0, n_net=12)
    p = next(q for q in pts if q.label.startswith("eps=10, t/N in [0.05, 0.1): mean"))
    sd_exact, sd_sample = p.params["sd_exact"], p.params["sd_sample"]
    assert p.se == sd_exact / math.sqrt(12) and sd_sample < 0.7 * sd_exact
    naive = 2 * stats.norm.sf(abs(p.estimate) / (sd_sample / math.sqrt(12)))
    assert naive < 1e-6 < 1e-3 < p.p_value
    assert all(q.p_value > 0.01 / len(pts) for q in pts)


def test_wrong_crosstalk_weights_fail():
    """The crosstalk variance summed with lam^t' (about twice the true one) fails the variance points."""
    pts = cp.moments_case(seed=0, N=200, eps=10.0, n_net=6)
    assert all(q.p_value > 0.01 / len(pts) for q in pts)
    with MUTANTS["palimpsest-variance-lam-t"].apply():
        bad = cp.moments_case(seed=0, N=200, eps=10.0, n_net=6)
    assert min(q.p_value for q in bad if "variance" in q.label) < 1e-6

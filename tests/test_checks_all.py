"""Every registered check passes at quick size (slow: about a minute on 2 cores)."""

import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks.registry import CHECKS
from simulations.checks.runner import run_checks


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_all_checks_pass_at_quick_size(seed, tmp_path):
    results = run_checks(list(CHECKS.values()), size="quick", seed=seed, out=tmp_path, echo=lambda *a: None)
    failed = [(r.name, [p.label for p in r.points if not p.ok]) for r in results if not r.passed]
    assert not failed


def test_every_check_declares_its_test_and_both_sizes():
    assert len(CHECKS) >= 10
    for c in CHECKS.values():
        # quick and full always; huge only where a check's reach is set by N (ags-critical, on the GPU)
        assert {"quick", "full"} <= set(c.sizes) <= {"quick", "full", "huge"} and c.test and c.theory and c.title
        assert "olerance" in c.test or "deterministic" in c.test, c.name

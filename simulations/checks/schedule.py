"""How long each check takes, to schedule its units of work (the largest first).

A unit's ``cost`` compares units of one check only (its own measure of work:
N^2, trials x d^2, ...). Across checks the runner weighs a unit by the share of
its cost in its check times the check's estimated seconds below, so that the
longest units of all checks start first and the short ones fill the gaps at the
end. Only the order of submission depends on these numbers, never a result.

Each check declares its seconds where it is registered
(``register_check(..., seconds={"quick": q, "full": f})``). Full: single-thread
seconds at full size on a 16-core machine running 16 checks at once
(``benchmarks/results/kill_matrix_full_16core.json``, its no-mutant rows;
ags-spin-glass, exp-rem-threshold and storkey-capacity, registered later,
estimated). Quick: seconds at quick size on a loaded 2-core machine (load
average 4-8, empty Numba cache: the first checks of a family carry its compile
time).
"""

from __future__ import annotations

from typing import Sequence

from simulations.checks import registry

#: Seconds of a check without an estimate (a new or a test check).
DEFAULT_SECONDS = 10.0


def check_seconds(name: str, size: str) -> float:
    """The estimated seconds of check ``name`` at ``size`` ("quick" or "full"), as registered, else ``DEFAULT_SECONDS``."""
    check = registry.CHECKS.get(name)
    size = size if size in ("full", "huge") else "quick"
    return float(check.seconds.get(size, DEFAULT_SECONDS)) if check is not None else DEFAULT_SECONDS


def unit_weights(name: str, size: str, units: Sequence[registry.Unit]) -> list:
    """Estimated seconds of each of a check's ``units``: its share of the check's cost times ``check_seconds``."""
    total = sum(float(u.cost) for u in units) or 1.0
    return [check_seconds(name, size) * float(u.cost) / total for u in units]

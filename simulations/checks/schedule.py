"""How long each check takes, to schedule its units of work (the largest first).

A unit's ``cost`` compares units of one check only (its own measure of work:
N^2, trials x d^2, ...). Across checks the runner weighs a unit by the share of
its cost in its check times the check's estimated seconds below, so that the
longest units of all checks start first and the short ones fill the gaps at the
end. Only the order of submission depends on these numbers, never a result.

``FULL_SECONDS``: single-thread seconds of each check at full size on a 16-core
machine running 16 checks at once (``benchmarks/results/kill_matrix_full_16core.json``,
its no-mutant rows; ags-spin-glass, exp-rem-threshold and storkey-capacity,
registered later, estimated). ``QUICK_SECONDS``: seconds at quick size on a
loaded 2-core machine (load average 4-8, empty Numba cache: the first checks of
a family carry its compile time).
"""

from __future__ import annotations

#: Seconds of a check without an estimate (a new or a test check).
DEFAULT_SECONDS = 10.0

FULL_SECONDS = {
    "classical-bit-error": 20.97,
    "classical-fixed-points": 24.67,
    "ags-overlap": 22.93,
    "ags-critical": 161.0,
    "dense-bit-error": 12.98,
    "dense-exact-one-step": 9.38,
    "dense-random-starts": 1.57,
    "dense-capacity": 9.82,
    "exp-recovery": 8.77,
    "modern-retrieval-bound": 0.76,
    "modern-fixed-points": 0.2,
    "amicl-vs-a": 27.91,
    "amicl-switch": 6.65,
    "amicl-below-switch": 17.85,
    "amicl-vs-D": 19.5,
    "basins-two-step": 38.22,
    "ags-glauber": 32.87,
    "gardner-perceptron": 208.73,
    "pseudo-inverse": 173.39,
    "sparse-one-step": 24.8,
    "mixture-stability": 23.35,
    "kv-readout-moments": 176.75,
    "kv-argmax-accuracy": 37.02,
    "kv-delta-fixed-point": 3.29,
    "kv-delta-one-pass": 2.43,
    "kv-softmax-bound": 0.04,
    "kv-zipf-scaling": 113.53,
    "induction-logits": 55.99,
    "induction-deviation": 49.6,
    "induction-flip": 100.82,
    "induction-ape-recall": 18.05,
    "induction-rpe-flat": 2.89,
    "exp-rem-threshold": 140.0,
    "storkey-capacity": 60.0,
    "ags-spin-glass": 200.0,
}

QUICK_SECONDS = {
    "classical-bit-error": 100.0,
    "classical-fixed-points": 30.0,
    "ags-overlap": 26.9,
    "ags-critical": 9.9,
    "dense-bit-error": 69.4,
    "dense-exact-one-step": 0.5,
    "dense-random-starts": 0.3,
    "dense-capacity": 0.1,
    "exp-recovery": 0.8,
    "modern-retrieval-bound": 0.3,
    "modern-fixed-points": 0.0,
    "amicl-vs-a": 17.3,
    "amicl-switch": 8.6,
    "amicl-below-switch": 2.8,
    "amicl-vs-D": 2.5,
    "basins-two-step": 0.6,
    "ags-glauber": 2.4,
    "gardner-perceptron": 7.7,
    "pseudo-inverse": 29.1,
    "sparse-one-step": 6.1,
    "mixture-stability": 2.3,
    "kv-readout-moments": 8.9,
    "kv-argmax-accuracy": 7.8,
    "kv-delta-fixed-point": 1.3,
    "kv-delta-one-pass": 1.1,
    "kv-softmax-bound": 0.1,
    "kv-zipf-scaling": 16.2,
    "induction-logits": 69.8,
    "induction-deviation": 84.9,
    "induction-flip": 194.8,
    "induction-ape-recall": 5.9,
    "induction-rpe-flat": 4.9,
    "exp-rem-threshold": 2.0,
    "storkey-capacity": 6.0,
    "ags-spin-glass": 8.1,
}


def check_seconds(name: str, size: str) -> float:
    """The estimated seconds of check ``name`` at ``size`` ("quick" or "full")."""
    table = FULL_SECONDS if size == "full" else QUICK_SECONDS
    return float(table.get(name, DEFAULT_SECONDS))


def unit_weights(name: str, size: str, units) -> list:
    """Estimated seconds of each of a check's ``units``: its share of the check's cost times ``check_seconds``."""
    total = sum(float(u.cost) for u in units) or 1.0
    return [check_seconds(name, size) * float(u.cost) / total for u in units]

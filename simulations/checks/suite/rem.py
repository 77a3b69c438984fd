"""Check of the typical-pattern capacity of the exponential memory (``theory.rem``).

``exp-rem-threshold``: cues with a fraction rho of flipped bits, M = exp(f alpha_1 N)
stored patterns, F(x) = exp(x) (beta = 1). Two statements are tested on the
same counts: the recovered fraction follows the finite-N closest-competitor
prediction (the condensed REM: ``(1 - B(N, rho))^(M-1)`` to its next order, the
race of the competitors within one agreement, ``theory.rem.race_recovery_probability``), and it sits on the
right side of the asymptotic threshold alpha_1 = I(1 - 2 rho) (high below,
low above), which is twice Demircigil's proven all-pattern bound.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import math
from functools import lru_cache

import theory.rem as rem
from simulations.estimators.rem import BETA, CUES_PER_NETWORK, recovered
from simulations.checks.registry import Point, Unit, Work, register_check
from simulations.core.seeds import derive_seed
from simulations.checks.stats import binomial_point

#: The finite-N prediction is ``theory.rem.race_recovery_probability``: the closest-competitor
#: count ``(1 - B)^(M-1)`` taken to its next order, the race between the cue's pattern and the
#: competitors within one agreement of it (the single-bit field compares overlaps without the
#: updated bit, so a competitor at A ties the pattern's pull on its own bits and one at A - 1
#: ties it on the pattern's: ties are recovered about half the time, competitors at A - 1 steal).
#: The count alone misses by up to +0.08 (N = 110, f = 1.3: count 0.120, race 0.196, simulated
#: 0.185 +- 0.02 over 400 cues; N = 50, f = 1.6: count 0.092, race 0.170). Error model of the race:
#: Monte Carlo (RACE_SAMPLES draws, standard error se <= 0.005) plus truncation at A - 3
#: (RACE_DEPTH_USED); going from A - 2 to A - 3 moves it by at most 0.0095 over the cases (1.9 se of
#: the difference), and each deeper level weighs at least e^-2 less in the field, so the truncation
#: allowance is 0.01. Tolerance = RACE_TRUNCATION + 2.576 se (a 1% two-sided Monte Carlo band).
RACE_SAMPLES = 10_000
RACE_DEPTH_USED = 3
RACE_TRUNCATION = 0.01
#: Sides of the asymptotic threshold: below (f <= BELOW) at least 0.9 of the cues recovered
#: (measured 0.97-1.0), above (f >= ABOVE) at most half (measured 0.3-0.45 at N >= 80: the
#: finite-N step is soft, its width shrinks like 1/N). A threshold at Demircigil's I/2 puts
#: the "above" cases at 0.65 I, where 0.95 and more are recovered.
BELOW, ABOVE = 0.7, 1.3
BELOW_FLOOR, ABOVE_CEILING = 0.9, 0.5
#: Largest number of stored patterns simulated (N x M int8 patterns, N x M work per bit visit).
M_MAX = 300_000

#: Networks per unit of work (a block of ``recovered``): 80 networks at full size, 4 units a case.
NETS_PER_UNIT = 20


@register_check(
    "exp-rem-threshold",
    families=("dense",), seconds={"quick": 2.0, "full": 140.0},
    figures=("rem-capacity",), derivations=("rem-capacity",),
    title="exponential memory: recovery vs the REM threshold alpha_1 = I(1-2rho) (finite-N closest-competitor "
          "curve and both sides of the threshold)",
    theory="theory.rem.alpha_1 (typical-pattern threshold, REM argument of Lucibello & Mezard 2024; binary "
           "patterns derived in amlab) and theory.rem.race_recovery_probability ((1 - B(N, rho))^(M-1) to next order: the closest "
           "competitors' race)",
    test="exact binomial test of the recovered cues against the race model (closest competitors within one "
         f"agreement racing; {RACE_SAMPLES} Monte Carlo draws) with tolerance {RACE_TRUNCATION} + 2.576 se(MC); at f <= {BELOW} against a fraction >= {BELOW_FLOOR}, at f >= {ABOVE} against a "
         f"fraction <= {ABOVE_CEILING}; {CUES_PER_NETWORK} cues a network; Holm at 1%.",
    quick={"cases": [[0.3, 80, 0.7], [0.3, 80, 1.0], [0.3, 80, 1.3]], "cues": 150},
    full={"cases": [[0.3, 80, 0.7], [0.3, 80, 1.0], [0.3, 80, 1.3], [0.3, 120, 0.7], [0.3, 120, 1.0],
                    [0.3, 110, 1.3], [0.35, 160, 0.7], [0.35, 160, 1.0], [0.35, 160, 1.3], [0.25, 80, 0.85],
                    [0.25, 80, 1.15]], "cues": 400},
    split=True,
)
def exp_rem_threshold(*, seed: int, cases: Sequence[Sequence[float]], cues: int) -> Work:
    """``cases``: (rho, N, f) triples; rho N an integer, rho in the condensed regime, M = exp(f alpha_1 N)."""
    rho_min = float(rem.rho_condensed().evaluate(beta=BETA))
    for rho, N, f in cases:
        if not rho_min <= rho < 0.5 or abs(rho * N - round(rho * N)) > 1e-9:
            raise ValueError(f"exp-rem-threshold: case (rho, N, f) = {(rho, N, f)} needs {rho_min:.4f} <= rho < 1/2 "
                             "(condensed regime at beta = 1) and rho * N an integer")
        if not f > 0:
            raise ValueError(f"exp-rem-threshold: case (rho, N, f) = {(rho, N, f)} needs f > 0")
    plan = []
    for rho, N, f in [tuple(c) for c in cases]:
        alpha = f * float(rem.alpha_1().evaluate(beta=BETA, rho=rho))
        M = max(2, int(round(math.exp(alpha * N))))
        label = f"rho={rho}, N={N}, alpha={f:g} alpha_1={alpha:.4f} (M={M})"
        if M > M_MAX:
            raise ValueError(f"exp-rem-threshold: {label} needs more than {M_MAX} patterns")
        plan.append((rho, N, f, alpha, M, label))
    units, blocks = [], []
    for rho, N, f, alpha, M, label in plan:
        total = -(-int(cues) // min(CUES_PER_NETWORK, M))
        blocks.append([(a, min(a + NETS_PER_UNIT, total)) for a in range(0, total, NETS_PER_UNIT)])
        units += [Unit(recovered, {"seed": derive_seed(seed, {"rho": rho, "N": N, "f": f}), "rho": rho, "N": N,
                                   "M": M, "cues": cues, "nets": ab}, cost=N * M * (ab[1] - ab[0]),
                       label=f"{label}, networks {ab[0]}-{ab[1] - 1}") for ab in blocks[-1]]

    def combine(outputs):
        it = iter(outputs)
        points = []
        for (rho, N, f, alpha, M, label), bl in zip(plan, blocks):
            counts = [next(it) for _ in bl]
            k, n, net = (sum(c[i] for c in counts) for i in range(3))
            points += rem_points(rho, N, f, alpha, M, label, k, n, net)
        return points

    return Work(units, combine)


def race_prediction(N: int, M: int, rho: float) -> Tuple[float, float]:
    """``theory.rem.race_recovery_probability`` with the check's draws and depth (seed 0): ``(p, se)``."""
    return _race_cached(rem.race_recovery_probability, int(N), int(M), float(rho))


@lru_cache(maxsize=64)
def _race_cached(func, N, M, rho):
    """One evaluation per function and case (the function is part of the key, so a stand-in is not hidden)."""
    return func(N, M, rho, samples=RACE_SAMPLES, seed=0, depth=RACE_DEPTH_USED)


def rem_points(rho: float, N: int, f: float, alpha: float, M: int, label: str, k: int, n: int, net: int) -> List[Point]:
    """The points of one case of ``exp-rem-threshold`` from its counts."""
    points = []
    params = {"rho": rho, "N": N, "f": f, "alpha": alpha, "M": M}
    pred, se = race_prediction(N, M, rho)
    params["networks"] = net
    params["count"] = float(rem.recovery_probability().evaluate(N=N, M=M, rho=rho))
    points.append(binomial_point(f"{label}: recovered vs race model", k, n, pred, RACE_TRUNCATION + 2.576 * se,
                                 level=0.99, params=params))
    if f <= BELOW:
        points.append(binomial_point(f"{label}: below alpha_1, recovered >= {BELOW_FLOOR}", k, n,
                                     (1 + BELOW_FLOOR) / 2, (1 - BELOW_FLOOR) / 2, level=0.99, params=params))
    elif f >= ABOVE:
        points.append(binomial_point(f"{label}: above alpha_1, recovered <= {ABOVE_CEILING}", k, n,
                                     ABOVE_CEILING / 2, ABOVE_CEILING / 2, level=0.99, params=params))
    return points

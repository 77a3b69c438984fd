"""Check of the exponential-interaction memory (Demircigil et al. 2017; docs/references.md, dense).

``exp-recovery``: exact recovery of patterns from cues with a fraction rho of
flipped bits, with M = exp(alpha N) stored patterns, below the bound
alpha < I(1 - 2 rho)/2 (recovery) and well above it (failure).
"""

from __future__ import annotations

from typing import List, Sequence

import math

import theory.exponential as te
from simulations.estimators import exponential as exponential_est
from simulations.core.progress import steps
from simulations.core.seeds import derive_seed
from simulations.checks.registry import Point, register_check
from simulations.checks.stats import binomial_point

#: Below the bound (at 0.75 of it) the theorem says retrieval with probability -> 1.
#: At N = 60-80 every cue was recovered at 0.75x in the measurements behind this
#: check (rho = 0.1-0.3, 40-200 cues each); 2% allows a rare finite-N failure. At
#: 1.5x the bound the same N still recover 96-100% (the finite-N boundary lies
#: above the asymptotic one), which is why the below side sits at 0.75x.
BELOW, BELOW_TOLERANCE = 0.75, 0.02
#: Above the bound the theorem says retrieval fails as N -> infinity, but at N = 20-80
#: the boundary is soft (measured at 2.5x: 23-40% recovered at N = 40-80, rho = 0.2-0.3).
#: "Fails" is tested as "at most half of the cues are recovered" at 2.5x the bound.
ABOVE, ABOVE_TOLERANCE = 2.5, 0.5
#: Largest number of stored patterns simulated (N x M int64 in memory, N x M work per
#: bit visit); a case needing more is reported as unaffordable, not tested.
M_MAX = 300_000


@register_check(
    "exp-recovery",
    families=("dense",), seconds={"quick": 0.8, "full": 8.77},
    figures=("exp-recovery",), derivations=("demircigil",),
    title="exponential memory: recovery from rho-corrupted cues below (0.75x) and well above (2.5x) the bound",
    theory="theory.exponential.demircigil_alpha: M = exp(alpha N) patterns are retrieved from cues with a "
           "fraction rho of flips if alpha < I(1-2rho)/2 (Demircigil, Heusel, Loewe, Upgang & Vermet 2017)",
    test="exact binomial test on the cues recovered exactly (asynchronous dynamics to a fixed point; cues drawn "
         "over as many independent networks as it takes, at most M cues a network): "
         f"below, fraction 1 with tolerance {BELOW_TOLERANCE}; above, fraction 0 with tolerance "
         f"{ABOVE_TOLERANCE} (the finite-N boundary is soft); Holm at 1%. Both sides must hold. "
         f"Cases needing more than {M_MAX} patterns are reported as unaffordable.",
    quick={"cases": [[0.2, 60, BELOW], [0.3, 80, BELOW], [0.2, 40, ABOVE], [0.3, 80, ABOVE]], "cues": 100},
    full={"cases": [[0.1, 60, BELOW], [0.2, 60, BELOW], [0.2, 80, BELOW], [0.25, 80, BELOW], [0.3, 80, BELOW],
                    [0.1, 20, ABOVE], [0.2, 40, ABOVE], [0.25, 60, ABOVE], [0.3, 80, ABOVE]], "cues": 400},
)
def exp_recovery(*, seed: int, cases: Sequence[Sequence[float]], cues: int,
                 factors: Sequence[float] = None) -> List[Point]:
    """``cases``: (rho, N, factor) triples, rho N an integer (the cue flips exactly rho N bits) and
    factor the multiple of the bound that is tested (below 1: recovery; above: failure); with
    ``factors``, (rho, N) pairs crossed with those factors."""
    points = []
    runs = [tuple(c) for c in cases] if factors is None else [(rho, N, f) for rho, N in cases for f in factors]
    for rho, N, f in steps(runs, "exp-recovery"):
        bound = float(te.demircigil_alpha().evaluate(rho=rho))
        alpha = f * bound
        below = f < 1.0
        M = max(2, int(round(math.exp(alpha * N))))
        label = f"rho={rho}, N={N}, alpha={f:g}x bound={alpha:.3f} (M={M})"
        params = {"rho": rho, "N": N, "alpha": alpha, "M": M, "side": "below" if below else "above"}
        if M > M_MAX:
            points.append(Point(label + f": more than {M_MAX} patterns, not simulated (reported)", float(below),
                                float("nan"), float("nan"), float("nan"), 0.0, None, True, params, kind="reported"))
            continue
        k = n = net = 0
        while n < cues:
            r = exponential_est.exp_recovery(seed=derive_seed(seed, {"rho": rho, "N": N, "factor": f, "net": net}), N=N,
                                        alpha=None, M=M, rho=rho, cues=cues - n, max_sweeps=50)
            k, n, net = k + r["recovered"], n + r["cues"], net + 1
        points.append(binomial_point(f"{label}, {net} network(s)", k, n, 1.0 if below else 0.0,
                                     BELOW_TOLERANCE if below else ABOVE_TOLERANCE, level=0.99,
                                     params={**params, "networks": net}))
    return points

"""Checks of the pseudo-inverse (projection) rule with zero diagonal (Kanter & Sompolinsky 1987).

``pseudo-inverse``: every stored pattern is a fixed point for alpha < 1 (in
every network), and one parallel step from overlap m0 follows
``theory.basins.first_step_projection``.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

import theory.basins as basins
from simulations.checks.registry import Point, Unit, Work, register_check
from simulations.core.seeds import derive_seed
from simulations.estimators.pseudo_inverse import projection_runs
from simulations.checks.stats import binomial_point, mean_point

#: Allowance for the N -> oo one-step formula at N = 1000: W_ii fluctuates around
#: alpha by sqrt(alpha (1 - alpha) / N) ~ 0.016 and the Gaussian form of g_i is
#: asymptotic; measured deviations at N = 1000 were <= 0.009 (alpha = 0.2-0.9).
STEP_TOLERANCE = 0.015


@register_check(
    "pseudo-inverse",
    families=("classical",), seconds={"quick": 29.1, "full": 173.39},
    figures=("pseudo-inverse-step",), derivations=("pseudo-inverse-step",),
    title="projection rule (zero diagonal): all patterns fixed for alpha < 1, and one parallel step from overlap m0",
    theory="every pattern is a fixed point below alpha = 1 (aligned field 1 - W_ii); m1 = erf(m0 sqrt((1 - alpha)/"
           "(2 alpha (1 - m0^2)))) (theory.basins.first_step_projection; Kanter & Sompolinsky, PRA 35, 380 (1987))",
    test="fixed points: exact binomial test that the fraction of networks with all patterns fixed is 1 (one "
         f"failure rejects); one step: z-test of the mean over networks, tolerance {STEP_TOLERANCE} (finite N, "
         "see STEP_TOLERANCE); Holm at 1%.",
    quick={"N": 400, "cases": [[0.5, 0.5], [0.9, 0.9]], "networks": 8, "cues": 8},
    full={"N": 1500, "cases": [[0.2, 0.6], [0.5, 0.3], [0.5, 0.5], [0.7, 0.8], [0.9, 0.9], [0.95, 0.95]],
          "networks": 40, "cues": 10},
    split=True,
)
def pseudo_inverse(*, seed: int, N: int, cases: Sequence[Sequence[float]], networks: int, cues: int,
                   rule: str = "pseudo-inverse", keep_diagonal: bool = False) -> Work:
    """One unit per (alpha, m0) and block of ``NETS_PER_UNIT`` networks (``projection_runs``), combined per case.

    ``rule="hebbian"`` or ``keep_diagonal=True`` simulate wrong networks (the tests' simulator mutants)."""
    blocks = [(a, min(a + NETS_PER_UNIT, networks)) for a in range(0, networks, NETS_PER_UNIT)]
    units = []
    for alpha, m0 in cases:
        units += [Unit(projection_runs, {"seed": derive_seed(seed, {"N": N, "alpha": alpha, "m0": m0, "rule": rule,
                                                                    "kd": keep_diagonal}),
                                         "N": N, "alpha": alpha, "m0": m0, "networks": networks, "cues": cues,
                                         "rule": rule, "keep_diagonal": keep_diagonal, "nets": ab},
                       cost=(ab[1] - ab[0]) * (1 + alpha) * N ** 3,
                       label=f"alpha={alpha}, m0={m0}, networks {ab[0]}-{ab[1] - 1}") for ab in blocks]

    def combine(outputs):
        it = iter(outputs)
        points = []
        for alpha, m0 in cases:
            outs = [next(it) for _ in blocks]
            fixed, m1 = np.concatenate([o[0] for o in outs]), np.concatenate([o[1] for o in outs])
            points += projection_points(N, alpha, m0, fixed, m1)
        return points

    return Work(units, combine)


#: Networks per unit of work of ``pseudo-inverse`` (a block of ``projection_runs``).
NETS_PER_UNIT = 10


def projection_points(N: int, alpha: float, m0: float, fixed: np.ndarray, m1: np.ndarray) -> List[Point]:
    """The two points of ``pseudo-inverse`` at (alpha, m0) from ``projection_runs``' arrays."""
    f = basins.first_step_projection()
    P = max(1, int(round(alpha * N)))
    a = P / N
    m0r = 1 - 2 * round((1 - m0) * N / 2) / N
    params = {"N": N, "P": P, "alpha": a, "m0": m0r}
    return [binomial_point(f"all {P} patterns fixed, alpha={alpha}", int(fixed.sum()), len(fixed), 1.0,
                           level=0.99, params=params),
            mean_point(f"m1 at alpha={alpha}, m0={m0}", m1, float(f.evaluate(m0=m0r, alpha=a)),
                       STEP_TOLERANCE, level=0.99, params=params)]

"""Checks of the basins of attraction of the Hebbian network (``theory.basins``).

``basins-two-step``: the overlaps after one and two parallel steps from a cue
with overlap m0, against ``m1 = erf(m0/sqrt(2 alpha))`` and the
Gardner-Derrida-Mottishaw two-step formula. The basin radius itself has no
closed form; ``simulations.estimators.basins.basin_radius`` measures it (figure ``basin-radius``).
"""

from __future__ import annotations

from typing import List, Sequence

import theory.basins as basins
from simulations.checks.registry import Point, Work, per_case, register_check
from simulations.core.seeds import derive_seed
from simulations.estimators.basins import basin_radius, parallel_overlaps
from simulations.checks.stats import mean_point

#: Allowance for the finite-N error of the N -> oo formulas at N = 2000: the
#: signal is m0 up to 1/N, the crosstalk variance (P-1)/N rather than alpha, and
#: the linear response drops O(1/N) terms per pattern (O(alpha) after summing
#: over patterns, but with random signs: O(sqrt(alpha/N)) ~ 0.007 at alpha = 0.1).
#: Measured deviations at N = 3000 were below 0.005 (10 networks x 8 cues per point).
TWO_STEP_TOLERANCE = 0.01


@register_check(
    "basins-two-step",
    families=("classical",), seconds={"quick": 0.6, "full": 38.22},
    figures=("basins-steps",), derivations=("basins",),
    title="overlap after 1 and 2 parallel steps from overlap m0 vs erf(m0/sqrt(2 alpha)) and the "
          "Gardner-Derrida-Mottishaw two-step formula",
    theory="theory.basins.first_step, theory.basins.second_step (Gardner, Derrida & Mottishaw, J. Physique 48, "
           "741 (1987); re-derived by linear response in 'amlab derive basins')",
    test="z-test of the mean over independent networks (each the mean of its cues) against the N -> oo formula, "
         f"tolerance {TWO_STEP_TOLERANCE} for finite-N corrections (see TWO_STEP_TOLERANCE), Holm over all points "
         "at 1%.",
    quick={"N": 2000, "cases": [[0.1, 0.3], [0.3, 0.6]], "networks": 16, "cues": 8},
    full={"N": 5000, "cases": [[0.05, 0.2], [0.1, 0.3], [0.1, 0.6], [0.2, 0.5], [0.2, 0.8], [0.3, 0.6],
                                [0.4, 0.8]], "networks": 100, "cues": 10},
    split=True,
)
def two_step(*, seed: int, N: int, cases: Sequence[Sequence[float]], networks: int, cues: int,
             keep_diagonal: bool = False) -> Work:
    """``keep_diagonal=True`` simulates the self-coupled network (W_ii = P/N); the tests use it
    as a simulator mutant the check must reject."""
    return per_case(two_step_case, [dict(zip(('alpha', 'm0'), c)) for c in cases],
                    dict(seed=seed, N=N, networks=networks, cues=cues, keep_diagonal=keep_diagonal),
                    cost=lambda alpha, m0: N * N * (1 + alpha))


def two_step_case(*, seed: int, alpha: float, m0: float, N: int, networks: int, cues: int,
                  keep_diagonal: bool) -> List[Point]:
    """The two points of ``basins-two-step`` at (alpha, m0)."""
    f1, f2 = basins.first_step(), basins.second_step()
    points = []
    P = max(2, int(round(alpha * N)))
    a = P / N  # the realised load
    m0r = 1 - 2 * round((1 - m0) * N / 2) / N  # the realised overlap of the cues
    ms = parallel_overlaps(seed=derive_seed(seed, {"N": N, "alpha": alpha, "m0": m0, "kd": keep_diagonal}),
                           N=N, alpha=alpha, m0=m0, networks=networks, cues=cues, keep_diagonal=keep_diagonal)
    for t, f in ((0, f1), (1, f2)):
        th = float(f.evaluate(m0=m0r, alpha=a))
        points.append(mean_point(f"m{t + 1} at alpha={alpha}, m0={m0}", ms[:, t], th, TWO_STEP_TOLERANCE,
                                 level=0.99, params={"N": N, "P": P, "alpha": a, "m0": m0r, "step": t + 1}))
    return points


__all__ = ["parallel_overlaps", "two_step", "basin_radius", "TWO_STEP_TOLERANCE", "Point"]

"""Checks of the AGS theory at T > 0 against Glauber dynamics (``theory.finite_t``).

``ags-glauber``: the overlap of heat-bath (Glauber) dynamics started at a stored
pattern, after a fixed number of sweeps, against the RS retrieval overlap
m(alpha, T) below the retrieval line T_M(alpha), and its loss above it.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

import theory.finite_t as finite_t
from simulations.checks.registry import Point, Work, per_case, register_check
from simulations.core.seeds import derive_seed
from simulations.estimators.finite_t import glauber_overlaps
from simulations.checks.stats import mean_point

#: Allowance for the N -> oo RS value at N = 2000, T well below T_M: the mean of
#: the instantaneous overlap equals its thermal average, whose finite-N
#: corrections are O(1/N) away from T_M (measured deviations <= 0.004 at N = 2000,
#: alpha = 0.02-0.05, T = 0.3-0.6); replica-symmetry breaking is invisible in m
#: at these (alpha, T), far above the AT line.
M_TOLERANCE = 0.01
#: Above T_M there is no retrieval state (theory: m -> 0); at finite N and after
#: a finite number of sweeps the overlap decays slowly (0.4, 0.23, 0.12 after 10,
#: 20, 40 sweeps at alpha = 0.05, T = 0.7, N = 2000), so "lost" means below 0.4.
LOST_BAND = 0.4


@register_check(
    "ags-glauber",
    families=("classical",), seconds={"quick": 2.4, "full": 32.87},
    figures=("ags-glauber",), derivations=("finite-t", "ags"),
    title="Glauber dynamics at T > 0 from a stored pattern vs the RS overlap m(alpha, T), and loss above T_M(alpha)",
    theory="theory.finite_t.retrieval_overlap (RS equations of Amit, Gutfreund & Sompolinsky 1987, solved in "
           "theory.ags); no retrieval state above T_M(alpha) = theory.ags.T_M",
    test="z-test of the mean overlap over independent networks (each the mean of its cues) after a fixed number "
         f"of sweeps: below T_M against m(alpha, T) with tolerance {M_TOLERANCE} (finite N), above T_M against 0 with "
         f"tolerance {LOST_BAND} (slow finite-N decay); Holm over the points at 1%.",
    quick={"N": 2000, "cases": [[0.05, 0.45], [0.02, 0.6], [0.05, 0.7]], "networks": 12, "cues": 4, "sweeps": 30},
    full={"N": 4000, "cases": [[0.01, 0.7], [0.02, 0.6], [0.05, 0.3], [0.05, 0.45], [0.08, 0.3], [0.1, 0.2],
                               [0.03, 0.8], [0.05, 0.7], [0.08, 0.55]],
          "networks": 40, "cues": 5, "sweeps": 60},
    split=True,
)
def ags_glauber(*, seed: int, N: int, cases: Sequence[Sequence[float]], networks: int, cues: int, sweeps: int,
                T_factor: float = 1.0) -> Work:
    """One unit per case (``ags_glauber_case``)."""
    return per_case(ags_glauber_case, [dict(zip(('alpha', 'T'), c)) for c in cases],
                    dict(seed=seed, N=N, networks=networks, cues=cues, sweeps=sweeps, T_factor=T_factor),
                    cost=lambda alpha, T: N * N * (1 + alpha))


def ags_glauber_case(*, seed: int, alpha: float, T: float, N: int, networks: int, cues: int, sweeps: int,
                     T_factor: float) -> List[Point]:
    """The point of ``ags-glauber`` at (alpha, T), in a list."""
    points = []
    P = max(1, int(round(alpha * N)))
    a = P / N
    m = float(finite_t.retrieval_overlap(a, T))
    ms = glauber_overlaps(seed=derive_seed(seed, {"N": N, "alpha": alpha, "T": T, "Tf": T_factor}), N=N,
                          alpha=alpha, T=T, networks=networks, cues=cues, sweeps=sweeps, T_factor=T_factor)
    T_M = float(finite_t.retrieval_line(a))
    params = {"N": N, "P": P, "alpha": a, "T": T, "T_M": T_M, "sweeps": sweeps}
    if np.isnan(m):
        points.append(mean_point(f"alpha={alpha}, T={T} > T_M={T_M:.3f}: pattern lost", ms, 0.0, LOST_BAND,
                                 level=0.99, params=params))
    else:
        points.append(mean_point(f"m at alpha={alpha}, T={T} (T_M={T_M:.3f})", ms, m, M_TOLERANCE,
                                 level=0.99, params=params))
    return points

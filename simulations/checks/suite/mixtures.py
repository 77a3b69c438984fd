"""Check of the symmetric 3-mixture spurious state against Glauber dynamics (``theory.mixtures``).

``mixture-stability``: Glauber dynamics seeded with ``sign(xi^1 + xi^2 + xi^3)``
at small load keep the mixture below ``T = 0.4598`` with the predicted overlap,
and leave it above.
"""

from __future__ import annotations

from typing import List, Sequence

import theory.mixtures as mixtures
from simulations.checks.registry import Point, Work, per_case, register_check
from simulations.core.seeds import derive_seed
from simulations.estimators.mixtures import KEPT, mixture_runs
from simulations.checks.stats import binomial_point, mean_point

#: Allowance on the kept fraction: a finite network escapes the shallow mixture
#: minimum by thermal activation (barrier proportional to N); at N = 10^4, 40
#: sweeps, T = 0.2 none of 20 runs escaped, at T = 0.35 4 of 20 did.
KEPT_TOLERANCE = 0.1
#: Allowance on the overlap of kept runs: finite N (the overlaps fluctuate by
#: N^(-1/2) = 0.01 at N = 10^4 and the extra pattern adds alpha-corrections of order
#: P/N); measured ``|deviation|`` <= 0.004.
M_TOLERANCE = 0.01


@register_check(
    "mixture-stability",
    families=("classical",), seconds={"quick": 2.3, "full": 23.35},
    figures=("mixture-stability",),
    title="Glauber dynamics from the symmetric 3-mixture: kept with overlap m(T) below T = 0.46, left above",
    theory="theory.mixtures.symmetric_mixture (m = (1/3) <z tanh(beta m z)>, 1/2 at T = 0) and instability_T = "
           "0.4598 (Hessian; Amit, Gutfreund & Sompolinsky, PRA 32, 1007 (1985), 'T ~ 0.46')",
    test=f"exact binomial test of the fraction of runs keeping the mixture (min overlap > {KEPT}) against 1 below "
         f"instability_T and 0 above, tolerance {KEPT_TOLERANCE} (finite-N escape); z-test of the mean overlap of "
         f"kept runs, tolerance {M_TOLERANCE}; Holm at 1%.",
    quick={"N": 10000, "P": 4, "temperatures": [0.2, 0.55], "runs": 20, "sweeps": 40},
    full={"N": 20000, "P": 4, "temperatures": [0.1, 0.2, 0.3, 0.55, 0.7], "runs": 100, "sweeps": 60},
    split=True,
)
def mixture_stability(*, seed: int, N: int, P: int, temperatures: Sequence[float], runs: int, sweeps: int,
                      T_factor: float = 1.0) -> Work:
    """``T_factor`` scales the simulated temperature (the tests use 0.5 as a simulator mutant)."""
    return per_case(mixture_stability_case, [dict(zip(('T',), c)) for c in [[T] for T in temperatures]],
                    dict(seed=seed, N=N, P=P, runs=runs, sweeps=sweeps, T_factor=T_factor),
                    cost=lambda T: 1.0)


def mixture_stability_case(*, seed: int, T: float, N: int, P: int, runs: int, sweeps: int,
                           T_factor: float) -> List[Point]:
    """The points of ``mixture-stability`` at temperature T."""
    T_inst = mixtures.instability_T(3)
    points = []
    ov = mixture_runs(seed=derive_seed(seed, {"N": N, "P": P, "T": T, "Tf": T_factor}), N=N, P=P, T=T,
                      runs=runs, sweeps=sweeps, T_factor=T_factor)
    kept = ov.min(axis=1) > KEPT
    stable = T < T_inst
    params = {"N": N, "P": P, "T": T, "T_instability": T_inst, "sweeps": sweeps}
    points.append(binomial_point(f"T={T}: mixture {'kept' if stable else 'left'} (T_inst={T_inst:.4f})",
                                 int(kept.sum()), len(kept), 1.0 if stable else 0.0, KEPT_TOLERANCE,
                                 level=0.99, params=params))
    if stable and kept.sum() >= 2:
        m = float(mixtures.symmetric_mixture(T)["m"])
        points.append(mean_point(f"T={T}: overlap of kept runs", ov[kept].mean(axis=1), m, M_TOLERANCE,
                                 level=0.99, params=params))
    return points

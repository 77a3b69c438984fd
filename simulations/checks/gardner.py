"""Check of Gardner's capacity alpha_c(kappa) with perceptron-learned (MinOver) couplings.

``gardner-perceptron``: for each stability kappa, the load at which half of the
random problems are solved (logistic fit over a grid of loads) against
``theory.gardner.alpha_c``.
"""

from __future__ import annotations

import numpy as np

import theory.gardner as gardner
from simulations.fits import logistic_crossing
from simulations.progress import steps
from simulations.registry import Point, register_check
from simulations.seeds import derive_seed
from simulations.stats import estimate_point

#: Relative allowance for the crossing at N = 60-200 against the N -> oo value.
#: Two known biases: the finite-N width of the transition (at kappa = 0, where
#: Cover's count is exact, the median load is exactly 2 at every N, so the bias
#: is only an asymmetry of the logistic fit), and the update budget, which
#: counts barely solvable problems as failures and pulls the crossing down
#: (measured at kappa = 0, N = 50-100, 5e4 updates: 1.95 instead of 2, -2.5%); at N = 60 the kappa = 1
#: crossing lay 4% high (0.54 vs 0.52), at N = 100 within 2%.
#: 5% covers both (twice the budget bias).
RELATIVE_TOLERANCE = 0.05


@register_check(
    "gardner-perceptron",
    title="load where half of the random problems get couplings with stability kappa (MinOver) vs Gardner's "
          "alpha_c(kappa)",
    theory="theory.gardner.alpha_c: 1 / ((1 + kappa^2) Phi(kappa) + kappa phi(kappa)) (Gardner, J. Phys. A 21, 257 "
           "(1988), eq. 24)",
    test="per kappa, a logistic fit of the solved fraction against alpha gives the crossing and its standard error; "
         f"z-test against alpha_c(kappa) with a relative tolerance of {RELATIVE_TOLERANCE} (finite N and the "
         "update budget, see RELATIVE_TOLERANCE); Holm over kappa at 1%.",
    quick={"N": 100, "grids": {"0.5": [0.7, 0.85, 1.0, 1.15, 1.3], "1.0": [0.38, 0.45, 0.52, 0.6, 0.7]},
           "trials": 64, "max_updates": 20000},
    full={"N": 200, "grids": {"0.0": [1.6, 1.8, 1.9, 2.0, 2.1, 2.2, 2.4], "0.5": [0.7, 0.8, 0.9, 0.96, 1.05, 1.15, 1.3],
                              "1.0": [0.38, 0.44, 0.48, 0.52, 0.56, 0.62, 0.7],
                              "1.5": [0.22, 0.26, 0.29, 0.31, 0.33, 0.36, 0.42]},
          "trials": 200, "max_updates": 200000},
)
def gardner_perceptron(*, seed, N, grids, trials, max_updates, kappa_factor=1.0):
    """``kappa_factor`` scales the stability the simulator learns (1 for the correct rule; the tests use
    0.5 as a simulator mutant)."""
    from hopfield.perceptron import capacity_trials

    points = []
    for key in steps(list(grids), "gardner-perceptron"):
        kappa = float(key)
        alphas = np.asarray(grids[key], float)
        Ps = np.maximum(1, np.rint(alphas * N).astype(int))
        k = np.array([int(capacity_trials(N, int(P), kappa * kappa_factor, trials,
                                          seed=derive_seed(seed, {"N": N, "P": int(P), "kappa": kappa}),
                                          max_updates=max_updates).converged.sum()) for P in Ps])
        n = np.full(k.shape, int(trials))
        x = Ps / N
        th = float(gardner.alpha_c().evaluate(kappa=kappa))
        params = {"N": N, "kappa": kappa, "alphas": x.tolist(), "solved": k.tolist(), "trials": int(trials)}
        if not (k[0] / n[0] > 0.5 > k[-1] / n[-1]):
            points.append(Point(f"kappa={kappa}: solved fraction does not cross 1/2 in the grid", th, float("nan"),
                                float("nan"), float("nan"), 0.0, None, False, params))
            continue
        xc, se = logistic_crossing(x, k, n)
        points.append(estimate_point(f"alpha_c(kappa={kappa}) at N={N}", xc, se, th, RELATIVE_TOLERANCE * th,
                                     level=0.99, params=params))
    return points

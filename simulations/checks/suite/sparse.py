"""Check of the covariance rule for sparse patterns (``theory.sparse``).

``sparse-one-step``: the fractions of active and inactive bits of a stored
pattern that one parallel update flips, against the Gaussian signal-to-noise
prediction with crosstalk variance ``alpha a``.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import theory.sparse as sparse
from simulations.checks.registry import Point, Work, per_case, register_check
from simulations.core.seeds import derive_seed
from simulations.estimators.sparse import one_step_errors
from simulations.checks.stats import mean_point

#: Relative allowance for the Gaussian tail: for small a the crosstalk is a sum of
#: skewed terms (xi_i^mu - a) M_mu and the number n_1 of active bits of the pattern
#: fluctuates by sqrt(a N); measured at a = 0.1 (N = 2000, 5000) the rates were
#: within 8% of the prediction, at a = 0.05 (N = 5000) within 22%. 25% covers
#: the grid used here; a crosstalk variance without the factor a is off by a factor 10.
RELATIVE_TOLERANCE = 0.25


@register_check(
    "sparse-one-step",
    families=(), seconds={"quick": 6.1, "full": 24.8},
    figures=("sparse-capacity",), derivations=("sparse",),
    title="covariance rule, sparse patterns: active/inactive bits flipped by one update vs the Gaussian "
          "signal-to-noise prediction",
    theory="theory.sparse.bit_errors: Phi(-(1 - a - theta)/sqrt(alpha a)), Phi(-(theta + a)/sqrt(alpha a)) "
           "(covariance rule of Tsodyks & Feigel'man 1988; one-step analysis derived in amlab)",
    test="z-test of the mean error rate over independent networks (each pooling its cues), relative tolerance "
         f"{RELATIVE_TOLERANCE} for the Gaussian tail (see RELATIVE_TOLERANCE); Holm at 1%.",
    quick={"N": 2000, "cases": [[0.1, 0.5, 0.45]], "networks": 12, "cues": 10},
    full={"N": 5000, "cases": [[0.1, 0.5, 0.45], [0.1, 0.3, 0.4], [0.05, 0.6, 0.5], [0.2, 0.3, 0.3]],
          "networks": 40, "cues": 10},
    split=True,
)
def sparse_one_step(*, seed: int, N: int, cases: Sequence[Sequence[float]], networks: int, cues: int,
                    a_rule: Optional[str] = None) -> Work:
    """One unit per case (``sparse_one_step_case``)."""
    return per_case(sparse_one_step_case, [dict(zip(('a', 'alpha', 'theta'), c)) for c in cases],
                    dict(seed=seed, N=N, networks=networks, cues=cues, a_rule=a_rule),
                    cost=lambda a, alpha, theta: alpha * N * N)


def sparse_one_step_case(*, seed: int, a: float, alpha: float, theta: float, N: int, networks: int, cues: int,
                         a_rule: Optional[str]) -> List[Point]:
    """The two points of ``sparse-one-step`` at (a, alpha, theta)."""
    e = sparse.bit_errors()
    points = []
    P = max(1, int(round(alpha * N)))
    rates = one_step_errors(seed=derive_seed(seed, {"N": N, "a": a, "alpha": alpha, "theta": theta,
                                                    "a_rule": a_rule}),
                            N=N, a=a, alpha=alpha, theta=theta, networks=networks, cues=cues, a_rule=a_rule)
    for j, kind in enumerate(("active", "inactive")):
        th = float(e[kind].evaluate(a=a, alpha=P / N, theta=theta))
        points.append(mean_point(f"{kind} bits flipped, a={a}, alpha={alpha}, theta={theta}", rates[:, j], th,
                                 RELATIVE_TOLERANCE * th, level=0.99,
                                 params={"N": N, "P": P, "a": a, "alpha": P / N, "theta": theta}))
    return points

"""Estimator of Gardner's perceptron capacity: random problems learned by MinOver.

The simulation behind the figure ``gardner-perceptron``.
"""

from __future__ import annotations

from _amlab.params import Param
from simulations.estimators import register_estimator


def solved_problems(*, seed: int, N: int, P: int, kappa: float, trials: int, max_updates: int) -> int:
    """How many of ``trials`` random problems (``hopfield.perceptron.capacity_trials``) MinOver solves.

    A problem is solved when MinOver reaches every stability ``>= kappa``
    within ``max_updates`` updates.
    """
    from hopfield.perceptron import capacity_trials

    return int(capacity_trials(int(N), int(P), float(kappa), int(trials), max_updates=int(max_updates),
                               seed=seed).converged.sum())


@register_estimator("gardner-minover",
                    title="fraction of random perceptron problems MinOver solves with stability >= kappa",
                    params=[Param("N", "int", 40, "inputs", minimum=2),
                            Param("P", "int", 40, "patterns (random +-1 inputs and targets)", minimum=1),
                            Param("kappa", "float", 0.0, "required stability", minimum=0),
                            Param("trials", "int", 32, "independent problems", minimum=1),
                            Param("max_updates", "int", 20000, "MinOver update budget per problem", minimum=1)])
def gardner_minover(*, seed: int, N: int, P: int, kappa: float, trials: int, max_updates: int) -> dict:
    """``solved_problems`` at these parameters: ``solved`` of ``trials``, and ``alpha = P/N``."""
    k = solved_problems(seed=seed, N=N, P=P, kappa=kappa, trials=trials, max_updates=max_updates)
    return {"N": int(N), "P": int(P), "alpha": int(P) / int(N), "trials": int(trials), "solved": k}

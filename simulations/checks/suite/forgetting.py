"""Checks of the key-value memories that forget (``hopfield.kv.stream``) against ``theory.forgetting``.

* ``kv-decay-recall-age``: the decaying Hebbian memory's stored-value score by age: its mean
  ``lam^age`` and the variances of the stored and of a fresh value's score, whose crosstalk is
  summed with the weights ``lam^(2 age')`` (exact formulas at finite ``d`` and ``L``).

Simulations: ``simulations.estimators.forgetting``. Points with p-values are judged together with
Holm's correction at family level 0.01 (``simulations.checks.registry``).
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

import theory.forgetting as tf
from simulations.checks.registry import Point, Unit, Work, register_check
from simulations.checks.stats import summary_point
from simulations.core.seeds import derive_seed
from simulations.estimators import forgetting as sf


@register_check(
    "kv-decay-recall-age",
    families=("kv",), seconds={"quick": 1.9, "full": 52.0},
    derivations=("kv-decay-recall-age",),
    title="Decaying Hebbian key-value memory: recall by age (signal lam^age, crosstalk weighted by lam^(2 age'))",
    theory="theory.forgetting: mean score lam^age; score_variance: stored lam^(2a)(4/d + 4/d^2) + C/d^2, fresh "
           "lam^(2a)(1/d + 2/d^2) + C/d^2 with C = (1 - lam^(2L))/(1 - lam^2) - lam^(2a); exact at finite d, L "
           "for Gaussian keys and values (the SNR, accuracy and window follow from them)",
    test="z-test per (lam, age) over n independent memories (written and read by the streaming kernel): of the "
         "mean stored score, and of the mean of (score - mean)^2 against each variance; tolerance 0 (exact "
         "formulas: no approximation error to allow for); Holm at 0.01. d = 32 makes the 1/d^2 terms "
         "3-20% of the variances",
    quick={"d": 32, "L": 64, "lams": [0.9], "ages": [0, 2, 5, 10, 20, 40], "n": 8000},
    full={"d": 64, "L": 400, "lams": [0.9, 0.98], "ages": [0, 5, 20, 50, 100, 200], "n": 8000},
    split=True, key="age=20: stored variance",
)
def kv_decay_recall_age(*, seed: int, d: int, L: int, lams: Sequence[float], ages: Sequence[int], n: int) -> Work:
    """One unit per decay ``lam`` (``sf.decay_scores``), its points by ``decay_points``."""
    units = [Unit(sf.decay_scores, {"d": d, "L": L, "lam": lam, "ages": list(ages), "n": n,
                                    "seed": derive_seed(seed, {"check": "kv-decay-recall-age", "d": d, "L": L,
                                                               "lam": lam})},
                  cost=n * (L + len(ages)) * d * d, label=f"lam={lam}") for lam in lams]

    def combine(outputs):
        return [p for lam, sc in zip(lams, outputs) for p in decay_points(sc, d, L, lam, ages, n)]

    return Work(units, combine)


def decay_points(sc: dict, d: int, L: int, lam: float, ages: Sequence[int], n: int) -> List[Point]:
    """The points of ``kv-decay-recall-age`` at one ``lam`` from the scores of ``sf.decay_scores``."""
    points = []
    for i, a in enumerate(ages):
        mu = float(lam) ** int(a)
        p = {"d": d, "L": L, "lam": lam, "age": int(a), "n": n,
             "snr": float(tf.snr("finite").evaluate(d=d, lam=lam, age=a, L=L))}
        s = sc["stored"][:, i]
        points.append(summary_point(f"lam={lam}, age={a}: stored mean", s.mean(), s.std(ddof=1), n, mu, params=p))
        for kind, m in (("stored", mu), ("fresh", 0.0)):
            sq = (sc[kind][:, i] - m) ** 2
            var = float(tf.score_variance(kind, "finite").evaluate(d=d, lam=lam, age=a, L=L))
            points.append(summary_point(f"lam={lam}, age={a}: {kind} variance", sq.mean(), sq.std(ddof=1), n, var,
                                        params=p))
    return points

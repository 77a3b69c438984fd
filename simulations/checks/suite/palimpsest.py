"""Checks of the binary palimpsests (``hopfield.palimpsest``) against ``theory.palimpsest``.

* ``palimpsest-window``: the one-step aligned field of the pattern of age t in the
  marginalist network, mean ``lam^t (N-1)/N`` and variance ``(N-1)/N^2 sum_{t' != t} lam^(2t')``
  (exact at finite N and P), by age bin across the retrievable window and beyond.

Simulations: ``simulations.estimators.palimpsest``.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

import theory.palimpsest as tp
from simulations.checks.point import Point
from simulations.checks.registry import Work, per_case, register_check
from simulations.checks.stats import summary_point
from simulations.core.seeds import derive_seed
from simulations.estimators import palimpsest as sp_


@register_check(
    "palimpsest-window",
    families=("palimpsest", "classical"), seconds={"quick": 4.0, "full": 40.0},
    figures=("palimpsest-capacity",), derivations=("palimpsest",),
    title="Marginalist palimpsest: aligned-field mean and variance by age (the signal-to-noise route)",
    theory="theory.palimpsest.field_mean / field_variance: lam^t (N-1)/N and (N-1)/N^2 sum_{t'!=t} lam^(2t') "
           "for P patterns written from J = 0; exact at finite N, P (fair-sign crosstalk terms, uncorrelated)",
    test="per eps and age bin (t/N in [0, 0.05), [0.05, 0.1), [0.1, 0.2)): z-test over independent networks of "
         "the per-network mean over ages and neurons of (u - mean)/sd and of (u - mean)^2/variance (theory 0 and "
         "1); tolerance 0 (exact formulas); Holm at 0.01",
    quick={"N": 400, "eps": [4.0, 10.0], "n_net": 12},
    full={"N": 1000, "eps": [2.0, 5.0, 10.0, 20.0], "n_net": 16},
    split=True,
)
def palimpsest_window(*, seed: int, N: int, eps: Sequence[float], n_net: int) -> Work:
    """One unit per forgetting rate (``moments_case``)."""
    return per_case(moments_case, [{"eps": float(e)} for e in eps], {"seed": seed, "N": N, "n_net": n_net},
                    cost=lambda eps: n_net * N * N)


#: Age bins of ``palimpsest-window`` in units of N: inside the window (0.05 N at the optimum), at its edge, beyond.
BINS = ((0.0, 0.05), (0.05, 0.1), (0.1, 0.2))


def moments_case(*, seed: int, N: int, eps: float, n_net: int) -> List[Point]:
    """The six points (mean and variance for each age bin) at one ``eps``."""
    ages = np.arange(int(BINS[-1][1] * N))
    r = sp_.field_moments(N, eps, ages, n_net, derive_seed(seed, {"check": "palimpsest-window", "N": N, "eps": eps}))
    mu = np.asarray(tp.field_mean().evaluate(lam=r["lam"], t=ages, N=N), np.float64)
    var = np.asarray(tp.field_variance().evaluate(lam=r["lam"], t=ages, N=N, P=r["P"]), np.float64)
    z = (r["field_mean"] - mu) / np.sqrt(var)  # (n_net, K): mean over neurons, in units of the sd
    sq = (r["field_var"] + (r["field_mean"] - mu) ** 2) / var  # mean over neurons of (u - mu)^2 / var
    points = []
    for lo, hi in BINS:
        k = (ages >= lo * N) & (ages < hi * N)
        p = {"N": N, "eps": eps, "ages": f"[{lo}, {hi}) N", "n_net": n_net}
        zb, vb = z[:, k].mean(axis=1), sq[:, k].mean(axis=1)
        points.append(summary_point(f"eps={eps:g}, t/N in [{lo}, {hi}): mean (sd units)", zb.mean(), zb.std(ddof=1),
                                    n_net, 0.0, params=p))
        points.append(summary_point(f"eps={eps:g}, t/N in [{lo}, {hi}): variance / theory", vb.mean(),
                                    vb.std(ddof=1), n_net, 1.0, params=p))
    return points


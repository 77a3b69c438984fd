"""Statistical tests used by the checks (thin layers over ``scipy.stats``)."""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from simulations.checks.point import Point


def holm(p_values: Sequence[float], alpha: float) -> list:
    """Holm's step-down procedure: which hypotheses are rejected at family level ``alpha``.

    Returns a list of bools in the order of ``p_values``.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    reject = [False] * m
    for rank, i in enumerate(order):
        if p_values[i] <= alpha / (m - rank):
            reject[i] = True
        else:
            break
    return reject


def _nearest_null(estimate: float, theory: float, tolerance: float) -> float:
    """The value in ``[theory - tolerance, theory + tolerance]`` closest to the estimate."""
    return float(min(max(estimate, theory - tolerance), theory + tolerance))


def binomial_point(label: str, k: int, n: int, theory: float, tolerance: float = 0.0, level: float = 0.95,
                   method: str = "wilson", params: Optional[dict] = None) -> Point:
    """Compare ``k`` successes of ``n`` trials with a predicted probability.

    The test is the two-sided exact binomial test of the composite null
    "p lies in [theory - tolerance, theory + tolerance]", taken at the point of
    that band nearest the estimate (the least favourable, so the most
    conservative one). The interval shown is Wilson's (or Clopper-Pearson's,
    ``method="exact"``) at ``level``.

    Returns
    -------
    simulations.checks.point.Point
    """

    k, n = int(k), int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    est = k / n
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method=method)
    p0 = min(max(_nearest_null(est, theory, tolerance), 0.0), 1.0)
    if p0 in (0.0, 1.0):
        pval = 1.0 if (k == 0 and p0 == 0.0) or (k == n and p0 == 1.0) else 0.0
    else:
        pval = float(stats.binomtest(k, n, p0).pvalue)
    return Point(label, float(theory), est, float(ci.low), float(ci.high), float(tolerance), pval, True, dict(params or {}),
                 se=math.sqrt(est * (1 - est) / n), n=n, dist="binomial")


def mean_point(label: str, samples: ArrayLike, theory: float, tolerance: float = 0.0, level: float = 0.95,
               params: Optional[dict] = None) -> Point:
    """Compare the mean of ``samples`` with a predicted mean by a z-test.

    The null is "the mean lies in [theory - tolerance, theory + tolerance]",
    tested at its point nearest the sample mean; the standard error is the
    sample standard deviation over sqrt(n) (n >= 30 is advised for the normal
    approximation).
    """
    x = np.asarray(samples, dtype=np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"samples must hold at least 2 values, got {x.size}")
    return summary_point(label, x.mean(), x.std(ddof=1), x.size, theory, tolerance, level, params)


def summary_point(label: str, mean: float, sd: float, n: int, theory: float, tolerance: float = 0.0,
                  level: float = 0.95, params: Optional[dict] = None) -> Point:
    """``mean_point`` from a summary: the sample mean, sample standard deviation (ddof=1) and size."""

    n = int(n)
    if n < 2:
        raise ValueError(f"n must be >= 2 for a z-test, got {n}")
    mean, se = float(mean), float(sd) / math.sqrt(n)
    zc = float(stats.norm.ppf(0.5 + level / 2))
    mu0 = _nearest_null(mean, theory, tolerance)
    if se == 0.0:
        pval = 1.0 if mean == mu0 else 0.0
    else:
        pval = float(2 * stats.norm.sf(abs(mean - mu0) / se))
    return Point(label, float(theory), mean, mean - zc * se, mean + zc * se, float(tolerance), pval, True, dict(params or {}),
                 se=se, n=n, dist="z")


def estimate_point(label: str, estimate: float, se: float, theory: float, tolerance: float = 0.0,
                   level: float = 0.95, params: Optional[dict] = None) -> Point:
    """Compare an estimate with a known standard error ``se`` (e.g. a fitted parameter) by a z-test.

    Same null and p-value as ``mean_point``: "the truth lies in
    [theory - tolerance, theory + tolerance]", tested at its nearest point.
    """
    return summary_point(label, estimate, float(se) * math.sqrt(2.0), 2, theory, tolerance, level, params)


def bound_point(label: str, value: float, bound: float, side: str = "le", params: Optional[dict] = None) -> Point:
    """A deterministic comparison: ``value <= bound`` (``side="le"``) or ``>=`` (``side="ge"``)."""
    if side not in ("le", "ge"):
        raise ValueError(f"side must be 'le' or 'ge', got {side!r}")

    ok = value <= bound if side == "le" else value >= bound
    return Point(label, float(bound), float(value), float(value), float(value), 0.0, None, bool(ok), dict(params or {}),
                 kind=side)


def t_point(label: str, mean: float, sd: float, n: int, theory: float, tolerance: float = 0.0, level: float = 0.95,
            params: Optional[dict] = None) -> Point:
    """``summary_point`` with Student's t (``n - 1`` degrees of freedom) for the mean of ``n`` samples.

    For means over a few tens of independent units (networks), where the
    normal approximation of ``summary_point`` is too optimistic.
    """

    n = int(n)
    if n < 2:
        raise ValueError(f"n must be >= 2 for a t-test, got {n}")
    mean, se = float(mean), float(sd) / math.sqrt(n)
    tc = float(stats.t.ppf(0.5 + level / 2, n - 1))
    mu0 = _nearest_null(mean, theory, tolerance)
    if se == 0.0:
        pval = 1.0 if mean == mu0 else 0.0
    else:
        pval = float(2 * stats.t.sf(abs(mean - mu0) / se, n - 1))
    return Point(label, float(theory), mean, mean - tc * se, mean + tc * se, float(tolerance), pval, True,
                 dict(params or {}), se=se, n=n, dist="t")

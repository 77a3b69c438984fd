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
                  level: float = 0.95, params: Optional[dict] = None, skew: Optional[float] = None,
                  correction: str = "hall") -> Point:
    """``mean_point`` from a summary: the sample mean, sample standard deviation (ddof=1) and size.

    Parameters
    ----------
    label, theory, tolerance, level, params
        As in ``mean_point``.
    mean, sd, n : float, float, int
        The sample mean, sample standard deviation (ddof=1) and sample size.
    skew : float, optional
        The sample skewness of the data (``scipy.stats.skew``). Given, the
        statistic ``t = (mean - mu0) / se`` is corrected for the skewness
        of the data before it is referred to the normal distribution
        (``skew_corrected``): the plain z-test of a right-skewed population
        rejects too often below the truth (a low sample mean comes with a
        small sample sd) and too rarely above it. The interval is the set
        of means the corrected test accepts.
    correction : {"hall", "johnson"}
        Which correction (``skew_corrected``); read only with ``skew``.

    Returns
    -------
    simulations.checks.point.Point
    """

    n = int(n)
    if n < 2:
        raise ValueError(f"n must be >= 2 for a z-test, got {n}")
    if correction not in ("hall", "johnson"):
        raise ValueError(f"correction must be 'hall' or 'johnson', got {correction!r}")
    if skew is not None and not math.isfinite(float(skew)):
        raise ValueError(f"skew must be a finite number, got {skew!r}")
    mean, se = float(mean), float(sd) / math.sqrt(n)
    zc = float(stats.norm.ppf(0.5 + level / 2))
    mu0 = _nearest_null(mean, theory, tolerance)
    a = 0.0 if skew is None else float(skew) / (3.0 * math.sqrt(n))
    if se == 0.0:
        pval = 1.0 if mean == mu0 else 0.0
    elif a == 0.0:
        pval = float(2 * stats.norm.sf(abs(mean - mu0) / se))
    else:
        pval = float(2 * stats.norm.sf(abs(skew_corrected((mean - mu0) / se, float(skew), n, correction))))
    if a == 0.0 or se == 0.0:
        low, high = mean - zc * se, mean + zc * se
    else:
        t_lo, t_hi = _uncorrected(-zc, a, correction), _uncorrected(zc, a, correction)
        low, high = mean - t_hi * se, mean - t_lo * se
    return Point(label, float(theory), mean, low, high, float(tolerance), pval, True, dict(params or {}),
                 se=se, n=n, dist="z")


def skew_corrected(t: float, skew: float, n: int, correction: str = "hall") -> float:
    """A t statistic of a sample mean corrected for the skewness of the data, to be read as standard normal.

    With ``a = skew / (3 sqrt(n))``, Johnson's (1978) statistic is
    ``t + a/2 + a t^2`` (its Edgeworth term of order ``n^-1/2`` removed);
    Hall's (1992) transformation adds ``a^2 t^3 / 3``, which makes it
    ``((1 + a t)^3 - 1) / (3 a) + a/2``, increasing in ``t`` (Johnson's
    folds back for ``|t| > 1 / (2 |a|)``, so a large error can pass it).
    For a right-skewed population (``skew > 0``) a sample mean below the
    truth has ``t < 0`` and is pulled towards 0; one above, away from it.

    Examples
    --------
    >>> round(skew_corrected(-3.0, 10.0, 2000), 4)   # a = 0.0745: -3 + 0.0373 + 0.6708 - 0.0500
    -2.3419
    >>> skew_corrected(1.5, 0.0, 100)
    1.5
    """
    if correction not in ("hall", "johnson"):
        raise ValueError(f"correction must be 'hall' or 'johnson', got {correction!r}")
    a = float(skew) / (3.0 * math.sqrt(int(n)))
    t = float(t)
    if a == 0.0:
        return t
    if correction == "johnson":
        return t + a / 2 + a * t * t
    return t + a * t * t + a * a * t ** 3 / 3 + a / 2


def _uncorrected(value: float, a: float, correction: str) -> float:
    """The ``t`` whose corrected statistic (``skew_corrected`` with ``a = skew / (3 sqrt(n))``) is ``value``.

    Hall's transformation is inverted in closed form; for Johnson's, the root
    on its increasing branch (``1 + 2 a t > 0``), or that branch's end where
    ``value`` lies beyond its range.
    """
    if correction == "hall":
        return float((np.cbrt(1.0 + 3.0 * a * (value - a / 2)) - 1.0) / a)
    disc = 1.0 + 4.0 * a * (value - a / 2)
    return float((-1.0 + math.sqrt(max(disc, 0.0))) / (2.0 * a))


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

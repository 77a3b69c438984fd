"""Small fits used by the checks: a logistic crossing point and a finite-size extrapolation."""

from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike


def logistic_fit(x: ArrayLike, k: ArrayLike, n: ArrayLike, level: float = 0.5, iters: int = 50) -> dict:
    """Maximum-likelihood logistic curve ``logit p = b0 + b1 (x - mean x)`` fitted to ``k`` of ``n`` at ``x``.

    Newton iterations; the covariance is the inverse Fisher information.

    Returns
    -------
    dict
        ``x_cross`` (where the curve crosses ``level``) and ``se`` (its
        delta-method standard error), ``slope`` (b1) and ``se_slope``.

    Examples
    --------
    >>> f = logistic_fit([0.1, 0.15, 0.2], [90, 50, 10], [100, 100, 100])
    >>> round(f["x_cross"], 6), f["slope"] < 0
    (0.15, True)
    """
    x = np.asarray(x, float)
    k = np.asarray(k, float)
    n = np.asarray(n, float)
    X = np.column_stack([np.ones_like(x), x - x.mean()])
    b = np.zeros(2)
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(X @ b)))
        w = n * p * (1 - p) + 1e-12
        grad = X.T @ (k - n * p)
        H = (X * w[:, None]).T @ X
        step = np.linalg.solve(H, grad)
        b = b + step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = 1.0 / (1.0 + np.exp(-(X @ b)))
    cov = np.linalg.inv((X * (n * p * (1 - p) + 1e-12)[:, None]).T @ X)
    lg = math.log(level / (1 - level))
    xc = (lg - b[0]) / b[1]
    g = np.array([-1.0 / b[1], -(lg - b[0]) / b[1] ** 2])
    return {"x_cross": float(xc + x.mean()), "se": float(math.sqrt(g @ cov @ g)), "slope": float(b[1]),
            "se_slope": float(math.sqrt(cov[1, 1]))}


def logistic_crossing(x: ArrayLike, k: ArrayLike, n: ArrayLike, level: float = 0.5,
                      iters: int = 50) -> Tuple[float, float]:
    """Where a logistic curve fitted to ``k`` successes of ``n`` at ``x`` crosses ``level``.

    Maximum likelihood (Newton) for ``logit p = b0 + b1 x``; the crossing is
    ``(logit(level) - b0)/b1`` and its standard error comes from the inverse
    Fisher information by the delta method (``logistic_fit``).

    Returns
    -------
    (x_cross, se) : tuple of float
    """
    f = logistic_fit(x, k, n, level, iters)
    return f["x_cross"], f["se"]


def finite_size_fit(N: ArrayLike, y: ArrayLike, se: ArrayLike,
                    gamma: float = 0.5) -> Tuple[float, float, float, float]:
    """Weighted least squares ``y(N) = y_inf + a N^(-gamma)`` with ``gamma`` fixed.

    Returns ``(y_inf, se_inf, a, chi2_per_dof)``; the standard error is
    inflated by sqrt(chi2/dof) when that exceeds 1.
    """
    N = np.asarray(N, float)
    y = np.asarray(y, float)
    w = 1.0 / np.asarray(se, float) ** 2
    X = np.column_stack([np.ones_like(N), N ** (-gamma)])
    A = (X * w[:, None]).T @ X
    coef = np.linalg.solve(A, (X * w[:, None]).T @ y)
    cov = np.linalg.inv(A)
    dof = len(y) - 2
    chi2 = float(np.sum(w * (y - X @ coef) ** 2))
    red = chi2 / dof if dof > 0 else float("nan")
    scale = max(1.0, red) if dof > 0 else 1.0
    return float(coef[0]), float(math.sqrt(cov[0, 0] * scale)), float(coef[1]), red


def finite_size_fit_free(N: ArrayLike, y: ArrayLike, se: ArrayLike, gamma0: float = 0.5) -> dict:
    """Weighted least squares ``y(N) = y_inf + a N^(-gamma)`` with ``gamma`` a free parameter.

    ``scipy.optimize.curve_fit`` with the standard errors as absolute sigmas;
    the covariance of ``(y_inf, a, gamma)`` is the inverse Fisher information,
    so the standard error of ``y_inf`` carries the uncertainty of the exponent.
    With one degree of freedom or more it is inflated by sqrt(chi2/dof) when
    that exceeds 1.

    Returns
    -------
    dict
        ``y_inf``, ``se_inf``, ``a``, ``gamma``, ``se_gamma``, ``chi2_per_dof`` (NaN with no
        degree of freedom).
    """
    from scipy.optimize import curve_fit

    N = np.asarray(N, float)
    y = np.asarray(y, float)
    se = np.asarray(se, float)
    if N.size < 3:
        raise ValueError(f"a free exponent needs at least 3 sizes, got {N.size}")
    f = lambda n, y0, a, g: y0 + a * n ** (-g)  # noqa: E731
    y_inf0, _, a0, _ = finite_size_fit(N, y, se, gamma0)
    popt, pcov = curve_fit(f, N, y, p0=[y_inf0, a0, gamma0], sigma=se, absolute_sigma=True,
                           bounds=([-np.inf, -np.inf, 0.05], [np.inf, np.inf, 3.0]), maxfev=20000)
    dof = N.size - 3
    chi2 = float(np.sum(((y - f(N, *popt)) / se) ** 2))
    red = chi2 / dof if dof > 0 else float("nan")
    scale = max(1.0, red) if dof > 0 else 1.0
    return {"y_inf": float(popt[0]), "se_inf": float(math.sqrt(pcov[0, 0] * scale)), "a": float(popt[1]),
            "gamma": float(popt[2]), "se_gamma": float(math.sqrt(pcov[2, 2] * scale)), "chi2_per_dof": red}


def power_series_fit(N: ArrayLike, y: ArrayLike, se: ArrayLike, exponents: Sequence[float]) -> dict:
    """Weighted least squares ``y(N) = y_inf + sum_k a_k N^(-e_k)`` with the exponents ``e_k`` fixed.

    With one exponent this is :func:`finite_size_fit`; two exponents give a leading
    finite-size term with its correction to scaling (e.g. ``(0.5, 1.0)``).

    Returns
    -------
    dict
        ``y_inf``, ``se_inf`` (inflated by sqrt(chi2/dof) when that exceeds 1), ``coef`` (the
        ``a_k``), ``exponents``, ``chi2``, ``dof``, ``chi2_per_dof`` and ``p_fit`` (the chi-squared
        probability of a worse fit; NaN with no degree of freedom).

    Examples
    --------
    >>> N = [1e3, 4e3, 1.6e4, 6.4e4]
    >>> y = [0.14 + 0.8 * n ** -0.5 - 3.0 / n for n in N]
    >>> fit = power_series_fit(N, y, [1e-4] * 4, (0.5, 1.0))
    >>> round(fit["y_inf"], 10), [round(a, 6) for a in fit["coef"]]
    (0.14, [0.8, -3.0])
    """
    from scipy.stats import chi2 as _chi2

    N = np.asarray(N, float)
    y = np.asarray(y, float)
    w = 1.0 / np.asarray(se, float) ** 2
    exponents = tuple(float(e) for e in exponents)
    X = np.column_stack([np.ones_like(N)] + [N ** (-e) for e in exponents])
    if N.size < X.shape[1]:
        raise ValueError(f"{len(exponents) + 1} parameters need at least as many sizes, got {N.size}")
    A = (X * w[:, None]).T @ X
    coef = np.linalg.solve(A, (X * w[:, None]).T @ y)
    cov = np.linalg.inv(A)
    dof = int(N.size - X.shape[1])
    chi2 = float(np.sum(w * (y - X @ coef) ** 2))
    red = chi2 / dof if dof > 0 else float("nan")
    scale = max(1.0, red) if dof > 0 else 1.0
    return {"y_inf": float(coef[0]), "se_inf": float(math.sqrt(cov[0, 0] * scale)),
            "coef": [float(c) for c in coef[1:]], "exponents": list(exponents), "chi2": chi2, "dof": dof,
            "chi2_per_dof": red, "p_fit": float(_chi2.sf(chi2, dof)) if dof > 0 else float("nan")}


#: The ansaetze of :func:`extrapolations`: a name and the fixed exponents (None: the free exponent).
ANSAETZE = (("gamma free", None), ("gamma = 1/2", (0.5,)), ("gamma = 2/3", (2.0 / 3.0,)),
            ("gamma = 1", (1.0,)), ("1/2 + 1 (correction to scaling)", (0.5, 1.0)))


def extrapolations(N: ArrayLike, y: ArrayLike, se: ArrayLike, min_N: float = 0.0, p_min: float = 0.01,
                   ansaetze: Sequence[Tuple[str, Optional[Tuple[float, ...]]]] = ANSAETZE) -> dict:
    """``y(N -> infinity)`` by several finite-size ansaetze, and their spread as a systematic error.

    Every ansatz of ``ansaetze`` is fitted to the sizes ``N >= min_N`` by weighted
    least squares (:func:`power_series_fit`, or :func:`finite_size_fit_free` for the free
    exponent). An ansatz is *accepted* when its fit is not rejected at level
    ``p_min`` (chi-squared probability of a worse fit); with no degree of freedom
    it is accepted and its error is its standard error alone. The estimate is the
    midpoint of the accepted intercepts, its systematic error half their range and
    its statistical error the largest accepted standard error; ``total`` adds the
    systematic error and 1.96 statistical errors (a 95% bound that does not assume
    the two combine in quadrature).

    Returns
    -------
    dict
        ``fits`` (name -> fit dict with ``accepted``), ``estimate``, ``systematic``,
        ``statistical``, ``total``, ``accepted`` (names), ``min_N``.

    Examples
    --------
    >>> N = [1e3, 2e3, 4e3, 8e3, 1.6e4, 3.2e4]
    >>> y = [0.138 + 0.5 * n ** -0.5 for n in N]
    >>> r = extrapolations(N, y, [2e-4] * 6)
    >>> abs(r["estimate"] - 0.138) < r["total"], "gamma = 1/2" in r["accepted"]
    (True, True)
    """
    from scipy.stats import chi2 as _chi2

    N = np.asarray(N, float)
    y = np.asarray(y, float)
    se = np.asarray(se, float)
    keep = N >= min_N
    N, y, se = N[keep], y[keep], se[keep]
    fits = {}
    for name, exps in ansaetze:
        try:
            if exps is None:
                f = finite_size_fit_free(N, y, se)
                dof = N.size - 3
                f["dof"] = dof
                f["p_fit"] = float(_chi2.sf(f["chi2_per_dof"] * dof, dof)) if dof > 0 else float("nan")
            else:
                f = power_series_fit(N, y, se, exps)
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
            fits[name] = {"error": str(exc), "accepted": False}
            continue
        f["accepted"] = bool(f["dof"] <= 0 or f["p_fit"] >= p_min)
        fits[name] = f
    acc = [k for k, f in fits.items() if f.get("accepted")]
    if not acc:
        raise ValueError(f"no ansatz fits the {N.size} sizes >= {min_N} at p >= {p_min}")
    ys = [fits[k]["y_inf"] for k in acc]
    lo, hi = min(ys), max(ys)
    stat = max(fits[k]["se_inf"] for k in acc)
    return {"fits": fits, "accepted": acc, "estimate": (lo + hi) / 2, "systematic": (hi - lo) / 2,
            "statistical": stat, "total": (hi - lo) / 2 + 1.96 * stat, "min_N": float(min_N)}

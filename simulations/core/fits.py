"""Small fits used by the checks: a logistic crossing point and a finite-size extrapolation."""

from __future__ import annotations

import math
from typing import Tuple

import numpy as np
from numpy.typing import ArrayLike


def logistic_crossing(x: ArrayLike, k: ArrayLike, n: ArrayLike, level: float = 0.5,
                      iters: int = 50) -> Tuple[float, float]:
    """Where a logistic curve fitted to ``k`` successes of ``n`` at ``x`` crosses ``level``.

    Maximum likelihood (Newton) for ``logit p = b0 + b1 x``; the crossing is
    ``(logit(level) - b0)/b1`` and its standard error comes from the inverse
    Fisher information by the delta method.

    Returns
    -------
    (x_cross, se) : tuple of float
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
    return float(xc + x.mean()), float(math.sqrt(g @ cov @ g))


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

"""Small fits used by the checks: a logistic crossing point and a finite-size extrapolation."""

from __future__ import annotations

import math

import numpy as np


def logistic_crossing(x, k, n, level: float = 0.5, iters: int = 50):
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


def finite_size_fit(N, y, se, gamma: float = 0.5):
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

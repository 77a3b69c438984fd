"""Amit-Gutfreund-Sompolinsky replica-symmetric theory of the Hopfield network.

Replica-symmetric (RS) saddle point for the retrieval of one condensed pattern
at load ``alpha = P/N`` and temperature ``T = 1/beta``::

    m = < tanh(beta (m + sqrt(alpha r) z)) >_z
    q = < tanh^2(beta (m + sqrt(alpha r) z)) >_z
    r = q / (1 - beta (1 - q))^2                      z ~ N(0, 1)

At ``T = 0`` with ``y = m / sqrt(2 alpha r)`` and
``C = beta (1 - q) -> sqrt(2/(pi alpha r)) exp(-y^2)`` they reduce to
``m = erf(y)`` and the closed form :func:`alpha_of_y`, whose maximum is the
critical load ``alpha_c = 0.137906`` (:func:`critical`).

References
----------
D. J. Amit, H. Gutfreund, H. Sompolinsky, "Storing infinite numbers of patterns
in a spin-glass model of neural networks", Phys. Rev. Lett. 55, 1530 (1985);
"Statistical mechanics of neural networks near saturation", Ann. Phys. 173, 30
(1987), eqs. (4.1)-(4.3) (RS equations) and sec. 5 (T = 0).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Dict

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf, erfinv

from theory.formula import Formula, sym, validate

__all__ = [
    "alpha_of_y",
    "critical",
    "CRITICAL_LOADS",
    "critical_loads",
    "retrieval_overlap",
    "z_average",
    "alpha_retrieval_max",
    "retrieval_state",
    "spin_glass_q",
    "free_energy",
    "T_M",
    "T_g",
    "T_c",
    "phase_diagram",
    "ground_energies",
    "alpha_global",
]

_AGS = "Amit, Gutfreund, Sompolinsky, PRL 55, 1530 (1985); Ann. Phys. 173, 30 (1987)"


# ----------------------------------------------------------------------------- T = 0
@lru_cache(maxsize=None)
def alpha_of_y() -> Formula:
    """Load on the ``T = 0`` RS retrieval solution as a function of ``y = m/sqrt(2 alpha r)`` [y].

    ``alpha(y) = (1/2) (erf(y)/y - (2/sqrt(pi)) exp(-y^2))^2``, with ``m = erf(y)``.

    Examples
    --------
    >>> round(alpha_of_y().evaluate(y=1.51122), 6)
    0.137906
    """
    y = sym("y")
    expr = (sp.erf(y) / y - 2 / sp.sqrt(sp.pi) * sp.exp(-(y**2))) ** 2 / 2
    return Formula(
        name="ags.alpha_of_y",
        expr=expr,
        symbols=(y,),
        source=_AGS + "; T = 0 limit of the RS equations, eliminated (derivation 'ags')",
        assumptions="replica symmetry, T = 0, N -> oo, one condensed pattern",
        definition="load alpha = P/N at which the retrieval solution has overlap m = erf(y)",
    )


@lru_cache(maxsize=None)
def critical() -> Dict[str, float]:
    """Critical point of the ``T = 0`` RS retrieval branch.

    Returns
    -------
    dict
        ``alpha_c`` (max of ``alpha(y)``), ``y_c`` (its argmax, a root of
        ``d alpha/dy`` found with ``brentq``) and ``m_c = erf(y_c)``:
        0.137906, 1.51122, 0.967417.

    Examples
    --------
    >>> {k: round(v, 5) for k, v in critical().items()}
    {'alpha_c': 0.13791, 'm_c': 0.96742, 'y_c': 1.51122}
    """
    f = alpha_of_y()
    y = f.symbols[0]
    dalpha = sp.lambdify(y, sp.diff(f.expr, y), modules=["numpy", "scipy"])
    y_c = brentq(dalpha, 0.8, 3.0, xtol=1e-15)
    return {"alpha_c": float(f.evaluate(y=y_c)), "m_c": float(erf(y_c)), "y_c": float(y_c)}


#: The T = 0 critical load of the retrieval state as published beyond the RS value, with its
#: source (cited numbers, not computed here; :func:`critical` computes the RS value).
CRITICAL_LOADS = {
    "RS": (0.137906, "Amit, Gutfreund & Sompolinsky, Ann. Phys. 173, 30 (1987), sec. 5; "
                     "computed by critical()"),
    "1RSB": (0.138186, "Steffan & Kuehn, Z. Phys. B 95, 249 (1994); also Stojnic, arXiv:2403.01907 "
                       "(2024), second level of fully lifted random duality"),
    "2RSB": (0.138187, "Steffan & Kuehn, Z. Phys. B 95, 249 (1994)"),
    "1RSB (Crisanti, Amit & Gutfreund 1986)": (0.144, "Crisanti, Amit & Gutfreund, Europhys. Lett. 2, 337 "
                                                      "(1986); not confirmed by Steffan & Kuehn 1994"),
    "simulations (as quoted in 1994)": (0.145, "0.145 +- 0.009, simulation studies as quoted by Steffan & "
                                               "Kuehn, Z. Phys. B 95, 249 (1994)"),
}


def critical_loads() -> Dict[str, float]:
    """The published T = 0 critical loads: RS (computed), 1RSB, 2RSB and the older estimates.

    Replica symmetry breaking raises the RS value 0.137906 only to 0.138186 (one step)
    and 0.138187 (two steps) (Steffan & Kuehn 1994; Stojnic 2024 reaches 0.138186 by
    another route); an older one-step estimate gave 0.144 (Crisanti, Amit & Gutfreund
    1986) and simulations 0.145 +- 0.009. :data:`CRITICAL_LOADS` holds the sources.

    Returns
    -------
    dict
        Name -> alpha_c, the RS entry from :func:`critical`.

    Examples
    --------
    >>> {k: round(v, 6) for k, v in critical_loads().items()}["1RSB"]
    0.138186
    >>> round(critical_loads()["RS"], 6)
    0.137906
    """
    out = {k: v for k, (v, _) in CRITICAL_LOADS.items()}
    out["RS"] = critical()["alpha_c"]
    return out


def retrieval_overlap(alpha: npt.ArrayLike) -> np.ndarray:
    """Overlap ``m`` of the ``T = 0`` RS retrieval state at load ``alpha``; NaN above ``alpha_c``.

    Parameters
    ----------
    alpha : float or array_like
        Load ``P/N >= 0``.

    Returns
    -------
    float or ndarray of float64, same shape
        ``m = erf(y)`` with ``y >= y_c`` the root of ``alpha(y) = alpha`` on the
        retrieval (large-``y``) branch; 1 at ``alpha = 0``; NaN where
        ``alpha > alpha_c``.

    Examples
    --------
    >>> round(float(retrieval_overlap(0.1)), 4)
    0.998
    """
    a = np.asarray(alpha, dtype=np.float64) if not isinstance(alpha, bool) else None
    if a is None or not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"alpha must be finite and >= 0, got {alpha!r}")
    crit = critical()
    f = alpha_of_y().numeric
    out = np.full(a.shape, np.nan)
    for idx in np.ndindex(a.shape):
        ai = a[idx]
        if ai == 0:
            out[idx] = 1.0
        elif ai <= crit["alpha_c"]:
            if ai == crit["alpha_c"]:
                out[idx] = crit["m_c"]
                continue
            hi = max(2.0 / np.sqrt(2 * ai), crit["y_c"] + 1.0)  # alpha(y) ~ 1/(2 y^2) for large y
            yr = brentq(lambda t: f(t) - ai, crit["y_c"], hi, xtol=1e-14)
            out[idx] = erf(yr)
    return out if out.ndim else float(out)


def ground_energies(alpha: float) -> Dict[str, float]:
    """``T = 0`` RS energies per neuron of the retrieval and spin-glass states at load ``alpha``.

    The ``beta -> oo`` limit of :func:`free_energy` with ``C = beta (1 - q)`` finite:
    ``E = alpha/2 + m^2/2 - alpha/(2(1-C)) + alpha C/(2(1-C)^2) - <|m + s z|>``,
    ``s = sqrt(alpha r) = sqrt(alpha)/(1-C)``. Retrieval: ``m = erf(y)`` on the retrieval
    branch, ``C = 2 y exp(-y^2)/(sqrt(pi) m)``; spin glass: ``m = 0``,
    ``C = k/(1+k)`` with ``k = sqrt(2/(pi alpha))``. ``retrieval`` is NaN above ``alpha_c``.
    """
    alpha = float(validate("alpha", alpha))

    def energy(m, C):
        s = np.sqrt(alpha) / (1 - C)
        absav = s * np.sqrt(2 / np.pi) * np.exp(-m * m / (2 * s * s)) + (m * erf(m / (np.sqrt(2) * s)) if m else 0)
        return alpha / 2 + m * m / 2 - alpha / (2 * (1 - C)) + alpha * C / (2 * (1 - C) ** 2) - absav

    k = np.sqrt(2 / (np.pi * alpha))
    e_sg = energy(0.0, k / (1 + k))
    m = retrieval_overlap(alpha)
    if np.isnan(m):
        return {"retrieval": np.nan, "spin_glass": float(e_sg)}
    y = erfinv(m) if m < 1 else np.inf
    C = 0.0 if not np.isfinite(y) else 2 * y * np.exp(-y * y) / (np.sqrt(np.pi) * m)
    return {"retrieval": float(energy(m, C)), "spin_glass": float(e_sg)}


@lru_cache(maxsize=None)
def alpha_global() -> float:
    """Load below which the ``T = 0`` retrieval states are the RS global minima (about 0.0519).

    Root of ``E_retrieval(alpha) = E_spin-glass(alpha)`` (:func:`ground_energies`); the
    end point at ``T = 0`` of the line :func:`T_c`.
    """
    def gap(a):
        e = ground_energies(a)
        return e["retrieval"] - e["spin_glass"]

    return float(brentq(gap, 0.02, 0.1, xtol=1e-12))


# ----------------------------------------------------------------------------- T > 0
@lru_cache(maxsize=8)
def _grid(n: int, kind: str):
    if kind == "hermite":
        x, w = np.polynomial.hermite.hermgauss(n)
        return np.sqrt(2.0) * x, w / np.sqrt(np.pi)
    z = np.linspace(-12.0, 12.0, n)
    w = np.exp(-z * z / 2)
    return z, w / w.sum()  # normalised: <1> = 1 exactly, so q <= 1


def z_average(func: Callable[[np.ndarray], np.ndarray], n: int = 4001, kind: str = "trapezoid") -> float:
    """``<func(z)>`` over a standard normal ``z``.

    ``kind="trapezoid"`` (default): uniform grid on ``[-12, 12]``, exponentially
    accurate for the analytic integrands here down to ``T ~ 0.01``.
    ``kind="hermite"``: Gauss-Hermite with ``n`` nodes; fine for ``T >~ 0.2``
    but wrong at low ``T`` where ``tanh(beta .)`` becomes a step (with 200
    nodes it gives ``alpha_M(0.05) = 0.160`` instead of 0.1378).
    """
    z, w = _grid(n, kind)
    return float(w @ func(z))


def _log2cosh(x):
    ax = np.abs(x)
    return ax + np.log1p(np.exp(-2 * ax))


def _alpha_of_m(m: float, T: float, n: int = 4001) -> Dict[str, float]:
    """RS retrieval solution parametrised by its overlap ``m``: returns alpha, q, r, s."""
    beta = 1.0 / T
    g = lambda s: z_average(lambda z: np.tanh(beta * (m + s * z)), n) - m  # noqa: E731
    if g(0.0) <= 0:
        return {"alpha": 0.0, "q": float(np.tanh(beta * m) ** 2), "r": 0.0, "s": 0.0, "m": m}
    s = brentq(g, 0.0, 20.0, xtol=1e-14)
    q = z_average(lambda z: np.tanh(beta * (m + s * z)) ** 2, n)
    r = q / (1 - beta * (1 - q)) ** 2
    return {"alpha": s * s / r, "q": q, "r": r, "s": s, "m": m}


def _check_T(T, hi=None) -> float:
    T = float(validate("T", T))
    if T <= 0:
        raise ValueError(f"T must be > 0 for the finite-temperature equations, got {T}")
    if hi is not None and T >= hi:
        raise ValueError(f"T must be < {hi}, got {T}")
    return T


@lru_cache(maxsize=256)
def alpha_retrieval_max(T: float) -> Dict[str, float]:
    """Largest load with an RS retrieval solution at temperature ``0 < T < 1``: ``alpha_M(T)``.

    Returns
    -------
    dict
        ``alpha`` (``alpha_M(T)``) and ``m`` (the overlap there). Retrieval
        states exist for ``alpha < alpha_M(T)``. The RS line is slightly
        re-entrant: ``alpha_M`` exceeds ``alpha_c`` a little near ``T ~ 0.02``.
    """
    T = _check_T(T, hi=1.0)
    m0 = brentq(lambda m: np.tanh(m / T) - m, 1e-9, 1.0)  # Curie-Weiss overlap: alpha = 0 there
    res = minimize_scalar(lambda m: -_alpha_of_m(m, T)["alpha"], bounds=(0.05 * m0, m0),
                          method="bounded", options={"xatol": 1e-10})
    return {"alpha": float(-res.fun), "m": float(res.x)}


def retrieval_state(alpha: float, T: float) -> Dict[str, float]:
    """RS retrieval solution ``(m, q, r)`` at ``(alpha, T)`` (NaNs if none exists)."""
    T = _check_T(T, hi=1.0)
    alpha = float(validate("alpha", alpha))
    top = alpha_retrieval_max(T)
    if alpha > top["alpha"]:
        return {"m": np.nan, "q": np.nan, "r": np.nan}
    if alpha == top["alpha"]:
        sol = _alpha_of_m(top["m"], T)
        return {"m": sol["m"], "q": sol["q"], "r": sol["r"]}
    # parametrise the retrieval branch by the noise std s = sqrt(alpha r): alpha(s) increases
    # from 0 to alpha_M(T) (the overlap can be 1 to double precision, so m is a poor parameter)
    s_top = _alpha_of_m(top["m"], T)["s"]
    s = brentq(lambda ss: _retrieval_of_s(ss, T)["alpha"] - alpha, 1e-9, s_top, xtol=1e-14)
    sol = _retrieval_of_s(s, T)
    return {"m": sol["m"], "q": sol["q"], "r": sol["r"]}


def _retrieval_of_s(s: float, T: float) -> Dict[str, float]:
    """Largest solution m of m = <tanh(beta(m + s z))> (iteration from m = 1), with its q, r, alpha."""
    beta = 1.0 / T
    m = 1.0
    for _ in range(20000):
        m_new = z_average(lambda z: np.tanh(beta * (m + s * z)))
        if abs(m_new - m) < 1e-15:
            m = m_new
            break
        m = m_new
    q = z_average(lambda z: np.tanh(beta * (m + s * z)) ** 2)
    r = q / (1 - beta * (1 - q)) ** 2
    return {"m": m, "q": q, "r": r, "alpha": s * s / r}


def spin_glass_q(alpha: float, T: float) -> float:
    """Spin-glass order parameter ``q`` (``m = 0``) at ``(alpha, T)``; 0 above ``T_g``."""
    T = _check_T(T)
    alpha = float(validate("alpha", alpha))
    beta = 1.0 / T

    def F(q):
        r = q / (1 - beta * (1 - q)) ** 2
        return z_average(lambda z: np.tanh(beta * np.sqrt(alpha * r) * z) ** 2) - q

    # the physical branch has 1 - beta (1 - q) > 0, i.e. q > 1 - T
    lo = max(1e-10, 1 - T + 1e-12)
    if F(lo) <= 0:
        return 0.0
    return float(brentq(F, lo, 1 - 1e-13, xtol=1e-14))


def free_energy(m: float, q: float, r: float, alpha: float, T: float) -> float:
    """RS free energy per neuron (AGS 1987, eq. 4.4 in our notation).

    ``f = alpha/2 + m^2/2 + (alpha/(2 beta)) [ln(1 - beta(1-q)) - beta q/(1 - beta(1-q))]
    + (alpha beta/2) r (1-q) - (1/beta) <ln 2 cosh(beta(m + sqrt(alpha r) z))>``.
    Its stationarity in ``(m, q, r)`` gives the RS equations (checked symbolically in the tests).
    """
    beta = 1.0 / T
    u = 1 - beta * (1 - q)
    lc = z_average(lambda z: _log2cosh(beta * (m + np.sqrt(alpha * r) * z)))
    return (alpha / 2 + m * m / 2 + alpha / (2 * beta) * (np.log(u) - beta * q / u)
            + alpha * beta / 2 * r * (1 - q) - lc / beta)


@lru_cache(maxsize=None)
def _T_peak() -> float:
    """Temperature (in [0.01, 0.2]) where the slightly re-entrant ``alpha_M(T)`` is largest."""
    res = minimize_scalar(lambda T: -alpha_retrieval_max(round(T, 12))["alpha"], bounds=(0.01, 0.2),
                          method="bounded", options={"xatol": 1e-6})
    return round(float(res.x), 12)


def T_M(alpha: npt.ArrayLike) -> np.ndarray:
    """Retrieval line: highest ``T`` with an RS retrieval solution at load ``alpha`` (NaN above ``alpha_c``).

    Solved as ``alpha_M(T) = alpha`` on the decreasing part of ``alpha_M``
    (above the temperature where the slightly re-entrant ``alpha_M`` peaks);
    ``T_M -> 1`` as ``alpha -> 0``.
    """
    a = np.atleast_1d(np.asarray(alpha, dtype=float))
    out = np.full(a.shape, np.nan)
    T_peak = _T_peak()
    for idx in np.ndindex(a.shape):
        ai = float(validate("alpha", a[idx]))
        if ai > alpha_retrieval_max(T_peak)["alpha"]:
            continue
        out[idx] = brentq(lambda T: alpha_retrieval_max(round(T, 12))["alpha"] - ai, T_peak, 1 - 1e-6, xtol=1e-9)
    return out if np.ndim(alpha) else float(out[0])


def T_g(alpha: npt.ArrayLike, q0: float = 1e-7) -> np.ndarray:
    """Spin-glass line from the numerical RS equations: ``T`` at which ``q = q0 -> 0`` with ``m = 0``.

    Solves ``q0 = <tanh^2(beta sqrt(alpha r) z)>``, ``r = q0/(1 - beta(1-q0))^2`` for
    ``beta`` (error ``O(q0)``); compare the closed form ``1 + sqrt(alpha)``
    from linearising at ``q = 0``.
    """
    a = np.atleast_1d(np.asarray(alpha, dtype=float))
    out = np.empty(a.shape)
    for idx in np.ndindex(a.shape):
        ai = float(validate("alpha", a[idx]))

        def h(beta):
            r = q0 / (1 - beta * (1 - q0)) ** 2
            return z_average(lambda z: np.tanh(beta * np.sqrt(ai * r) * z) ** 2) - q0

        out[idx] = 1.0 / brentq(h, 0.3 / (1 + np.sqrt(ai)), 0.999999 / (1 - q0) if q0 < 1 else 1.0, xtol=1e-13)
    return out if np.ndim(alpha) else float(out[0])


def _delta_f(alpha: float, T: float) -> float:
    ret = retrieval_state(alpha, T)
    f_ret = free_energy(ret["m"], ret["q"], ret["r"], alpha, T)
    q = spin_glass_q(alpha, T)
    beta = 1.0 / T
    r = q / (1 - beta * (1 - q)) ** 2
    f_sg = free_energy(0.0, q, r, alpha, T)
    return f_ret - f_sg


def T_c(alpha: npt.ArrayLike, T_min: float = 0.01) -> np.ndarray:
    """Line below which retrieval states are the global minima of the RS free energy.

    ``f_retrieval(alpha, T) = f_spin-glass(alpha, T)``; NaN where retrieval
    never wins above ``T_min`` (for ``alpha`` above ``alpha_global() = 0.0519``, its ``T = 0`` end).
    """
    a = np.atleast_1d(np.asarray(alpha, dtype=float))
    out = np.full(a.shape, np.nan)
    for idx in np.ndindex(a.shape):
        ai = float(validate("alpha", a[idx]))
        top = T_M(ai)
        if not np.isfinite(top):
            continue
        hi = top * (1 - 1e-4)
        if _delta_f(ai, T_min) >= 0 or _delta_f(ai, hi) <= 0:
            continue
        out[idx] = brentq(lambda T: _delta_f(ai, T), T_min, hi, xtol=1e-7)
    return out if np.ndim(alpha) else float(out[0])


def phase_diagram(alpha: npt.ArrayLike | None = None) -> Dict[str, np.ndarray]:
    """The AGS ``(alpha, T)`` phase diagram lines on a grid of loads.

    Parameters
    ----------
    alpha : array_like, optional
        Loads; default 40 points in ``(0, 0.14]``.

    Returns
    -------
    dict of ndarray
        ``alpha``, ``T_M`` (retrieval states exist below), ``T_c`` (retrieval
        states are global minima below), ``T_g = 1 + sqrt(alpha)`` from the
        numerical equations (spin-glass phase below).
    """
    a = np.linspace(0.0035, 0.14, 40) if alpha is None else np.asarray(alpha, dtype=float)
    return {"alpha": a, "T_M": T_M(a), "T_c": T_c(a), "T_g": T_g(a)}

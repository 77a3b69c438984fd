"""Replica-symmetric T = 0 retrieval theory of the covariance rule with sparse 0/1 patterns.

Network (as in ``hopfield.sparse``): patterns ``xi^mu`` in ``{0, 1}^N`` with
coding level ``a``, couplings ``W_ij = sum_mu (xi_i^mu - a)(xi_j^mu - a) /
(N a (1 - a))``, ``W_ii = 0``, neurons ``V_i = 1`` when ``h_i = sum_j W_ij V_j
> theta``. Energy ``E = -(1/2) sum_{i != j} W_ij V_i V_j + theta sum_i V_i``;
``P = alpha N`` patterns; one condensed pattern.

Order parameters of the retrieval state (``N -> oo``, ``T = 0``):

* the overlap ``M = sum_j (xi_j - a) V_j / (N a (1 - a))`` (1 on the pattern;
  the signal at neuron ``i`` is ``(xi_i - a) M``),
* the activity ``q = <V>`` (``a`` on the pattern),
* the susceptibility ``C = lim beta (<V^2> - <V>^2)`` of the uncondensed overlaps.

Replica-symmetric saddle point, derived in amlab (the steps are printed by
``amlab derive sparse-rs``). The ``P - 1`` uncondensed patterns act on
neuron ``i`` as a Gaussian field of variance ``s^2 = alpha q / (1 - C)^2``;
because ``V^2 = V`` for 0/1 neurons the diagonal replica term does not drop
out as it does for +-1 spins: the reaction ``alpha/(2 (1 - C))`` it leaves,
minus the ``alpha/2`` of the removed diagonal, shifts the threshold by
``Gamma/2`` with ``Gamma = alpha C/(1 - C)``. With ``x_1 = ((1 - a) M +
Gamma/2 - theta)/s`` and ``x_0 = (-a M + Gamma/2 - theta)/s``::

    M = Phi(x_1) - Phi(x_0)
    q = a Phi(x_1) + (1 - a) Phi(x_0)
    C = (a phi(x_1) + (1 - a) phi(x_0)) / s
    s = sqrt(alpha q) / (1 - C),  Gamma = alpha C / (1 - C).

With ``y = M/s`` and ``u = (Gamma/2 - theta)/s`` every quantity is explicit
(:func:`from_yu`): ``M``, ``q`` and ``C s`` follow from ``(y, u)``, then
``s = M/y``, ``alpha = s^2 (1 - C)^2 / q`` and ``theta = Gamma/2 - u s``; the
capacity ``alpha_c(a, theta)`` is the largest ``alpha`` on the curve
``theta(y, u) = theta`` and ``alpha_c(a) = max_theta alpha_c(a, theta)`` the
largest ``alpha(y, u)`` (:func:`capacity`). As ``a -> 0``,
``alpha_c(a) 2 a |ln a| -> 1`` (Tsodyks & Feigel'man), slowly (log corrections).

The same equations with +-1 neurons (``lo = -1``: ``q = 1``, no threshold shift)
and ``a = 1/2`` are those of Amit, Gutfreund & Sompolinsky (``theory.ags``,
``alpha_c = 0.138``). The 0/1 network at ``a = 1/2`` is *not* that network: its
fields carry ``(1/2) sum_j W_ij``, a quenched random field of variance
``alpha/4`` that a uniform threshold cannot remove; it enters through
``q = 1/2`` instead of 1 and gives ``alpha_c(1/2) = 0.069`` (:func:`capacity`).

References
----------
M. V. Tsodyks, M. V. Feigel'man, "The enhanced storage capacity in neural
networks with low activity level", Europhys. Lett. 6, 101-105 (1988).
J. Buhmann, R. Divko, K. Schulten, "Associative memory with high information
content", Phys. Rev. A 39, 2689-2692 (1989) [secondary: the RS equations here
are derived in amlab in the way of Amit, Gutfreund & Sompolinsky, Ann. Phys.
173, 30 (1987)].
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy.optimize import brentq, minimize, minimize_scalar
from scipy.special import ndtr

from theory.derivation import Derivation, Named, Step, register_derivation
from theory.formula import validate

__all__ = ["from_yu", "retrieval_state", "critical_alpha", "capacity", "derivation"]

_SRC = ("RS saddle point of the 0/1 covariance-rule network derived in amlab (after Amit, Gutfreund & "
        "Sompolinsky, Ann. Phys. 173, 30 (1987)); Tsodyks & Feigel'man, Europhys. Lett. 6, 101 (1988); "
        "Buhmann, Divko & Schulten, PRA 39, 2689 (1989)")


def _check_a(a) -> float:
    a = float(validate("a", a))
    if not 0.0 < a < 1.0:
        raise ValueError(f"a must lie in the open interval (0, 1), got {a}")
    return a


def from_yu(a: float, y: npt.ArrayLike, u: npt.ArrayLike, lo: int = 0, reaction: bool = True) -> Dict[str, np.ndarray]:
    """The RS retrieval solution parametrised by ``y = M/s`` and ``u = (Gamma/2 - theta)/s``.

    Parameters
    ----------
    a : float
        Coding level in (0, 1).
    y, u : float or ndarray (broadcast together)
        ``y > 0``: signal-to-noise of the overlap; ``u``: shifted threshold over ``s``.
    lo : {0, -1}
        Value of the inactive neuron: 0 for the 0/1 network (default), -1 for
        +-1 neurons (then ``q = 1`` and the threshold shift is ``Gamma (lo + 1)/2 = 0``).
    reaction : bool
        ``False`` drops the Onsager reaction (``C = 0``: noise ``sqrt(alpha q)``,
        no threshold shift), the naive self-consistent signal-to-noise theory.

    Returns
    -------
    dict of ndarray
        ``alpha``, ``theta``, ``M`` (overlap), ``q`` (``<V^2>``; the activity for
        0/1), ``C``, ``s`` (noise standard deviation), ``Gamma``, ``eps1``
        (fraction of active pattern bits off), ``eps0`` (inactive bits on).

    Examples
    --------
    >>> r = from_yu(0.5, 2 * 2 ** 0.5 * 1.51122, 0.0, lo=-1)  # AGS critical point
    >>> round(float(r["alpha"]), 5), round(float(r["M"]) / 2, 5)
    (0.13791, 0.96742)
    """
    y, u = np.broadcast_arrays(np.asarray(y, np.float64), np.asarray(u, np.float64))
    d = 1.0 - lo  # v1 - v0
    x1, x0 = (1.0 - a) * y + u, -a * y + u
    p1, p0 = ndtr(x1), ndtr(x0)
    M = d * (p1 - p0)
    q = a * (lo * lo + (1 - lo * lo) * p1) + (1 - a) * (lo * lo + (1 - lo * lo) * p0)
    with np.errstate(divide="ignore", invalid="ignore"):  # M = 0 (no retrieval) gives NaN, as it should
        s = M / y
        C = d * (a * _pdf(x1) + (1 - a) * _pdf(x0)) / s if reaction else np.zeros_like(M)
        alpha = s * s * (1.0 - C) ** 2 / q
        Gamma = alpha * C / (1.0 - C)
        theta = Gamma * (1 + lo) / 2 - u * s
    return {"alpha": alpha, "theta": theta, "M": M, "q": q, "C": C, "s": s, "Gamma": Gamma,
            "eps1": ndtr(-x1), "eps0": p0}


#: What the minimisers of ``critical_alpha`` and ``capacity`` (which minimise ``-alpha``) see off the
#: retrieval branch: a load of 0, worse than any load on it (alpha > 0 there). It must be finite: with
#: +inf, Nelder-Mead's convergence test (``fsim[0] - fsim[1:]`` when a start's whole simplex lies off the
#: branch) and Brent's parabolic step (``fx - fw``) computed inf - inf, and scipy warned ("invalid value
#: encountered in subtract", about 20 000 times for the figure's 12 capacities, 5 s instead of 0.6 s:
#: those Nelder-Mead runs went on to maxiter). Every comparison the minimisers make gives the same answer
#: with 0 as with +inf, so capacity() is unchanged bit for bit; critical_alpha() can differ in the last
#: digit where Brent's step now interpolates through such a point.
_OFF_BRANCH = 0.0


def _pdf(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _u_of_theta(a, y, theta, lo, reaction):
    """Root ``u`` of ``theta(y, u) = theta`` (theta decreases in u on the retrieval branch); NaN if none."""
    f = lambda u: float(from_yu(a, y, u, lo, reaction)["theta"]) - theta  # noqa: E731
    grid = np.linspace(-12.0, 12.0, 97)
    vals = from_yu(a, y, grid, lo, reaction)["theta"] - theta
    if np.any(vals == 0.0):
        return float(grid[np.nonzero(vals == 0.0)[0][-1 if lo == 0 else 0]])
    sign = np.where(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]
    if len(sign) == 0:
        return np.nan
    k = sign[-1] if lo == 0 else sign[0]
    return brentq(f, grid[k], grid[k + 1], xtol=1e-13)


def critical_alpha(a: float, theta: float, lo: int = 0, reaction: bool = True) -> Dict[str, float]:
    """Capacity ``alpha_c(a, theta)``: the largest load with an RS retrieval solution at threshold ``theta``.

    Parameters
    ----------
    a : float
        Coding level in (0, 1).
    theta : float
        Threshold (``V_i = 1`` when ``h_i > theta``); retrieval needs ``-a < theta < 1 - a`` roughly.
    lo, reaction
        As in :func:`from_yu`.

    Returns
    -------
    dict of float
        ``alpha_c`` and the solution there (``M``, ``q``, ``C``, ``y``, ``u``, ``eps1``, ``eps0``).

    Examples
    --------
    >>> round(critical_alpha(0.5, 0.0, lo=-1)["alpha_c"], 5)
    0.13791
    >>> round(critical_alpha(0.1, 0.45)["alpha_c"], 3)
    0.355
    """
    a = _check_a(a)
    theta = float(validate("theta", theta))

    def neg_alpha(y):
        # off the retrieval branch (no u solves theta(y, u) = theta): see _OFF_BRANCH
        u = _u_of_theta(a, y, theta, lo, reaction)
        return _OFF_BRANCH if np.isnan(u) else -float(from_yu(a, y, u, lo, reaction)["alpha"])

    ys = np.linspace(0.5, 12.0, 47)
    vals = np.array([neg_alpha(v) for v in ys])
    if not np.any(vals < 0.0):
        raise ValueError(f"no retrieval solution at a = {a}, theta = {theta}")
    k = int(np.argmin(vals))
    res = minimize_scalar(neg_alpha, bracket=(ys[max(k - 1, 0)], ys[k], ys[min(k + 1, len(ys) - 1)])
                          if 0 < k < len(ys) - 1 else None, bounds=None if 0 < k < len(ys) - 1 else
                          (ys[max(k - 1, 0)], ys[min(k + 1, len(ys) - 1)]),
                          method="brent" if 0 < k < len(ys) - 1 else "bounded", options={"xtol": 1e-10}
                          if 0 < k < len(ys) - 1 else {"xatol": 1e-10})
    y = float(res.x)
    u = _u_of_theta(a, y, theta, lo, reaction)
    r = {k2: float(v) for k2, v in from_yu(a, y, u, lo, reaction).items()}
    return {"alpha_c": r["alpha"], "M": r["M"], "q": r["q"], "C": r["C"], "y": y, "u": u,
            "eps1": r["eps1"], "eps0": r["eps0"], "theta": theta}


@lru_cache(maxsize=256)
def _capacity(a: float, reaction: bool):
    def neg(p):
        # outside the retrieval region (no finite alpha, or C >= 1): see _OFF_BRANCH
        v = from_yu(a, p[0], p[1], 0, reaction)
        al = float(v["alpha"])
        return -al if np.isfinite(al) and float(v["C"]) < 1 else _OFF_BRANCH

    best = None
    for y0 in (3.0, 6.0):
        for u0 in (-3.0, -1.0):
            r = minimize(neg, [y0, u0], method="Nelder-Mead",
                         options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 4000})
            if best is None or r.fun < best.fun:
                best = r
    y, u = (float(t) for t in best.x)
    v = {k: float(x) for k, x in from_yu(a, y, u, 0, reaction).items()}
    return {"alpha_c": v["alpha"], "theta": v["theta"], "M": v["M"], "q": v["q"], "C": v["C"], "y": y, "u": u,
            "eps1": v["eps1"], "eps0": v["eps0"]}


def capacity(a: float, reaction: bool = True) -> Dict[str, float]:
    """Capacity ``alpha_c(a) = max_theta alpha_c(a, theta)`` of the 0/1 covariance-rule network (RS, T = 0).

    Parameters
    ----------
    a : float
        Coding level in (0, 1).
    reaction : bool
        As in :func:`from_yu` (``False``: the naive theory without the Onsager term).

    Returns
    -------
    dict of float
        ``alpha_c``, the optimal ``theta`` and the solution there (``M``, ``q``, ``C``, ``y``, ``u``,
        ``eps1``, ``eps0``).

    Examples
    --------
    >>> r = capacity(0.1)
    >>> round(r["alpha_c"], 3), round(r["theta"], 3)
    (0.441, 0.558)

    References
    ----------
    Tsodyks & Feigel'man, Europhys. Lett. 6, 101 (1988): ``alpha_c ~ 1/(2 a |ln a|)`` as ``a -> 0``.
    """
    return dict(_capacity(_check_a(a), bool(reaction)))


def retrieval_state(a: float, alpha: float, theta: float, iterations: int = 20000,
                    reaction: bool = True) -> Dict[str, float]:
    """Solve the RS equations at ``(a, alpha, theta)`` by iterating them from the stored pattern.

    Starts at ``M = 1, q = a, C = 0`` and iterates the fixed-point map (the
    stable retrieval branch, or its collapse above ``alpha_c(a, theta)``).

    Returns
    -------
    dict of float
        ``M``, ``q``, ``C``, ``eps1``, ``eps0`` and ``converged``.

    Examples
    --------
    >>> r = retrieval_state(0.1, 0.25, 0.45)
    >>> round(r["M"], 4), round(r["q"], 4)
    (0.9972, 0.1)
    """
    a = _check_a(a)
    alpha, theta = float(validate("alpha", alpha)), float(validate("theta", theta))
    M, q, C = 1.0, a, 0.0
    converged = False
    for _ in range(int(iterations)):
        s = np.sqrt(alpha * q) / (1.0 - C)
        G = alpha * C / (1.0 - C)
        x1, x0 = ((1 - a) * M + G / 2 - theta) / s, (-a * M + G / 2 - theta) / s
        p1, p0 = ndtr(x1), ndtr(x0)
        M2, q2 = p1 - p0, a * p1 + (1 - a) * p0
        C2 = (a * _pdf(x1) + (1 - a) * _pdf(x0)) / s if reaction else 0.0
        if q2 < 1e-300:
            M, q, C = 0.0, 0.0, 0.0
            converged = True
            break
        done = abs(M2 - M) + abs(q2 - q) + abs(C2 - C) < 1e-14
        M, q, C = M2, q2, C2
        if done:
            converged = True
            break
    s = np.sqrt(alpha * q) / (1.0 - C) if q > 0 else 0.0
    G = alpha * C / (1.0 - C)
    e1 = float(ndtr(-((1 - a) * M + G / 2 - theta) / s)) if s > 0 else 1.0
    e0 = float(ndtr((-a * M + G / 2 - theta) / s)) if s > 0 else 0.0
    return {"M": float(M), "q": float(q), "C": float(C), "eps1": e1, "eps0": e0, "converged": converged}


@register_derivation("sparse-rs")
def derivation() -> Derivation:
    """RS saddle point of the 0/1 covariance-rule network at T = 0 and its explicit (y, u) form."""
    a, al, th, b = sp.symbols("a alpha theta beta", positive=True)
    Q, q, R, r, C, M = sp.symbols("Q q R r C M", real=True)
    n = sp.Symbol("n")
    y, u, s = sp.symbols("y u s", real=True)
    Cb = b * (Q - q)
    logdet = sp.log(1 - Cb) - b * q / (1 - Cb)  # (1/n) ln det(1 - beta Q_ab), n -> 0
    F = -al / 2 * logdet - al * b**2 / 2 * (R * Q - r * q)
    r_sol = sp.solve(sp.diff(F, q), r)[0]
    R_sol = sp.solve(sp.diff(F, Q), R)[0]
    x1, x0 = (1 - a) * y + u, -a * y + u
    Phi = lambda t: (1 + sp.erf(t / sp.sqrt(2))) / 2  # noqa: E731
    steps = [
        Step("Uncondensed patterns averaged (unit-variance eta = (xi - a)/sqrt(a(1-a))): per pattern "
             "det(1 - beta Q_ab)^(-1/2); RS, n -> 0, with conjugates r_ab (R on the diagonal)", sp.Eq(
                 Named("-beta f_noise", r"-\beta f_{\mathrm{noise}}"), F)),
        Step("Saddle point in q", sp.Eq(r, sp.simplify(r_sol.subs(b * (Q - q), C)))),
        Step("Saddle point in Q (diagonal): beta (R - r)", sp.Eq(Named("beta(R-r)", r"\beta (R - r)"),
                                                                  sp.simplify(b * (R_sol - r_sol)))),
        Step("0/1 neurons, V^2 = V: the diagonal term (alpha beta^2/2)(R - r) V^2 and the removed W_ii "
             "(energy + alpha/2 V) leave a threshold shift Gamma/2",
             sp.Eq(sp.Symbol("Gamma"), sp.simplify(al * (1 / (1 - C) - 1)))),
        Step("T = 0: V = 1 when (xi - a) M + s z + Gamma/2 - theta > 0, s^2 = alpha r, r = q/(1-C)^2; "
             "with y = M/s, u = (Gamma/2 - theta)/s: overlap, activity, C s",
             sp.Tuple(Phi(x1) - Phi(x0), a * Phi(x1) + (1 - a) * Phi(x0),
                      a * sp.exp(-x1**2 / 2) / sp.sqrt(2 * sp.pi) + (1 - a) * sp.exp(-x0**2 / 2)
                      / sp.sqrt(2 * sp.pi))),
        Step("Explicit load and threshold on the solution (s = M/y)",
             sp.Tuple(sp.Eq(al, s**2 * (1 - C) ** 2 / q), sp.Eq(th, al * C / (2 * (1 - C)) - u * s))),
    ]
    return Derivation("sparse-rs", "RS retrieval of sparse 0/1 patterns (covariance rule, T = 0)", _SRC, steps)

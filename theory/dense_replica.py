"""Retrieval overlap and capacity of the dense memory at ``P = alpha N^(n-1)`` (replica-symmetric, T = 0).

The dense associative memory ``E = -sum_mu F(xi^mu . sigma)`` with ``F(x) = x^n``
updates bit ``i`` by the sign of ``h_i = sum_mu xi_i^mu D(x_mu)``,
``D(x) = (x+1)^n - (x-1)^n`` and ``x_mu`` the overlap without bit ``i``
(Krotov & Hopfield 2016, eq. 4). In a state with overlap ``m N`` with the
condensed pattern, divided by ``2 n N^(n-1)``, the aligned field is

    xi_i h_i / (2 n N^(n-1)) = m^(n-1) + sqrt(alpha c_n) z,   c_n = (2n-3)!!,

``z`` standard normal: the other ``P - 1`` patterns have overlaps of order
``sqrt(N)`` and each adds ``2 n x^(n-1)`` of variance ``4 n^2 (2n-3)!! N^(n-1)``
(``theory.dense.poly_noise_moment``, leading order). For ``n >= 3`` a
non-condensed overlap answers its own field by a relative amount
``N^(-(n-2)/2) -> 0``, so the noise is not amplified: the AGS factor
``r = 1/(1 - C)^2`` of the Hopfield network (``n = 2``) becomes 1 and the
replica-symmetric ``T = 0`` retrieval equation is

    m = erf(m^(n-1) / sqrt(2 alpha c_n)).

With ``m = erf(s)`` it reads ``alpha(s) = erf(s)^(2n-2) / (2 c_n s^2)``; the
largest load with a retrieval solution, ``alpha_c(n)``, is the maximum of
``alpha(s)``, where ``(n-1) s erf'(s) = erf(s)``: ``alpha_c = 0.08406`` (n = 3),
``0.013191`` (n = 4), ``0.0016455`` (n = 5), with ``m`` jumping from ``0.838``,
``0.918``, ``0.947`` to 0 (a first-order loss). For large ``n``,
``alpha_c(n) (2n-3)!! ~ 1/(2 ln n)``. At ``n = 2`` the same equation gives
the reaction-free ``2/pi``, not AGS's 0.138: ``n = 2`` is the one order whose
non-condensed overlaps respond at order one (the exception).

The equation has the structure of the replica-symmetric theory of Hebbian
networks with ``p``-spin interactions (Gardner 1987); the constant ``c_n`` is
that of amlab's update rule, whose overlap powers keep repeated indices
(``(2n-3)!!``); couplings over distinct index tuples would give ``(n-1)!``.

What the dynamics reaches. The RS equation fixes each bit to the sign of its
cavity field. The local field also carries an Onsager self-reaction
``Gamma sigma_i``, ``Gamma = alpha (n-1)^2 (2n-5)!! C`` at linear response
(``C`` the density of aligned fields at zero, times 2), which does not change
the RS solution but lets asynchronous dynamics started at the pattern keep
bits whose cavity field is adverse by less than ``Gamma``. The overlap it
reaches lies above the RS ``m`` by at most about ``Gamma C``
(:func:`reaction_excess`), which is small far below ``alpha_c`` and of order
0.1 at ``alpha_c`` (n = 3). Measured (``simulations.checks.suite.dense_replica``):
0.3-0.7 of that bound at N = 200-800, and dynamics started at the pattern
keeps it beyond the RS ``alpha_c`` at these sizes.

References
----------
E. Gardner, "Multiconnected neural network models", J. Phys. A 20, 3453 (1987),
doi:10.1088/0305-4470/20/11/046 (replica theory of p-spin Hebbian networks).
P. Baldi, S. S. Venkatesh, "Number of stable points for spin-glasses and neural
networks of higher orders", Phys. Rev. Lett. 58, 913 (1987),
doi:10.1103/PhysRevLett.58.913 (capacity of order N^(n-1)).
D. Krotov, J. J. Hopfield, NeurIPS 2016, arXiv:1606.01164 (the model, eq. 4).
C. Lucibello, M. Mezard, Phys. Rev. Lett. 132, 077301 (2024), arXiv:2304.14964
(replica analysis of dense and exponential memories).
D. J. Amit, H. Gutfreund, H. Sompolinsky, Phys. Rev. Lett. 55, 1530 (1985) (the n = 2 case).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy.optimize import brentq
from scipy.special import erf, erfc

from theory import dense
from theory.derivation import Derivation, Step, register_derivation
from theory.formula import Formula, check_int, sym

__all__ = ["c_n", "retrieval_map", "alpha_of_s", "critical", "retrieval_overlap", "alpha_c_large_n",
           "alpha_c_scaled", "reaction_excess"]

_SRC = ("RS theory of p-spin Hebbian networks: Gardner, J. Phys. A 20, 3453 (1987); Lucibello & Mezard, "
        "PRL 132, 077301 (2024); constants for the update rule of Krotov & Hopfield (arXiv:1606.01164, eq. 4) "
        "derived in amlab ('amlab derive dense-replica')")


def c_n(n: int) -> int:
    """Crosstalk variance per unit load, ``(2n-3)!!`` (``E y^(2n-2) / N^(n-1)`` for a Gaussian overlap ``y``).

    Examples
    --------
    >>> [c_n(n) for n in (2, 3, 4, 5)]
    [1, 3, 15, 105]
    """
    n = check_int(n, "n", minimum=2)
    return int(sp.factorial2(2 * n - 3))


def _check_n(n) -> int:
    return check_int(n, "n", minimum=2)


@lru_cache(maxsize=None)
def retrieval_map(n: int) -> Formula:
    """Right-hand side of the RS ``T = 0`` retrieval equation, ``erf(m^(n-1) / sqrt(2 alpha c_n))`` [m, alpha].

    A retrieval state is a fixed point ``m = retrieval_map(n)(m, alpha)`` with ``m > 0``.

    Examples
    --------
    >>> round(retrieval_map(3).evaluate(m=1.0, alpha=0.05), 4)
    0.9902
    """
    n = _check_n(n)
    m, alpha = sp.Symbol("m", positive=True), sym("alpha")
    return Formula(
        name=f"dense_replica.retrieval_map[n={n}]",
        expr=sp.erf(m ** (n - 1) / sp.sqrt(2 * alpha * c_n(n))),
        symbols=(m, alpha),
        source=_SRC,
        assumptions="F(x) = x^n, P = alpha N^(n-1) random unbiased patterns, N -> oo, T = 0, replica symmetry, "
                    "n >= 3 (at n = 2 the noise amplification of AGS is missing)",
        definition="overlap after one update of a state of overlap m with the condensed pattern; its fixed "
                   "points are the RS retrieval overlaps",
    )


@lru_cache(maxsize=None)
def alpha_of_s(n: int) -> Formula:
    """Load on the retrieval solution ``m = erf(s)``: ``alpha(s) = erf(s)^(2n-2) / (2 c_n s^2)`` [y].

    The symbol is ``y`` (the argument ``s`` of the erf), as in ``theory.ags.alpha_of_y``.

    Examples
    --------
    >>> round(alpha_of_s(3).evaluate(y=0.98994), 5)
    0.08406
    """
    n = _check_n(n)
    y = sym("y")
    return Formula(
        name=f"dense_replica.alpha_of_s[n={n}]",
        expr=sp.erf(y) ** (2 * n - 2) / (2 * c_n(n) * y**2),
        symbols=(y,),
        source=_SRC,
        assumptions=retrieval_map(n).assumptions,
        definition="load alpha = P/N^(n-1) at which the RS retrieval solution has overlap m = erf(y)",
    )


@lru_cache(maxsize=None)
def critical(n: int) -> Dict[str, float]:
    """Largest load with a retrieval solution, ``alpha_c(n)``, its overlap ``m_c`` and ``s_c``.

    For ``n >= 3`` the maximum of :func:`alpha_of_s`, at the root of
    ``(n-1) s erf'(s) = erf(s)`` (``brentq``); for ``n = 2`` the supremum
    ``2/pi`` reached as ``s -> 0`` (``m_c = 0``, a continuous transition).

    Examples
    --------
    >>> {k: round(v, 5) for k, v in critical(3).items()}
    {'alpha_c': 0.08406, 'm_c': 0.83848, 's_c': 0.98994}
    >>> round(critical(2)['alpha_c'], 5)
    0.63662
    """
    n = _check_n(n)
    if n == 2:
        return {"alpha_c": 2.0 / np.pi, "m_c": 0.0, "s_c": 0.0}

    def g(s):  # (n-1) s erf'(s) - erf(s); positive at small s, negative at large s
        return (n - 1) * s * 2.0 / np.sqrt(np.pi) * np.exp(-s * s) - erf(s)

    s_c = brentq(g, 1e-3, 10.0, xtol=1e-15)
    return {"alpha_c": float(alpha_of_s(n).evaluate(y=s_c)), "m_c": float(erf(s_c)), "s_c": float(s_c)}


def retrieval_overlap(alpha: npt.ArrayLike, n: int) -> np.ndarray:
    """RS retrieval overlap ``m(alpha)`` at ``P = alpha N^(n-1)``; NaN above ``alpha_c(n)``.

    Parameters
    ----------
    alpha : float or array_like
        Load ``P / N^(n-1) >= 0``.
    n : int
        Interaction order, ``n >= 2`` (``n = 2`` is the reaction-free
        equation, not the AGS overlap; see the module notes).

    Returns
    -------
    float or ndarray of float64, same shape as ``alpha``
        The largest root of ``m = erf(m^(n-1) / sqrt(2 alpha c_n))``, as
        ``erf(s)`` with ``s >= s_c`` the root of ``alpha(s) = alpha``; 1 at
        ``alpha = 0``.

    Examples
    --------
    >>> round(float(retrieval_overlap(0.05, 3)), 4)
    0.9883
    """
    n = _check_n(n)
    a = np.asarray(alpha, dtype=np.float64) if not isinstance(alpha, bool) else None
    if a is None or not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"alpha must be finite and >= 0, got {alpha!r}")
    crit = critical(n)
    f = alpha_of_s(n).numeric
    out = np.full(a.shape, np.nan)
    for idx in np.ndindex(a.shape):
        ai = float(a[idx])
        if ai == 0:
            out[idx] = 1.0
        elif ai < crit["alpha_c"]:
            lo = max(crit["s_c"], 1e-12)
            hi = max(2.0, np.sqrt(1.0 / (2 * c_n(n) * ai)) + 1.0)  # alpha(s) <= 1/(2 c_n s^2)
            out[idx] = erf(brentq(lambda s: f(s) - ai, lo, hi, xtol=1e-15))
        elif ai == crit["alpha_c"]:
            out[idx] = crit["m_c"]
    return out if out.ndim else float(out)


def alpha_c_scaled(n: npt.ArrayLike) -> np.ndarray:
    """``alpha_c(n) (2n-3)!!`` for any ``n >= 3`` (integer or not), computed in logs: no overflow at large ``n``.

    Parameters
    ----------
    n : float or array_like
        Interaction order(s), ``>= 3``.

    Returns
    -------
    float or ndarray of float64
        ``erf(s_c)^(2n-2) / (2 s_c^2)`` with ``(n-1) s_c erf'(s_c) = erf(s_c)``;
        tends to ``1/(2 ln n)`` from below.

    Examples
    --------
    >>> round(float(alpha_c_scaled(3)), 5), round(float(alpha_c_scaled(1e6) * 2 * np.log(1e6)), 3)
    (0.25219, 0.847)
    """
    a = np.asarray(n, dtype=np.float64)
    if not np.all(np.isfinite(a)) or np.any(a < 3):
        raise ValueError(f"n must be finite and >= 3, got {n!r}")
    out = np.empty(a.shape)
    for idx in np.ndindex(a.shape):
        k = float(a[idx])
        s = brentq(lambda t: (k - 1) * t * 2.0 / np.sqrt(np.pi) * np.exp(-t * t) - erf(t), 1e-3, 40.0, xtol=1e-15)
        out[idx] = np.exp((2 * k - 2) * np.log1p(-erfc(s))) / (2 * s * s)
    return out if out.ndim else float(out)


@lru_cache(maxsize=None)
def alpha_c_large_n() -> Formula:
    """Leading large-``n`` capacity, ``alpha_c(n) ~ 1 / (2 (2n-3)!! ln n)`` [n].

    From ``s_c^2 = ln(2 (n-1) s_c / sqrt(pi)) - ln erf(s_c) ~ ln n`` and
    ``alpha_c = erf(s_c)^(2n-2) / (2 c_n s_c^2)`` with ``erf(s_c)^(2n-2) -> 1``;
    the relative correction is of order ``ln ln n / ln n``, so convergence is slow
    (the exact ratio is 0.63 at n = 20, 0.85 at n = 10^6, 0.89 at n = 10^9).

    Examples
    --------
    >>> round(alpha_c_large_n().evaluate(n=3), 4)
    0.1517
    """
    n = sym("n")
    return Formula(
        name="dense_replica.alpha_c_large_n",
        expr=1 / (2 * sp.factorial2(2 * n - 3) * sp.log(n)),
        symbols=(n,),
        source=_SRC,
        assumptions="n -> oo at leading order (after N -> oo)",
        definition="largest load P / N^(n-1) with an RS retrieval state, leading order in n",
        integer_args=("n",),
    )


def reaction_excess(alpha: npt.ArrayLike, n: int) -> np.ndarray:
    """Linear-response bound on how far T = 0 dynamics from a pattern ends above the RS overlap: ``Gamma C``.

    ``C = sqrt(2/pi) / sigma exp(-m^(2n-2) / (2 sigma^2))`` (twice the density of
    aligned fields at zero, ``sigma^2 = alpha c_n``, ``m`` the RS overlap) and
    ``Gamma = alpha (n-1)^2 (2n-5)!! C`` the Onsager self-reaction (for ``n = 2``,
    ``alpha C``: AGS's ``alpha C/(1-C)`` at first order). A bit whose cavity
    field is adverse by less than ``Gamma`` stays at the pattern's value; the
    fraction of such bits is about ``Gamma C / 2``, hence the overlap excess
    ``Gamma C``. NaN above ``alpha_c``.

    Examples
    --------
    >>> round(float(reaction_excess(0.075, 3)), 3)
    0.029
    """
    n = _check_n(n)
    a = np.asarray(alpha, dtype=np.float64)
    m = np.asarray(retrieval_overlap(a, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        sig2 = a * c_n(n)
        C = np.sqrt(2.0 / np.pi / sig2) * np.exp(-(m ** (2 * n - 2)) / (2.0 * sig2))
        C = np.where(a > 0, C, 0.0)
    dfact = 1 if n == 2 else int(sp.factorial2(2 * n - 5))
    out = a * (n - 1) ** 2 * dfact * C * C
    return out if np.ndim(out) else float(out)


@register_derivation("dense-replica")
def derivation() -> Derivation:
    """From the update rule to m = erf(m^(n-1)/sqrt(2 alpha c_n)) and alpha_c(n)."""
    n_, x, N = sp.Symbol("n", positive=True, integer=True), sp.Symbol("x", real=True), sym("N")
    m, alpha, s = sp.Symbol("m", positive=True), sym("alpha"), sp.Symbol("s", positive=True)
    D3 = sp.expand((x + 1) ** 3 - (x - 1) ** 3)
    lead = [sp.Poly(dense.poly_noise_moment(k)).LC() for k in (2, 3, 4, 5)]  # the only free symbol is L
    want = [4 * k**2 * c_n(k) for k in (2, 3, 4, 5)]
    z = sp.Symbol("z", real=True)
    gauss = [sp.integrate(z ** (2 * k - 2) * sp.exp(-z**2 / 2), (z, -sp.oo, sp.oo)) / sp.sqrt(2 * sp.pi)
             for k in (2, 3, 4, 5)]
    a_s = sp.erf(s) ** (2 * n_ - 2) / (2 * sp.Symbol("c_n", positive=True) * s**2)
    stationarity = sp.simplify(sp.diff(sp.log(a_s), s))
    lim2 = sp.limit(sp.erf(s) ** 2 / (2 * s**2), s, 0)
    crit = {k: critical(k) for k in (3, 4, 5)}
    Gamma = alpha * (n_ - 1) ** 2 * sp.Symbol("(2n-5)!!") * sp.Symbol("C")
    steps = [
        Step("Bit i of a state sigma: h_i = sum_mu xi_i^mu D(x_mu), D(x) = (x+1)^n - (x-1)^n, x_mu the overlap "
             "of pattern mu with sigma without bit i (Krotov & Hopfield eq. 4). D(x) = 2n x^(n-1) + lower powers; "
             "for n = 3", sp.Eq(sp.Symbol("D(x)"), D3)),
        Step("Condensed pattern with overlap m N: signal 2n (mN)^(n-1). Another pattern: x ~ sqrt(N) z, crosstalk "
             "2n x^(n-1) with a random sign. a_n, the leading coefficient (in L = N - 1) of E[D(y)^2] from "
             "theory.dense.poly_noise_moment, for n = 2..5; 4 n^2 (2n-3)!! gives "
             + ", ".join(str(w) for w in want),
             sp.Tuple(*[sp.Eq(sp.Symbol(f"a_{k}"), v) for k, v in zip((2, 3, 4, 5), lead)])),
        Step("c_n = (2n-3)!! = E z^(2n-2) for a standard normal z, n = 2..5 (the crosstalk variance per unit "
             "load), by integration", sp.Tuple(*[sp.Eq(sp.Symbol(f"c_{k}"), v) for k, v in zip((2, 3, 4, 5), gauss)])),
        Step("P = alpha N^(n-1): the aligned field divided by 2n N^(n-1) is m^(n-1) + sqrt(alpha c_n) z",
             sp.Eq(sp.Symbol("h"), m ** (n_ - 1) + sp.sqrt(alpha * sp.Symbol("c_n")) * z)),
        Step("Reaction of the noise: a pattern mu's field on a bit is of order N^((n-1)/2) / N^(n-1), so its "
             "own overlap changes by N^(-(n-1)/2) against its size N^(-1/2): relative N^(-(n-2)/2). At n = 3 it "
             "vanishes as N -> oo; at n = 2 it is N^0 = 1 for every N (AGS: the noise is amplified by "
             "r = 1/(1-C)^2)", sp.Eq(sp.Limit(N ** (-(n_ - 2) / 2), N, sp.oo).subs(n_, 3),
                                    sp.limit(N ** (-sp.Rational(1, 2)), N, sp.oo))),
        Step("So for n >= 3 the RS T = 0 retrieval equation has no noise amplification",
             sp.Eq(m, retrieval_map(3).expr.subs(sp.Symbol("m", positive=True), m))),
        Step("Parametrised by m = erf(s): the load on the retrieval branch",
             sp.Eq(alpha, a_s)),
        Step("alpha_c(n) = max_s alpha(s): d ln alpha / ds = 0, i.e. (n-1) s erf'(s) = erf(s)",
             sp.Eq(stationarity, 0)),
        Step("n = 2: alpha(s) decreases from its s -> 0 limit, 2/pi (the reaction-free value; AGS's noise "
             "amplification brings it down to 0.138)", lim2),
        Step("n = 3, 4, 5: the critical load alpha_c(n) and the overlap m_c(n) there, a first-order loss of the "
             "retrieval state", sp.Tuple(*[e for k in crit for e in (
                 sp.Eq(sp.Function("alpha_c")(k), sp.Float(crit[k]["alpha_c"], 5)),
                 sp.Eq(sp.Function("m_c")(k), sp.Float(crit[k]["m_c"], 4)))])),
        Step("Large n: s_c^2 ~ ln n and erf(s_c)^(2n-2) -> 1, so", sp.Eq(sp.Symbol("alpha_c"),
                                                                       alpha_c_large_n().expr)),
        Step("Couplings over distinct index tuples (Gardner's p-spin form) would replace (2n-3)!! by (n-1)!; "
             "at n = 3", sp.Tuple(sp.Eq(sp.Symbol("c_3"), c_n(3)),
                                  sp.Eq(sp.factorial(n_ - 1), sp.factorial(n_ - 1).subs(n_, 3)))),
        Step("Dynamics: the local field also carries an Onsager self-reaction Gamma sigma_i (C = 2 x density of "
             "aligned fields at 0). It leaves the RS solution (sign of the cavity field) unchanged, but dynamics "
             "from the pattern keeps bits adverse by less than Gamma: overlap excess about Gamma C",
             sp.Eq(sp.Symbol("Gamma"), Gamma)),
    ]
    return Derivation("dense-replica", "Retrieval overlap and capacity of the dense memory at P = alpha N^(n-1)",
                      _SRC, steps)

"""Palimpsest capacity of the marginalist Hopfield network (signal-to-noise and replica routes).

Couplings ``J = sum_{t >= 0} lam^t xi^t xi^t^T / N`` (zero diagonal) after a
stream of random patterns, ``t`` the age (0: the newest). The aligned field
of neuron ``i`` at the pattern of age ``t`` is

    u_i = lam^t (N - 1) / N + sum_{t' != t} lam^(t') (1/N) sum_{j != i} xi_i^t xi_i^t' xi_j^t' xi_j^t,

a signal ``lam^t (N-1)/N`` plus ``N - 1`` uncorrelated fair-sign terms per
other pattern, each of weight ``lam^t' / N``: mean and variance are exact at
finite ``N`` and ``P`` (:func:`field_mean`, :func:`field_variance`); the
stationary variance (``P -> oo``, ``N -> oo``) is ``1 / (N (1 - lam^2))``
(:func:`stationary_variance`), ``1 / (2 eps)`` with ``lam = 1 - eps / N``.

Window of retrievable patterns, ``alpha_w N`` (``a = t / N``, ``lam^t -> e^(-eps a)``):

* signal-to-noise route (:func:`snr_window`): a pattern is retrieved while its
  noise-to-signal ratio ``e^(2 eps a) / (2 eps)`` stays below the Hopfield
  critical load ``alpha_c = 0.1379`` (Amit, Gutfreund & Sompolinsky), so
  ``alpha_w = ln(2 eps alpha_c) / (2 eps)``, largest at ``eps* = e / (2 alpha_c)``
  with ``alpha_w* = alpha_c / e = 0.0507`` (:func:`snr_optimum`);
* replica route (:func:`replica_window`): the T = 0 replica-symmetric equations
  with weighted patterns. The pattern of age ``a`` has strength ``c = e^(-eps a)``,
  the others act through the Gaussian noise of variance
  ``Delta = int_0^oo ds e^(-2 eps s) / (1 - C e^(-eps s))^2 = g(C) / eps``,
  ``g(C) = ln(1 - C) / C^2 + 1 / (C (1 - C))`` (each pattern's response
  ``1 / (1 - c C)`` as in AGS's ``r = 1/(1 - C)^2``, which it reduces to for equal
  weights), and ``m = erf(y)``, ``y = c m / sqrt(2 Delta)``,
  ``C = sqrt(2 / (pi Delta)) e^(-y^2)``. The weakest strength that keeps a
  solution with ``m > 0`` gives ``alpha_w = -ln(c_min) / eps``; its maximum over
  ``eps`` is :func:`replica_optimum`.

The published optimum (Nadal, Toulouse, Changeux & Dehaene 1986; Mezard, Nadal
& Toulouse 1986) is about 0.05 N (:data:`PUBLISHED_OPTIMUM`).

Parisi's bounded synapses (J. Phys. A 19, L617, 1986; ``hopfield.palimpsest`` rule ``"bounded"``) are not
derived here, and no published window for them is recorded: the part of the letter with its results could
not be read, nor could a later paper quoting a number (docs/palimpsest.md). Simulated at ``N = 500`` (4
networks, seed 0) the window is 0.051 N at ``A = 0.3`` (0.046-0.054 over the networks) and 0.054 N at
``A = 0.4``, beside the marginalist optimum's 0.049-0.051 N.

References
----------
J. P. Nadal, G. Toulouse, J. P. Changeux, S. Dehaene, Europhys. Lett. 1, 535 (1986).
M. Mezard, J. P. Nadal, G. Toulouse, J. Physique 47, 1457 (1986).
D. J. Amit, H. Gutfreund, H. Sompolinsky, Ann. Phys. 173, 30 (1987).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf

from theory import ags
from theory.derivation import Derivation, Step, register_derivation
from theory.formula import Formula, sym

__all__ = ["field_mean", "field_variance", "stationary_variance", "snr_window", "snr_optimum", "response_integral",
           "replica_window", "replica_optimum", "neuron_mean_covariance", "PUBLISHED_OPTIMUM", "derivation"]

_NTCD = "Nadal, Toulouse, Changeux & Dehaene, Europhys. Lett. 1, 535 (1986)"
_MNT = "Mezard, Nadal & Toulouse, J. Physique 47, 1457 (1986)"

#: The published optimum window (fraction of N) of the marginalist palimpsest, "about 0.05" (secondary source).
PUBLISHED_OPTIMUM = {"alpha_w": 0.05, "source": f"{_NTCD}; {_MNT}"}

lam = sp.Symbol("lam", positive=True)
eps = sp.Symbol("epsilon", positive=True)
t = sp.Symbol("t", integer=True, nonnegative=True)
a_c = sp.Symbol("alpha_c", positive=True)


@lru_cache(maxsize=None)
def field_mean() -> Formula:
    """Mean of the aligned field ``xi_i^t h_i`` of the pattern of age ``t``: ``lam^t (N - 1) / N`` (exact)."""
    N = sym("N")
    return Formula(name="palimpsest.field_mean", expr=lam**t * (N - 1) / N, symbols=(lam, t, N),
                   source=_NTCD + ", signal of a pattern of age t",
                   assumptions="random +-1 patterns written oldest first, J <- lam J + xi xi^T/N, zero diagonal",
                   definition="E[xi_i^t h_i], the one-step signal of the pattern of age t")


@lru_cache(maxsize=None)
def field_variance() -> Formula:
    """Variance of the aligned field at age ``t`` after ``P`` patterns from ``J = 0`` (exact at finite N, P)."""
    N, P = sym("N"), sym("P")
    tp = sp.Symbol("tp", integer=True, nonnegative=True)
    total = sp.summation(lam**(2 * tp), (tp, 0, P - 1))  # sum over every written pattern
    total = sp.simplify(total.rewrite(sp.Piecewise).args[1][0]) if isinstance(total, sp.Piecewise) else total
    expr = (N - 1) / N**2 * (total - lam**(2 * t))
    return Formula(name="palimpsest.field_variance", expr=expr, symbols=(lam, t, N, P),
                   source=_NTCD + "; signal-to-noise analysis, crosstalk summed with the weights lam^(2 t')",
                   assumptions="random +-1 patterns; P patterns written from J = 0; 0 <= t < P; lam < 1",
                   definition="Var[xi_i^t h_i] over the patterns, (N-1)/N^2 sum_{t' != t} lam^(2 t')")


def neuron_mean_covariance(lam: float, ages: npt.ArrayLike, N: int, P: int) -> np.ndarray:
    """Covariance over networks of the aligned field averaged over the neurons, between ages (exact).

    The neuron mean of the aligned field of the pattern of age ``t`` is
    ``lam^t (N-1)/N + sum_{t' != t} lam^t' (m_tt'^2 - 1/N)`` with ``m_tt'`` the
    overlap of patterns ``t`` and ``t'`` (each crosstalk term
    ``lam^t' (xi_i^t xi_i^t' m_tt' - 1/N)`` averaged over i). Overlaps of distinct
    pairs are independent (given ``xi^t``, ``m_tt'`` is the mean of N fair signs
    whatever ``xi^t`` is, so pairs sharing a pattern are independent too), and
    ``Var(N m^2) = 2 - 2/N`` for +-1 patterns (``E[(sum of N signs)^4] = 3N^2 - 2N``).
    Two ages ``t != s`` share one pair, ``{t, s}``, weighted ``lam^s`` in the one and
    ``lam^t`` in the other. Hence, with ``S_t = sum_{t' != t, t' < P} lam^(2t')``::

        Cov(t, s) = 2 (N - 1) / N^3 * (S_t if t == s else lam^(t + s))

    so the variance of one age's neuron mean is exactly ``2/N`` times
    ``field_variance`` (its per-neuron variance).

    Parameters
    ----------
    lam : float
        Decay factor, 0 < lam < 1.
    ages : array_like of shape (K,), int
        Distinct ages in ``[0, P - 1]``.
    N, P : int
        Neurons and patterns written from ``J = 0``.

    Returns
    -------
    ndarray of shape (K, K), float64

    Examples
    --------
    >>> c = neuron_mean_covariance(0.99, [0, 3], 100, 500)
    >>> v = float(field_variance().evaluate(lam=0.99, t=0, N=100, P=500))
    >>> round(float(c[0, 0]) / v, 10), bool(c[0, 1] > 0)
    (0.02, True)
    """
    a = np.asarray(ages)
    if a.ndim != 1 or a.size == 0 or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"ages must be a non-empty 1-D array of integers, got {ages!r}")
    N, P = int(N), int(P)
    if N < 2 or P < 1 or a.min() < 0 or a.max() >= P:
        raise ValueError(f"need N >= 2 and ages in [0, P - 1], got N={N}, P={P}, ages in [{a.min()}, {a.max()}]")
    lam = float(lam)
    if not 0.0 < lam < 1.0:
        raise ValueError(f"lam must lie in (0, 1), got {lam}")
    a = a.astype(np.float64)
    total = (1.0 - lam ** (2 * P)) / (1.0 - lam ** 2)
    cov = lam ** (a[:, None] + a[None, :])
    np.fill_diagonal(cov, total - lam ** (2 * a))
    return 2.0 * (N - 1) / N ** 3 * cov


@lru_cache(maxsize=None)
def stationary_variance() -> Formula:
    """Stationary crosstalk variance ``1 / (N (1 - lam^2))`` (``P -> oo``, the age's own term and 1/N dropped)."""
    N = sym("N")
    return Formula(name="palimpsest.stationary_variance", expr=1 / (N * (1 - lam**2)), symbols=(lam, N),
                   source=_MNT, assumptions="stationary state P -> oo; large N",
                   definition="crosstalk variance of the aligned field, sum_t' lam^(2 t') / N")


@lru_cache(maxsize=None)
def snr_window() -> Formula:
    """Signal-to-noise window ``alpha_w(eps) = ln(2 eps alpha_c) / (2 eps)`` (0 where negative)."""
    return Formula(name="palimpsest.snr_window", expr=sp.log(2 * eps * a_c) / (2 * eps), symbols=(eps, a_c),
                   source=_NTCD + "; threshold alpha_c of Amit, Gutfreund & Sompolinsky (1987)",
                   assumptions="lam = 1 - eps/N, N -> oo; a pattern is retrieved while its noise/signal^2 "
                               "e^(2 eps a)/(2 eps) stays below alpha_c; valid for eps > 1/(2 alpha_c)",
                   definition="alpha_w = t_max / N, the retrievable window of the most recent patterns")


def snr_optimum() -> dict:
    """Maximum of :func:`snr_window` over eps, by SymPy: ``eps* = e / (2 alpha_c)``, ``alpha_w* = alpha_c / e``.

    Returns
    -------
    dict
        ``eps``, ``alpha_w`` (floats, with the AGS ``alpha_c``) and ``eps_expr``, ``alpha_w_expr`` (SymPy).

    Examples
    --------
    >>> round(snr_optimum()["alpha_w"], 4)
    0.0507
    """
    f = snr_window().expr
    root = sp.solve(sp.diff(f, eps), eps)
    assert len(root) == 1
    best = sp.simplify(f.subs(eps, root[0]))
    ac = ags.critical()["alpha_c"]
    return {"eps_expr": root[0], "alpha_w_expr": best, "eps": float(root[0].subs(a_c, ac)),
            "alpha_w": float(best.subs(a_c, ac))}


def response_integral(C: float) -> float:
    """``g(C) = eps int_0^oo e^(-2 eps s) / (1 - C e^(-eps s))^2 ds = int_0^1 x / (1 - C x)^2 dx``, for 0 <= C < 1."""
    if not 0.0 <= C < 1.0:
        raise ValueError(f"C must lie in [0, 1), got {C}")
    if C < 1e-4:  # series: 1/2 + 2C/3 + 3C^2/4 (cancellation in the closed form)
        return 0.5 + 2.0 * C / 3.0 + 0.75 * C * C
    return math.log1p(-C) / (C * C) + 1.0 / (C * (1.0 - C))


def _C_of_y(y: float, e: float) -> float:
    """The response C solving C = sqrt(2 eps / (pi g(C))) e^(-y^2) (the right side falls in C: one root)."""
    f = lambda C: C - math.sqrt(2.0 * e / (math.pi * response_integral(C))) * math.exp(-y * y)  # noqa: E731
    return brentq(f, 0.0, 1.0 - 1e-15, xtol=1e-15)


def _c_of_y(y: float, e: float) -> float:
    """Pattern strength c at which y solves the weighted T = 0 equations (c = y sqrt(2 Delta) / erf(y))."""
    D = response_integral(_C_of_y(y, e)) / e
    return y * math.sqrt(2.0 * D) / erf(y)


def replica_window(epsilon: float) -> float:
    """Replica-symmetric (T = 0) window ``alpha_w(eps)`` of the marginalist palimpsest.

    Parameters
    ----------
    epsilon : float
        Forgetting rate (``lam = 1 - eps / N``), > 0.

    Returns
    -------
    float
        ``-ln(c_min) / eps`` with ``c_min`` the weakest pattern strength that keeps a retrieval
        solution; 0 where even the newest pattern (``c = 1``) is not retrieved.
    """
    e = float(epsilon)
    if not (math.isfinite(e) and e > 0):
        raise ValueError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    res = minimize_scalar(lambda y: _c_of_y(y, e), bounds=(0.05, 6.0), method="bounded",
                          options={"xatol": 1e-10})
    c_min = float(res.fun)
    return max(0.0, -math.log(c_min) / e)


def replica_optimum() -> dict:
    """Maximum of :func:`replica_window` over eps (scipy): ``{"eps": ..., "alpha_w": ...}``."""
    res = minimize_scalar(lambda e: -replica_window(e), bounds=(2.0, 30.0), method="bounded",
                          options={"xatol": 1e-6})
    return {"eps": float(res.x), "alpha_w": float(-res.fun)}


@register_derivation("palimpsest")
def derivation() -> Derivation:
    """The marginalist palimpsest: crosstalk by age, the signal-to-noise window and its optimum, the replica window."""
    N, P = sym("N"), sym("P")
    s, x, C, a = sp.Symbol("s", nonnegative=True), sp.Symbol("x", positive=True), sp.Symbol("C", positive=True), \
        sp.Symbol("a", nonnegative=True)
    tp = sp.Symbol("tp", integer=True, nonnegative=True)
    n_over_s2 = sp.exp(2 * eps * a) / (2 * eps)  # noise / signal^2 at age a = t/N
    lam_e = sp.exp(-eps / N)
    stat = sp.limit(N * (1 - lam_e**2), N, sp.oo)
    F = 1 / (C**2 * (1 - C * x)) + sp.log(1 - C * x) / C**2  # antiderivative in x, 0 <= C x < 1
    assert sp.simplify(sp.diff(F, x) - x / (1 - C * x)**2) == 0
    g_closed = sp.log(1 - C) / C**2 + 1 / (C * (1 - C))
    g_check = sp.simplify(F.subs(x, 1) - F.subs(x, 0) - g_closed)
    opt, ropt = snr_optimum(), replica_optimum()
    steps = [
        Step("Couplings after a stream written oldest first (age t = 0 newest) from J = 0, zero diagonal",
             sp.Eq(sp.Symbol("J_ij"), sp.Sum(lam**tp * sp.Symbol("xi_i^tp") * sp.Symbol("xi_j^tp") / N,
                                             (tp, 0, P - 1)))),
        Step("Aligned field of the pattern of age t: signal (exact mean)", sp.Eq(sp.Symbol("E[u]"),
                                                                                 field_mean().expr)),
        Step("Crosstalk: (N-1) uncorrelated fair signs of weight lam^t'/N for every t' != t (the same "
             "Rademacher argument as classical-crosstalk, each term scaled by lam^t'), so the variance sums "
             "lam^(2 t'), not lam^t'", sp.Eq(sp.Symbol("Var[u]"), field_variance().expr)),
        Step("Stationary state P -> oo, large N: sum_t' lam^(2t') / N", stationary_variance().expr),
        Step("With lam = exp(-eps/N) (or 1 - eps/N, the same at this order), N (1 - lam^2) ->", stat),
        Step("Noise over squared signal at age a = t/N (signal lam^t = e^(-eps a)); retrieval while this "
             "effective load stays below the Hopfield critical load alpha_c",
             sp.Eq(sp.Symbol("alpha_eff(a)"), n_over_s2)),
        Step("Window: alpha_eff(alpha_w) = alpha_c", sp.Eq(sp.Symbol("alpha_w"),
                                                           sp.solve(sp.Eq(n_over_s2, a_c), a)[0])),
        Step("Optimum over eps (d alpha_w / d eps = 0)",
             sp.Tuple(sp.Eq(sp.Symbol("eps*"), opt["eps_expr"]), sp.Eq(sp.Symbol("alpha_w*"), opt["alpha_w_expr"]))),
        Step("With the AGS alpha_c = 0.1379",
             sp.Tuple(sp.Eq(sp.Symbol("eps*"), sp.Float(opt["eps"], 5)),
                      sp.Eq(sp.Symbol("alpha_w*"), sp.Float(opt["alpha_w"], 4)))),
        Step("Replica route (T = 0, replica symmetric): pattern strengths c(s) = e^(-eps s) by age s = t'/N, "
             "each responding with 1/(1 - c C) (AGS's r = 1/(1-C)^2 for equal weights); noise variance "
             "Delta = int_0^oo c^2/(1 - c C)^2 ds = g(C)/eps with x = e^(-eps s)",
             sp.Eq(sp.Symbol("g(C)"), sp.Integral(x / (1 - C * x)**2, (x, 0, 1)))),
        Step("Antiderivative F (dF/dx minus the integrand simplifies to 0), then g = F(1) - F(0); "
             "F(1) - F(0) minus the closed form, simplified", sp.Tuple(sp.Eq(sp.Symbol("F(x)"), F),
                                                                      sp.Eq(sp.Symbol("g(C)"), g_closed), g_check)),
        Step("Equations for the pattern of strength c: m = erf(y), y = c m / sqrt(2 Delta), "
             "C = sqrt(2/(pi Delta)) exp(-y^2); retrieval needs c >= c_min = min_y y sqrt(2 Delta(y)) / erf(y), "
             "so alpha_w = -ln(c_min)/eps; its maximum over eps (scipy)",
             sp.Tuple(sp.Eq(sp.Symbol("eps*"), sp.Float(ropt["eps"], 4)),
                      sp.Eq(sp.Symbol("alpha_w*"), sp.Float(ropt["alpha_w"], 4)))),
        Step("Published: about 0.05 N at the best rate (" + PUBLISHED_OPTIMUM["source"] + ")",
             sp.Eq(sp.Symbol("alpha_w*"), sp.Float(PUBLISHED_OPTIMUM["alpha_w"], 2))),
    ]
    return Derivation("palimpsest", "Marginalist palimpsest: crosstalk by age, window and optimum forgetting rate",
                      f"{_NTCD}; {_MNT}", steps)

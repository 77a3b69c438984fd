"""One parallel step of the dense memory from a noisy cue, at ``P = alpha N^(n-1)`` (F(x) = x^n).

A cue ``s`` has ``d = N (1 - m0) / 2`` bits flipped with respect to the stored
pattern ``nu`` (overlap ``m0`` exactly) and is independent of the other
``K - 1`` patterns. One synchronous update sets ``s_i <- Sign[h_i]`` with
``h_i = sum_mu xi_i^mu D(x_mu)``, ``D(x) = (x+1)^n - (x-1)^n`` and
``x_mu = sum_{j != i} xi_j^mu s_j`` (Krotov & Hopfield 2016, eq. 4; a tie
keeps ``s_i``). Multiplied by ``xi_i^nu``:

* the pattern ``nu`` gives the signal ``D(x_nu)`` with ``x_nu = N m0 - xi_i^nu s_i``:
  ``S_u = D(N m0 - 1)`` at a bit the cue has right, ``S_f = D(N m0 + 1)`` at a
  flipped bit. The field excludes ``j = i``, so the signal is not ``D(N m0)``:
  the relative shift is ``-+ 2 / (N m0)`` for n = 3 (``-+ (n - 1)/(N m0)`` in general);
* each other pattern gives ``b_mu D(y_mu)``, ``b_mu`` a fair sign and ``y_mu`` a
  sum of ``L = N - 1`` fair signs (the cue is independent of pattern ``mu``),
  independently over ``mu``: the same noise as at a stored pattern, variance
  ``(K - 1) E[D(y)^2]`` with the exact moments of ``theory.dense.poly_noise_moment``.

A right bit stays right when the aligned field is ``>= 0`` and a flipped bit is
repaired when it is ``> 0``, so in the Gaussian approximation (exact moments)

    m1 = (1 - f) erf(S_u / sqrt(2 V)) + f erf(S_f / sqrt(2 V)),   f = (1 - m0)/2,  V = (K-1) E[D^2]

(:func:`one_step`). At leading order ``D(x) ~ 2 n x^(n-1)``, ``E[D^2] ~ 4 n^2
(2n-3)!! N^(n-1)`` and ``K ~ alpha N^(n-1)``, which gives Krotov & Hopfield's
signal-to-noise ratio with the signal scaled by ``m0^(n-1)``:

    m1 = erf(m0^(n-1) / sqrt(2 alpha (2n-3)!!))                (:func:`one_step_leading`)

the right-hand side of the replica-symmetric retrieval equation of
``theory.dense_replica`` (its fixed points are the RS retrieval overlaps).
:func:`one_step_first_order` is the expansion of :func:`one_step` to order
``1/N`` at fixed ``m0`` and ``alpha``: with ``z0 = m0^(n-1)/sqrt(alpha (2n-3)!!)``,
``z_u = z0 (1 + (a_u)/N)``, ``z_f = z0 (1 + a_f / N)`` and

    m1 = erf(z0/sqrt 2) + sqrt(2/pi) exp(-z0^2/2) z0 ((1-f) a_u + f a_f) / N + O(1/N^2);

for n = 3, ``a_u,f = -+ 2/m0 + 11/9`` (signal ``-+ 2/(N m0)``, noise std ``-11/(9N)``).
The ``K - 1`` noise terms are independent and identically distributed, so the
exact finite-N law of ``m1`` (no Gaussian step) is their convolution:
``simulations.estimators.dense_basin.exact_one_step``.

No closed form of the fixed point reached from the cue is claimed here: the
first step's noise and the cue's flipped bits are correlated at the second step
(as for the Hebbian network, ``theory.basins``), and for ``n >= 3`` the
replica-symmetric overlap of ``theory.dense_replica`` describes the retrieval
state, not which cues reach it. The ``dense-basin`` check reports it.

References
----------
D. Krotov, J. J. Hopfield, "Dense associative memory for pattern recognition",
NeurIPS 2016, arXiv:1606.01164: update eq. 4, signal-to-noise estimate
(appendix A). M. Demircigil et al., J. Stat. Phys. 168, 288 (2017): the
capacities ``P ~ N^(n-1)`` at which these loads are measured.
"""

from __future__ import annotations

from functools import lru_cache

from typing import Tuple

import sympy as sp

from theory.dense import L_, poly_noise_moment
from theory.derivation import Derivation, Named, Step, register_derivation
from theory.formula import Formula, check_int, sym

__all__ = ["one_step", "one_step_leading", "one_step_first_order", "first_order_coefficients", "derivation"]

_KH = ("Krotov & Hopfield, NeurIPS 2016 (arXiv:1606.01164), eq. 4 and the signal-to-noise estimate of "
       "appendix A, with the signal of a cue at overlap m0; loads P = alpha N^(n-1) as in Demircigil et al., "
       "J. Stat. Phys. 168 (2017) [the cue form is derived in amlab, derivation 'dense-basin']")


def _m0():
    return sp.Symbol("m0", real=True)


def _check_n(n) -> int:
    n = check_int(n, "n", minimum=3)
    return n


def _D(n: int, x):
    return sp.expand((x + 1) ** n - (x - 1) ** n)


def _c(n: int) -> int:
    return int(sp.factorial2(2 * n - 3))


@lru_cache(maxsize=None)
def one_step_leading(n: int) -> Formula:
    """Overlap after one parallel step from overlap ``m0`` at load ``alpha``, leading order [m0, alpha].

    ``m1 = erf(m0^(n-1) / sqrt(2 alpha (2n-3)!!))``, ``P = alpha N^(n-1)``.

    Parameters
    ----------
    n : int
        Interaction order, ``n >= 3`` (``n = 2`` is ``theory.basins.first_step``).

    Examples
    --------
    >>> round(one_step_leading(3).evaluate(m0=0.6, alpha=0.0432), 4)
    0.6827
    """
    n = _check_n(n)
    m0, alpha = _m0(), sym("alpha")
    return Formula(
        name=f"dense_basin.one_step_leading[n={n}]",
        expr=sp.erf(m0 ** (n - 1) / sp.sqrt(2 * alpha * _c(n))),
        symbols=(m0, alpha),
        source=_KH,
        assumptions="F(x) = x^n, random unbiased patterns, cue independent of the other patterns, N -> oo at "
                    "fixed alpha and m0, Gaussian noise",
        definition="expected overlap with the cued pattern after one synchronous update",
    )


@lru_cache(maxsize=None)
def one_step(n: int) -> Formula:
    """Finite-N overlap after one parallel step, Gaussian noise with exact moments [N, K, m0].

    ``m1 = (1-f) erf(D(N m0 - 1)/sqrt(2V)) + f erf(D(N m0 + 1)/sqrt(2V))``,
    ``f = (1 - m0)/2``, ``V = (K - 1) E[D(y)^2]`` with ``y`` a sum of ``N - 1``
    fair signs (``theory.dense.poly_noise_moment``). Exact signal and variance at
    finite N; only the Gaussian shape of the noise is approximate (its error is
    Edgeworth's kurtosis term, ``simulations.estimators.dense_basin.gaussian_tolerance``).

    Examples
    --------
    >>> round(one_step(3).evaluate(N=100, K=432, m0=0.6), 4)
    0.6794
    """
    n = _check_n(n)
    N, K, m0 = sym("N"), sym("K"), _m0()
    f = (1 - m0) / 2
    V = (K - 1) * poly_noise_moment(n).subs(L_, N - 1)
    expr = ((1 - f) * sp.erf(_D(n, N * m0 - 1) / sp.sqrt(2 * V)) + f * sp.erf(_D(n, N * m0 + 1) / sp.sqrt(2 * V)))
    return Formula(
        name=f"dense_basin.one_step[n={n}]",
        expr=expr,
        symbols=(N, K, m0),
        source=_KH,
        assumptions="F(x) = x^n, random unbiased patterns, cue with exactly N(1-m0)/2 flipped bits and "
                    "independent of the other patterns; exact finite-N signal and variance, Gaussian noise",
        definition="expected overlap with the cued pattern after one synchronous update",
    )


@lru_cache(maxsize=None)
def first_order_coefficients(n: int) -> Tuple[sp.Expr, sp.Expr]:
    """``(a_u, a_f)``: ``z = z0 (1 + a / N + O(1/N^2))`` at a right (u) and a flipped (f) cue bit [m0].

    From :func:`one_step` at ``K = alpha N^(n-1)``, expanded in ``1/N`` (SymPy series).

    Examples
    --------
    >>> first_order_coefficients(3)
    (11/9 - 2/m0, 11/9 + 2/m0)
    """
    n = _check_n(n)
    N, m0, alpha, eps = sym("N"), _m0(), sym("alpha"), sp.Symbol("epsilon", positive=True)
    V = (alpha * N ** (n - 1) - 1) * poly_noise_moment(n).subs(L_, N - 1)
    lead = 2 * n * (N * m0) ** (n - 1) / sp.sqrt(4 * n**2 * _c(n) * alpha * N ** (2 * n - 2))
    out = []
    for sgn in (-1, 1):
        ratio = _D(n, N * m0 + sgn) / sp.sqrt(V) / lead
        ser = sp.series(ratio.subs(N, 1 / eps), eps, 0, 2).removeO()
        assert sp.simplify(ser.coeff(eps, 0) - 1) == 0
        out.append(sp.simplify(ser.coeff(eps, 1)))
    return tuple(out)


@lru_cache(maxsize=None)
def one_step_first_order(n: int) -> Formula:
    """:func:`one_step` to order ``1/N`` at fixed ``m0`` and ``alpha`` [N, m0, alpha].

    ``m1 = erf(z0/sqrt 2) + sqrt(2/pi) exp(-z0^2/2) z0 ((1-f) a_u + f a_f)/N``,
    ``z0 = m0^(n-1)/sqrt(alpha (2n-3)!!)``, ``(a_u, a_f)`` from
    :func:`first_order_coefficients`.

    Examples
    --------
    >>> round(one_step_first_order(3).evaluate(N=100, m0=0.6, alpha=0.0432), 4)
    0.6789
    """
    n = _check_n(n)
    N, m0, alpha = sym("N"), _m0(), sym("alpha")
    au, af = first_order_coefficients(n)
    f = (1 - m0) / 2
    z0 = m0 ** (n - 1) / sp.sqrt(alpha * _c(n))
    expr = sp.erf(z0 / sp.sqrt(2)) + sp.sqrt(2 / sp.pi) * sp.exp(-z0**2 / 2) * z0 * ((1 - f) * au + f * af) / N
    return Formula(
        name=f"dense_basin.one_step_first_order[n={n}]",
        expr=expr,
        symbols=(N, m0, alpha),
        source=_KH,
        assumptions="as one_step, expanded to first order in 1/N at fixed m0 and alpha = K / N^(n-1)",
        definition="expected overlap with the cued pattern after one synchronous update",
    )


@register_derivation("dense-basin")
def derivation() -> Derivation:
    """One parallel step of the dense memory from a cue at overlap m0: exact moments, leading order, 1/N."""
    n = 3
    N, K, m0, alpha = sym("N"), sym("K"), _m0(), sym("alpha")
    y, x = sp.Symbol("y", real=True), sp.Symbol("x", real=True)
    au, af = first_order_coefficients(n)
    steps = [
        Step("Aligned field of bit i: xi_i^nu h_i = D(x_nu) + sum_{mu != nu} b_mu D(y_mu), D(x) = (x+1)^3 - (x-1)^3",
             sp.Eq(sp.Function("D")(x), _D(n, x))),
        Step("The field excludes j = i: x_nu = N m0 - xi_i^nu s_i, so a right cue bit sees S_u = D(N m0 - 1) and a "
             "flipped one S_f = D(N m0 + 1)",
             sp.Tuple(sp.Eq(sp.Symbol("S_u"), sp.expand(_D(n, N * m0 - 1))),
                      sp.Eq(sp.Symbol("S_f"), sp.expand(_D(n, N * m0 + 1))))),
        Step("y_mu: a sum of N - 1 fair signs (the cue is independent of pattern mu); variance of the K - 1 terms",
             sp.Eq(Named("V", "V"), (K - 1) * poly_noise_moment(n).subs(L_, N - 1))),
        Step("Right bits stay (field >= 0), flipped bits are repaired (field > 0): m1 with f = (1 - m0)/2, Gaussian",
             sp.Eq(sp.Symbol("m1"), one_step(n).expr)),
        Step("Leading order, K = alpha N^2: D ~ 6 x^2, E D^2 ~ 108 N^2", sp.Eq(sp.Symbol("m1"), one_step_leading(n).expr)),
        Step("Next order in 1/N: z = z0 (1 + a/N), a at a right and at a flipped bit (signal -+2/(N m0), "
             "noise std -11/(9N))", sp.Tuple(sp.Eq(sp.Symbol("a_u"), au), sp.Eq(sp.Symbol("a_f"), af))),
        Step("m1 to order 1/N", sp.Eq(sp.Symbol("m1"), one_step_first_order(n).expr)),
        Step("Example N = 100, m0 = 0.6, K = 432: leading, first order, exact moments",
             sp.Tuple(sp.Float(one_step_leading(n).evaluate(m0=0.6, alpha=432 / 100**2), 5),
                      sp.Float(one_step_first_order(n).evaluate(N=100, m0=0.6, alpha=432 / 100**2), 5),
                      sp.Float(one_step(n).evaluate(N=100, K=432, m0=0.6), 5))),
    ]
    return Derivation("dense-basin", "Dense memory: one parallel step from a cue at overlap m0", _KH, steps)

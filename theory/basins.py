"""Basins of attraction of the Hebbian network: the first two parallel steps from overlap ``m0``.

A cue with overlap ``m0`` with pattern 1 (and no correlation with the other
``P - 1 = alpha N`` patterns) is updated in parallel, ``s_i <- sign(h_i)``,
with zero self-coupling. For ``N -> oo``:

* step 1: ``m1 = erf(m0 / sqrt(2 alpha))`` (the crosstalk is Gaussian with
  variance ``alpha`` and independent of the cue bit);
* step 2 (Gardner, Derrida & Mottishaw 1987): the crosstalk of step 2 is
  correlated with that of step 1 and with the cue, so iterating the first-step
  map is wrong. With ``D = sqrt(2/(pi alpha)) exp(-m0^2/(2 alpha))`` (twice the
  density of the step-1 field at zero)::

      sigma2^2 = alpha (1 + D^2 + 2 m0 m1 D)
      m2 = (1+m0)/2 erf((m1 + alpha D)/sqrt(2 sigma2^2)) + (1-m0)/2 erf((m1 - alpha D)/sqrt(2 sigma2^2))

The derivation (``amlab derive basins``) is linear response of the step-1
states to one pattern's overlap; it is written out in :func:`derivation`.
From step 3 on no closed form exists (the history of all steps enters), and
the basin radius (the largest fraction of flipped bits from which the
dynamics still reaches the pattern) is measured, not predicted: see
``simulations.checks.suite.basins``.

References
----------
E. Gardner, B. Derrida, P. Mottishaw, "Zero temperature parallel dynamics for
infinitely large neural networks", J. Physique 48, 741-755 (1987).
D. J. Amit, H. Gutfreund, H. Sompolinsky, Ann. Phys. 173, 30 (1987) (the same
``D`` is their ``C = beta (1 - q)`` at ``T = 0``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from theory.derivation import Derivation, Named, Step, register_derivation
from theory.formula import Formula, sym

__all__ = ["first_step", "second_step", "naive_second_step", "response", "first_step_projection", "derivation",
           "projection_derivation"]

_GDM = ("Gardner, Derrida, Mottishaw, J. Physique 48, 741 (1987) [secondary: the two-step form is "
        "re-derived in amlab by linear response, derivation 'basins']")


def _m0():
    return sp.Symbol("m0", real=True)


@lru_cache(maxsize=None)
def first_step(keep_diagonal: bool = False) -> Formula:
    """Overlap after one parallel step from overlap ``m0`` at load ``alpha`` [m0, alpha].

    ``m1 = erf(m0 / sqrt(2 alpha))`` with zero self-coupling. With the diagonal
    kept (``W_ii = alpha``) the field of bit ``i`` gains ``alpha s_i``:
    ``m1 = (1+m0)/2 erf((m0+alpha)/sqrt(2 alpha)) + (1-m0)/2 erf((m0-alpha)/sqrt(2 alpha))``.

    Parameters
    ----------
    keep_diagonal : bool
        The network with self-couplings ``W_ii = P/N`` (a contrast).

    Returns
    -------
    Formula
        Arguments ``m0`` (overlap of the cue, in [-1, 1]) and ``alpha = P/N``.

    Examples
    --------
    >>> round(first_step().evaluate(m0=0.5, alpha=0.2), 4)
    0.7364
    """
    m0, alpha = _m0(), sym("alpha")
    if keep_diagonal:
        s = sp.sqrt(2 * alpha)
        expr = (1 + m0) / 2 * sp.erf((m0 + alpha) / s) + (1 - m0) / 2 * sp.erf((m0 - alpha) / s)
    else:
        expr = sp.erf(m0 / sp.sqrt(2 * alpha))
    return Formula(
        name="basins.first_step" + ("_diagonal" if keep_diagonal else ""),
        expr=expr,
        symbols=(m0, alpha),
        source="Gardner, Derrida, Mottishaw, J. Physique 48, 741 (1987); Amit, Modeling Brain Function (1989) 6.2",
        assumptions="N -> oo at fixed alpha, Hebbian rule, one parallel (synchronous) step, cue uncorrelated "
                    "with the other patterns, " + ("self-coupling W_ii = alpha kept" if keep_diagonal
                                                   else "zero self-coupling"),
        definition="overlap m1 = (1/N) sum_i xi_i s_i after one parallel update from overlap m0",
    )


@lru_cache(maxsize=None)
def response() -> Formula:
    """``D = sqrt(2/(pi alpha)) exp(-m0^2/(2 alpha))``: twice the density at 0 of the step-1 field [m0, alpha].

    It is the linear response of the mean step-1 state to one pattern's
    overlap (the derivative of ``sign`` is twice a delta function).

    Examples
    --------
    >>> round(response().evaluate(m0=0.0, alpha=2 / 3.141592653589793), 6)
    1.0
    """
    m0, alpha = _m0(), sym("alpha")
    expr = sp.sqrt(2 / (sp.pi * alpha)) * sp.exp(-m0**2 / (2 * alpha))
    return Formula("basins.response", expr, (m0, alpha), source=_GDM,
                   assumptions="N -> oo, zero self-coupling",
                   definition="D = 2 p(h = 0), p the density of the aligned step-1 field xi_i h_i = m0 + N(0, alpha)")


@lru_cache(maxsize=None)
def second_step() -> Formula:
    """Overlap after two parallel steps from overlap ``m0`` (Gardner-Derrida-Mottishaw) [m0, alpha].

    ``m2 = (1+m0)/2 erf((m1 + alpha D)/sqrt(2 s2)) + (1-m0)/2 erf((m1 - alpha D)/sqrt(2 s2))``
    with ``m1 = erf(m0/sqrt(2 alpha))``, ``D`` of :func:`response` and
    ``s2 = alpha (1 + D^2 + 2 m0 m1 D)``.

    Notes
    -----
    The step-2 crosstalk at bit ``i`` is ``A_i + D z_i + alpha D s_i(0)``:
    ``A_i`` is fresh noise of variance ``alpha``, ``z_i`` the step-1 noise
    (variance ``alpha``, covariance ``alpha m0 m1`` with ``A_i``), and
    ``alpha D s_i(0)`` the echo of the cue bit through the other sites
    (an effective self-coupling the zero diagonal does not remove).

    Examples
    --------
    >>> round(second_step().evaluate(m0=0.5, alpha=0.2), 4)
    0.7375
    """
    m0, alpha = _m0(), sym("alpha")
    m1 = first_step().expr
    D = response().expr
    s = sp.sqrt(2 * alpha * (1 + D**2 + 2 * m0 * m1 * D))
    expr = (1 + m0) / 2 * sp.erf((m1 + alpha * D) / s) + (1 - m0) / 2 * sp.erf((m1 - alpha * D) / s)
    return Formula("basins.second_step", expr, (m0, alpha), source=_GDM,
                   assumptions="N -> oo at fixed alpha, Hebbian rule, zero self-coupling, two parallel steps, "
                               "cue uncorrelated with the other patterns",
                   definition="overlap m2 after two parallel updates from overlap m0")


@lru_cache(maxsize=None)
def naive_second_step() -> Formula:
    """The first-step map applied twice, ``erf(m1/sqrt(2 alpha))``: wrong, shown for contrast [m0, alpha].

    It treats the step-2 noise as fresh and independent; at ``alpha = 0.2``,
    ``m0 = 0.5`` it gives 0.900 where the network reaches 0.74.

    Examples
    --------
    >>> round(naive_second_step().evaluate(m0=0.5, alpha=0.2), 3)
    0.9
    """
    m0, alpha = _m0(), sym("alpha")
    expr = sp.erf(first_step().expr / sp.sqrt(2 * alpha))
    return Formula("basins.naive_second_step", expr, (m0, alpha),
                   source="first-step map iterated (an approximation that Gardner, Derrida & Mottishaw 1987 "
                          "show to be wrong)",
                   assumptions="step-2 crosstalk independent of step 1 (false)",
                   definition="approximate overlap after two parallel steps")


@register_derivation("basins")
def derivation() -> Derivation:
    """The first two parallel steps from overlap m0, by linear response."""
    m0, alpha, m1s, D, x = _m0(), sym("alpha"), sp.Symbol("m1"), sp.Symbol("D"), sp.Symbol("x")
    z0, A = sp.Symbol("z"), sp.Symbol("A")
    h = sp.Symbol("h", real=True)
    dens = sp.exp(-(h - m0) ** 2 / (2 * alpha)) / sp.sqrt(2 * sp.pi * alpha)
    D_expr = sp.simplify(2 * dens.subs(h, 0))
    var = sp.expand(alpha + D**2 * alpha + 2 * D * alpha * m0 * m1s)
    steps = [
        Step("Step 1, aligned field of bit i (zero diagonal): xi_i h_i = m0 + z_i, z_i ~ N(0, alpha) independent "
             "of the cue bit x_i = xi_i s_i(0) (the self-term is the removed diagonal)",
             sp.Eq(Named("P(xi_i s_i(1) = 1)", r"P(\xi_i s_i(1) = 1)"), sp.erfc(-m0 / sp.sqrt(2 * alpha)) / 2)),
        Step("m1 = 2 P - 1", sp.Eq(m1s, first_step().expr)),
        Step("Linear response of s_j(1) = sign(xi_j m0 + z_j) to one pattern's overlap m_mu(0): d sign/dh = "
             "2 delta(h), averaged over the step-1 field density p(h) (Gaussian, mean m0, variance alpha)",
             sp.Eq(D, D_expr)),
        Step("So m_mu(1) = u_mu + D m_mu(0); the site-i part of m_mu(0), xi_i^mu s_i(0)/N, summed over the P "
             "patterns, returns alpha D s_i(0) to bit i: xi_i h_i(2) = m1 + alpha D x + A + D z",
             sp.Eq(Named("xi_i h_i(2)", r"\xi_i h_i(2)"), m1s + alpha * D * x + A + D * z0)),
        Step("A, z ~ N(0, alpha) with Cov(A, z) = alpha E[s(1) s(0)] = alpha m0 m1: noise variance",
             sp.Eq(sp.Symbol("sigma2^2"), var)),
        Step("Average over the cue bit x = +-1 with probabilities (1 +- m0)/2",
             sp.Eq(sp.Symbol("m2"), (1 + m0) / 2 * sp.erf((m1s + alpha * D) / sp.sqrt(2 * sp.Symbol("sigma2^2")))
                   + (1 - m0) / 2 * sp.erf((m1s - alpha * D) / sp.sqrt(2 * sp.Symbol("sigma2^2"))))),
        Step("Example alpha = 0.2, m0 = 0.5: m1, m2, and the (wrong) first-step map iterated",
             sp.Tuple(sp.Float(first_step().evaluate(m0=0.5, alpha=0.2), 5),
                      sp.Float(second_step().evaluate(m0=0.5, alpha=0.2), 5),
                      sp.Float(naive_second_step().evaluate(m0=0.5, alpha=0.2), 5))),
    ]
    return Derivation("basins", "First two parallel steps of the Hebbian network from overlap m0", _GDM, steps)


_KS = ("Kanter & Sompolinsky, Phys. Rev. A 35, 380 (1987) [secondary: the projection rule with zero diagonal; "
       "the one-step form is derived in amlab, derivation 'pseudo-inverse-step']")


@lru_cache(maxsize=None)
def first_step_projection() -> Formula:
    """One parallel step of the pseudo-inverse (projection) rule with zero diagonal [m0, alpha].

    ``m1 = erf(m0 sqrt((1 - alpha) / (2 alpha (1 - m0^2))))`` for ``0 < alpha < 1``.
    At ``m0 -> 1`` it tends to 1 for every ``alpha < 1`` (each pattern is a
    fixed point: its aligned field is ``1 - W_ii`` with mean ``1 - alpha``),
    while the map's unstable fixed point, an estimate of the basin edge,
    moves to ``m0 -> 1`` as ``alpha -> 1`` (the basins shrink).

    Notes
    -----
    Write the cue as ``s = m0 xi^1 + n`` with ``n . xi^1 = 0``. ``W xi^1 = xi^1``;
    ``(W n)_i = W_ii n_i + g_i`` with ``g_i`` Gaussian of variance
    ``alpha (1 - alpha) (1 - m0^2)`` (the off-diagonal entries of a random
    rank-``P`` projector have variance ``alpha (1 - alpha)/N``). Removing the
    diagonal subtracts ``W_ii s_i ~ alpha s_i``, so
    ``xi_i h_i = m0 (1 - alpha) + xi_i g_i``.

    Examples
    --------
    >>> round(first_step_projection().evaluate(m0=0.5, alpha=0.5), 4)
    0.4363
    """
    m0, alpha = _m0(), sym("alpha")
    expr = sp.erf(m0 * sp.sqrt((1 - alpha) / (2 * alpha * (1 - m0**2))))
    return Formula("basins.first_step_projection", expr, (m0, alpha), source=_KS,
                   assumptions="N -> oo at fixed 0 < alpha < 1, random patterns, projection rule "
                               "W = xi^T C^{-1} xi / N with zero diagonal, cue uncorrelated with the other patterns, "
                               "|m0| < 1",
                   definition="overlap m1 after one parallel update from overlap m0")


@register_derivation("pseudo-inverse-step")
def projection_derivation() -> Derivation:
    """One parallel step of the zero-diagonal projection rule."""
    m0, alpha = _m0(), sym("alpha")
    g = sp.Symbol("g")
    steps = [
        Step("Cue s = m0 xi^1 + n, n . xi^1 = 0, |n|^2 = N (1 - m0^2); W xi^1 = xi^1 (W projects on the patterns)",
             sp.Eq(sp.Symbol("(W s)_i"), m0 * sp.Symbol("xi_i") + sp.Symbol("W_ii") * sp.Symbol("n_i") + g)),
        Step("Off-diagonal entries of a random rank-P projector: variance alpha (1 - alpha)/N, so",
             sp.Eq(sp.Symbol("Var g"), alpha * (1 - alpha) * (1 - m0**2))),
        Step("Zero diagonal: h_i = (W s)_i - W_ii s_i with W_ii ~ alpha (its mean is exactly P/N = alpha); "
             "n_i = s_i - m0 xi_i", sp.Eq(Named("xi_i h_i", r"\xi_i h_i"), sp.expand(m0 + alpha * (sp.Symbol("x") - m0)
                                                                        - alpha * sp.Symbol("x")) + g)),
        Step("m1 = 2 Phi(m0 (1 - alpha) / sqrt(Var g)) - 1", sp.Eq(sp.Symbol("m1"), first_step_projection().expr)),
        Step("m0 -> 1 at fixed alpha < 1: every pattern is a fixed point",
             sp.limit(first_step_projection().expr.subs(alpha, sp.Rational(9, 10)), m0, 1, "-")),
    ]
    return Derivation("pseudo-inverse-step", "One parallel step of the projection (pseudo-inverse) rule", _KS, steps)

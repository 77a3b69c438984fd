"""Exponential dense memory (Demircigil et al. 2017): the storage bound with the Cramer function.

``F(x) = exp(x)``; ``M = exp(alpha N)`` random patterns are retrieved with high
probability from cues with a fraction ``rho < 1/2`` of flipped bits when
``alpha < I(1 - 2 rho) / 2`` with ``I(x) = ((1+x) ln(1+x) + (1-x) ln(1-x)) / 2``,
the Cramer (rate) function of a Rademacher mean. Since ``1 + x = 2(1-rho)`` and
``1 - x = 2 rho``, ``I(1 - 2 rho) = ln 2 - H(rho)`` with ``H`` the binary
entropy in nats: at ``rho = 0`` the bound is ``ln(2)/2``, i.e. ``2^(N/2)`` patterns.

References
----------
M. Demircigil, J. Heusel, M. Loewe, S. Upgang, F. Vermet, "On a model of
associative memory with huge storage capacity", J. Stat. Phys. 168, 288 (2017).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from theory.formula import Formula, sym, xlogy

__all__ = ["cramer_I", "demircigil_alpha", "demircigil_capacity"]

_DEM = "Demircigil, Heusel, Loewe, Upgang, Vermet, J. Stat. Phys. 168, 288 (2017), main theorem"


def cramer_I(x: sp.Expr) -> sp.Expr:
    """Cramer function ``I(x) = ((1+x) ln(1+x) + (1-x) ln(1-x))/2`` (``0 ln 0 = 0``)."""
    return (xlogy(1 + x, 1 + x) + xlogy(1 - x, 1 - x)) / 2


@lru_cache(maxsize=None)
def demircigil_alpha() -> Formula:
    """Largest ``alpha`` with ``M = exp(alpha N)`` patterns retrievable from a fraction ``rho`` of flips [rho].

    Returns
    -------
    Formula
        ``I(1 - 2 rho) / 2`` in ``rho``, ``0 <= rho < 1/2``.

    Notes
    -----
    Not a Gaussian signal-to-noise estimate (that overshoots here): the bound
    is a large-deviation rate.

    Examples
    --------
    >>> round(demircigil_alpha().evaluate(rho=0.0), 4), round(demircigil_alpha().evaluate(rho=0.1), 4)
    (0.3466, 0.184)
    """
    rho = sym("rho")
    return Formula(
        name="exponential.demircigil_alpha",
        expr=cramer_I(1 - 2 * rho) / 2,
        symbols=(rho,),
        source=_DEM,
        assumptions="N -> oo; random unbiased patterns; asynchronous updates with F(x) = exp(x); "
        "cue = a pattern with a fraction rho of its bits flipped",
        definition="capacity exponent: M = exp(alpha N) patterns, each retrieved from any such cue "
        "with probability -> 1, for alpha below this value",
    )


@lru_cache(maxsize=None)
def demircigil_capacity() -> Formula:
    """Number of patterns at the bound, ``M = exp(N I(1 - 2 rho)/2)`` [N, rho]."""
    N, rho = sym("N"), sym("rho")
    return Formula(
        name="exponential.demircigil_capacity",
        expr=sp.exp(N * demircigil_alpha().expr),
        symbols=(N, rho),
        source=_DEM,
        assumptions=demircigil_alpha().assumptions,
        definition="number of patterns M = exp(alpha N) at the bound alpha = I(1-2 rho)/2",
    )

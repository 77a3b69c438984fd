"""Finite temperature: the AGS retrieval overlap m(alpha, T) and the lines of the phase diagram.

Thin, vectorised views of the replica-symmetric equations solved in
:mod:`theory.ags` (which this module reuses, never re-implements), plus the
closed forms that follow from them:

* the spin-glass line ``T_g = 1 + sqrt(alpha)``, from linearising the ``q``
  equation at ``q = 0`` (:func:`spin_glass_line`, derivation ``finite-t``);
* the ``alpha -> 0`` (Curie-Weiss) limit ``m = tanh(m/T)``
  (:func:`curie_weiss_overlap`), the overlap a theory that ignores the other
  patterns' noise would predict.

References
----------
D. J. Amit, H. Gutfreund, H. Sompolinsky, "Storing infinite numbers of patterns
in a spin-glass model of neural networks", Phys. Rev. Lett. 55, 1530 (1985);
Ann. Phys. 173, 30 (1987), eqs. (4.1)-(4.3) and fig. 2 (the phase diagram).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy.optimize import brentq

from theory import ags
from theory.derivation import Derivation, Step, register_derivation
from theory.formula import Formula, sym, validate

__all__ = ["spin_glass_line", "retrieval_overlap", "curie_weiss_overlap", "retrieval_line", "derivation"]


@lru_cache(maxsize=None)
def spin_glass_line() -> Formula:
    """Spin-glass transition temperature ``T_g = 1 + sqrt(alpha)`` [alpha].

    Below it the RS equations at ``m = 0`` have a solution ``q > 0``.

    Examples
    --------
    >>> round(spin_glass_line().evaluate(alpha=0.05), 4)
    1.2236
    """
    alpha = sym("alpha")
    return Formula("finite_t.spin_glass_line", 1 + sp.sqrt(alpha), (alpha,),
                   source="Amit, Gutfreund, Sompolinsky, PRL 55, 1530 (1985); Ann. Phys. 173, 30 (1987), sec. 4",
                   assumptions="replica symmetry, N -> oo, linearisation of q = <tanh^2> at q = 0",
                   definition="temperature below which the m = 0 (spin-glass) solution has q > 0")


def _grid(x, name):
    return np.atleast_1d(validate(name, x))


def retrieval_overlap(alpha: npt.ArrayLike, T: npt.ArrayLike) -> np.ndarray:
    """RS retrieval overlap ``m(alpha, T)`` (``0 < T < 1``); NaN where no retrieval state exists.

    Parameters
    ----------
    alpha, T : float or array_like
        Load ``P/N > 0`` and temperature; broadcast together.

    Returns
    -------
    float or ndarray of float64
        The largest solution ``m`` of ``theory.ags.retrieval_state``; NaN above
        the retrieval line ``T_M(alpha)``.

    Examples
    --------
    >>> round(float(retrieval_overlap(0.05, 0.45)), 4)
    0.9422
    """
    a, t = np.broadcast_arrays(_grid(alpha, "alpha"), _grid(T, "T"))
    if np.any(t <= 0) or np.any(t >= 1):
        bad = t[(t <= 0) | (t >= 1)][0]
        raise ValueError(f"T must lie in the open interval (0, 1), got {bad}")
    out = np.array([ags.retrieval_state(float(ai), float(ti))["m"] for ai, ti in zip(a.ravel(), t.ravel())])
    out = out.reshape(a.shape)
    return float(out[0]) if np.ndim(alpha) == 0 and np.ndim(T) == 0 else out


def curie_weiss_overlap(T: npt.ArrayLike) -> np.ndarray:
    """``alpha -> 0`` limit: the largest root of ``m = tanh(m/T)`` (0 for ``T >= 1``).

    Examples
    --------
    >>> round(float(curie_weiss_overlap(0.5)), 4)
    0.9575
    """
    t = _grid(T, "T")
    out = np.array([brentq(lambda m: np.tanh(m / ti) - m, 1e-12, 1.0) if 0 < ti < 1 else (1.0 if ti == 0 else 0.0)
                    for ti in t.ravel()]).reshape(t.shape)
    return float(out[0]) if np.ndim(T) == 0 else out


def retrieval_line(alpha: npt.ArrayLike) -> np.ndarray:
    """``T_M(alpha)``: the highest temperature with an RS retrieval state (``theory.ags.T_M``)."""
    return ags.T_M(alpha)


@register_derivation("finite-t")
def derivation() -> Derivation:
    """The spin-glass line from the RS q equation, and the alpha -> 0 limit of the m equation."""
    alpha, beta, q, m, T = sym("alpha"), sym("beta"), sp.Symbol("q", positive=True), sp.Symbol("m"), sym("T")
    r = q / (1 - beta * (1 - q)) ** 2
    cond = sp.Eq((1 - beta) ** 2, alpha * beta**2)
    sols = sp.solve(cond, beta)
    above = [s for s in sols if sp.simplify(s.subs(alpha, sp.Rational(1, 4)) - sp.Rational(2, 3)) == 0]
    Tg = sp.radsimp(1 / above[0])
    steps = [
        Step("RS equations at m = 0 (AGS 1987): q = <tanh^2(beta sqrt(alpha r) z)>, r = q/(1 - beta(1-q))^2",
             sp.Eq(sp.Symbol("r"), r)),
        Step("Small q: tanh^2(x) ~ x^2 and <z^2> = 1, so q ~ beta^2 alpha r with r ~ q/(1-beta)^2",
             sp.Eq(q, beta**2 * alpha * q / (1 - beta) ** 2)),
        Step("A solution q > 0 branches off where", cond),
        Step("Roots in beta", sp.Tuple(*sols)),
        Step("The root with beta < 1 (T > 1): T_g = 1/beta", sp.Eq(sp.Symbol("T_g"), Tg)),
        Step("Minus the closed form of theory.finite_t.spin_glass_line",
             sp.Eq(sp.Symbol("difference"), sp.simplify(Tg - spin_glass_line().expr), evaluate=False)),
        Step("alpha -> 0: r stays finite, the noise sqrt(alpha r) z vanishes and m = <tanh(beta m)> "
             "becomes the Curie-Weiss equation", sp.Eq(m, sp.tanh(m / T))),
        Step("Example: m(alpha = 0.05, T = 0.45) from the RS equations, and the alpha -> 0 value",
             sp.Tuple(sp.Float(retrieval_overlap(0.05, 0.45), 5), sp.Float(curie_weiss_overlap(0.45), 5))),
    ]
    return Derivation("finite-t", "AGS at T > 0: spin-glass line and the alpha -> 0 limit",
                      spin_glass_line().source, steps)

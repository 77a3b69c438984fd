"""Gardner's capacity of couplings with stability kappa, and Cover's exact count at kappa = 0.

For ``P = alpha N`` random patterns with random targets, couplings ``J`` with
every stability ``y_mu J . xi^mu / |J| >= kappa`` exist for ``N -> oo`` up to

    alpha_c(kappa) = 1 / integral_{-kappa}^oo Dz (z + kappa)^2
                   = 1 / ((1 + kappa^2) Phi(kappa) + kappa phi(kappa)),

``Dz`` the standard normal measure (Gardner 1988, from the volume of the
space of couplings); ``alpha_c(0) = 2``. At ``kappa = 0`` Cover's function
counting theorem gives the exact finite-``N`` probability that a solution
exists: ``C(P, N) / 2^P = 2^(1-P) sum_{k<N} binom(P-1, k)``, which is exactly
1/2 at ``P = 2N``.

References
----------
E. Gardner, "The space of interactions in neural network models",
J. Phys. A 21, 257-270 (1988), eq. (24) [paper: the alpha_c(kappa) integral].
T. M. Cover, IEEE Trans. Electron. Comput. EC-14, 326-334 (1965).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy import stats

from theory.derivation import Derivation, Named, Step, register_derivation
from theory.formula import Formula, Phi

__all__ = ["stability_integral", "alpha_c", "cover_separable", "derivation"]

_GARDNER = "Gardner, J. Phys. A 21, 257 (1988), eq. (24)"


def _kappa():
    return sp.Symbol("kappa", nonnegative=True)


@lru_cache(maxsize=None)
def stability_integral() -> Formula:
    """``integral_{-kappa}^oo Dz (z + kappa)^2 = (1 + kappa^2) Phi(kappa) + kappa phi(kappa)`` [kappa].

    Examples
    --------
    >>> stability_integral().evaluate(kappa=0.0)
    0.5
    """
    k = _kappa()
    expr = (1 + k**2) * Phi(k) + k * sp.exp(-k**2 / 2) / sp.sqrt(2 * sp.pi)
    return Formula("gardner.stability_integral", expr, (k,), source=_GARDNER,
                   assumptions="z standard normal", definition="second moment of the missing stability (z + kappa)_+")


@lru_cache(maxsize=None)
def alpha_c() -> Formula:
    """Gardner's critical load ``alpha_c(kappa) = 1 / stability_integral(kappa)`` [kappa].

    Examples
    --------
    >>> alpha_c().evaluate(kappa=0.0)
    2.0
    >>> round(alpha_c().evaluate(kappa=1.0), 4)
    0.5196
    """
    k = _kappa()
    return Formula("gardner.alpha_c", 1 / stability_integral().expr, (k,), source=_GARDNER,
                   assumptions="N -> oo, random +-1 patterns and targets (unbiased), replica symmetric "
                               "(exact for this convex problem)",
                   definition="largest alpha = P/N at which couplings with all stabilities >= kappa exist "
                              "(with probability -> 1)")


def cover_separable(P: npt.ArrayLike, N: npt.ArrayLike) -> np.ndarray:
    """Exact probability that ``P`` random patterns with random targets in ``N`` dimensions are separable.

    ``2^(1-P) sum_{k=0}^{N-1} binom(P-1, k)`` = ``P(Binomial(P-1, 1/2) <= N-1)``
    (Cover 1965; patterns in general position, threshold-free perceptron).

    Examples
    --------
    >>> round(float(cover_separable(200, 100)), 12)
    0.5
    """
    P = np.asarray(P)
    N = np.asarray(N)
    for name, v in (("P", P), ("N", N)):
        if v.dtype.kind not in "iu" or np.any(v < 1):
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    out = stats.binom.cdf(N - 1, P - 1, 0.5)
    return float(out) if out.ndim == 0 else out


@lru_cache(maxsize=None)
def _integral():
    """``integral_{-kappa}^oo Dz (z + kappa)^2`` by sympy (slow: seconds; cached)."""
    k = _kappa()
    z = sp.Symbol("z", real=True)
    return sp.integrate(sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi) * (z + k) ** 2, (z, -k, sp.oo))


@register_derivation("gardner")
def derivation() -> Derivation:
    """The stability integral in closed form, alpha_c(0) = 2, and its large-kappa behaviour."""
    k = _kappa()
    I = _integral()
    closed = stability_integral().expr
    steps = [
        Step("Gardner's volume calculation gives alpha_c(kappa) = 1 / integral_{-kappa}^oo Dz (z + kappa)^2; "
             "the integral by sympy", sp.Eq(sp.Symbol("I"), sp.simplify(I))),
        Step("Minus (1 + kappa^2) Phi(kappa) + kappa phi(kappa), simplified",
             sp.Eq(sp.Symbol("difference"), sp.simplify(sp.expand(I - closed).rewrite(sp.erf)), evaluate=False)),
        Step("kappa = 0: alpha_c = 1 / (1/2)", sp.Eq(Named("alpha_c(0)", r"\alpha_c(0)"), sp.simplify(1 / closed.subs(k, 0)))),
        Step("Large kappa: kappa^2 alpha_c(kappa) -> 1", sp.limit(k**2 / closed, k, sp.oo)),
        Step("Values at kappa = 0.5, 1, 1.5",
             sp.Tuple(*[sp.Float(alpha_c().evaluate(kappa=v), 5) for v in (0.5, 1.0, 1.5)])),
    ]
    return Derivation("gardner", "Gardner's capacity of couplings with stability kappa", _GARDNER, steps)



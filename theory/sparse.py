"""Sparse (biased) patterns stored with the covariance rule: one-step errors and the capacity as a -> 0.

Patterns ``xi^mu`` in ``{0, 1}^N`` with coding level ``a = P(xi_i = 1)``,
couplings ``W_ij = sum_mu (xi_i^mu - a)(xi_j^mu - a) / (N a (1 - a))``
(``W_ii = 0``), neurons ``V_i = 1`` when ``h_i = sum_j W_ij V_j > theta``. At a
stored pattern the field of bit ``i`` is its signal ``xi_i - a`` plus a
crosstalk that is, for large ``N``, Gaussian with variance ``alpha a``
(each other pattern adds ``n_1/N^2``, ``n_1 ~ a N`` the active bits of the
pattern), so

    eps_1 = Phi(-(1 - a - theta) / sqrt(alpha a))   (an active bit turns off)
    eps_0 = Phi(-(theta + a) / sqrt(alpha a))        (an inactive bit turns on).

Retrieval needs the wrong active bits ``(1 - a) N eps_0`` to stay few compared
with the ``a N`` right ones; with ``theta`` close to the signal this gives
``alpha a = 1/(2 ln(1/a))`` to leading order, the Tsodyks-Feigel'man capacity
``alpha_c ~ 1/(2 a |ln a|)`` (derivation ``sparse``).

References
----------
M. V. Tsodyks, M. V. Feigel'man, "The enhanced storage capacity in neural
networks with low activity level", Europhys. Lett. 6, 101-105 (1988)
[secondary: the asymptote; the one-step errors are derived in amlab].
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from theory.derivation import Derivation, Step, register_derivation
from theory.formula import Formula, Phi, sym

__all__ = ["bit_errors", "tsodyks_feigelman", "derivation"]

_TF = "Tsodyks & Feigel'man, Europhys. Lett. 6, 101 (1988) [secondary]"


def _a():
    return sp.Symbol("a", positive=True)


@lru_cache(maxsize=None)
def bit_errors() -> dict:
    """One-step error rates at a stored pattern: ``{"active": eps_1, "inactive": eps_0}`` [a, alpha, theta].

    Examples
    --------
    >>> e = bit_errors()
    >>> round(e["active"].evaluate(a=0.1, alpha=0.5, theta=0.45), 4)
    0.0221
    """
    a, alpha, theta = _a(), sym("alpha"), sp.Symbol("theta", real=True)
    s = sp.sqrt(alpha * a)
    common = dict(symbols=(a, alpha, theta), source=_TF + "; one-step signal-to-noise derived in amlab",
                  assumptions="N -> oo at fixed alpha = P/N and coding level a, covariance rule, zero diagonal, "
                              "Gaussian crosstalk of variance alpha a, 0/1 neurons with threshold theta")
    return {
        "active": Formula("sparse.error_active", Phi(-(1 - a - theta) / s), definition="fraction of the active bits "
                          "(xi_i = 1) of a stored pattern that one update turns off", **common),
        "inactive": Formula("sparse.error_inactive", Phi(-(theta + a) / s), definition="fraction of the inactive "
                            "bits (xi_i = 0) of a stored pattern that one update turns on", **common),
    }


@lru_cache(maxsize=None)
def tsodyks_feigelman() -> Formula:
    """Asymptotic capacity ``alpha_c ~ 1 / (2 a |ln a|)`` of the covariance rule as ``a -> 0`` [a].

    Examples
    --------
    >>> round(tsodyks_feigelman().evaluate(a=0.01), 2)
    10.86
    """
    a = _a()
    return Formula("sparse.tsodyks_feigelman", 1 / (2 * a * sp.Abs(sp.log(a))), (a,), source=_TF,
                   assumptions="a -> 0 (leading order only: at a = 0.01 corrections of tens of percent)",
                   definition="largest load alpha = P/N at which stored sparse patterns are retrieved")


@register_derivation("sparse")
def derivation() -> Derivation:
    """From the one-step errors of the covariance rule to ``alpha_c ~ 1/(2 a |ln a|)``."""
    a, alpha, eps = _a(), sym("alpha"), sp.Symbol("epsilon", positive=True)
    n1, N, P = sp.Symbol("n_1", positive=True), sym("N"), sym("P")
    x = sp.Symbol("x", positive=True)
    # inactive bits turned on, with theta at the signal 1 - a: Phi(-1/sqrt(alpha a)) ~ exp(-1/(2 alpha a))
    crit = sp.Eq(sp.exp(-1 / (2 * alpha * a)), eps * a)
    sol = sp.solve(crit, alpha)[0]
    steps = [
        Step("Crosstalk of one other pattern mu at bit i: (xi_i^mu - a) sum_j (xi_j^mu - a) xi_j^1 / (N a (1-a)); "
             "its variance", sp.Eq(sp.Symbol("Var_mu"), sp.simplify(a * (1 - a) * n1 * a * (1 - a)
                                                                         / (N * a * (1 - a)) ** 2))),
        Step("Summed over P - 1 patterns with n_1 = a N", sp.Eq(sp.Symbol("sigma^2"),
                                                                 sp.simplify((P * n1 / N**2).subs(n1, a * N)))),
        Step("Signals: 1 - a (active), -a (inactive); errors with threshold theta",
             sp.Tuple(bit_errors()["active"].expr, bit_errors()["inactive"].expr)),
        Step("Retrieval: wrong inactive bits a fraction epsilon of the a N active ones; threshold near the active "
             "signal (theta + a ~ 1), Gaussian tail exp(-1/(2 alpha a)) to log accuracy", crit),
        Step("Solved for alpha", sp.Eq(alpha, sol)),
        Step("a -> 0 at fixed epsilon: alpha 2 a |ln a| -> 1, i.e. alpha_c ~ 1/(2 a |ln a|)",
             sp.limit((sol * 2 * a * (-sp.log(a))).subs(a, x), x, 0, "+")),
    ]
    return Derivation("sparse", "Capacity of the covariance rule for sparse patterns", _TF, steps)

"""Dense associative memory (Krotov & Hopfield 2016): exact finite-N signal-to-noise and capacity.

At a stored pattern ``nu`` the update of bit ``i`` compares
``sum_mu F(xi_i^mu + y_mu) - F(-xi_i^mu + y_mu)`` with zero, where
``y_mu = sum_{j != i} xi_j^mu xi_j^nu``. Multiplied by ``xi_i^nu`` the pattern
``nu`` contributes the signal ``S = F(L+1) - F(L-1)`` (``L = N - 1``) and every
other pattern an independent term ``eps_mu D(y_mu)`` with ``D(y) = F(y+1) - F(y-1)``,
``eps_mu`` Rademacher and ``y_mu`` a sum of ``L`` Rademacher variables. So the
noise has mean 0 and variance ``(K-1) E[D(y)^2]``, and
``SNR^2 = S^2 / ((K-1) E[D(y)^2])`` exactly (at finite N); the bit error in the
Gaussian approximation is ``Phi(-SNR)``.

Moments of ``y`` come from its moment generating function ``cosh(t)^L``:
``E y^(2k) = (2k)! [t^(2k)] cosh(t)^L`` (:func:`rademacher_moment`).

References
----------
D. Krotov, J. J. Hopfield, "Dense associative memory for pattern recognition",
NeurIPS 2016, arXiv:1606.01164, eqs. 4-6 and appendix A.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import comb

import numpy as np
import sympy as sp
from sympy.utilities.lambdify import implemented_function

from theory.formula import Formula, Phi, Phi_inv_upper, check_choice, check_int, sym

__all__ = [
    "rademacher_moment",
    "rademacher_moment_exact",
    "poly_noise_moment",
    "rectified_noise_moment",
    "signal",
    "snr_squared",
    "bit_error",
    "k_max_threshold",
    "k_max_exact",
    "k_max_error_free",
]

_KH = "Krotov & Hopfield, NeurIPS 2016 (arXiv:1606.01164)"
L_ = sym("L")


@lru_cache(maxsize=None)
def rademacher_moment(k: int) -> sp.Expr:
    """``E y^(2k)`` for ``y`` a sum of ``L`` Rademacher variables, a polynomial in ``L``.

    Coefficient extraction from the generating function ``cosh(t)^L``
    (``sympy.series``). Odd moments vanish.

    Examples
    --------
    >>> rademacher_moment(2)
    L*(3*L - 2)
    """
    k = check_int(k, "k", minimum=0)
    if k == 0:
        return sp.S.One
    t = sp.Symbol("t", real=True)
    ser = sp.series(sp.cosh(t) ** L_, t, 0, 2 * k + 1).removeO()
    return sp.factor(sp.expand(sp.factorial(2 * k) * ser.coeff(t, 2 * k)))


def rademacher_moment_exact(k: int, L: int) -> Fraction:
    """``E y^k`` for ``y`` a sum of ``L`` Rademacher variables, summed exactly over the binomial law."""
    tot = sum(comb(L, j) * (2 * j - L) ** k for j in range(L + 1))
    return Fraction(tot, 2**L)


def _D_poly(n: int, y):
    return sp.expand((y + 1) ** n - (y - 1) ** n)


@lru_cache(maxsize=None)
def poly_noise_moment(n: int) -> sp.Expr:
    """``E[D(y)^2]`` for ``F(x) = x^n``: a polynomial in ``L`` from the moments of ``y``.

    ``D(y)^2`` is expanded in powers of ``y`` and ``E y^m`` replaced by
    :func:`rademacher_moment`.
    """
    n = check_int(n, "n", minimum=2)
    y = sp.Symbol("y", real=True)
    poly = sp.Poly(sp.expand(_D_poly(n, y) ** 2), y)
    tot = sp.S.Zero
    for (m,), coef in poly.terms():
        if m % 2 == 0:
            tot += coef * rademacher_moment(m // 2)
    return sp.factor(sp.expand(tot))


def rectified_noise_moment(n: int, L: int) -> Fraction:
    """``E[D(y)^2]`` for ``F(x) = max(x, 0)^n``, exact rational by summing the binomial law of ``y``.

    No closed form in ``L`` (the rectification cuts the binomial sum at
    ``y = 0``), so the sum is done exactly in integers: ``D(y)`` is the
    polynomial difference for ``y >= 1``, ``1`` at ``y = 0`` and ``0`` below.
    """
    n = check_int(n, "n", minimum=2)
    L = check_int(L, "L", minimum=0)
    tot = 0
    for j in range(L + 1):
        y = 2 * j - L
        D = max(y + 1, 0) ** n - max(y - 1, 0) ** n
        tot += comb(L, j) * D * D
    return Fraction(tot, 2**L)


def _rect_var_float(n, N):
    """Vectorised float of ``rectified_noise_moment(n, N-1)`` (exact sum, then rounded)."""
    n_arr, N_arr = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(N, dtype=float))
    out = np.empty(n_arr.shape)
    for idx in np.ndindex(out.shape):
        out[idx] = float(rectified_noise_moment(int(n_arr[idx]), int(N_arr[idx]) - 1))
    return out if out.ndim else float(out)


#: SymPy function ``V_rect(n, N) = E[D(y)^2]`` of the rectified model, evaluated by exact summation.
V_rect = implemented_function(sp.Function("V_rect"), _rect_var_float)


def signal(n: int, F: str = "poly") -> sp.Expr:
    """Signal ``S = F(L+1) - F(L-1)`` at a stored pattern, as an expression in ``N`` (``L = N-1``)."""
    n = check_int(n, "n", minimum=2)
    check_choice(F, "F", ("poly", "rectified"))
    N = sym("N")
    return sp.expand(N**n - (N - 2) ** n)  # same for both F since L - 1 >= 0


@lru_cache(maxsize=None)
def snr_squared(n: int, F: str = "poly") -> Formula:
    """Exact finite-N squared signal-to-noise ratio of one update at a stored pattern [N, K].

    Parameters
    ----------
    n : int
        Interaction order, ``n >= 2`` (``n = 2`` is the Hopfield network).
    F : {"poly", "rectified"}
        ``F(x) = x^n`` or ``max(x, 0)^n``.

    Returns
    -------
    Formula
        ``SNR^2 = S^2 / ((K - 1) E[D(y)^2])`` in ``(N, K)``; for ``poly`` a
        rational function, for ``rectified`` it contains ``V_rect(n, N)``
        evaluated by exact summation (integer ``N`` only).

    Notes
    -----
    ``n = 2``: ``(N-1)/(K-1)``; ``n = 3``:
    ``(3N^2-6N+4)^2 / ((K-1)(3N-4)(9N-10))``; large N:
    ``N^(n-1) / ((2n-3)!! K)`` (Krotov & Hopfield 2016, appendix A).

    Examples
    --------
    >>> snr_squared(2).expr
    (N - 1)/(K - 1)
    """
    n = check_int(n, "n", minimum=2)
    check_choice(F, "F", ("poly", "rectified"))
    N, K = sym("N"), sym("K")
    S = signal(n, F)
    if F == "poly":
        var = poly_noise_moment(n).subs(L_, N - 1)
    else:
        var = V_rect(n, N)
    expr = sp.factor(S**2 / ((K - 1) * var)) if F == "poly" else S**2 / ((K - 1) * var)
    return Formula(
        name=f"dense.snr_squared[n={n},{F}]",
        expr=expr,
        symbols=(N, K),
        source=_KH + ", eq. 4 (update) and appendix A (SNR); exact moments from cosh(t)^(N-1)",
        assumptions="random unbiased patterns, state at a stored pattern; exact second moments at finite N",
        definition="squared ratio of the aligned signal to the noise std of one asynchronous update",
        integer_args=("N",) if F == "rectified" else (),
    )


@lru_cache(maxsize=None)
def bit_error(n: int, F: str = "poly") -> Formula:
    """One-step bit error ``Phi(-SNR)`` with the exact finite-N SNR [N, K].

    Examples
    --------
    >>> round(bit_error(3).evaluate(N=100, K=362), 4)
    0.0013
    """
    f = snr_squared(n, F)
    return Formula(
        name=f"dense.bit_error[n={n},{F}]",
        expr=Phi(-sp.sqrt(f.expr)),
        symbols=f.symbols,
        source=f.source,
        assumptions=f.assumptions + "; noise treated as Gaussian (heavy-tailed for large n)",
        definition="per-bit one-step error: P(a given bit of a stored pattern flips in one update)",
        integer_args=f.integer_args,
    )


def _dfact(n: int) -> int:
    return int(sp.factorial2(2 * n - 3))


@lru_cache(maxsize=None)
def k_max_threshold(n: int) -> Formula:
    """Capacity at a per-bit error threshold, large N: ``K_max = N^(n-1) / ((2n-3)!! z^2)`` [N, threshold].

    ``z = Phi^{-1}(1 - threshold)``; at 0.5 %: ``alpha_2 = 0.1507``, ``alpha_3 = 0.0502``.

    Examples
    --------
    >>> round(k_max_threshold(2).evaluate(N=1000, threshold=0.005) / 1000, 4)
    0.1507
    """
    n = check_int(n, "n", minimum=2)
    N, thr = sym("N"), sym("threshold")
    return Formula(
        name=f"dense.k_max_threshold[n={n}]",
        expr=N ** (n - 1) / (_dfact(n) * Phi_inv_upper(thr) ** 2),
        symbols=(N, thr),
        source=_KH + ", appendix A: P_err = Phi(-sqrt(N^(n-1)/((2n-3)!! K)))",
        assumptions="large N (leading order of the SNR), Gaussian noise",
        definition="largest K whose per-bit one-step error is at most the threshold",
    )


@lru_cache(maxsize=None)
def k_max_exact(n: int) -> Formula:
    """Finite-N capacity at an error threshold from the exact SNR: ``K = 1 + S^2/(z^2 E D^2)`` [N, threshold]."""
    n = check_int(n, "n", minimum=2)
    N, thr = sym("N"), sym("threshold")
    var = poly_noise_moment(n).subs(L_, N - 1)
    return Formula(
        name=f"dense.k_max_exact[n={n}]",
        expr=1 + signal(n) ** 2 / (Phi_inv_upper(thr) ** 2 * var),
        symbols=(N, thr),
        source=_KH + "; exact finite-N SNR (theory.dense.snr_squared)",
        assumptions="Gaussian noise with the exact finite-N variance; polynomial F",
        definition="largest K whose per-bit one-step error is at most the threshold",
    )


@lru_cache(maxsize=None)
def k_max_error_free(n: int, all_patterns: bool = False) -> Formula:
    """Error-free capacity ``N^(n-1) / (2 (2n-3)!! ln N)``; all patterns: extra factor ``1/n`` [N].

    Notes
    -----
    A given pattern is recovered when ``N P_err -> 0``, i.e. ``x^2 = 2 ln N``
    at leading order with ``x^2 = N^(n-1)/((2n-3)!! K)`` (Krotov & Hopfield
    eq. 6). All patterns: ``K N P_err -> 0`` and ``ln(K N) ~ n ln N`` give
    ``x^2 = 2 n ln N`` (``N/(4 ln N)`` at ``n = 2``, McEliece et al.).

    Examples
    --------
    >>> [round(k_max_error_free(n).evaluate(N=100), 2) for n in (2, 3)]
    [10.86, 361.91]
    """
    n = check_int(n, "n", minimum=2)
    N = sym("N")
    k = 2 * n if all_patterns else 2
    return Formula(
        name=f"dense.k_max_error_free[n={n}{',all' if all_patterns else ''}]",
        expr=N ** (n - 1) / (k * _dfact(n) * sp.log(N)),
        symbols=(N,),
        source=_KH + ", eq. 6" + ("; all-patterns version derived as for McEliece et al. (1987)" if all_patterns else ""),
        assumptions="N -> oo, Gaussian tail, leading order in ln N",
        definition=("all stored patterns are fixed points simultaneously" if all_patterns
                    else "a given stored pattern is a fixed point") + " with probability -> 1",
    )

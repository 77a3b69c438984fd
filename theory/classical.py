"""Classical Hopfield network with the Hebbian rule: crosstalk, bit error and capacity.

Weights ``w_ij = (1/N) sum_mu xi_i^mu xi_j^mu`` with ``w_ii = 0`` unless the
diagonal is kept (then ``w_ii = P/N``). With the state equal to pattern ``nu``,
the aligned local field of neuron ``i`` is ``xi_i^nu h_i = (N-1)/N + C_i``; the
crosstalk ``C_i`` is ``1/N`` times a sum of ``(P-1)(N-1)`` independent
Rademacher variables (products ``xi_i^nu xi_i^mu xi_j^mu xi_j^nu``, ``mu != nu``,
``j != i``). Its cumulants follow from ``log E exp(t C) = (P-1)(N-1) log cosh(t/N)``
(:func:`crosstalk_moments`).

References
----------
J. J. Hopfield, PNAS 79, 2554 (1982).
R. J. McEliece, E. C. Posner, E. R. Rodemich, S. S. Venkatesh, "The capacity of
the Hopfield associative memory", IEEE Trans. Inf. Theory 33, 461 (1987).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

import numpy as np
import numpy.typing as npt
import sympy as sp

from theory.formula import Formula, Phi, Phi_inv_upper, sym

__all__ = [
    "crosstalk_moments",
    "bit_error",
    "alpha_at_error",
    "p_pattern_fixed",
    "p_all_fixed",
    "mceliece",
    "mceliece_corrected",
    "mceliece_expansion",
    "p_fixed_overlap_conditional",
    "conditional_tails",
]

_HEBB = "Hopfield, PNAS 79 (1982); Hebbian rule w_ij = (1/N) sum_mu xi_i^mu xi_j^mu"


@lru_cache(maxsize=None)
def crosstalk_moments(keep_diagonal: bool = False) -> Dict[str, sp.Expr]:
    """Signal, crosstalk mean and crosstalk variance of the aligned local field, derived.

    The crosstalk ``C = (1/N) sum_{k=1}^{L} a_k`` with ``L = (P-1)(N-1)``
    independent Rademacher ``a_k`` has cumulant generating function
    ``K(t) = L log cosh(t/N)``; its mean and variance are the first two Taylor
    coefficients of ``K`` (computed with ``sympy.series``).

    Parameters
    ----------
    keep_diagonal : bool
        Keep ``w_ii = P/N``; it adds ``P/N`` to the signal and nothing to the
        crosstalk.

    Returns
    -------
    dict
        ``signal``, ``mean``, ``variance`` (SymPy expressions in ``N``, ``P``).

    Examples
    --------
    >>> crosstalk_moments()["variance"]
    (N - 1)*(P - 1)/N**2
    """
    N, P, t = sym("N"), sym("P"), sp.Symbol("t", real=True)
    L = (P - 1) * (N - 1)
    K = L * sp.log(sp.cosh(t / N))  # cumulant generating function of C
    ser = sp.series(K, t, 0, 3).removeO()
    mean = sp.factor(ser.coeff(t, 1))
    variance = sp.factor(2 * ser.coeff(t, 2))
    signal = (N - 1) / N + (P / N if keep_diagonal else 0)
    return {"signal": sp.factor(signal), "mean": mean, "variance": variance}


@lru_cache(maxsize=None)
def bit_error(keep_diagonal: bool = False) -> Formula:
    """One-step bit-error probability at a stored pattern, Gaussian approximation [N, P].

    ``P_err = Phi(-signal / sqrt(Var C))`` which is
    ``Phi(-sqrt((N-1)/(P-1)))`` with zero diagonal and
    ``Phi(-(N-1+P)/sqrt((N-1)(P-1)))`` with the diagonal kept.

    Parameters
    ----------
    keep_diagonal : bool
        Kept diagonal ``w_ii = P/N`` (a teaching contrast: the error never
        exceeds ``Phi(-2)`` as ``N -> oo``, but patterns lose their basins).

    Returns
    -------
    Formula
        Arguments ``(N, P)``; ``P = 1`` gives 0.

    Notes
    -----
    Definition: probability that one given bit of a stored pattern flips in
    one update when the network sits on that pattern.

    References
    ----------
    Hopfield (1982); Hertz, Krogh & Palmer, *Introduction to the Theory of
    Neural Computation* (1991), sec. 2.2.

    Examples
    --------
    >>> round(bit_error().evaluate(N=1000, P=105), 5)
    0.00097
    """
    N, P = sym("N"), sym("P")
    mom = crosstalk_moments(keep_diagonal)
    snr = sp.simplify(mom["signal"] / sp.sqrt(mom["variance"]))
    return Formula(
        name="classical.bit_error" + ("_diag" if keep_diagonal else ""),
        expr=Phi(-snr),
        symbols=(N, P),
        source=_HEBB + "; crosstalk derived in theory.classical.crosstalk_moments",
        assumptions="random unbiased patterns; crosstalk treated as Gaussian (central limit); "
        + ("diagonal kept, w_ii = P/N" if keep_diagonal else "zero diagonal"),
        definition="per-bit one-step error: P(a given bit of a stored pattern flips in one update)",
    )


@lru_cache(maxsize=None)
def alpha_at_error() -> Formula:
    """Load ``alpha = P/N`` at which the asymptotic bit error equals ``p_err`` [p_err].

    Inverts ``P_err = Phi(-1/sqrt(alpha))``: ``alpha = 1 / Phi^{-1}(1 - p_err)^2``.

    Examples
    --------
    >>> round(alpha_at_error().evaluate(p_err=1e-3), 4)
    0.1047
    """
    p = sym("p_err")
    return Formula(
        name="classical.alpha_at_error",
        expr=1 / Phi_inv_upper(p) ** 2,
        symbols=(p,),
        source=_HEBB + "; inverse of P_err = Phi(-1/sqrt(alpha)) (N -> oo at fixed alpha)",
        assumptions="Gaussian crosstalk, N -> oo at fixed alpha = P/N, zero diagonal",
        definition="largest load alpha = P/N whose per-bit one-step error is at most p_err",
    )


@lru_cache(maxsize=None)
def p_pattern_fixed() -> Formula:
    """Probability that a given stored pattern is a fixed point, ``(1 - P_err)^N`` [N, P].

    Examples
    --------
    >>> round(p_pattern_fixed().evaluate_continuous(N=100, P=17.3), 2)
    0.5
    """
    N, P = sym("N"), sym("P")
    return Formula(
        name="classical.p_pattern_fixed",
        expr=(1 - bit_error().expr) ** N,
        symbols=(N, P),
        source=_HEBB,
        assumptions="Gaussian crosstalk; the N bits treated as independent",
        definition="P(a given stored pattern is a fixed point of the zero-temperature dynamics)",
    )


@lru_cache(maxsize=None)
def p_all_fixed() -> Formula:
    """Probability that all ``P`` stored patterns are fixed points, ``(1 - P_err)^(N P)`` [N, P].

    Examples
    --------
    >>> round(p_all_fixed().evaluate_continuous(N=100, P=10.6), 2)
    0.5
    """
    N, P = sym("N"), sym("P")
    return Formula(
        name="classical.p_all_fixed",
        expr=(1 - bit_error().expr) ** (N * P),
        symbols=(N, P),
        source=_HEBB,
        assumptions="Gaussian crosstalk; all N P bits treated as independent",
        definition="P(every stored pattern is a fixed point simultaneously)",
    )


@lru_cache(maxsize=None)
def mceliece(all_patterns: bool = False) -> Formula:
    """McEliece et al. capacity ``N/(2 ln N)`` (a given pattern) or ``N/(4 ln N)`` (all) [N].

    Parameters
    ----------
    all_patterns : bool
        ``False``: a given (hence most) pattern(s) must be fixed points with
        probability -> 1; ``True``: all patterns simultaneously.

    Notes
    -----
    Leading order of :func:`mceliece_expansion`. The attribution of
    ``N/(4 ln N)`` to Hopfield (1982) is wrong: it is McEliece et al. (1987),
    abstract; Hopfield reported about ``0.15 N`` from simulations.

    References
    ----------
    McEliece, Posner, Rodemich, Venkatesh, IEEE Trans. IT 33 (1987), abstract.

    Examples
    --------
    >>> round(mceliece().evaluate(N=100), 2), round(mceliece(True).evaluate(N=100), 2)
    (10.86, 5.43)
    """
    N = sym("N")
    k = 4 if all_patterns else 2
    return Formula(
        name="classical.mceliece" + ("_all" if all_patterns else ""),
        expr=N / (k * sp.log(N)),
        symbols=(N,),
        source="McEliece, Posner, Rodemich, Venkatesh, IEEE Trans. IT 33, 461 (1987), abstract",
        assumptions="N -> oo; natural logarithm; leading order only (see mceliece_corrected)",
        definition=("all stored patterns are fixed points simultaneously, with probability -> 1"
                    if all_patterns else "a given stored pattern is a fixed point with probability -> 1"),
    )


@lru_cache(maxsize=None)
def mceliece_expansion(all_patterns: bool = False) -> dict:
    """Asymptotic solution for ``x^2 = (N-1)/(P-1)`` with the ln ln N correction, derived.

    Condition: the expected number of wrong bits is ``c = -ln q`` (so that the
    success probability is ``q``): ``N Phi(-x) = c`` for a given pattern,
    ``N P Phi(-x) = c`` with ``P = N/x^2`` for all patterns. With the Gaussian
    tail ``ln Phi(-x) = -x^2/2 - (1/2) ln x^2 - (1/2) ln 2 pi + o(1)`` and the
    ansatz ``x^2 = k u + a ln u + b`` (``u = ln N``), matching the ``ln u`` and
    constant terms as ``u -> oo`` gives ``a`` and ``b``.

    Returns
    -------
    dict
        ``steps`` (list of (text, expr)), ``x2`` (expression in ``N``, ``q``),
        ``a``, ``b``, ``k``.
    """
    u, L, eps = sp.symbols("u ell epsilon", positive=True)  # u = ln N, ell = ln u, eps = 1/u
    a, b = sp.symbols("a b", real=True)
    x2 = sp.Symbol("x^2", positive=True)
    q = sym("q")
    c = -sp.log(q)
    k = 4 if all_patterns else 2
    # Gaussian tail: Phi(-x) exp(x^2/2) x -> const (asymptotic series of erfc at infinity)
    x = sp.Symbol("x", positive=True)
    tail_series = sp.series(Phi(-x) * sp.exp(x**2 / 2) * x, x, sp.oo, 4)
    const = sp.limit(tail_series.removeO(), x, sp.oo)  # 1/sqrt(2 pi)
    steps = [("Asymptotic series of the Gaussian tail, Phi(-x) exp(x^2/2) x as x -> oo", tail_series)]
    # so ln Phi(-x) = -x^2/2 - (1/2) ln x^2 + ln const + O(1/x^2)
    tail = -x2 / 2 - sp.log(x2) / 2 + sp.log(const)
    extra = (u - sp.log(x2)) if all_patterns else 0  # ln P = ln N - ln x^2
    cond = sp.Eq(u + extra + sp.expand_log(tail, force=True), sp.log(c))
    steps.append(("Condition (log of expected wrong bits = ln c) with that tail, u = ln N", cond))
    ansatz = k * u + a * L + b
    steps.append(("Ansatz for x^2 with ell = ln u", sp.Eq(x2, ansatz)))
    # ln(x^2) = ln(k u) + ln(1 + (a ell + b)/(k u)); the last term is O(eps ell) -> 0
    log_x2 = sp.log(k) + L + sp.series(sp.log(1 + (a * L + b) * eps / k), eps, 0, 1).removeO()
    lhs = (cond.lhs - cond.rhs).subs(sp.log(x2), log_x2).subs(x2, ansatz)
    lhs = sp.expand(lhs)
    steps.append(("Substitute; ln x^2 = ln k + ln u + O(ln u / u)", sp.Eq(lhs, 0)))
    assert lhs.coeff(u) == 0  # the leading order cancels: x^2 ~ k ln N
    eqs = [sp.Eq(lhs.coeff(L), 0), sp.Eq(lhs.subs(L, 0), 0)]
    steps.append(("Coefficients of ln u and of 1 must vanish", eqs))
    sol = sp.solve(eqs, [a, b], dict=True)[0]
    steps.append(("Solve", sp.Eq(sp.Tuple(a, b), sp.Tuple(sol[a], sol[b]))))
    N = sym("N")
    x2_N = (k * sp.log(N) + sol[a] * sp.log(sp.log(N)) + sol[b])
    steps.append(("So P ~ N / x^2 with", sp.Eq(x2, x2_N)))
    return {"steps": steps, "x2": x2_N, "a": sol[a], "b": sp.simplify(sol[b]), "k": k}


@lru_cache(maxsize=None)
def mceliece_corrected(all_patterns: bool = False) -> Formula:
    """McEliece capacity with the next-order ``ln ln N`` correction [N, q].

    ``P = N / (2 ln N - ln ln N - ln(4 pi) - 2 ln(-ln q))`` for a given pattern,
    ``P = N / (4 ln N - 3 ln ln N - ln(128 pi) - 2 ln(-ln q))`` for all
    patterns, where ``q`` is the target probability of success (derived in
    :func:`mceliece_expansion`).

    Examples
    --------
    >>> round(mceliece_corrected().evaluate(N=1000, q=0.5), 1)
    99.2
    """
    N, q = sym("N"), sym("q")
    ex = mceliece_expansion(all_patterns)
    return Formula(
        name="classical.mceliece_corrected" + ("_all" if all_patterns else ""),
        expr=N / ex["x2"],
        symbols=(N, q),
        source="derived here from the Gaussian tail (theory.classical.mceliece_expansion); leading "
        "order as McEliece et al., IEEE Trans. IT 33 (1987)",
        assumptions="Gaussian crosstalk, independent bits, asymptotic Gaussian tail; errors O(ln ln N / ln N)",
        definition=("all patterns are fixed points" if all_patterns else "a given pattern is a fixed point")
        + " with probability q (expected number of wrong bits -ln q)",
    )


def _log_factor_table(N: int, m_max: int, G: int):
    """``log(p_m e^{-i t m} + (1 - p_m) e^{i t m})`` at ``t = 2 pi k / G``, ``k = 0..G/2``,
    for ``m = -m_max..m_max`` (step 1); ``p_m = (1 + m/N)/2``. Shape (2 m_max + 1, G/2 + 1)."""
    m = np.arange(-m_max, m_max + 1, dtype=np.float64)[:, None]
    t = 2.0 * np.pi * np.arange(G // 2 + 1)[None, :] / G
    p = (1.0 + m / N) / 2.0
    with np.errstate(divide="ignore"):
        return np.log(p * np.exp(-1j * t * m) + (1.0 - p) * np.exp(1j * t * m))


def conditional_tails(N: int, P: int, M: npt.ArrayLike) -> np.ndarray:
    """Per-bit instability given the overlaps: ``P(sum_mu b_mu M_mu <= -(N - P) | M)`` for each row of ``M``.

    ``M`` : int array of shape (R, P - 1), overlaps of the other patterns with
    the one the network sits on; ``b_mu`` independent signs with ``P(b_mu = 1)
    = (1 + M_mu/N)/2``. Exact on the integer lattice up to float64 rounding
    (characteristic function, inverse FFT; aliasing only beyond 12 standard
    deviations, below ``2 exp(-72)`` by Hoeffding). Returns shape (R,), float64.
    """
    M = np.asarray(M, dtype=np.int64)
    rows = M.shape[0]
    m_max = max(1, int(np.abs(M).max()))
    q2 = (M.astype(float) ** 2).sum(axis=1)
    half = int(np.max(q2 / N + 12.0 * np.sqrt(q2))) + N + 2
    G = 1 << int(np.ceil(np.log2(2 * half)))
    table = _log_factor_table(N, m_max, G)  # (2 m_max + 1, G/2 + 1)
    x = np.arange(G)
    unstable = np.where(x >= G // 2, x - G, x) <= -(N - P)  # lattice points with an unstable bit
    re, im = table.real.copy(), table.imag.copy()
    re[np.isneginf(re)] = -1e300  # a vanishing factor (p = 1/2, t m = pi/2) makes phi exactly 0
    counts = np.zeros((rows, 2 * m_max + 1))
    np.add.at(counts, (np.repeat(np.arange(rows), M.shape[1]), (M + m_max).ravel()), 1.0)
    out = np.empty(rows)
    for lo in range(0, rows, 256):  # chunks keep the (rows, G/2 + 1) arrays small
        c = counts[lo:lo + 256]
        phi = np.exp(c @ re) * np.exp(1j * (c @ im))
        law = np.fft.irfft(phi, G, axis=1)
        out[lo:lo + 256] = np.clip(law[:, unstable].sum(axis=1), 0.0, 1.0)
    return out


def p_fixed_overlap_conditional(N: int, P: int, which: str = "given", samples: int = 2000,
                                seed: int = 0) -> tuple[float, float]:
    """P(a given / every stored pattern is a fixed point), conditional on the patterns' overlaps.

    Parameters
    ----------
    N, P : int
        Neurons and stored patterns (``2 <= P``).
    which : {"given", "all"}
        Pattern 0 alone, or all ``P`` patterns simultaneously.
    samples : int
        Monte Carlo samples of the overlaps.
    seed : int

    Returns
    -------
    (float, float)
        The prediction and its Monte Carlo standard error.

    Notes
    -----
    With the network at pattern ``nu`` and ``b_imu = xi_i^mu xi_i^nu``, the
    aligned field is ``N xi_i h_i = (N - P) + sum_{mu != nu} b_imu M_mu`` with
    the overlaps ``M_mu = xi^mu . xi^nu = sum_j b_jmu``. Given ``M``, the signs
    ``b_imu`` of one bit are independent over ``mu`` with ``P(b_imu = 1 | M) =
    (1 + M_mu / N) / 2`` (exchangeability of the bits of pattern ``mu``), so the
    per-bit instability ``p(M) = P(sum_mu b_mu M_mu <= -(N - P) | M)`` is the
    tail of a sum of independent two-point variables, computed exactly on the
    integer lattice (characteristic function, inverse FFT). All bits of the
    pattern share ``M``: their crosstalks correlate (exactly ``1/(N - 1)``
    unconditionally) and ``(1 - p)^N`` is convex in ``p``, which is why the
    independent-bit ``(1 - P_err)^N`` lies below the truth. The prediction is
    ``E_M[(1 - p(M))^N]`` with ``M_mu = 2 Bin(N, 1/2) - N`` independent (the
    overlaps of one pattern with the others are independent); for all
    patterns, the symmetric ``P x P`` overlap matrix of sampled patterns and
    ``E[prod_nu (1 - p(M_nu))^N]``. The approximation left is the conditional
    independence of the bits given ``M`` (sampling without replacement inside
    each pattern), of relative order ``1/N``. The lattice sum is aliased only
    beyond 12 standard deviations of ``sum_mu b_mu M_mu`` (Hoeffding: below
    ``2 exp(-72)``).

    References
    ----------
    McEliece, Posner, Rodemich & Venkatesh, IEEE Trans. Inf. Theory 33, 461
    (1987), for the event; the conditioning on the overlaps is derived here
    (``amlab derive classical-fixed-points``).

    Examples
    --------
    >>> v, se = p_fixed_overlap_conditional(100, 17, samples=400, seed=1)
    >>> abs(v - 0.596) < 4 * se + 0.01
    True
    """
    N, P, samples = int(N), int(P), int(samples)
    if N < 2 or P < 2:
        raise ValueError(f"N and P must be >= 2, got N={N}, P={P}")
    if which not in ("given", "all"):
        raise ValueError(f"which must be 'given' or 'all', got {which!r}")
    if samples < 2:
        raise ValueError(f"samples must be >= 2, got {samples}")
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    if which == "given":
        M = (2 * rng.binomial(N, 0.5, size=(samples, 1, P - 1)) - N).astype(np.int64)  # (S, 1, P-1)
    else:
        M = np.empty((samples, P, P - 1), np.int64)
        off = ~np.eye(P, dtype=bool)
        for s in range(samples):
            xi = rng.choice(np.array([-1, 1], np.int64), size=(P, N))
            M[s] = (xi @ xi.T)[off].reshape(P, P - 1)
    R = M.shape[1]
    p = conditional_tails(N, P, M.reshape(samples * R, P - 1))
    vals = np.exp((N * np.log1p(-p)).reshape(samples, R).sum(axis=1))
    return float(vals.mean()), float(vals.std(ddof=1) / np.sqrt(samples))

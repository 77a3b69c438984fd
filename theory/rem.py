"""Typical-pattern capacity of the exponential memory from a random-energy-model argument.

Binary patterns ``xi^mu`` (``P = exp(alpha N)`` of them) and the energy
``E(sigma) = -(1/beta) ln sum_mu exp(beta xi^mu . sigma)`` (``beta = 1`` is the
``F(x) = exp(x)`` memory of Demircigil et al. 2017; asynchronous sign updates
are the same for ``E`` and ``-sum_mu exp(beta xi^mu . sigma)``). Updating bit
``i`` of a state ``sigma`` with overlap ``(1 - 2 rho) N`` with ``xi^1``, the
field splits into the signal ``2 sinh(beta) exp(beta y_1)`` and the crosstalk
``2 sinh(beta) sum_{mu>1} eps_mu exp(beta y_mu)`` (``y_mu`` the overlap without
bit ``i``, ``eps_mu`` an independent fair sign). The crosstalk is the square
root of the partition function of a random energy model (REM) at inverse
temperature ``2 beta``, whose energy levels are the ``P`` overlaps ``y_mu``:

* uncondensed (``alpha > I(tanh 2 beta)``): ``(1/N) ln sum exp(2 beta y) -> alpha + ln cosh 2 beta``;
* condensed (``alpha < I(tanh 2 beta)``): the sum is its largest term, at the
  largest overlap ``q_max N`` with ``I(q_max) = alpha``,

with ``I`` the Cramer function of a Rademacher mean (``theory.exponential.cramer_I``).
A typical pattern is retrieved while the signal's exponent ``beta (1 - 2 rho)``
beats half the REM exponent. This gives the threshold ``alpha_1(beta, rho)`` of
:func:`alpha_1`; at ``beta = 1`` and ``rho >= 1/(1+e^4) = 0.018`` it is
``I(1 - 2 rho)``, twice Demircigil's proven bound ``I(1 - 2 rho)/2``, which is
the all-pattern threshold of the same count (the union over the ``e^(alpha N)``
patterns squares the number of competitors). The argument is the one
Lucibello & Mezard (2024) use for Gaussian and spherical patterns; its
application to binary patterns with corrupted cues is derived in amlab
(``amlab derive rem-capacity``).

In the condensed regime the retrieval of a cue is decided by its closest
competitor, which gives a finite-N prediction (:func:`recovery_probability`):
no other pattern agrees with the cue on at least as many bits as its own.

References
----------
C. Lucibello, M. Mezard, "Exponential capacity of dense associative memories",
Phys. Rev. Lett. 132, 077301 (2024), arXiv:2304.14964 (REM analysis, thresholds
alpha_1 and alpha_c). B. Derrida, "Random-energy model: an exactly solvable
model of disordered systems", Phys. Rev. B 24, 2613 (1981) (condensation).
M. Demircigil et al., J. Stat. Phys. 168, 288 (2017) (the model, the bound).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from numba import njit
from scipy import special, stats
from sympy.utilities.lambdify import implemented_function

from theory.derivation import Derivation, Step, register_derivation
from theory.exponential import cramer_I, demircigil_alpha
from theory.formula import Formula, sym

__all__ = ["alpha_1", "rho_condensed", "recovery_probability", "competitor_tail", "race_recovery_probability"]

_LM = ("Lucibello & Mezard, Phys. Rev. Lett. 132, 077301 (2024), arXiv:2304.14964 (REM argument for alpha_1); "
       "binary patterns with rho-corrupted cues derived in amlab")


def _tail_float(N, rho):
    """``P(S >= (1 - 2 rho) N)`` for ``S`` a sum of ``N`` fair signs, i.e. ``P(Bin(N, 1/2) >= N - rho N)``."""
    N_arr, r_arr = np.broadcast_arrays(np.asarray(N, dtype=float), np.asarray(rho, dtype=float))
    flips = r_arr * N_arr
    k = np.rint(flips)
    if np.any(np.abs(flips - k) > 1e-9):
        bad = flips[np.abs(flips - k) > 1e-9].ravel()[0]
        raise ValueError(f"rho * N must be an integer (the cue flips exactly rho N bits), got rho * N = {bad}")
    out = stats.binom.sf(N_arr - k - 1, N_arr, 0.5)  # P(agreements >= N - k)
    return out if np.ndim(out) else float(out)


def _log_tail(N: int, rho: float) -> float:
    """``ln P(Bin(N, 1/2) >= N - rho N)`` by log-sum-exp over the binomial log-pmf (no underflow)."""
    k = np.arange(int(N) - int(round(rho * N)), int(N) + 1)
    return float(special.logsumexp(stats.binom.logpmf(k, int(N), 0.5)))


#: SymPy function ``B(N, rho) = P(Bin(N, 1/2) >= N (1 - rho))``, evaluated exactly with ``scipy.stats.binom``.
competitor_tail = implemented_function(sp.Function("B"), _tail_float)


@lru_cache(maxsize=None)
def rho_condensed() -> Formula:
    """Cue corruption above which the REM at ``2 beta`` is condensed at the threshold, ``1/(1 + e^(4 beta))`` [beta].

    Examples
    --------
    >>> round(rho_condensed().evaluate(beta=1.0), 4)
    0.018
    """
    beta = sym("beta")
    return Formula(
        name="rem.rho_condensed",
        expr=1 / (1 + sp.exp(4 * beta)),
        symbols=(beta,),
        source=_LM,
        assumptions="N -> oo; random unbiased binary patterns; E = -(1/beta) ln sum_mu exp(beta xi^mu . sigma)",
        definition="the rho at which tanh(2 beta) = 1 - 2 rho: for larger rho the crosstalk at the threshold is "
                   "dominated by the closest competitor (condensed REM)",
    )


@lru_cache(maxsize=None)
def alpha_1() -> Formula:
    """Typical-pattern capacity exponent of the exponential memory, ``P = exp(alpha_1 N)`` [beta, rho].

    Returns
    -------
    Formula
        Piecewise in ``(beta, rho)``: ``I(1 - 2 rho)`` for
        ``rho >= 1/(1 + e^(4 beta))`` (condensed crosstalk) and
        ``ln 2 - 4 beta rho - ln(1 + e^(-4 beta))``
        (``= 2 beta (1 - 2 rho) - ln cosh 2 beta``) below.

    Notes
    -----
    The two branches meet at ``tanh(2 beta) = 1 - 2 rho`` (Legendre duality of
    ``I`` and ``ln cosh``); the second never exceeds the first. ``beta -> oo``:
    ``I(1 - 2 rho)`` for every ``rho`` (``ln 2`` at ``rho = 0``); ``beta = 1``,
    ``rho = 0``: ``ln(2/(1 + e^-4)) = 0.6749``.

    Examples
    --------
    >>> f = alpha_1()
    >>> round(f.evaluate(beta=1.0, rho=0.0), 4), round(f.evaluate(beta=1.0, rho=0.2), 4)
    (0.675, 0.1927)

    References
    ----------
    C. Lucibello, M. Mezard, Phys. Rev. Lett. 132, 077301 (2024), arXiv:2304.14964.
    """
    beta, rho = sym("beta"), sym("rho")
    uncondensed = sp.log(2) - 4 * beta * rho - sp.log(1 + sp.exp(-4 * beta))
    expr = sp.Piecewise((cramer_I(1 - 2 * rho), rho >= rho_condensed().expr), (uncondensed, True))
    return Formula(
        name="rem.alpha_1",
        expr=expr,
        symbols=(beta, rho),
        source=_LM,
        assumptions="N -> oo; P = exp(alpha N) random unbiased binary patterns; "
                    "E = -(1/beta) ln sum_mu exp(beta xi^mu . sigma), asynchronous updates; cue = a pattern with a "
                    "fraction rho of its bits flipped",
        definition="typical-pattern capacity exponent: below it a given pattern is retrieved from such a cue with "
                   "probability -> 1, above it with probability -> 0",
    )


@lru_cache(maxsize=None)
def recovery_probability() -> Formula:
    """Finite-N recovery probability in the condensed regime: ``(1 - B(N, rho))^(M - 1)`` [N, M, rho].

    ``B(N, rho)`` is the probability that a random pattern agrees with the cue on
    at least ``N - rho N`` bits, as many as the cue's own pattern; the cue is
    recovered when none of the ``M - 1`` other patterns does (ties count as
    failures). ``rho N`` must be an integer.

    Notes
    -----
    ``(M - 1) B`` is the expected number of such competitors;
    ``(1/N) ln((M-1) B) -> alpha - I(1 - 2 rho)`` (Cramer), so the probability
    steps from 1 to 0 at ``alpha_1``. Valid where the REM is condensed
    (``rho >= 1/(1 + e^(4 beta))``: ``rho >= 0.018`` for the ``exp(x)`` memory).

    Examples
    --------
    >>> round(recovery_probability().evaluate(N=80, M=722, rho=0.3), 3)
    0.85
    """
    N, M, rho = sym("N"), sym("M"), sym("rho")
    return Formula(
        name="rem.recovery_probability",
        expr=(1 - competitor_tail(N, rho)) ** (M - 1),
        symbols=(N, M, rho),
        source=_LM + "; finite-N closest-competitor count derived in amlab",
        assumptions="M independent random unbiased binary patterns of N bits; cue = one of them with exactly rho N "
                    "bits flipped; condensed crosstalk (the closest competitor decides)",
        definition="probability that the dynamics started at the cue ends exactly on its pattern",
        integer_args=("N",),
    )


#: Agreement levels, relative to the cue's own ``A = N - rho N``, of the competitors the race model keeps:
#: ``A + 1`` down to ``A - RACE_DEPTH``. A competitor at ``A + 2`` or more always wins; one at ``A - 1``
#: ties the cue's pattern in the single-bit field on its own bits, one at ``A - 2`` only adds to sums.
RACE_DEPTH = 2


@njit(cache=True)
def _race_outcomes(N, flips, levels, counts, seed, max_sweeps):  # pragma: no cover - compiled
    """Recovered (1) or not (0) for each row of ``counts`` (competitors per level of ``levels``)."""
    np.random.seed(seed)
    S, L = counts.shape
    out = np.zeros(S, np.int8)
    A = N - flips
    acc = np.zeros(2 * N + 3, np.int64)
    for s in range(S):
        P = 1
        for l in range(L):
            P += counts[s, l]
        xi = np.ones((P, N), np.int8)
        perm = np.random.permutation(N)
        for j in range(flips):
            xi[0, perm[j]] = -1
        mu = 1
        for l in range(L):
            for _ in range(counts[s, l]):
                perm = np.random.permutation(N)
                for j in range(N - (A + levels[l])):
                    xi[mu, perm[j]] = -1
                mu += 1
        sigma = np.ones(N, np.int8)
        ov = np.empty(P, np.int64)
        for m in range(P):
            ov[m] = 0
            for i in range(N):
                ov[m] += xi[m, i] * sigma[i]
        for _sweep in range(max_sweeps):
            changed = False
            order = np.random.permutation(N)
            for i in order:
                # field of bit i: sum_mu xi_i^mu exp(x_mu), x_mu the overlap without bit i, grouped by x
                top = -N - 2
                for m in range(P):
                    x = ov[m] - xi[m, i] * sigma[i]
                    acc[x + N + 1] += xi[m, i]
                    if x > top:
                        top = x
                h = 0.0
                for m in range(P):
                    x = ov[m] - xi[m, i] * sigma[i]
                    c = acc[x + N + 1]
                    if c != 0:
                        h += c * np.exp(x - top)
                        acc[x + N + 1] = 0
                if h == 0.0:  # all counts cancel: the dropped competitors' crosstalk decides, a fair sign
                    new = 1 if np.random.random() < 0.5 else -1
                else:
                    new = 1 if h > 0 else -1
                if new != sigma[i]:
                    for m in range(P):
                        ov[m] += 2 * xi[m, i] * new
                    sigma[i] = new
                    changed = True
            if not changed:
                break
        ok = 1
        for i in range(N):
            if sigma[i] != xi[0, i]:
                ok = 0
                break
        out[s] = ok
    return out


def race_recovery_probability(N: int, M: int, rho: float, samples: int = 10_000, seed: int = 0,
                              depth: int = RACE_DEPTH) -> tuple:
    """Recovery probability with the closest competitors racing: the next order of :func:`recovery_probability`.

    The closest-competitor count treats every competitor that agrees with the
    cue on at least ``A = N - rho N`` bits as a failure and every other as
    harmless. In the single-bit field of the asynchronous ``exp`` dynamics the
    overlaps are taken without the updated bit, which shifts the comparison
    by one agreement: on a bit where a competitor disagrees with the cue and
    the cue's pattern agrees, a competitor at ``A`` wins (``e^(o+1)`` against
    ``e^(o-1)``), one at ``A - 1`` ties it and the rest of the crosstalk
    decides, one at ``A + 1`` can be overtaken the same way. So the outcome
    is a race, settled by which bits the update order visits first: ties are
    recovered about half the time and competitors at ``A - 1`` steal a cue
    with a probability of about a third. This function draws the competitor
    counts at agreements ``A + 1 .. A - depth`` (a multinomial over the
    ``M - 1`` competitors; any at ``A + 2`` or more is a failure), builds
    those patterns and runs the same dynamics on them with the remaining
    crosstalk replaced by a fair sign where the kept patterns' field is
    exactly zero.

    Parameters
    ----------
    N, M : int
        Neurons and stored patterns.
    rho : float
        Fraction of the cue's bits flipped; ``rho * N`` an integer.
    samples : int
        Monte Carlo draws.
    seed : int
        Seed of the draws (the value is a deterministic function of all arguments).
    depth : int
        Lowest level kept, ``A - depth`` (>= 1). The change from ``depth`` to
        ``depth + 1`` measures the truncation error (see ``Notes``).

    Returns
    -------
    p, se : float
        The recovery probability and its Monte Carlo standard error.

    Notes
    -----
    Error model: Monte Carlo (``se``) plus truncation. Levels below
    ``A - 2`` enter the field at most ``e^-3`` relative to the cue's pattern
    each and only decide exact cancellations of the kept ones; measured at
    N = 80, 110, 160 (rho = 0.25-0.35, 20 000 draws each), adding level ``A - 3``
    moves the value by less than its standard error (see
    ``tests/test_checks_rem.py``).

    Examples
    --------
    >>> p, se = race_recovery_probability(80, 722, 0.3, samples=2000)
    >>> 0.8 < p < 0.95 and se < 0.01
    True
    """
    N, M, samples, depth = int(N), int(M), int(samples), int(depth)
    if N < 2 or M < 2:
        raise ValueError(f"race_recovery_probability: N and M must be >= 2, got N = {N}, M = {M}")
    if samples < 1 or depth < 1:
        raise ValueError(f"race_recovery_probability: samples and depth must be >= 1, got {samples}, {depth}")
    flips = float(rho) * N
    if not 0 <= rho < 0.5 or abs(flips - round(flips)) > 1e-9:
        raise ValueError(f"race_recovery_probability: rho * N must be an integer with 0 <= rho < 1/2, got rho = {rho}")
    flips = int(round(flips))
    A = N - flips
    levels = np.arange(1, -depth - 1, -1)
    probs = [float(stats.binom.sf(A + 1, N, 0.5))] + [float(stats.binom.pmf(A + l, N, 0.5)) for l in levels]
    probs.append(max(0.0, 1.0 - sum(probs)))
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), N, M, flips, depth]))
    draws = rng.multinomial(M - 1, probs, size=samples)
    lost = draws[:, 0] > 0
    counts = np.ascontiguousarray(draws[~lost, 1:-1]).astype(np.int64)
    won = _race_outcomes(N, flips, levels.astype(np.int64), counts, int(rng.integers(2**31 - 1)), 50)
    p = float(won.sum()) / samples
    return p, float(np.sqrt(max(p * (1 - p), 1.0 / samples) / samples))


@register_derivation("rem-capacity")
def derivation() -> Derivation:
    """From the single-bit field to the REM threshold alpha_1(beta, rho) of the exponential memory."""
    beta, rho = sym("beta"), sym("rho")
    y, eps = sp.Symbol("y", real=True), sp.Symbol("epsilon", real=True)
    t = sp.Symbol("t", positive=True)
    alpha, N = sp.Symbol("alpha", positive=True), sym("N")
    term = sp.exp(beta * (y + eps)) - sp.exp(beta * (y - eps))
    split = sp.simplify((term - eps * 2 * sp.sinh(beta) * sp.exp(beta * y)).rewrite(sp.exp))
    split_check = [sp.simplify(split.subs(eps, e)) for e in (1, -1)]
    annealed = sp.log(sp.cosh(t))  # (1/N) ln E exp(t xi . sigma) per bit
    q_star = sp.tanh(t)
    legendre = cramer_I(q_star).rewrite(sp.log) + annealed - t * q_star
    legendre_num = max(abs(sp.N(legendre.subs(t, v), 30)) for v in (sp.Rational(1, 3), 1, 2))
    s = 1 - 2 * rho
    uncond = 2 * beta * s - sp.log(sp.cosh(2 * beta))
    closed = alpha_1().expr.args[1][0]
    diff_closed = sp.simplify(sp.logcombine(sp.expand(uncond - closed).rewrite(sp.exp), force=True))
    meet = uncond.subs(rho, rho_condensed().expr) - cramer_I(sp.tanh(2 * beta)).rewrite(sp.log)
    meet_num = max(abs(sp.N(meet.subs(beta, v), 30)) for v in (sp.Rational(1, 4), 1, 3))
    dem = demircigil_alpha().expr
    steps = [
        Step("Bit i of a state sigma, energy -(1/beta) ln sum_mu exp(beta xi^mu . sigma): pattern mu contributes "
             "exp(beta (y + eps)) - exp(beta (y - eps)) to the field, y = overlap without bit i, eps = xi_i^mu sigma_i "
             "= +-1; minus eps 2 sinh(beta) exp(beta y), at eps = 1 and eps = -1",
             sp.Tuple(*split_check)),
        Step("So the signal of the cue's own pattern (overlap (1 - 2 rho) N) and the crosstalk of the others are",
             sp.Tuple(sp.Eq(sp.Symbol("signal"), 2 * sp.sinh(beta) * sp.exp(beta * s * N)),
                      sp.Eq(sp.Symbol("crosstalk"), 2 * sp.sinh(beta) * sp.Sum(
                          sp.Indexed("epsilon", sp.Symbol("mu")) * sp.exp(beta * sp.Indexed("y", sp.Symbol("mu"))),
                          (sp.Symbol("mu"), 2, sp.Symbol("P")))))),
        Step("The eps_mu are independent fair signs, so the crosstalk is of order sqrt(Z(2 beta)), Z(t) = sum_mu "
             "exp(t y_mu): a random energy model with P = exp(alpha N) levels y_mu. Annealed exponent of Z per bit",
             sp.Eq(sp.Symbol("phi_annealed"), alpha + annealed)),
        Step("dominated by overlaps q = y/N at the saddle of t q - I(q), q* = tanh(t); Legendre check "
             "I(tanh t) + ln cosh t - t tanh t, largest |value| at t = 1/3, 1, 2",
             sp.Eq(sp.Symbol("max_residual"), sp.Float(legendre_num, 3), evaluate=False)),
        Step("Levels at q* exist only while alpha > I(q*) (about exp(N (alpha - I(q))) levels near q); below, Z is "
             "its largest term, at q_max with I(q_max) = alpha (condensation; Derrida 1981)",
             sp.Eq(sp.Symbol("phi"), sp.Piecewise((alpha + sp.log(sp.cosh(t)), alpha > sp.Function("I")(sp.tanh(t))),
                                                   (t * sp.Symbol("q_max"), True)))),
        Step("Retrieval of a typical pattern: beta (1 - 2 rho) > phi(2 beta)/2. Uncondensed branch: solved for alpha",
             sp.Eq(sp.Symbol("alpha_1"), uncond)),
        Step("the same in the closed form of theory.rem.alpha_1 (no overflow at large beta): difference",
             sp.Eq(sp.Symbol("difference"), diff_closed, evaluate=False)),
        Step("Condensed branch: beta (1 - 2 rho) > beta q_max, i.e. q_max < 1 - 2 rho, i.e. alpha < I(1 - 2 rho). "
             "It applies when 1 - 2 rho <= tanh(2 beta), i.e.", sp.Ge(rho, rho_condensed().expr)),
        Step("The branches meet there: uncondensed value minus I(tanh 2 beta) at rho = 1/(1+e^(4 beta)), largest "
             "|value| at beta = 1/4, 1, 3", sp.Eq(sp.Symbol("max_residual"), sp.Float(meet_num, 3), evaluate=False)),
        Step("alpha_1(beta, rho)", sp.Eq(sp.Symbol("alpha_1"), alpha_1().expr)),
        Step("beta -> oo (hard max), rho = 0: the limit of the uncondensed branch",
             sp.limit(closed.subs(rho, 0), beta, sp.oo)),
        Step("beta = 1 (F = exp), rho = 0 and rho = 1/5; ratio to Demircigil's proven I(1-2 rho)/2 at rho = 1/5",
             sp.Tuple(sp.N(closed.subs({beta: 1, rho: 0}), 6),
                      sp.N(alpha_1().expr.subs({beta: 1, rho: sp.Rational(1, 5)}), 6),
                      sp.simplify(cramer_I(s).subs(rho, sp.Rational(1, 5))
                                  / dem.subs(rho, sp.Rational(1, 5))))),
        Step("All patterns at once: the union over exp(alpha N) patterns multiplies the competitor count "
             "exp(N (alpha - I(1 - 2 rho))) by exp(alpha N); it vanishes for alpha below Demircigil's bound",
             sp.Tuple(sp.Eq(sp.Symbol("alpha_all"), sp.solve(sp.Eq(2 * alpha - cramer_I(s), 0), alpha)[0]),
                      sp.Eq(sp.Symbol("minus_demircigil"),
                            sp.simplify(sp.solve(sp.Eq(2 * alpha - cramer_I(s), 0), alpha)[0] - dem), evaluate=False))),
        Step("Finite N, condensed: a cue is recovered when none of the M - 1 other patterns agrees with it on at "
             "least N - rho N bits", sp.Eq(sp.Symbol("P_recover"), recovery_probability().expr)),
        Step("with B the binomial tail, (1/N) ln B -> -I(1 - 2 rho) (Cramer), so (1/N) ln of the expected number "
             "(M - 1) B of competitors tends to alpha - I(1 - 2 rho): the step sits at alpha_1. At rho = 3/10: "
             "-(1/N) ln B for N = 100, 1000, 10000 and I(2/5)", sp.Tuple(
                 *[sp.Float(-_log_tail(n, 0.3) / n, 4) for n in (100, 1000, 10000)],
                 sp.Float(sp.N(cramer_I(sp.Rational(2, 5))), 4))),
    ]
    return Derivation("rem-capacity", "Typical-pattern capacity of the exponential memory (REM argument)", _LM, steps)

"""Checks of the classical Hopfield network (docs/references.md, classical).

``classical-bit-error``: one-step bit error at a stored pattern against
Phi(-sqrt((N-1)/(P-1))) (zero diagonal) and against the kept-diagonal formula.
``classical-fixed-points``: P(a given pattern is a fixed point) and P(all are)
against the prediction conditional on the patterns' overlaps (the bits of one
pattern share them, so they are not independent), the mean number of unstable
bits against the exact tail (no independence needed), and the independent-bit
expressions (1-P_err)^N and (1-P_err)^(NP) as reported points.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import math

import numpy as np
from scipy import optimize, stats

import theory.classical as tc
from simulations.estimators import classical as classical_est
from simulations.core.seeds import derive_seed
from simulations.checks.registry import Point, Work, per_case, register_check
from simulations.checks.stats import binomial_point, t_point


def crosstalk_tail(N: int, P: int, keep_diagonal: bool = False) -> Tuple[float, float]:
    """Exact one-step error probabilities ``(P(xi h < 0), P(xi h <= 0))`` at a stored pattern.

    With Hebbian weights the aligned field is ``xi_i h_i = (N - 1 + d + S)/N``
    where ``d = P`` with the diagonal kept (0 without) and ``S`` is a sum of
    ``L = (N-1)(P-1)`` independent +-1 terms (each ``xi_i^mu xi_i^nu xi_j^mu
    xi_j^nu``, independent given the pattern), so ``S = 2B - L`` with
    ``B ~ Binomial(L, 1/2)``: the error is a binomial tail, exactly.
    """
    L = (N - 1) * (P - 1)
    t = N - 1 + (P if keep_diagonal else 0)  # error iff S < -t, tie iff S == -t
    # S < -t  <=>  B < (L - t)/2 ; S <= -t <=> B <= (L - t)/2
    x = (L - t) / 2.0
    strict = stats.binom.cdf(math.ceil(x) - 1, L, 0.5)
    weak = stats.binom.cdf(math.floor(x), L, 0.5)
    return float(strict), float(weak)


def gaussian_reference(N: int, P: int, keep_diagonal: bool = False) -> float:
    """The Gaussian approximation of the one-step error, computed here from first principles.

    ``Phi(-(N - 1 + d) / sqrt((N - 1)(P - 1)))`` with ``d = P`` when the
    diagonal is kept: the aligned signal over the crosstalk's standard deviation.
    """
    d = P if keep_diagonal else 0
    return float(stats.norm.cdf(-(N - 1 + d) / math.sqrt((N - 1) * (P - 1))))


def gaussian_tolerance(N: int, P: int, keep_diagonal: bool = False) -> float:
    """The Gaussian approximation's exact error at (N, P): its distance to the binomial tail.

    Taken over both tie conventions (a zero field counted as an error or
    not). It is computed from the model, never from the formula under test,
    so a wrong formula cannot widen its own band.
    """
    g = gaussian_reference(N, P, keep_diagonal)
    strict, weak = crosstalk_tail(N, P, keep_diagonal)
    return max(abs(g - strict), abs(g - weak))


@register_check(
    "classical-bit-error",
    families=("classical",), seconds={"quick": 100.0, "full": 20.97},
    figures=("classical-bit-error",), derivations=("classical-crosstalk",),
    title="one-step bit error at a stored pattern vs Phi(-sqrt((N-1)/(P-1))), zero and kept diagonal",
    theory="theory.classical.bit_error(keep_diagonal=False|True): crosstalk variance (P-1)(N-1)/N^2, "
           "Gaussian tail of the crosstalk (docs/references.md, classical)",
    test="t-test of the mean per-network error rate over independent networks (bits of one network are "
         "correlated, networks are not; Holm over the alpha grid at 1%). Tolerance: the Gaussian "
         "approximation's exact error at each (N, P), |Phi - binomial tail| of the crosstalk, which is a "
         "sum of (N-1)(P-1) independent +-1 terms.",
    quick={"N": 1000, "alphas": [0.1, 0.2, 0.3, 0.5], "kept_alphas": [0.3, 1.0], "networks": 100},
    full={"N": 1000, "alphas": [0.08, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6], "kept_alphas": [0.3, 0.5, 1.0],
          "networks": 100},
    split=True,
)
def classical_bit_error(*, seed: int, N: int, alphas: Sequence[float], kept_alphas: Sequence[float], networks: int,
                        theory_keep_diagonal: Optional[bool] = None) -> Work:
    """``theory_keep_diagonal`` forces one formula for both simulations (a deliberately wrong
    pairing, used to show that the check fails); ``None`` pairs each simulation with its own."""
    cases = [(False, a) for a in alphas] + [(True, a) for a in kept_alphas]
    return per_case(classical_bit_error_case, [dict(zip(('kd', 'alpha'), c)) for c in cases],
                    dict(seed=seed, N=N, networks=networks, theory_keep_diagonal=theory_keep_diagonal),
                    cost=lambda kd, alpha: N * N * (1 + alpha))


def classical_bit_error_case(*, seed: int, kd: bool, alpha: float, N: int, networks: int,
                             theory_keep_diagonal: Optional[bool]) -> List[Point]:
    """The point of ``classical-bit-error`` at (kept diagonal, alpha), in a list."""
    points = []
    P = max(2, int(round(alpha * N)))
    r = classical_est.classical_bit_error(seed=derive_seed(seed, {"N": N, "P": P, "kd": kd}), N=N, P=P, alpha=None, networks=networks,
                                       keep_diagonal=kd)
    tkd = kd if theory_keep_diagonal is None else bool(theory_keep_diagonal)
    g = float(tc.bit_error(keep_diagonal=tkd).evaluate(N=N, P=P))
    tol = gaussian_tolerance(N, P, tkd)
    points.append(t_point(f"{'kept' if kd else 'zero'} diagonal, N={N}, P={P}", r["rate_mean"],
                                r["rate_sd"], networks, g, tol, level=0.99,
                                params={"N": N, "P": P, "alpha": P / N, "keep_diagonal": kd}))
    return points


# -------------------------------------------------------------- fixed points

#: Monte Carlo samples of the overlaps behind the overlap-conditional prediction
#: (its standard error is the check's only tolerance, so it is kept well below the
#: networks' binomial error): per pattern for "given", per P x P overlap matrix for "all".
SAMPLES = {"given": 3000, "all": 1500}


def p_at_half(formula: Any, N: int) -> int:
    """The integer P at which ``formula(N, P)`` is closest to 1/2."""
    at = getattr(formula, "evaluate_continuous", formula.evaluate)  # real P between integers (test doubles: evaluate)
    f = lambda P: float(at(N=N, P=P)) - 0.5  # noqa: E731
    root = optimize.brentq(f, 2.0, float(N))
    return int(round(root))


def fixed_point_counts(seed: int, N: int, P: int, networks: int) -> np.ndarray:
    """Per network: unstable bits of pattern 0, unstable bits of all patterns, pattern 0 fixed, all fixed.

    A bit is unstable when ``xi_i h_i <= 0`` (a zero field counts as unstable,
    as in ``crosstalk_tail``'s weak tail). Returns four arrays of shape (networks,).
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    out = np.zeros((4, int(networks)), np.int64)
    for k, s in enumerate(np.random.SeedSequence(int(seed)).spawn(int(networks))):
        xi = random_binary(int(P), int(N), seed=np.random.default_rng(s))
        unstable = ClassicalHopfield(xi).fields(xi) * xi <= classical_est.TIE  # (P, N)
        per = unstable.sum(axis=1)
        out[:, k] = per[0], per.sum(), per[0] == 0, np.all(per == 0)
    return out


@register_check(
    "classical-fixed-points",
    families=("classical",), seconds={"quick": 30.0, "full": 24.67},
    figures=("classical-fixed-points",), derivations=("classical-fixed-points", "mceliece"),
    title="P(a given pattern is a fixed point) and P(all are) vs the overlap-conditional prediction",
    theory="theory.classical.p_fixed_overlap_conditional: E_M[(1 - p(M))^N] (all: E[prod_nu (1 - p(M_nu))^N] "
           "over the sampled P x P overlap matrix), p(M) the exact per-bit tail given the overlaps M_mu; "
           "E[unstable bits] = N x the exact binomial tail of the crosstalk; the independent-bit "
           "(1 - P_err)^N and (1 - P_err)^(NP) (McEliece et al. 1987 asymptotics) are reported",
    test="exact binomial test on the networks (independent) in which pattern 0 / all patterns are fixed points, "
         "at the P where the independent-bit formula gives 1/2, with the prediction's Monte Carlo error "
         "(99%: 2.576 standard errors) as the only tolerance; t-test of the mean number of unstable bits per "
         "network against N (or NP) x the exact tail, no tolerance; Holm at 1%.",
    quick={"Ns": [100, 500], "networks": 400, "samples": 0.5, "all_max_N": 100},
    full={"Ns": [100, 500, 2000], "networks": 1500, "samples": 1.0, "all_max_N": 500},
    split=True,
)
def classical_fixed_points(*, seed: int, Ns: Sequence[int], networks: int, samples: float,
                           all_max_N: int = 500) -> Work:
    """``samples`` scales ``SAMPLES`` (the Monte Carlo size of the prediction); "all patterns"
    is tested up to ``all_max_N`` (its prediction samples a P x P overlap matrix per draw)."""
    cases = [(N, which) for N in Ns for which in ("given", "all") if not (which == "all" and N > all_max_N)]
    return per_case(classical_fixed_points_case, [dict(zip(('N', 'which'), c)) for c in cases],
                    dict(seed=seed, networks=networks, samples=samples),
                    cost=lambda N, which: N ** 3)


def classical_fixed_points_case(*, seed: int, N: int, which: str, networks: int, samples: float) -> List[Point]:
    """The three points of ``classical-fixed-points`` at (N, which)."""
    points = []
    formula = tc.p_pattern_fixed() if which == "given" else tc.p_all_fixed()
    P = p_at_half(formula, N)
    nets = networks if N <= 500 else max(100, networks // 4)
    S = max(50, int(SAMPLES[which] * samples * (1 if N <= 500 else 0.25)))
    pred, se = tc.p_fixed_overlap_conditional(N, P, which, S, derive_seed(seed, {"N": N, "P": P, "theory": which}))
    c = fixed_point_counts(derive_seed(seed, {"N": N, "P": P, "which": which}), N, P, nets)
    params = {"N": N, "P": P, "networks": nets, "samples": S, "mc_se": se}
    k = int(c[2].sum() if which == "given" else c[3].sum())
    points.append(binomial_point(f"{which} pattern(s) fixed, N={N}, P={P} (overlap-conditional)", k, nets, pred,
                                 2.576 * se, level=0.99, params=params))
    indep = float(formula.evaluate(N=N, P=P))
    p = binomial_point(f"{which} pattern(s) fixed, N={N}, P={P}: independent-bit formula (reported)", k, nets,
                       indep, 0.0, level=0.99)
    points.append(Point(**{**p.__dict__, "p_value": None, "ok": True, "kind": "reported", "params": params}))
    bits = c[0] if which == "given" else c[1]
    power = N if which == "given" else N * P
    points.append(t_point(f"unstable bits of {'pattern 0' if which == 'given' else 'all patterns'}, N={N}, "
                          f"P={P}, vs {power} x exact tail", bits.mean(), bits.std(ddof=1), nets,
                          power * crosstalk_tail(N, P)[1], 0.0, level=0.99, params=params))
    return points

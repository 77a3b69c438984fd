"""Check of the RS retrieval overlap of the dense memory at ``P = alpha N^(n-1)`` (theory.dense_replica).

``dense-replica``: asynchronous T = 0 dynamics of ``DenseAssociativeMemory``
(``F = x^n``) started at a stored pattern, run to its fixed point; the mean
final overlap against the RS ``m(alpha)`` at n = 3, loads up to 0.95
``alpha_c``, several N. Measured before the tolerance was set (seeds 1000 N +
network, 20-40 networks; ``m_RS`` in brackets):

=====  ===============  ===============  ===============  ===============
alpha  N = 100          N = 200          N = 400          N = 800
=====  ===============  ===============  ===============  ===============
0.050  0.9880 (0.9883)  0.9860           0.9870           0.9861
0.065  0.9650 (0.9651)  0.9667           0.9700           0.9670
0.075  0.9590 (0.9342)  0.9405           0.9475           0.9471
0.080  --     (0.9066)  --               0.9283           0.9296
0.084  0.9345 (0.8479)  0.9183           0.9160           0.9219
=====  ===============  ===============  ===============  ===============

Far below ``alpha_c`` the simulation sits on the RS value; towards
``alpha_c`` it lies above it by an amount that does not shrink from N = 400
to 800: T = 0 dynamics from the pattern keeps bits whose cavity field is
adverse by less than the Onsager self-reaction (see ``theory.dense_replica``),
which the RS solution (sign of the cavity field) does not. The band is
therefore one-sided: from ``m_RS`` at the exact finite-N load (below) to
``m_RS + Gamma C`` (above; ``theory.dense_replica.reaction_excess``, a
linear-response bound, measured at 0.3-0.7 of it). At these sizes the
dynamics keeps the pattern beyond the RS ``alpha_c`` (reported at 1.2
``alpha_c``), so ``alpha_c`` itself is not tested. n = 4 points are reported:
at the affordable N <= 60 the heavy-tailed crosstalk (cubes of overlaps of
order sqrt(N)) makes the overlap 0.003-0.02 lower than RS at 0.75 ``alpha_c``,
a finite-size effect this theory does not model.

The upper edge is tested on its own near ``alpha_c``, where the excess is
largest: at alpha = 0.083 (``m_RS`` = 0.8754, ``Gamma C`` = 0.080) the mean
final overlap was 0.9212 +- 0.0065 (N = 200), 0.9339 +- 0.0039 (N = 300),
0.9277 +- 0.0035 (N = 400), 0.9285 +- 0.0029 (N = 600; 100 networks each,
seeds 999 + N and 777 + N), i.e. 0.66 of ``Gamma C`` above RS. A band whose
upper edge is too low by a factor 2 (the Onsager reaction with (n - 1) for
(n - 1)^2) ends at 0.9174-0.9195 there, 3.7 standard errors below the mean at
N = 300 with 100 networks. The ``edge`` points (quick: N = 400, 200
networks, mean 0.9307-0.9334 +- 0.0021-0.0025 at seeds 0-3; full: N = 600,
400 networks) therefore detect an upper edge that is low by about 43% of
``Gamma C`` with 80% power (the mean minus (2.576 + 0.84) standard errors),
while the correct edge lies 0.028-0.031 (12 standard errors) above the mean.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np

import theory.dense as td
import theory.dense_replica as tr
from simulations.checks.registry import Point, Unit, Work, per_case, register_check
from simulations.core.seeds import derive_seed
from simulations.checks.stats import t_point
from simulations.estimators.dense_replica import stationary_overlaps


def crosstalk_variance(xi: np.ndarray, state: np.ndarray, n: int, nu: int = 0) -> float:
    """Variance over bits of the crosstalk of the patterns other than ``nu`` at ``state``, in units of the signal scale.

    ``sum_{mu != nu} xi_i^mu D(x_mu) / (2 n N^(n-1))`` with ``D(x) = (x+1)^n - (x-1)^n`` and ``x_mu``
    the overlap without bit ``i`` (the update rule of ``hopfield.dense``), aligned with ``xi^nu``;
    plain numpy over (K, N) int64 arrays. Its large-N value is ``alpha c_n`` at the pattern and,
    for ``n >= 3``, at the fixed point too (no AGS amplification ``r = 1/(1 - C)^2``). Measured at
    n = 3, alpha = 0.075 (seeds 5000 + N + network): fixed point over pattern 1.072 +- 0.037 (N = 200,
    24 networks), 1.063 +- 0.020 (N = 400, 16), 1.052 +- 0.021 (N = 600, 8); the AGS form would be 2.1.
    """
    X = np.asarray(xi, dtype=np.int64)  # (K, N)
    s = np.asarray(state, dtype=np.int64)  # (N,)
    K, N = X.shape
    x = (X @ s)[:, None] - X * s[None, :]  # (K, N): overlaps without bit i
    h = (X * ((x + 1) ** n - (x - 1) ** n)).sum(axis=0) - X[nu] * ((x[nu] + 1) ** n - (x[nu] - 1) ** n)  # (N,)
    return float(np.var(h * X[nu] / (2.0 * n * float(N) ** (n - 1))))


def amplification_point(seed: int, N: int, alpha: float, networks: int, n: int = 3) -> Point:
    """Reported: the crosstalk variance at the fixed point over that at the pattern (AGS's ``r``; 1 for n >= 3)."""
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    P = int(round(alpha * N ** (n - 1)))
    ratios = []
    for ss in np.random.SeedSequence(int(derive_seed(seed, {"r": True, "N": N, "alpha": alpha}))).spawn(networks):
        rng = np.random.default_rng(ss)
        xi = random_binary(P, int(N), seed=rng)
        final = DenseAssociativeMemory(xi, F="poly", n=n).run(xi[0], seed=int(rng.integers(0, 2**62))).states[0]
        ratios.append(crosstalk_variance(xi, final, n) / crosstalk_variance(xi, xi[0], n))
    r = np.array(ratios)
    se = r.std(ddof=1) / np.sqrt(len(r))
    return Point(f"noise amplification r at the fixed point, n={n}, N={N}, alpha={alpha} (AGS-type theory: "
                 f"1/(1-C)^2; reported)", 1.0, float(r.mean()), float(r.mean() - 2.576 * se),
                 float(r.mean() + 2.576 * se), 0.0, None, True, {"N": N, "alpha": alpha, "networks": networks},
                 kind="reported")


def effective_alpha(alpha: float, N: int, n: int) -> float:
    """The load whose asymptotic noise equals the exact finite-N one-step noise: ``alpha c_n SNR^2 = 1``.

    ``theory.dense.snr_squared`` at ``K = alpha N^(n-1)`` is 1-1.5 % below its
    large-N value ``1/(alpha c_n)`` at n = 3, N = 100-200 (a slightly larger load); ``K`` is
    ``round(alpha N^(n-1))``, the number of patterns simulated.
    """
    K = int(round(alpha * N ** (n - 1)))  # the number of patterns simulated
    return float(1.0 / (tr.c_n(n) * float(td.snr_squared(n).evaluate(N=N, K=K))))


def band(alpha: float, N: int, n: int, networks: int) -> Tuple[float, float]:
    """The allowed interval ``[low, high]`` of the mean final overlap (besides sampling error).

    ``low = m_RS(alpha_eff) - 2/(N networks)``: the RS overlap at the load with
    the exact finite-N crosstalk variance (:func:`effective_alpha`), less one
    lattice step of a mean of ``networks`` overlaps (multiples of 2/N).
    ``high = m_RS(alpha) + max(Gamma C)`` over ``alpha`` and ``alpha_eff``: the
    excess of the dynamics over the RS state (``theory.dense_replica.reaction_excess``).
    """
    a_eff = effective_alpha(alpha, N, n)
    m = float(tr.retrieval_overlap(alpha, n))
    m_eff = float(tr.retrieval_overlap(a_eff, n))
    excess = max(float(tr.reaction_excess(alpha, n)), float(tr.reaction_excess(a_eff, n)))
    return m_eff - 2.0 / (N * networks), m + excess


@register_check(
    "dense-replica",
    families=("dense",),
    figures=("dense-replica",), derivations=("dense-replica",),
    split=True,
    title="dense memory (n = 3) overlap after T = 0 dynamics from a pattern vs RS m(alpha), P = alpha N^2",
    theory="theory.dense_replica.retrieval_overlap: m = erf(m^(n-1)/sqrt(2 alpha (2n-3)!!)), alpha_c(3) = 0.08406 "
           "(RS theory of p-spin Hebbian networks, Gardner 1987; constants for Krotov & Hopfield's rule, amlab)",
    test="t-test (99%) of the mean final overlap over independent networks (one run each) against a one-sided "
         "band (the tolerance): from m_RS at the exact finite-N load (minus one lattice step 2/(N n)) up to m_RS + Gamma C, the "
         "linear-response excess of dynamics from the pattern over the RS state (Onsager self-reaction); Holm "
         "over the points at 1%. The upper edge is tested near alpha_c (alpha = 0.083, where the measured excess is "
         "about 2/3 of Gamma C; quick N = 300, full N = 600). Reported, not tested: one load above alpha_c (the dynamics keeps the pattern at "
         "these N), n = 4 at N <= 60, and the measured noise amplification r (crosstalk variance at the fixed point "
         "over that at the pattern; AGS-type theory would give 1/(1-C)^2 ~ 2 at alpha = 0.075).",
    quick={"Ns": [100, 200], "alphas": [0.05, 0.065, 0.075, 0.08], "networks": 100, "report": [[4, 60, 0.008]],
           "above": 0.1, "amplification": 12, "edge": [[400, 0.083, 200]]},
    full={"Ns": [100, 200, 400], "alphas": [0.05, 0.06, 0.065, 0.07, 0.075, 0.08], "networks": 200,
          "report": [[4, 40, 0.008], [4, 60, 0.008], [4, 60, 0.01]], "above": 0.1, "amplification": 20,
          "edge": [[600, 0.083, 400]]},
)
def dense_replica(*, seed: int, Ns: Sequence[int], alphas: Sequence[float], networks: int,
                  report: Sequence[Sequence[int]], above: float, amplification: int = 0,
                  edge: Sequence[Sequence[float]] = ()) -> Work:
    """One unit of work per (n, N, alpha) (:func:`dense_replica_case`), one for the noise amplification.

    ``edge`` lists ``[N, alpha, networks]`` points near ``alpha_c`` (n = 3), tested like the others; there the
    measured excess over RS is about 2/3 of ``Gamma C``, so they are the points that test the band's upper edge.
    """
    cases = [dict(n=3, N=int(N), alpha=float(a), reported=False) for N in Ns for a in alphas]
    cases += [dict(n=3, N=int(Ns[-1]), alpha=float(above), reported=True)]
    cases += [dict(n=int(n), N=int(N), alpha=float(a), reported=True) for n, N, a in report]
    work = per_case(dense_replica_case, cases, dict(seed=seed, networks=networks),
                    cost=lambda n, N, alpha, reported: alpha * float(N) ** (n + 1))  # P N per sweep, ~N sweeps
    for N, a, k in edge:
        work.units.extend(per_case(dense_replica_case, [dict(n=3, N=int(N), alpha=float(a), reported=False)],
                               dict(seed=seed, networks=int(k)),
                               cost=lambda n, N, alpha, reported: int(k) * alpha * float(N) ** (n + 1) / networks,
                               label=lambda n, N, alpha, reported: f"upper edge: N={N}, alpha={alpha}").units)
    if amplification:
        work.units.append(Unit(amplification_case, dict(seed=seed, N=int(Ns[-1]), alpha=0.075, runs=amplification),
                               0.075 * float(Ns[-1]) ** 4 * amplification / networks, "amplification"))
    return work


def dense_replica_case(*, seed: int, n: int, N: int, alpha: float, networks: int, reported: bool) -> List[Point]:
    """The point of ``dense-replica`` at (n, N, alpha)."""
    return [replica_point(seed, n, N, alpha, networks, reported=reported)]


def amplification_case(*, seed: int, N: int, alpha: float, runs: int) -> List[Point]:
    """The reported noise-amplification point of ``dense-replica``."""
    return [amplification_point(seed, N, alpha, runs)]


def replica_point(seed: int, n: int, N: int, alpha: float, networks: int, reported: bool = False) -> Point:
    """One (n, N, alpha) point: its own seed ``derive_seed(seed, {n, N, alpha})``, its own simulation."""
    r = stationary_overlaps(derive_seed(seed, {"n": n, "N": N, "alpha": alpha}), N, alpha, n, networks)
    m_rs = float(tr.retrieval_overlap(alpha, n))
    mean, sd = float(r["m"].mean()), float(r["m"].std(ddof=1))
    params = {"n": n, "N": N, "alpha": alpha, "P": r["P"], "networks": networks, "converged": r["converged"],
              "m_rs": m_rs}
    se = sd / np.sqrt(networks)
    if not reported and not np.isfinite(m_rs):  # a tested load with no RS retrieval state: the theory fails
        return Point(f"n={n}, N={N}, alpha={alpha}: no RS retrieval state", m_rs, mean, mean - 2.576 * se,
                     mean + 2.576 * se, 0.0, None, False, params)
    if reported:
        return Point(f"n={n}, N={N}, alpha={alpha} (RS m = {m_rs:.4f}; reported)", m_rs, mean,
                     mean - 2.576 * se, mean + 2.576 * se, 0.0, None, True, params, kind="reported")
    lo, hi = band(alpha, N, n, networks)
    params.update(low=lo, high=hi)
    return t_point(f"n={n}, N={N}, alpha={alpha} (RS m = {m_rs:.4f}, band [{lo:.4f}, {hi:.4f}])", mean, sd,
                   networks, (lo + hi) / 2, (hi - lo) / 2, level=0.99, params=params)

"""``dense-basin``: the dense memory's first step from noisy cues, and the fixed point it reaches.

Cues have exactly ``round(N (1 - m0)/2)`` bits of a stored pattern flipped;
``F(x) = x^n`` (n = 3, 4) at ``K`` chosen so that the leading-order
signal-to-noise ratio ``m0^(n-1) sqrt(N^(n-1)/((2n-3)!! K))`` is 1 (where the
one-step overlap is most sensitive to the signal).

Tested, per case (networks are the independent unit, t-tests, Holm at 1%):

* the mean overlap after one synchronous step against its exact finite-N law
  (``simulations.estimators.dense_basin.exact_one_step``: the K - 1 noise terms
  are i.i.d., so the law is their lattice convolution), tolerance 0;
* the same against the finite-N signal-to-noise form ``theory.dense_basin.one_step``
  (signal ``D(N m0 -+ 1)``: the field excludes bit i; exact noise variance),
  tolerance its own error: twice Edgeworth's kurtosis term plus the lattice mass
  (``gaussian_tolerance``), computed from the exact moments of one noise term.

Reported: the leading-order ``erf(m0^(n-1)/sqrt(2 alpha (2n-3)!!))`` and its
``1/N`` expansion with the simulation's distance from them in standard errors,
and the overlap at the end of the asynchronous dynamics (no closed form of the
fixed point reached from a cue is claimed) beside the replica-symmetric
retrieval overlap of ``theory.dense_replica``.

Minimum detectable error: a point of tolerance ``tol`` and standard error
``se`` detects a deviation of the true mean from its prediction of
``tol + (z_0.995 + z_0.8) se = tol + 3.42 se`` with 80% power at level 1% (before
Holm's correction over the tested points; normal approximation to t at these
network counts). At quick size (seed 0) ``se`` is about 0.0012 (n = 3, N = 50,
1500 networks) and 0.0014 (n = 4, N = 30, 1000 networks): 0.004-0.005 against
the exact law, 0.012 (n = 3) and 0.03 (n = 4, N = 30, where the noise is far
from Gaussian) against the Gaussian form. The ``dense-no-cross-term`` mutant
(the n = 3 kernel without ``- 2 s_i A``) raises ``m1`` by about 0.008 at N = 50:
detected by the exact-law point.
"""

from __future__ import annotations

from typing import List, Sequence

import math

import theory.dense_basin as tb
import theory.dense_replica as tr
from simulations.checks.registry import Point, register_check
from simulations.checks.stats import t_point
from simulations.core.progress import steps
from simulations.core.seeds import derive_seed
from simulations.estimators import dense_basin as est

#: Leading-order signal-to-noise ratio at which each case is run.
Z_TEST = 1.0
#: z_{1 - 0.01/2} + z_{0.8}: the power multiplier of the minimum detectable error.
MDE_FACTOR = 2.5758293035489 + 0.8416212335729


def _reported(p: Point, **params) -> Point:
    return Point(**{**p.__dict__, "p_value": None, "ok": True, "kind": "reported", "params": {**p.params, **params}})


@register_check(
    "dense-basin",
    families=("dense",), seconds={"quick": 4.0, "full": 20.0},
    figures=("dense-bit-error",), derivations=("dense-basin", "dense-snr"),
    title="dense memory from cues at overlap m0, n = 3, 4: one synchronous step vs its exact law and the finite-N "
          "SNR form; the fixed point reported",
    theory="theory.dense_basin.one_step(n): m1 = (1-f) erf(D(N m0 - 1)/sqrt(2V)) + f erf(D(N m0 + 1)/sqrt(2V)), "
           "V = (K-1) E[D(y)^2], f = (1-m0)/2 (Krotov & Hopfield 2016 eq. 4 and their signal-to-noise estimate, "
           "finite N); leading order erf(m0^(n-1)/sqrt(2 alpha (2n-3)!!)) at P = alpha N^(n-1); the exact lattice "
           "law of the one-step overlap (simulations.estimators.dense_basin.exact_one_step)",
    test="t-tests over independent networks (cues with exactly N(1-m0)/2 flipped bits, one synchronous step) of the "
         "mean overlap: against the exact law with tolerance 0, and against the Gaussian form with tolerance twice "
         "Edgeworth's kurtosis term plus the lattice mass (its own error); Holm at 1%. Leading order, its 1/N "
         "expansion and the fixed point of the asynchronous dynamics are reported. Minimum detectable error at 80% "
         "power: tolerance + 3.42 standard errors (point params 'mde').",
    quick={"cases": [[3, 50], [4, 30]], "m0": 0.6, "networks": [1500, 1000], "cues": 10, "max_sweeps": 100},
    full={"cases": [[3, 50], [3, 100], [4, 30], [4, 50]], "m0": 0.6, "networks": [3000, 3000, 2000, 1500],
          "cues": 10, "max_sweeps": 100},
)
def dense_basin(*, seed: int, cases: Sequence[Sequence[int]], m0: float, networks: Sequence[int], cues: int,
                max_sweeps: int) -> List[Point]:
    if len(networks) != len(cases):
        raise ValueError(f"networks must give one count per case ({len(cases)}), got {len(networks)}")
    points = []
    for (n, N), nets in steps(list(zip([tuple(c) for c in cases], networks)), "dense-basin"):
        n, N, nets = int(n), int(N), int(nets)
        K = est.k_at_z(N, n, m0, Z_TEST)
        d = est.flipped_bits(N, m0)
        m = (N - 2 * d) / N  # the cue's exact overlap
        alpha = K / N ** (n - 1)
        r = est.dense_basin(seed=derive_seed(seed, {"n": n, "N": N, "K": K, "m0": m}), N=N, K=K, n=n, m0=m,
                            networks=nets, cues=cues, max_sweeps=max_sweeps)
        mean, sd = r["m1_mean"], r["m1_sd"]
        se = sd / math.sqrt(nets)
        params = {"n": n, "N": N, "K": K, "m0": m, "networks": nets, "cues": r["cues"]}
        tag = f"n={n}, N={N}, K={K}, m0={m:g}"

        exact = est.exact_one_step(N, K, n, m)
        points.append(t_point(f"{tag}: one-step overlap vs its exact law", mean, sd, nets, exact, 0.0, level=0.99,
                              params={**params, "mde": MDE_FACTOR * se}))
        gauss = float(tb.one_step(n).evaluate(N=N, K=K, m0=m))
        tol = est.gaussian_tolerance(N, K, n, m)
        points.append(t_point(f"{tag}: one-step overlap vs the finite-N SNR form", mean, sd, nets, gauss, tol,
                              level=0.99, params={**params, "mde": tol + MDE_FACTOR * se}))
        lead = float(tb.one_step_leading(n).evaluate(m0=m, alpha=alpha))
        first = float(tb.one_step_first_order(n).evaluate(N=N, m0=m, alpha=alpha))
        p = t_point(f"{tag}: leading order erf(m0^(n-1)/sqrt(2 alpha (2n-3)!!)) (reported; "
                    f"{(mean - lead) / se:+.1f} se; 1/N form {first:.4f}: {(mean - first) / se:+.1f} se)",
                    mean, sd, nets, lead, 0.0, level=0.99, params=params)
        points.append(_reported(p, first_order=first))
        rs = float(tr.retrieval_overlap(alpha, n))
        p = t_point(f"{tag}: overlap at the end of the asynchronous dynamics, {r['converged']}/{nets * r['cues']} "
                    f"converged (reported; RS retrieval overlap {rs:.4f})", r["m_final_mean"], r["m_final_sd"], nets,
                    rs, 0.0, level=0.99, params=params)
        points.append(_reported(p, converged=r["converged"]))
    return points

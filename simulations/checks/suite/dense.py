"""Checks of dense associative memories (Krotov & Hopfield 2016; docs/references.md, dense).

``dense-bit-error``: one-step bit error for n = 2..5 (and rectified n = 3) vs
Phi(-SNR) with the exact finite-N SNR.
``dense-exact-one-step``: the same one-step error through the full dynamics
kernel, against its exact law (no Gaussian step, no tolerance but the
sampling error), and P(a stored pattern is a fixed point of the asynchronous
dynamics), which must equal P(no bit unstable) network by network.
``dense-random-starts``: the appendix-B protocol (N = 100, K = 2000, random
starts): n = 2, 3 fail, n >= 5 always end on a memory.
``dense-capacity``: K_1/2 for n = 3 against eq. 6 over N in [50, 200];
rectified F reported beside the polynomial one.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import math

import numpy as np

import theory.dense as td
from simulations.estimators import dense as dense_est
from simulations.estimators.dense_tail import exact_error, k_at_error, tail_tolerance
from simulations.core.fits import logistic_crossing
from simulations.core.progress import steps
from simulations.core.seeds import derive_seed
from simulations.checks.registry import Point, register_check
from simulations.checks.stats import binomial_point, estimate_point, t_point

#: The one-step error at which each case is tested: in the tail, where the Gaussian
#: approximation is being tested, but not so deep that Edgeworth's expansion fails.
P_TEST = 0.03


@register_check(
    "dense-bit-error",
    families=("dense",), seconds={"quick": 69.4, "full": 12.98},
    figures=("dense-bit-error",), derivations=("dense-snr",),
    title="dense memory one-step bit error vs Phi(-SNR), exact finite-N SNR, n = 2..5",
    theory="theory.dense.bit_error(n, F): SNR^2 = S^2 / ((K-1) E[D(y)^2]) with exact moments of the "
           "Rademacher sum y (Krotov & Hopfield 2016: update eq. 4 and its signal-to-noise estimate)",
    test="t-test of the mean per-network error rate over independent networks (cues: stored patterns, one "
         "synchronous step), Holm at 1%, at K where the Gaussian error is 3%. Tolerance: twice the Edgeworth "
         "kurtosis term phi(z) gamma2 (z^3-3z)/(24(K-1)) of the sum of K-1 independent noise terms, plus the "
         "lattice (tie) mass phi(z) h/sigma, from the exact law of one term.",
    quick={"cases": [[2, 300, "poly"], [3, 100, "poly"], [4, 50, "poly"], [5, 36, "poly"], [3, 100, "rectified"],
                     [4, 50, "rectified"]], "networks": 60, "cues": 200},  # as full: 13 s; smaller misses the asymptotic SNR
    full={"cases": [[2, 300, "poly"], [3, 100, "poly"], [4, 50, "poly"], [5, 36, "poly"], [3, 100, "rectified"],
                    [4, 50, "rectified"]], "networks": 60, "cues": 200},
)
def dense_bit_error(*, seed: int, cases: Sequence[Sequence[int]], networks: int, cues: int) -> List[Point]:
    points = []
    for n, N, F in steps(cases, "dense-bit-error"):
        K = k_at_error(N, n, P_TEST, F)
        pred = float(td.bit_error(n, F).evaluate(N=N, K=K))
        tol = tail_tolerance(N, K, n, F)
        r = dense_est.dense_bit_error(seed=derive_seed(seed, {"n": n, "N": N, "F": F, "K": K}), N=N, K=K, n=n, F=F, networks=networks, cues=cues)
        points.append(t_point(f"{F} n={n}, N={N}, K={K}", r["rate_mean"], r["rate_sd"], networks, pred, tol,
                                    level=0.99, params={"n": n, "N": N, "K": K, "F": F}))
    return points


def one_step_and_fixed(seed: int, N: int, K: int, n: int, F: float, networks: int,
                       cues: int) -> Tuple[np.ndarray, int, int]:
    """Per network: the fraction of unstable bits of the first ``cues`` patterns after one
    synchronous step, and how many of them are fixed points of the asynchronous dynamics.

    Both go through ``DenseAssociativeMemory.run`` (the dynamics kernel). A pattern
    is a fixed point of the asynchronous dynamics iff its first sweep flips
    nothing (``max_sweeps=1`` and ``converged``), which must coincide with "no
    bit unstable at the pattern" pattern by pattern.
    """
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    rates, fixed, mismatches = [], 0, 0
    for rng in [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(int(networks))]:
        xi = random_binary(int(K), int(N), seed=rng)
        c = min(int(cues), int(K))
        net = DenseAssociativeMemory(xi, F=F, n=int(n))
        sync = net.run(xi[:c], schedule="sync", max_sweeps=1, seed=int(rng.integers(0, 2**62)))
        unstable = np.count_nonzero(sync.states != xi[:c], axis=1)  # (c,)
        asyn = net.run(xi[:c], schedule="async", max_sweeps=1, seed=int(rng.integers(0, 2**62)))
        rates.append(unstable.sum() / (c * int(N)))
        fixed += int(np.count_nonzero(asyn.converged))
        mismatches += int(np.count_nonzero(asyn.converged != (unstable == 0)))
    return np.asarray(rates), fixed, mismatches


@register_check(
    "dense-exact-one-step",
    families=("dense",), seconds={"quick": 0.5, "full": 9.38},
    figures=("dense-bit-error",),
    title="dense memory: one-step error through the dynamics kernel vs its exact law; async fixed points",
    theory="simulations.estimators.dense_tail.exact_error: the K-1 aligned noise terms b_mu D(y_mu) of eq. 4 "
           "(Krotov & Hopfield 2016) are i.i.d. with a known lattice law, so the one-step error is the tail of "
           "their (K-1)-fold convolution, computed exactly (FFT on the lattice)",
    test="t-test (networks are the independent unit) of the mean per-network fraction of bits that one "
         "synchronous step flips at a stored pattern, against the exact error with no tolerance (the law is "
         "exact; FFT rounding is below 1e-9); Holm at 1%. Deterministic: a stored pattern is a fixed point of "
         "the asynchronous dynamics exactly when no bit is unstable at it (every pattern, every network); "
         "P(fixed) is reported.",
    quick={"cases": [[3, 50, "poly"], [2, 100, "poly"], [3, 50, "rectified"]], "networks": 24, "cues": 60},
    full={"cases": [[3, 50, "poly"], [3, 100, "poly"], [2, 300, "poly"], [4, 40, "poly"], [3, 100, "rectified"]],
          "networks": 30, "cues": 400},
)
def dense_exact_one_step(*, seed: int, cases: Sequence[Sequence[int]], networks: int, cues: int) -> List[Point]:
    points = []
    for n, N, F in steps(cases, "dense-exact-one-step"):
        K = k_at_error(N, n, P_TEST, F)
        pred = exact_error(N, K, n, F)
        rates, fixed, bad = one_step_and_fixed(derive_seed(seed, {"n": n, "N": N, "F": F, "K": K, "exact": 1}),
                                               N, K, n, F, networks, cues)
        params = {"n": n, "N": N, "K": K, "F": F}
        points.append(t_point(f"{F} n={n}, N={N}, K={K}: one-step error vs exact", rates.mean(), rates.std(ddof=1),
                              networks, pred, 0.0, level=0.99, params=params))
        total = networks * min(cues, K)
        p = binomial_point(f"{F} n={n}, N={N}, K={K}: {fixed}/{total} patterns fixed under async dynamics "
                           f"(reported; independent-bit (1-p)^N = {(1 - pred) ** N:.3f})", fixed, total,
                           (1 - pred) ** N, 0.0, level=0.99)
        points.append(Point(**{**p.__dict__, "p_value": None, "ok": True, "kind": "reported", "params": params}))
        points.append(Point(f"{F} n={n}, N={N}, K={K}: async fixed <=> no unstable bit ({bad} mismatches)", 0.0,
                            float(bad), float(bad), float(bad), 0.0, None, bad == 0, params))
    return points


#: Appendix B says "fail" for n = 2, 3 and "always converge" for n >= 5. As a test:
#: at most 5% of starts end on a memory (n = 2, 3; the planning measurement found 0%),
#: at least 98% do (n >= 5; the paper saw all of 10 000). n = 4 is "at the edge": reported.
FAIL_AT_MOST = 0.05
SUCCEED_AT_LEAST = 0.98


@register_check(
    "dense-random-starts",
    families=("dense",), seconds={"quick": 0.3, "full": 1.57},
    figures=("dense-capacity",),
    title="Krotov-Hopfield appendix B: N=100, K=2000, random starts; n=2,3 fail, n>=5 end on a memory",
    theory="Krotov & Hopfield 2016, appendix B (10 000 random starts): n = 2, 3 fail, n = 4 at the edge, "
           "n >= 5 converge to a memory from every start",
    test=f"exact binomial test on starts ending exactly on a memory: fraction 0 with tolerance {FAIL_AT_MOST} "
         f"for n = 2, 3; fraction 1 with tolerance {1 - SUCCEED_AT_LEAST:.2f} for n >= 5 (Holm at 1%); "
         "n = 4 reported",
    quick={"N": 100, "K": 2000, "ns": [2, 3, 4, 5], "starts": 60},
    full={"N": 100, "K": 2000, "ns": [2, 3, 4, 5, 6], "starts": 400},
)
def dense_random_starts(*, seed: int, N: int, K: int, ns: Sequence[int], starts: int) -> List[Point]:
    points = []
    for n in steps(ns, "dense-random-starts"):
        r = dense_est.dense_random_start(seed=derive_seed(seed, {"n": n, "N": N, "K": K}), N=N, K=K, n=n, F="poly", starts=starts, max_sweeps=100)
        k = r["memory"]
        label = f"n={n}, N={N}, K={K}: {k}/{starts} on a memory"
        if n <= 3:
            points.append(binomial_point(label, k, starts, 0.0, FAIL_AT_MOST, level=0.99, params={"n": n}))
        elif n >= 5:
            points.append(binomial_point(label, k, starts, 1.0, 1 - SUCCEED_AT_LEAST, level=0.99, params={"n": n}))
        else:
            p = binomial_point(label + " (at the edge; reported)", k, starts, k / starts, 0.0, level=0.99)
            points.append(Point(**{**p.__dict__, "p_value": None, "ok": True, "params": {"n": n}, "kind": "reported"}))
    return points


#: Eq. 6 is the asymptotic capacity at which a memory's bits are all stable; K_1/2 is
#: where half of random starts end exactly on a memory. The paper's figure shows the
#: two agreeing for the polynomial n = 3 model over 50 <= N <= 200; the planning
#: measurement found K_1/2 ~ 400-450 at N = 100, 10-25% above eq. 6's 362. The
#: tolerance, 40% of eq. 6, covers that offset and the logarithmic finite-N corrections
#: of eq. 6 at N = 50 (ln N = 3.9), while a formula for another n (x3 or /3) fails.
K_HALF_TOLERANCE = 0.40


@register_check(
    "dense-capacity",
    families=("dense",), seconds={"quick": 0.1, "full": 9.82},
    figures=("dense-capacity",), derivations=("dense-snr",),
    title="K_1/2 (half of random starts end on a memory) for n=3 vs eq. 6, N in [50, 200]; rectified reported",
    theory="theory.dense.k_max_error_free(3): K ~ N^2 / (2 * 3!! * ln N) (Krotov & Hopfield 2016, eq. 6)",
    test="per N, logistic fit over a K grid (around eq. 6) of the fraction of random starts ending exactly on a "
         "memory; z-test of K_1/2 against eq. 6 with tolerance 40% of eq. 6 (asymptotic formula vs a 50% point; "
         "paper and planning measurements), Holm at 1%. Rectified F: K_1/2 reported.",
    quick={"Ns": [50, 100], "factors": [0.6, 1.0, 1.4, 1.9], "starts": 40, "rectified": True},
    full={"Ns": [50, 75, 100, 150, 200], "factors": [0.5, 0.75, 1.0, 1.25, 1.5, 1.9, 2.4], "starts": 200,
          "rectified": True},
)
def dense_capacity(*, seed: int, Ns: Sequence[int], factors: Sequence[float], starts: int,
                   rectified: bool) -> List[Point]:
    points = []
    Fs = ["poly", "rectified"] if rectified else ["poly"]
    cases = [(F, N) for F in Fs for N in Ns]
    for F, N in steps(cases, "dense-capacity"):
        k6 = float(td.k_max_error_free(3).evaluate(N=N))
        Ks = sorted({max(2, int(round(f * k6))) for f in factors})
        hits = []
        for K in Ks:
            r = dense_est.dense_random_start(seed=derive_seed(seed, {"F": F, "N": N, "K": K}), N=N, K=K, n=3, F=F, starts=starts,
                                              max_sweeps=100)
            hits.append(r["memory"])
        k = np.array(hits)
        n = np.full(len(Ks), starts)
        label = f"{F} n=3, N={N}: K_1/2 vs eq. 6 = {k6:.1f}"
        if not (k[0] / n[0] > 0.5 > k[-1] / n[-1]):
            points.append(Point(label + ": no crossing inside the K grid", k6, float("nan"), float("nan"),
                                float("nan"), 0.0, None, F != "poly", {"N": N, "K": Ks, "hits": hits},
                                kind="reported" if F != "poly" else "band"))
            continue
        kh, se = logistic_crossing(np.log(Ks), k, n)  # logistic in ln K: the curve is steep on a log scale
        K_half, se_K = math.exp(kh), math.exp(kh) * se
        p = estimate_point(label, K_half, se_K, k6, K_HALF_TOLERANCE * k6, level=0.99,
                           params={"N": N, "F": F, "K": Ks, "hits": hits, "starts": starts})
        if F != "poly":  # reported either way
            p = Point(**{**p.__dict__, "label": label + " (rectified: reported)", "p_value": None, "ok": True,
                         "kind": "reported"})
        points.append(p)
    return points

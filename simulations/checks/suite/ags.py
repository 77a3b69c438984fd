"""Checks of the Amit-Gutfreund-Sompolinsky replica-symmetric theory (docs/references.md, ags).

``ags-overlap``: the overlap reached by T = 0 asynchronous dynamics started at a
stored pattern, against m(alpha) of the RS equations, below alpha_c.
``ags-critical``: the storage load alpha_c(N) at which half of the runs lose
the pattern, for several N, extrapolated by a fit and compared with 0.138.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np

import theory.ags as ags
from simulations.estimators import ags as ags_est
from simulations.core.fits import finite_size_fit, finite_size_fit_free, logistic_fit
from simulations.core.seeds import derive_seed
from simulations.checks.registry import Point, Work, per_case, register_check
from simulations.checks.stats import binomial_point, estimate_point, t_point

#: A run "keeps" the pattern when its final overlap exceeds this; runs that lose
#: it end near m ~ 0.3 (the spin-glass-like states), far from the threshold.
RETRIEVED = 0.8


def overlap_tolerance(m: float, N: int, n: int) -> float:
    """Allowance for the RS value's known error at finite N: 30% of 1 - m, plus 2/(N n).

    ``0.3 (1 - m)``: the RS solution is the N -> infinity, replica-symmetric
    value: replica symmetry breaking moves alpha_c by 3e-4 (0.1379 -> 0.1382)
    and m at the 1e-4 level; at N = 1000-5000 the fraction of wrong bits of the
    retrieval state, (1 - m)/2, carries finite-size corrections near alpha_c,
    where the basin is shallow (measured: within 10-30% of the RS value at
    N = 1000).

    ``2/(N n)``: the resolution of the sample mean. A run's overlap is a
    multiple of 2/N, so the mean of ``n`` runs moves in steps of 2/(N n), one
    wrong bit in the whole sample. Far below alpha_c the RS fraction of wrong
    bits is so small (alpha = 0.04: N (1 - m)/2 = 3e-4 wrong bits per run at
    N = 1000) that every run ends exactly on the pattern; the sample then has
    no variance, and a t-test without this term rejects any RS value below 1
    (it failed so at full size, alpha = 0.04, N = 1000 and 2000). The term is
    that one step of the lattice, not a model of finite-size corrections: at
    N = 1000, n = 200 it is 1e-5, against the 2/N = 2e-3 allowance it
    replaces, which let the one-step overlap erf(1/sqrt(2 alpha)) (0.0045
    above RS at alpha = 0.125) pass at quick size.
    """
    return 0.3 * (1.0 - m) + 2.0 / (N * n)


@register_check(
    "ags-overlap",
    families=("classical",), seconds={"quick": 26.9, "full": 22.93},
    figures=("ags-overlap",), derivations=("ags",),
    title="overlap after T=0 asynchronous dynamics from a stored pattern vs RS m(alpha), alpha < alpha_c",
    theory="theory.ags.retrieval_overlap: m = erf(y), alpha(y) = (erf(y)/y - 2 exp(-y^2)/sqrt(pi))^2 / 2 "
           "(Amit, Gutfreund & Sompolinsky 1987, replica-symmetric, T = 0)",
    test="t-test of the mean final overlap of the runs that keep the pattern (m > 0.8), one cue per network "
         "so runs are independent, Holm over the alpha grid at 1%. Tolerance 0.3 (1 - m) + 2/(N n): "
         "finite-size and RSB corrections to the fraction of wrong bits, plus one lattice step of the mean "
         "of n runs (runs that all end on the pattern have no variance).",
    quick={"Ns": [1000], "alphas": [0.06, 0.1, 0.12, 0.125], "networks": 200},
    full={"Ns": [1000, 2000, 5000], "alphas": [0.04, 0.06, 0.08, 0.1, 0.11, 0.12, 0.125], "networks": 200},
    split=True, key="alpha=0.125",
)
def ags_overlap(*, seed: int, Ns: Sequence[int], alphas: Sequence[float], networks: int) -> Work:
    """One unit per (N, alpha) (``overlap_case``)."""
    return per_case(overlap_case, [{"N": N, "a": a} for N in Ns for a in alphas], {"seed": seed, "networks": networks},
                    cost=lambda N, a: N * N, label=lambda N, a: f"N={N}, alpha={a}")


def overlap_case(*, seed: int, N: int, a: float, networks: int) -> List[Point]:
    """The point of ``ags-overlap`` at (N, alpha = a): a list of one Point."""
    m = float(ags.retrieval_overlap(a))
    r = ags_est.ags_overlap(seed=derive_seed(seed, {"N": N, "alpha": a}), N=N, alpha=a, P=None,
                               networks=networks, cues=1, max_sweeps=200, threshold=RETRIEVED)
    if r["retrieved"] < 2:
        return [Point(f"N={N}, alpha={a}", m, float("nan"), float("nan"), float("nan"), 0.0, None,
                      False, {"N": N, "alpha": a, "retrieved": r["retrieved"]})]
    label = f"N={N}, alpha={a} ({r['retrieved']}/{r['trials']} kept)"
    params = {"N": N, "alpha": a, "P": r["P"], "kept": r["retrieved"], "trials": r["trials"]}
    if r["m_retrieved_sd"] == 0.0:
        return [wrong_bits_point(label, r["m_retrieved_mean"], r["retrieved"], N, m, params)]
    return [t_point(label, r["m_retrieved_mean"], r["m_retrieved_sd"], r["retrieved"], m,
                    overlap_tolerance(m, N, r["retrieved"]), level=0.99, params=params)]


def wrong_bits_point(label: str, mean: float, n: int, N: int, m: float, params: dict) -> Point:
    """The point of a sample whose ``n`` runs all end on the same overlap (no variance: no t-test).

    Far below alpha_c every run can end exactly on the pattern: at alpha = 0.06, N = 1000 the RS
    fraction of wrong bits (1 - m)/2 = 2.3e-5 makes 0.023 wrong bits a run, so 200 perfect runs
    happen with probability e^-4.5 = 1.1%, and a t-test (standard error 0) would fail them with
    p = 0. The count of wrong bits, ``n N (1 - mean)/2``, is tested instead against the RS
    fraction with the same relative allowance as the t-test's (0.3 of 1 - m, i.e. 0.15 (1 - m) on
    the fraction): exact binomial over the ``n N`` bits. Bits of one run are not independent
    (an error can drag neighbours along), which the binomial ignores: it then overstates the
    evidence, so a pass here is not weaker than the t-test's.
    """
    k = int(round(n * N * (1.0 - float(mean)) / 2.0))
    return binomial_point(label + ": wrong bits", k, n * N, (1.0 - m) / 2.0, 0.15 * (1.0 - m), level=0.99,
                          method="exact", params={**params, "wrong_bits": k})


#: The finite-size ansaetze of alpha_c(N) whose spread is the extrapolation's systematic error:
#: gamma = 1/2 fixed, and gamma free (reported with its interval).
ANSAETZE = ("gamma = 1/2", "gamma free")


def critical_points(Ns: Sequence[int], xs: Sequence[float], ses: Sequence[float], crit: float) -> List[Point]:
    """Extrapolate the crossings ``xs`` (standard errors ``ses``) at sizes ``Ns`` and test ``crit``.

    Two ansaetze for alpha_c(N) = alpha_c + a N^-gamma are fitted by weighted
    least squares, each intercept with its standard error (inflated by
    sqrt(chi2/dof) when that exceeds 1): gamma = 1/2 fixed (a random O(N^-1/2)
    perturbation of the saddle-node at which the retrieval branch ends moves
    that point linearly; the asymptotic form) and gamma free (the form that
    describes N = 250-5000: chi2/dof 0.1-2.4 over 8 seeds, gamma = 0.59-0.73,
    against 1.1-7.3 for gamma = 1/2). Their intercepts differ by 0.004-0.007
    (``benchmarks/results/ags_finite_size.json``); which one is right cannot be
    told from N <= 5000 (an N = 10000 crossing lies 0.0008, two standard errors,
    below the free fit's prediction, so the effective exponent keeps falling). That spread is the
    extrapolation's systematic error: the test is a z-test of the midpoint of
    the two intercepts against ``crit``, with half their difference as the
    tolerance and the larger of the two standard errors as the sampling error.

    Returns
    -------
    list of Point
        The crossings, the free exponent and both intercepts (reported), and
        the tested point, last.

    Examples
    --------
    >>> Ns = [250, 500, 1000, 2000, 5000]
    >>> xs = [0.1986, 0.1788, 0.1651, 0.1572, 0.1507]  # mean full-size crossings, seeds 0-7
    >>> ses = [0.0016, 0.0009, 0.0006, 0.0005, 0.0004]
    >>> critical_points(Ns, xs, ses, 0.1379)[-1].p_value > 0.01
    True
    >>> critical_points(Ns, xs, ses, 0.15)[-1].p_value < 0.01
    True
    """
    fit = finite_size_fit_free(Ns, xs, ses)
    h_inf, h_se, h_a, h_red = finite_size_fit(Ns, xs, ses, gamma=0.5)
    points = []
    for N, xc, se in zip(Ns, xs, ses):
        yf = fit["y_inf"] + fit["a"] * N ** -fit["gamma"]
        points.append(Point(f"alpha_c(N={N}) crossing (free fit gives {yf:.4f}; reported)", yf, xc,
                            xc - 2.576 * se, xc + 2.576 * se, 0.0, None, True, {"N": N, "se": se}, kind="reported"))
    points.append(Point(f"finite-size exponent gamma = {fit['gamma']:.3f} +- {fit['se_gamma']:.3f} (reported)",
                        float("nan"), fit["gamma"], fit["gamma"] - 2.576 * fit["se_gamma"],
                        fit["gamma"] + 2.576 * fit["se_gamma"], 0.0, None, True, dict(fit), kind="reported"))
    for name, y0, se0, a0, g0, red in (("gamma free", fit["y_inf"], fit["se_inf"], fit["a"], fit["gamma"],
                                        fit["chi2_per_dof"]), ("gamma = 1/2", h_inf, h_se, h_a, 0.5, h_red)):
        points.append(Point(f"alpha_c with {name}: {y0:.4f} +- {se0:.4f} ({y0:.4f} + {a0:.3f} N^-{g0:.2f}, "
                            f"chi2/dof {red:.2g}; reported)", crit, y0, y0 - 2.576 * se0, y0 + 2.576 * se0, 0.0,
                            None, True, {"a": a0, "gamma": g0, "se": se0, "chi2_per_dof": red}, kind="reported"))
    lo, hi = min(fit["y_inf"], h_inf), max(fit["y_inf"], h_inf)
    mid, half, se = (lo + hi) / 2, (hi - lo) / 2, max(fit["se_inf"], h_se)
    points.append(estimate_point(f"alpha_c extrapolated: {mid:.4f} +- {se:.4f} (sampling) +- {half:.4f} "
                                 f"(spread of the two ansaetze)", mid, se, crit, half, level=0.99,
                                 params={"free": dict(fit), "half": {"y_inf": h_inf, "se_inf": h_se, "a": h_a,
                                                                     "chi2_per_dof": h_red},
                                         "crossings": list(xs), "se": list(ses), "Ns": list(Ns)}))
    return points


#: ``ags-critical --huge``: sizes up to 5 10^4 on the GPU (``--device gpu``); the grid spans the
#: transitions of N = 5000 (0.14-0.165) to N = 50 000 (about 0.141-0.147).
HUGE = {"Ns": [2000, 5000, 10000, 20000, 50000],
        "alphas": [0.13, 0.135, 0.1375, 0.14, 0.1425, 0.145, 0.1475, 0.15, 0.155, 0.16, 0.17, 0.18],
        "networks": 400, "engine": "scan"}


@register_check(
    "ags-critical",
    families=("classical",), seconds={"quick": 9.9, "full": 161.0},
    figures=("ags-finite-size",), derivations=("ags",),
    title="alpha_c(N), where half the runs from a pattern lose it, extrapolated in N vs 0.138",
    theory="theory.ags.critical()['alpha_c'] = 0.1379 (Amit, Gutfreund & Sompolinsky 1987, RS, T = 0)",
    test="per N, a logistic fit of the fraction of runs keeping m > 0.8 against alpha gives alpha_c(N) and "
         "its standard error; alpha_c(N) = alpha_c + a N^-gamma is fitted with gamma = 1/2 and with gamma free "
         "(reported with its interval); z-test of the midpoint of the two intercepts against 0.1379, the "
         "larger standard error as sampling error and half their difference (the extrapolation's systematic "
         "error) as tolerance. The per-N crossings are reported, not tested.",
    quick={"Ns": [250, 500, 1000, 2000], "alphas": [0.13, 0.145, 0.16, 0.175, 0.19, 0.21], "networks": 60},
    full={"Ns": [250, 500, 1000, 2000, 5000], "alphas": [0.125, 0.135, 0.145, 0.155, 0.165, 0.175, 0.19, 0.21],
          "networks": 300},
    huge=HUGE,
    split=True,
)
def ags_critical(*, seed: int, Ns: Sequence[int], alphas: Sequence[float], networks: int,
                 keep_diagonal: bool = False, engine: str = "networks") -> Work:
    """One unit per (N, alpha) (``critical_case``: runs kept), combined by a logistic fit per N and the
    extrapolation in N (``critical_points``).

    ``keep_diagonal=True`` simulates the wrong network (self-coupling w_ii = P/N), which
    keeps patterns stable far beyond alpha_c; the tests use it to show the check fails.

    ``engine="scan"`` (the ``huge`` size) runs the same dynamics through
    :func:`hopfield.capacity.capacity_scan` with no flipped neuron: the patterns
    are drawn inside the kernel from each run's own stream (no N x P array on
    the host), and the runs go to the device of ``$AMLAB_DEVICE`` (``--device gpu``)."""
    if engine not in ("networks", "scan"):
        raise ValueError(f"engine must be 'networks' or 'scan', got {engine!r}")
    if engine == "scan" and keep_diagonal:
        raise ValueError("engine='scan' simulates the zero-diagonal network only; keep_diagonal must be False")
    cases = [(N, a) for N in Ns for a in alphas]
    case = critical_case if engine == "networks" else critical_scan_case
    extra = {"keep_diagonal": keep_diagonal} if engine == "networks" else {}
    units = per_case(case, [{"N": N, "a": a} for N, a in cases],
                     {"seed": seed, "networks": networks, **extra},
                     cost=lambda N, a: N * N, label=lambda N, a: f"N={N}, alpha={a}").units

    def combine(outputs):
        return critical_combine(dict(zip(cases, outputs)), Ns, alphas)

    return Work(units, combine)


def critical_case(*, seed: int, N: int, a: float, networks: int, keep_diagonal: bool) -> Tuple[int, int, float]:
    """(runs that kept the pattern, runs, realised alpha = P/N) at (N, alpha = a)."""
    r = ags_est.ags_overlap(seed=derive_seed(seed, {"N": N, "alpha": a, "kd": keep_diagonal}), N=N, alpha=a,
                               P=None, networks=networks, cues=1, max_sweeps=200, threshold=RETRIEVED,
                               keep_diagonal=keep_diagonal)
    return r["retrieved"], r["trials"], r["P"] / N


def critical_scan_case(*, seed: int, N: int, a: float, networks: int) -> Tuple[int, int, float]:
    """(runs that kept the pattern, runs, realised alpha) at (N, alpha = a) through the capacity scan."""
    from hopfield.capacity import capacity_scan

    P = max(1, int(round(a * N)))
    scan = capacity_scan(N, [P], networks, count=0, seed=derive_seed(seed, {"N": N, "alpha": a, "engine": "scan"}),
                         max_sweeps=200)
    return int((scan.overlap[0] > RETRIEVED).sum()), int(networks), P / N


#: A logistic fit whose slope lies this many standard errors below 0 is "well determined": its crossing is
#: used even when the grid does not bracket 1/2, as long as it lies within one grid step of the grid.
CROSSING_Z = 3.0


def grid_crossing(x: Sequence[float], k: Sequence[int], n: Sequence[int]) -> Tuple[float, float, str]:
    """The logistic crossing of 1/2 of ``k`` kept runs of ``n`` at loads ``x`` (increasing), or why there is none.

    The crossing is used when the observed fractions bracket 1/2 (first point
    above, last below), or, failing that, when the fit is well determined (its
    slope is negative by at least ``CROSSING_Z`` standard errors) and the
    crossing lies at most one grid step (the largest spacing of ``x``) outside
    the grid. The second rule covers the sampling noise of 60 runs a point: at
    N = 250 the transition is broad (the fraction kept falls from 0.9 to 0.1
    over about 0.07 in alpha) and its crossing (0.199 at full size) lies
    1.5 binomial standard errors of the fraction from the quick grid's last
    point, 0.21, so the last fraction lands above 1/2 in a few per cent of seeds
    (master seed 3: 33 of 60) although the fit puts the crossing inside the
    grid. The delta-method standard error of an extrapolated crossing grows with
    its distance from the data, so the extrapolation enters the fit in N with its
    weight; beyond one step the curve's shape, not the data, would fix it.

    Returns
    -------
    (x_cross, se, reason) : tuple
        ``reason`` is ``""`` when the crossing is usable, else why not (the
        crossing and its error are then nan).

    Examples
    --------
    >>> x, n = [0.1, 0.15, 0.2], [60, 60, 60]
    >>> grid_crossing(x, [60, 45, 35], n)[2] == ""  # last fraction 0.58, crossing within a step of 0.2
    True
    >>> grid_crossing(x, [40, 31, 33], n)[2]  # a flat curve: no crossing can be read off it
    'the fitted slope -4.81 +- 3.7 is not well determined'
    """
    x, k, n = (np.asarray(v, float) for v in (x, k, n))
    nan = float("nan")
    if k.sum() in (0, n.sum()):
        return nan, nan, "every run kept the pattern" if k.sum() else "no run kept the pattern"
    fit = logistic_fit(x, k, n)
    xc, se = fit["x_cross"], fit["se"]
    if k[0] / n[0] > 0.5 > k[-1] / n[-1]:
        return xc, se, ""
    if not fit["slope"] < -CROSSING_Z * fit["se_slope"]:
        return nan, nan, f"the fitted slope {fit['slope']:.3g} +- {fit['se_slope']:.2g} is not well determined"
    step = float(np.max(np.diff(x)))
    if not x[0] - step <= xc <= x[-1] + step:
        return nan, nan, f"crossing {xc:.4f} lies beyond one grid step of the grid"
    return xc, se, ""


def critical_combine(kept: dict, Ns: Sequence[int], alphas: Sequence[float]) -> List[Point]:
    """The points of ``ags-critical`` from ``kept[(N, alpha)] = critical_case(...)``."""
    crit = float(ags.critical()["alpha_c"])
    xs, ses, points = [], [], []
    for N in Ns:
        k = np.array([kept[(N, a)][0] for a in alphas])
        n = np.array([kept[(N, a)][1] for a in alphas])
        x = np.array([kept[(N, a)][2] for a in alphas])  # the realised alpha = P/N
        xc, se, why = grid_crossing(x, k, n)
        if why:
            points.append(Point(f"alpha_c(N={N}): no crossing inside the alpha grid ({why})", crit, float("nan"),
                                float("nan"), float("nan"), 0.0, None, False,
                                {"N": N, "kept": k.tolist(), "trials": n.tolist()}))
            return points
        xs.append(xc)
        ses.append(se)
    return critical_points(Ns, xs, ses, crit)

"""Figures of dense associative memories: capacity vs n, one-step error vs K, exponential memories.

``dense-capacity`` regenerates Krotov & Hopfield (2016): eq. 6's capacity
``N^(n-1) / (2 (2n-3)!! ln N)`` against simulated K_1/2 (half of random starts
end exactly on a memory), and their appendix-B random-start experiment
(N = 100, K = 2000) as bars. ``dense-bit-error`` draws the one-step bit error
``Phi(-SNR)`` with the exact finite-N SNR for n = 2..5 against simulation.
``exp-recovery`` shows Demircigil et al. (2017): exact recovery of
``M = exp(alpha N)`` patterns from cues with a fraction rho of flips, around
the bound ``alpha = I(1 - 2 rho)/2``.

References
----------
D. Krotov, J. J. Hopfield, "Dense associative memory for pattern recognition", NeurIPS 2016,
arXiv:1606.01164.
M. Demircigil, J. Heusel, M. Loewe, S. Upgang, F. Vermet, "On a model of associative memory with
huge storage capacity", J. Stat. Phys. 168, 288 (2017), arXiv:1702.01929.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

import theory.dense as td
import theory.exponential as te
from figures import style
from figures.registry import register_figure
from simulations.estimators import dense as dense_est
from simulations.estimators import exponential as exponential_est
from simulations.core.fits import logistic_crossing
from simulations.core.seeds import derive_seed

Z99 = 2.5758293035489004  # two-sided 99% normal quantile


@register_figure("dense-capacity", title="Krotov-Hopfield: capacity vs N and n (eq. 6, simulated K_1/2) and appendix-B random starts",
                 estimators=("dense-random-starts",))
def fig_capacity(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    Ns = [50, 100] if quick else [50, 75, 100, 150, 200]
    factors = [0.6, 1.0, 1.4, 1.9] if quick else [0.5, 0.75, 1.0, 1.25, 1.5, 1.9, 2.4]
    starts = 24 if quick else 200
    bar_starts = 24 if quick else 400
    N_fine = np.linspace(40, 220, 200)
    data = {"N": Ns, "starts": starts, "eq6": {}, "K_half": [], "bars": {}}
    with style.context():
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.36))
        ax = axes[0]
        for i, n in enumerate((2, 3, 4)):
            k6 = np.asarray(td.k_max_error_free(n).evaluate_continuous(N=N_fine), dtype=float)
            style.curve(ax, N_fine, k6, i, label=f"eq. 6, $n = {n}$")
            data["eq6"][str(n)] = {"N": N_fine, "K": k6}
        kh_list, lo_list, hi_list = [], [], []
        for N in Ns:
            k6 = float(td.k_max_error_free(3).evaluate(N=N))
            Ks = sorted({max(2, int(round(f * k6))) for f in factors})
            hits = [dense_est.dense_random_start(seed=derive_seed(seed, {"N": N, "K": K, "n": 3}), N=N, K=K, n=3,
                                                  F="poly", starts=starts, max_sweeps=100)["memory"] for K in Ks]
            k, nn = np.asarray(hits), np.full(len(Ks), starts)
            if 0 < k.sum() < nn.sum() and k[0] / nn[0] > 0.5 > k[-1] / nn[-1]:
                c, se = logistic_crossing(np.log(Ks), k, nn)  # as the dense-capacity check: logistic in ln K
                kh, lo, hi = math.exp(c), math.exp(c - Z99 * se), math.exp(c + Z99 * se)
            else:
                kh = lo = hi = float("nan")
            kh_list.append(kh), lo_list.append(lo), hi_list.append(hi)
            data["K_half"].append({"N": N, "K": Ks, "hits": hits, "starts": starts, "K_half": kh, "low": lo, "high": hi})
        style.points(ax, Ns, kh_list, lo_list, hi_list, 1, label="$K_{1/2}$, $n = 3$ (simulated)")
        ax.set_yscale("log")
        ax.set(xlabel="neurons $N$", ylabel="stored memories $K$", title="capacity: eq. 6 vs simulation")
        y0, y1 = ax.get_ylim()
        ax.set_ylim(y0, y1 * 100)  # room above the curves for the legend
        ax.legend(loc="upper left")
        ax = axes[1]
        ns = [2, 3, 4, 5] if quick else [2, 3, 4, 5, 6]
        fr, blo, bhi = [], [], []
        for n in ns:
            r = dense_est.dense_random_start(seed=derive_seed(seed, {"bars": n}), N=100, K=2000, n=n, F="poly",
                                              starts=bar_starts, max_sweeps=100)
            fr.append(r["memory"])
        lo, hi = style.wilson(fr, bar_starts)
        p = np.asarray(fr) / bar_starts
        ax.bar(ns, p, color=[style.colour(i) for i in range(len(ns))], width=0.6,
               yerr=np.vstack([p - lo, hi - p]), capsize=3, error_kw={"lw": 0.9})
        ax.set(xlabel="interaction order $n$", ylabel="random starts ending on a memory", ylim=(0, 1.05),
               xticks=ns, title=f"appendix B: $N = 100$, $K = 2000$ ({bar_starts} starts)")
        style.integer_axis(ax, "x", locate=False)
        ax.text(0.02, 0.93, f"bars: Wilson {style.LEVEL_LABEL}s", transform=ax.transAxes)
        data["bars"] = {"n": ns, "N": 100, "K": 2000, "starts": bar_starts, "memory": fr, "low": lo, "high": hi}
    caption = ("Left: Krotov & Hopfield's eq. 6 capacity N^(n-1)/(2 (2n-3)!! ln N) for n = 2, 3, 4 on a fine N grid, and "
               f"the simulated K_1/2 for n = 3 (the K where half of {starts} random starts end exactly on a memory, from a "
               f"logistic fit in ln K; {style.LEVEL_LABEL}s from the fit's standard error). Right: their appendix-B "
               f"experiment, N = 100, K = 2000: fraction of {bar_starts} random starts that end exactly on a stored memory, "
               f"per n, with Wilson {style.LEVEL_LABEL}s (n = 2, 3 fail; n >= 5 always succeed).")
    return style.save(fig, out_dir, "dense-capacity", data=data, seed=seed, quick=quick, caption=caption,
                      source="Krotov & Hopfield 2016, eq. 6 and appendix B")


@register_figure("dense-bit-error", title="dense memory one-step bit error vs K for n = 2..5 with the exact-SNR theory",
                 estimators=("dense-bit-error",))
def fig_bit_error(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.dense_tail import k_at_error

    cases = [(2, 100), (3, 50), (4, 30), (5, 24)] if quick else [(2, 300), (3, 100), (4, 50), (5, 36)]
    factors = [0.4, 0.7, 1.0, 1.5, 2.2] if quick else [0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.7, 2.2, 3.0]
    networks, cues = (6, 40) if quick else (30, 200)
    data = {"networks": networks, "cues": cues, "series": []}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1, 1.1), layout="constrained")  # the legend goes below
        for i, (n, N) in enumerate(cases):
            K3 = k_at_error(N, n, 0.03, "poly")
            scale = float(N) ** (n - 1)
            K_fine = np.unique(np.round(np.geomspace(max(2, 0.3 * K3), 3.2 * K3, 300)).astype(int))  # K is an integer
            th = np.asarray(td.bit_error(n).evaluate(N=N, K=K_fine), dtype=float)
            style.curve(ax, K_fine / scale, th, i)
            Ks = sorted({max(2, int(round(f * K3))) for f in factors})
            rate, lo, hi = [], [], []
            for K in Ks:
                r = dense_est.dense_bit_error(seed=derive_seed(seed, {"n": n, "N": N, "K": K}), N=N, K=K, n=n,
                                               F="poly", networks=networks, cues=cues)
                l, h = style.summary_interval(r["rate_mean"], r["rate_sd"], networks)
                rate.append(r["rate_mean"]), lo.append(float(l)), hi.append(float(h))
            style.points(ax, np.asarray(Ks) / scale, rate, np.maximum(lo, 1e-6), hi, i, label=f"$n = {n}$, $N = {N}$")
            data["series"].append({"n": n, "N": N, "K": Ks, "rate": rate, "low": lo, "high": hi,
                                   "theory_K": K_fine, "theory": th})
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(1e-4, 0.5)
        ax.set(xlabel=r"load $K / N^{n-1}$", ylabel="one-step bit error")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
                  title=rf"lines: $\Phi(-\mathrm{{SNR}})$, exact SNR; points: {style.LEVEL_LABEL}s")
    caption = ("One-step bit error of a dense associative memory (polynomial F, order n) at stored patterns vs the load "
               "K/N^(n-1). Lines: Phi(-SNR) with the exact finite-N signal-to-noise ratio, on a fine K grid; points: "
               f"mean per-network error rate over {networks} independent networks ({cues} cues each, one synchronous "
               f"step) with Student-t {style.LEVEL_LABEL}s.")
    return style.save(fig, out_dir, "dense-bit-error", data=data, seed=seed, quick=quick, caption=caption,
                      source="Krotov & Hopfield 2016, signal-to-noise estimate (appendix A); exact finite-N SNR new")


@register_figure("exp-recovery", title="Demircigil: exponential-memory recovery vs load around the bound I(1-2 rho)/2",
                 estimators=("exp-recovery",))
def fig_exp_recovery(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    cases = [(0.1, 20), (0.2, 25)] if quick else [(0.1, 20), (0.1, 30), (0.2, 25), (0.2, 40)]
    factors = [0.5, 0.75, 1.0, 1.25, 1.6, 2.0, 2.5] if quick else list(np.round(np.linspace(0.4, 2.6, 12), 3))
    cues = 30 if quick else 200
    data = {"cues": cues, "series": []}
    x_fine = np.linspace(0.3, 2.7, 400)
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1, 1.05), layout="constrained")  # the legend goes below
        style.curve(ax, x_fine, np.where(x_fine < 1, 1.0, 0.0), 6, label=r"theorem ($N \to \infty$): 1 below, 0 above")
        for i, (rho, N) in enumerate(cases):
            bound = float(te.demircigil_alpha().evaluate(rho=rho))
            ks, Ms, ns = [], [], []
            for f in factors:
                r = exponential_est.exp_recovery(seed=derive_seed(seed, {"rho": rho, "N": N, "factor": f}), N=N,
                                            alpha=f * bound, M=None, rho=rho, cues=cues, max_sweeps=50)
                ks.append(r["recovered"]), Ms.append(r["M"]), ns.append(r["cues"])  # cues <= M
            lo, hi = style.wilson(ks, ns)
            x = np.asarray(factors) * (1 + 0.015 * (i - (len(cases) - 1) / 2))
            style.points(ax, x, np.asarray(ks) / np.asarray(ns), lo, hi, i,
                         label=rf"$\rho = {rho:g}$, $N = {N}$ (bound {bound:.3f})")
            data["series"].append({"rho": rho, "N": N, "bound": bound, "factor": factors, "M": Ms, "cues": ns, "recovered": ks,
                                   "low": lo, "high": hi})
        ax.set(xlabel=r"$\alpha$ / bound, with $M = e^{\alpha N}$ and bound $I(1-2\rho)/2$",
               ylabel="cues recovered exactly", ylim=(-0.03, 1.05))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, title=f"Wilson {style.LEVEL_LABEL}s")
    caption = ("Exponential-interaction memory (F(x) = exp(x)): fraction of cues (a stored pattern with a fraction rho of "
               "bits flipped) whose asynchronous dynamics end exactly on that pattern, vs the load alpha = ln(M)/N in units "
               "of Demircigil et al.'s bound I(1-2 rho)/2 (I the Cramer rate function of a fair coin). Line: the theorem's "
               f"N -> infinity step; points: up to {cues} cues per load (at most M), Wilson {style.LEVEL_LABEL}s. At N = 20-25 the "
               "boundary is soft.")
    return style.save(fig, out_dir, "exp-recovery", data=data, seed=seed, quick=quick, caption=caption,
                      source="Demircigil, Heusel, Loewe, Upgang & Vermet 2017, capacity theorem (new figure)")

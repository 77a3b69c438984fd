"""Figures of the classical Hopfield network: one-step error, fixed points, basins of attraction.

``classical-bit-error`` regenerates the signal-to-noise result of Hopfield
(1982) and Amit, Gutfreund & Sompolinsky (1987): the one-step bit error at a
stored pattern is ``Phi(-sqrt((N-1)/(P-1)))`` (zero diagonal).
``classical-fixed-points`` draws the probability that a pattern (all patterns)
is a fixed point against P, with McEliece et al.'s capacities ``N/(2 ln N)``
and ``N/(4 ln N)`` and their next-order corrections, the independent-bit
products and the overlap-conditional prediction ``E_M[(1 - p(M))^N]``
(``theory.classical.p_fixed_overlap_conditional``).
``classical-basins`` shows retrieval probability against cue corruption at
several loads (new), with the one-step overlap map ``m1 = erf(m0/sqrt(2 alpha))``
drawn as a clearly labelled one-step curve (no basin theory is implied).

Simulated points carry 99% intervals (the checks' level); theory curves are
evaluated on fine grids independent of the simulated points. See
docs/references.md for the papers.

References
----------
J. J. Hopfield, PNAS 79, 2554 (1982), doi:10.1073/pnas.79.8.2554.
R. J. McEliece, E. C. Posner, E. R. Rodemich, S. S. Venkatesh, IEEE Trans. Inf. Theory 33, 461
(1987), doi:10.1109/TIT.1987.1057328.
D. J. Amit, H. Gutfreund, H. Sompolinsky, Ann. Phys. 173, 30 (1987), doi:10.1016/0003-4916(87)90092-3.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from scipy import special

import theory.classical as tc
from figures import style
from figures.registry import register_figure
from simulations.estimators import classical as classical_est
from simulations.core.seeds import derive_seed


@register_figure("classical-bit-error", title="classical one-step bit error vs alpha at several N, zero and kept diagonal",
                 estimators=("classical-bit-error",))
def fig_bit_error(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    Ns = [100, 400] if quick else [100, 400, 1600]
    alphas = [0.1, 0.15, 0.2, 0.3, 0.45, 0.6] if quick else list(np.round(np.linspace(0.08, 0.6, 14), 3))
    networks = 6 if quick else 40
    a_fine = np.linspace(0.02, 0.62, 300)
    data = {"N": Ns, "networks": networks, "series": []}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1, 1.05), layout="constrained")  # the legend goes below
        for i, N in enumerate(Ns):
            for kd in (False, True):
                P_fine = np.maximum(a_fine * N, 2.0)
                th = np.asarray(tc.bit_error(keep_diagonal=kd).evaluate_continuous(N=N, P=P_fine), dtype=float)
                ls = "--" if kd else "-"
                style.curve(ax, a_fine, th, i, ls=ls)
                rates, lo, hi, Ps = [], [], [], []
                for a in alphas:
                    P = max(2, int(round(a * N)))
                    r = classical_est.classical_bit_error(seed=derive_seed(seed, {"N": N, "P": P, "kd": kd}), N=N, P=P,
                                                       alpha=None, networks=networks, keep_diagonal=kd)
                    l, h = style.summary_interval(r["rate_mean"], r["rate_sd"], networks)
                    rates.append(r["rate_mean"]), lo.append(float(l)), hi.append(float(h)), Ps.append(P)
                x = np.asarray(Ps) / N
                style.points(ax, x, rates, np.maximum(lo, 1e-7), hi, i, mfc="white" if kd else None,
                             label=f"$N = {N}$" if not kd else None)
                data["series"].append({"N": N, "keep_diagonal": kd, "P": Ps, "alpha": x, "rate": rates, "low": lo,
                                       "high": hi, "theory_alpha": a_fine, "theory": th})
        ax.plot([], [], "k-", label="theory, zero diagonal")
        ax.plot([], [], "k--", label="theory, kept diagonal")
        ax.plot([], [], "ko", mfc="white", ls="none", label="kept diagonal (sim.)")
        ax.set_yscale("log")
        ax.set_ylim(1e-5, 0.3)
        ax.set(xlabel=r"load $\alpha = P/N$", ylabel="one-step bit error")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
                  title=f"points: mean of {networks} networks, {style.LEVEL_LABEL}")
    caption = (f"One-step bit error at a stored pattern of a Hebbian network vs load alpha, at N = {', '.join(map(str, Ns))}. "
               "Lines: Phi(-sqrt((N-1)/(P-1))) (zero diagonal, solid) and the kept-diagonal formula (dashed), "
               "evaluated on a fine alpha grid; points: mean per-network error rate over independent networks "
               f"with Student-t {style.LEVEL_LABEL}s (filled: zero diagonal, open: kept).")
    source = "Hopfield 1982 signal-to-noise estimate; Amit, Gutfreund & Sompolinsky 1987 (crosstalk variance alpha)"
    return style.save(fig, out_dir, "classical-bit-error", data=data, seed=seed, quick=quick, caption=caption,
                      source=source)


@register_figure("classical-fixed-points", title="P(a pattern / all patterns are fixed points) vs P, with McEliece's capacities",
                 estimators=("classical-fixed-points",))
def fig_fixed_points(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    Ns = [100, 200] if quick else [100, 200, 500]
    networks = 40 if quick else 400
    data = {"N": Ns, "networks": networks, "series": []}
    z = 2.5758293035489004  # 99% two-sided normal quantile
    with style.context():
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.5), sharey=True, layout="constrained")
        for j, (which, ax) in enumerate(zip(("given", "all"), axes)):
            formula = tc.p_pattern_fixed() if which == "given" else tc.p_all_fixed()
            allp = which == "all"
            for i, N in enumerate(Ns):
                lead = float(tc.mceliece(allp).evaluate(N=N))
                corr = float(tc.mceliece_corrected(allp).evaluate(N=N, q=0.5))
                P_hi = int(2.2 * corr) if not allp else int(2.5 * corr)
                P_fine = np.linspace(2, P_hi, 300)
                th = np.asarray(formula.evaluate_continuous(N=N, P=P_fine), dtype=float)
                style.curve(ax, P_fine, th, i)
                ax.axvline(lead, color=style.colour(i), ls=":", lw=1.0)
                ax.axvline(corr, color=style.colour(i), ls="-.", lw=1.0)
                Ps = np.unique(np.round(np.linspace(0.3, 1.0, 5 if quick else 8) * P_hi).astype(int))
                Ps = Ps[Ps >= 2]
                ks = []
                for P in Ps:
                    r = classical_est.classical_fixed_point(seed=derive_seed(seed, {"N": N, "P": int(P)}), N=N, P=int(P),
                                                         alpha=None, networks=networks)
                    ks.append(r["all_fixed"] if allp else r["first_fixed"])
                lo, hi = style.wilson(ks, networks)
                style.points(ax, Ps, np.asarray(ks) / networks, lo, hi, i)
                cond = cond_se = None
                if N <= ((100 if quick else 200) if allp else 500):  # "all" samples a P x P matrix per draw
                    S = (100 if allp else 200) if quick else (200 if allp else 500)
                    cs = [tc.p_fixed_overlap_conditional(N, int(P), which, S,
                                                         derive_seed(seed, {"N": N, "P": int(P), "theory": which}))
                          for P in Ps]
                    cond, cond_se = np.array([c[0] for c in cs]), np.array([c[1] for c in cs])
                    ax.plot(Ps, cond, ls="--", lw=1.2, color=style.colour(i))
                    ax.fill_between(Ps, cond - z * cond_se, cond + z * cond_se, color=style.colour(i), alpha=0.15, lw=0)
                data["series"].append({"which": which, "N": N, "P": Ps, "fixed": ks, "networks": networks,
                                       "low": lo, "high": hi, "theory_P": P_fine, "theory": th,
                                       "overlap_conditional": cond, "overlap_conditional_mc_se": cond_se,
                                       "mceliece": lead, "mceliece_corrected_q_half": corr})
            ax.set(xlabel="stored patterns $P$",
                   title="a given pattern is a fixed point" if not allp else "all patterns are fixed points")
        axes[0].set_ylabel("probability")
        axes[0].set_ylim(-0.02, 1.05)
        # one legend for both panels, below them: colours are N, line styles the theories
        from matplotlib.lines import Line2D

        key = [Line2D([], [], color=style.colour(i), marker=style.marker(i), ms=3.5) for i in range(len(Ns))]
        key += [Line2D([], [], color="k", ls=ls) for ls in ("-", "--", ":", "-.")]
        names = [f"$N = {N}$" for N in Ns] + [
            r"independent bits: $(1-P_\mathrm{err})^N$ (left), $(1-P_\mathrm{err})^{NP}$ (right)",
            "overlap-conditional prediction (99% Monte Carlo band)",
            r"McEliece et al.: $N/(2\ln N)$ (left), $N/(4\ln N)$ (right)", "next order, $q = 1/2$"]
        fig.legend(key, names, loc="outside lower center", ncol=2)
    caption = ("Probability that a given stored pattern (left) and that all P patterns (right) are fixed points of a "
               "Hebbian network, vs P. Solid lines: independent-bit products (1-P_err)^N and (1-P_err)^(NP) with the "
               "exact Gaussian P_err on a fine P grid; dashed, with shaded 99% Monte Carlo bands: the "
               "overlap-conditional prediction E_M[(1-p(M))^N] (all patterns: E[prod_nu (1-p(M_nu))^N] over the "
               "sampled P x P overlap matrix, N <= 200; N = 100 at quick size), which the classical-fixed-points "
               "check tests: the bits of one pattern share its overlaps M_mu with the others, so they are not "
               "independent and the independent-bit product lies below the simulation; dotted verticals: "
               "McEliece et al.'s N/(2 ln N) and N/(4 ln N); "
               "dash-dotted: the next-order ln ln N corrected capacities at success probability 1/2. Points: fraction "
               f"of {networks} independent networks, Wilson {style.LEVEL_LABEL}s.")
    source = ("McEliece, Posner, Rodemich & Venkatesh 1987 (capacity N/(2 ln N), N/(4 ln N)); next order and the "
              "overlap-conditional prediction new")
    return style.save(fig, out_dir, "classical-fixed-points", data=data, seed=seed, quick=quick, caption=caption,
                      source=source)


@register_figure("classical-basins", title="basins of attraction: retrieval probability vs cue corruption at several alpha",
                 estimators=("classical-basin-retrieval",))
def fig_basins(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    N = 300 if quick else 1000
    alphas = [0.05, 0.1, 0.13]
    flips = np.round(np.linspace(0.0, 0.45, 10 if quick else 19), 3)
    networks = 30 if quick else 200
    data = {"N": N, "networks": networks, "flips": flips, "threshold": classical_est.RETRIEVED, "series": []}
    m0_fine = np.linspace(0.0, 1.0, 300)
    with style.context():
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.36))
        for i, a in enumerate(alphas):
            ret, m1, sd = classical_est.basin_runs(N, a, flips, networks, derive_seed(seed, {"N": N, "alpha": a}))
            lo, hi = style.wilson(ret, networks)
            style.points(axes[0], flips, ret / networks, lo, hi, i, ls="-", lw=0.8, label=rf"$\alpha = {a:g}$")
            m0 = 1 - 2 * flips
            l1, h1 = style.summary_interval(m1, sd, networks)
            style.points(axes[1], m0, m1, l1, h1, i)
            one = special.erf(m0_fine / np.sqrt(2 * a))
            style.curve(axes[1], m0_fine, one, i)
            data["series"].append({"alpha": a, "P": max(1, int(round(a * N))), "retrieved": ret, "low": lo,
                                   "high": hi, "m0": m0, "m1_mean": m1, "m1_low": l1, "m1_high": h1,
                                   "one_step_m0": m0_fine, "one_step_m1": one})
        axes[0].set(xlabel="fraction of flipped cue bits", ylabel=f"P(final overlap > {classical_est.RETRIEVED})",
                    title=f"retrieval after T=0 dynamics, N={N}")
        axes[0].legend(loc="lower left")
        axes[1].plot([0, 1], [0, 1], color="0.7", lw=0.8, ls=":")
        axes[1].set(xlabel="initial overlap $m_0$", ylabel="overlap after one synchronous step",
                    title="one-step curve (not a basin theory)")
        from matplotlib.lines import Line2D

        axes[1].legend([Line2D([], [], color="k")], [r"$\mathrm{erf}(m_0/\sqrt{2\alpha})$, colours as left"],
                       loc="lower right")
    caption = (f"Basins of attraction of a Hebbian network, N = {N}. Left: fraction of {networks} independent networks "
               f"(one cue each: pattern 0 with a fraction of bits flipped) whose asynchronous T = 0 dynamics end with "
               f"overlap > {classical_est.RETRIEVED}, Wilson {style.LEVEL_LABEL}s, lines joining points only. Right: overlap after "
               "one synchronous step vs the initial overlap m0, with the one-step Gaussian map erf(m0/sqrt(2 alpha)) on "
               f"a fine grid (a single step, not the basin size), Student-t {style.LEVEL_LABEL}s.")
    return style.save(fig, out_dir, "classical-basins", data=data, seed=seed, quick=quick, caption=caption,
                      source="new (one-step map as in Amari & Maginu 1988 and Gardner, Derrida & Mottishaw 1987)")

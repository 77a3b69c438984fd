"""Figures of the Amit-Gutfreund-Sompolinsky theory: m(alpha), the (T, alpha) phase diagram, alpha_c(N).

``ags-overlap`` regenerates AGS (1987) Fig. 1-type m(alpha) at T = 0 (the
replica-symmetric retrieval overlap) with the final overlaps of simulated
networks at several N. ``ags-phase-diagram`` regenerates the (alpha, T) phase
diagram of AGS (1987) Fig. 4 (retrieval line T_M, global-minimum line T_c,
spin-glass line T_g = 1 + sqrt(alpha)) beside a simulated m(T) at one load.
``ags-finite-size`` extrapolates alpha_c(N) with the ``ags-critical`` check's
own estimator and fit (new as a figure; the literature's finite-N values are
discussed in docs/references.md).

References
----------
D. J. Amit, H. Gutfreund, H. Sompolinsky, "Statistical mechanics of neural networks near
saturation", Ann. Phys. 173, 30 (1987), doi:10.1016/0003-4916(87)90092-3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

import theory.ags as ags
from figures import style
from figures.registry import register_figure
from simulations.estimators import ags as ags_est
from simulations.estimators import finite_t as finite_t_est
from simulations.core.seeds import derive_seed

#: A run keeps its pattern when its final overlap exceeds this (as in the ags checks).
RETRIEVED = 0.8


@register_figure("ags-overlap", title="AGS: retrieval overlap m(alpha) at T=0 vs simulated final overlaps at several N",
                 estimators=("ags-overlap",))
def fig_overlap(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    Ns = [500, 1000] if quick else [500, 1000, 2000, 4000]
    alphas = [0.04, 0.08, 0.11, 0.13, 0.15, 0.18] if quick else list(np.round(np.linspace(0.02, 0.2, 19), 3))
    networks = 16 if quick else 100
    crit = ags.critical()
    a_fine = np.linspace(1e-3, crit["alpha_c"], 300)
    m_fine = np.asarray(ags.retrieval_overlap(a_fine), dtype=float)
    data = {"N": Ns, "networks": networks, "alpha_c": crit["alpha_c"], "m_c": crit["m_c"],
            "theory": {"alpha": a_fine, "m": m_fine}, "series": []}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1, 0.75))
        style.curve(ax, a_fine, m_fine, 6, label=r"RS theory $m(\alpha)$, $T = 0$")
        ax.axvline(crit["alpha_c"], color="0.5", ls=":", lw=1.0)
        ax.text(crit["alpha_c"] - 0.003, 0.55, rf"$\alpha_c = {crit['alpha_c']:.3f}$", color="0.3", ha="right")
        for i, N in enumerate(Ns):
            ms, lo, hi, kept = [], [], [], []
            for a in alphas:
                r = ags_est.ags_overlap(seed=derive_seed(seed, {"N": N, "alpha": a}), N=N, alpha=a, P=None,
                                           networks=networks, cues=1, max_sweeps=200, threshold=RETRIEVED)
                l, h = style.summary_interval(r["m_mean"], r["m_sd"], r["trials"])
                ms.append(r["m_mean"]), lo.append(float(l)), hi.append(float(h)), kept.append(r["retrieved"])
            x = np.asarray(alphas) * (1 + 0.012 * (i - (len(Ns) - 1) / 2))  # small offsets keep bars apart
            style.points(ax, x, ms, lo, hi, i, label=f"$N = {N}$")
            data["series"].append({"N": N, "alpha": alphas, "m_mean": ms, "low": lo, "high": hi, "kept": kept})
        ax.set(xlabel=r"load $\alpha$", ylabel="overlap $m$", ylim=(0.2, 1.02))
        ax.legend(loc="lower left")  # what the points are: in the caption
    caption = ("Overlap with the cued pattern after T = 0 asynchronous dynamics started at the pattern, vs load. Line: "
               "the replica-symmetric retrieval overlap m(alpha) of Amit, Gutfreund & Sompolinsky on a fine grid, ending "
               f"at alpha_c = {crit['alpha_c']:.4f} (dotted). Points: mean final overlap of {networks} independent networks "
               f"(one run each) at each N, Student-t {style.LEVEL_LABEL}s; past alpha_c runs fall to the spin-glass-like "
               "states near m ~ 0.3.")
    return style.save(fig, out_dir, "ags-overlap", data=data, seed=seed, quick=quick, caption=caption,
                      source="Amit, Gutfreund & Sompolinsky 1987, m(alpha) at T = 0 (their Fig. 1)")


@register_figure("ags-phase-diagram", title="AGS (alpha, T) phase diagram: retrieval, spin-glass and paramagnetic lines",
                 estimators=("ags-glauber-series",))
def fig_phase_diagram(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    T_grid = np.linspace(0.03, 0.995, 40 if quick else 160)
    aM = np.array([ags.alpha_retrieval_max(float(T))["alpha"] for T in T_grid])
    a_glob = ags.alpha_global()  # T_c is NaN above it (retrieval never the global minimum)
    a_c = np.linspace(0.005, 0.0515, 7 if quick else 40)
    Tc = np.asarray(ags.T_c(a_c), dtype=float)
    a_fine = np.linspace(0.0, 0.2, 300)
    Tg = 1 + np.sqrt(a_fine)
    alpha_sim, N = 0.05, 400 if quick else 2000
    T_sim = [0.2, 0.5, 0.7, 0.85, 1.0, 1.2] if quick else list(np.round(np.linspace(0.1, 1.3, 13), 3))
    networks = 6 if quick else 30
    sweeps = 20 if quick else 60
    m_mean, m_sd = finite_t_est.glauber_series(N, alpha_sim, T_sim, networks, derive_seed(seed, {"N": N, "alpha": alpha_sim}),
                                    sweeps)
    lo, hi = style.summary_interval(m_mean, m_sd, networks)
    # the RS retrieval overlap at alpha_sim exists up to T_M(alpha_sim), where it ends at a finite m (the
    # transition is first order); above, and everywhere as the other solution, m = 0 (spin glass below T_g)
    T_end = float(ags.T_M(alpha_sim))
    m_end = float(ags.alpha_retrieval_max(T_end)["m"])
    T_th = np.linspace(0.05, T_end, 60 if quick else 200)[:-1]
    m_th = np.append([ags.retrieval_state(alpha_sim, float(T))["m"] for T in T_th], m_end)
    T_th = np.append(T_th, T_end)
    T_c_sim = float(ags.T_c(alpha_sim))
    T_g_sim = 1 + np.sqrt(alpha_sim)
    data = {"retrieval_line": {"T": T_grid, "alpha_M": aM}, "global_line": {"alpha": a_c, "T_c": Tc},
            "alpha_global": a_glob, "spin_glass_line": {"alpha": a_fine, "T_g": Tg},
            "simulation": {"alpha": alpha_sim, "N": N, "networks": networks, "sweeps": sweeps, "T": T_sim,
                           "m_mean": m_mean, "low": lo, "high": hi},
            "theory_m_of_T": {"T": T_th, "m": m_th, "T_M": T_end, "m_at_T_M": m_end, "T_c": T_c_sim,
                              "T_g": T_g_sim}}
    with style.context():
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.38))
        ax = axes[0]
        style.curve(ax, aM, T_grid, 0)
        style.curve(ax, a_c, Tc, 1, ls="--", marker=".")
        style.curve(ax, a_fine, Tg, 2)
        ax.axvline(alpha_sim, color="0.6", lw=0.8, ls=":")
        # lines labelled where they run, regions in their interior (positions read off the theory above)
        ax.text(0.185, 1.33, "$T_g$", color=style.colour(2), ha="center", va="top")
        ax.text(0.114, 0.30, "$T_M$", color=style.colour(0), ha="left", va="bottom")
        ax.text(0.025, 0.42, "$T_c$", color=style.colour(1), ha="right", va="top")
        ax.text(0.058, 1.38, "paramagnet")
        ax.text(0.15, 0.5, "spin glass")
        ax.text(0.004, 0.05, "retrieval")
        ax.text(0.058, 0.06, "metastable\nretrieval")
        ax.set(xlabel=r"load $\alpha$", ylabel="temperature $T$", xlim=(0, 0.2), ylim=(0, 1.5),
               title="replica-symmetric phase diagram")
        ax = axes[1]
        style.curve(ax, T_th, m_th, 6)
        ax.plot([T_end], [m_end], "o", color=style.colour(6), ms=3, mfc="white", zorder=4)
        style.curve(ax, [0.0, 1.3], [0.0, 0.0], 6, ls="--", lw=1.0)
        ax.axvline(T_end, color="0.6", lw=0.8, ls=":")
        ax.text(T_end + 0.015, 0.68, f"$T_M = {T_end:.2f}$", ha="left", va="center")
        style.points(ax, T_sim, m_mean, lo, hi, 0, label=f"Glauber, $N = {N}$")
        ax.set(xlabel="temperature $T$", ylabel="overlap $m$", title=rf"$\alpha = {alpha_sim:g}$ (dotted line, left)",
               xlim=(0, 1.3), ylim=(-0.08, 1.08))
        ax.text(0.05, 0.93, "RS retrieval", va="top")
        ax.text(0.05, 0.03, "RS $m = 0$", va="bottom")
        ax.legend(loc="upper right")
    caption = ("Left: the Amit-Gutfreund-Sompolinsky phase diagram in (alpha, T). T_M (solid, from alpha_M(T) on a fine "
               "T grid): retrieval states exist below; T_c (dashed, solved at the marked loads; it ends near "
               f"alpha = {a_glob:.4f}, above which retrieval states are never the global minimum): they are global "
               "minima below; T_g = 1 + sqrt(alpha): spin-glass phase below, paramagnet above. Right: time-averaged "
               f"overlap (second half of {sweeps} Glauber sweeps from a stored pattern) at alpha = {alpha_sim:g}, "
               f"N = {N}, mean of {networks} networks with Student-t {style.LEVEL_LABEL}s, beside the RS solutions: the "
               f"retrieval overlap m(T) ends at T_M = {T_end:.3f} with m = {m_end:.2f} (open circle; the transition is "
               f"first order), and m = 0 (dashed) is a solution at every T (spin glass below T_g = {T_g_sim:.2f}, "
               f"paramagnet above; below T_c = {T_c_sim:.2f} the retrieval state has the lower free energy). Above T_M "
               "the simulated overlap falls to finite-size noise around 0.")
    return style.save(fig, out_dir, "ags-phase-diagram", data=data, seed=seed, quick=quick, caption=caption,
                      source="Amit, Gutfreund & Sompolinsky 1987, phase diagram (their Fig. 4)")


@register_figure("ags-finite-size", title="finite-size extrapolation of alpha_c(N) with the fit and its interval",
                 estimators=("ags-overlap",))
def fig_finite_size(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.checks.registry import check_params, get_check, plan_check, run_work

    check = get_check("ags-critical")
    size = "quick" if quick else "full"
    overrides = {"networks": 24} if quick else {}  # the figure's quick size: fewer runs than the check, same grid
    params = check_params(check, size, **overrides)
    points = run_work(plan_check(check, size, seed=derive_seed(seed, {"figure": "ags-finite-size"}), **overrides))
    crit = float(ags.critical()["alpha_c"])
    z = 2.5758293035489004  # 99% two-sided normal quantile
    final = points[-1]
    data = {"params": params, "alpha_c_theory": crit}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1, 1.1), layout="constrained")
        if "crossings" not in final.params:  # no crossing inside the grid: show what there is
            ax.text(0.5, 0.5, final.label, ha="center", transform=ax.transAxes, fontsize=8)
            data["failure"] = final.label
        else:
            Ns = np.asarray(final.params["Ns"], float)
            xc = np.asarray(final.params["crossings"])
            se = np.asarray(final.params["se"])
            fr, hf = final.params["free"], final.params["half"]  # the check's two ansaetze
            mid, tol = final.estimate, final.tolerance
            se_mid = max(fr["se_inf"], hf["se_inf"])
            band = (mid - tol - z * se_mid, mid + tol + z * se_mid)
            x = Ns ** -0.5
            style.points(ax, x, xc, xc - z * se, xc + z * se, 0, label=r"$\alpha_c(N)$: logistic crossing")
            xf = np.linspace(1e-9, x.max() * 1.1, 200)
            style.curve(ax, xf, hf["y_inf"] + hf["a"] * xf, 0, ls="--",
                        label=rf"${hf['y_inf']:.4f} + {hf['a']:.3f}\,N^{{-1/2}}$")
            style.curve(ax, xf, fr["y_inf"] + fr["a"] * xf ** (2 * fr["gamma"]), 1, ls=":",
                        label=rf"${fr['y_inf']:.4f} + {fr['a']:.3f}\,N^{{-{fr['gamma']:.2f}}}$ ($\gamma$ free)")
            ax.axhline(crit, color="k", lw=1.0, label=rf"AGS $\alpha_c = {crit:.4f}$")
            # the y range is set by the data and the fits, not by the band: a wide (quick-size) band is drawn
            # as a translucent bar clipped to the axes, with arrow heads where it runs on
            fits0 = [hf["y_inf"], fr["y_inf"], mid, crit]
            lo_y = min((xc - z * se).min(), *fits0)
            hi_y = max((xc + z * se).max(), *fits0)
            pad = 0.08 * (hi_y - lo_y)
            lo_y, hi_y = lo_y - pad, hi_y + pad
            (bar,) = ax.plot([0, 0], [max(band[0], lo_y), min(band[1], hi_y)], color=style.colour(1), lw=5,
                             alpha=0.35, solid_capstyle="butt", zorder=2)
            for end_, edge, mk in ((band[0], lo_y, "v"), (band[1], hi_y, "^")):
                if (end_ < edge) if mk == "v" else (end_ > edge):
                    ax.plot([0], [edge], mk, color=style.colour(1), ms=5, alpha=0.6, clip_on=False, zorder=3)
            (dia,) = ax.plot([0], [mid], "D", color=style.colour(1), ms=4, zorder=4)
            ax.set(xlabel=r"$N^{-1/2}$", ylabel=r"$\alpha_c(N)$", xlim=(-0.1 * x.max(), x.max() * 1.12),
                   ylim=(lo_y, hi_y))
            handles, labels = ax.get_legend_handles_labels()
            handles = handles[-1:] + handles[:-1] + [(bar, dia)]  # the crossings first, the extrapolation last
            labels = labels[-1:] + labels[:-1] + [rf"extrapolated $\alpha_c = {mid:.3f}$, band "
                                                  f"[{band[0]:.3f}, {band[1]:.3f}]"]
            fig.legend(handles, labels, loc="outside lower center")
            data.update({"N": Ns, "crossings": xc, "se": se, "fit_half": hf, "fit_free": fr,
                         "alpha_c_extrapolated": mid, "interval": list(band)})
    caption = ("Finite-size extrapolation of the critical load. Points: per N, the load where half of the runs started at "
               f"a pattern keep m > {RETRIEVED} (logistic fit over the ags-critical check's alpha grid), with "
               f"{style.LEVEL_LABEL}s from the fit's standard error; dashed: the weighted fit alpha_c + a N^-1/2; dotted: "
               "alpha_c + a N^-gamma with gamma free; diamond at N^-1/2 = 0: the midpoint of the two extrapolations, the "
               "translucent bar the check's band (half their difference plus the 99% sampling interval; arrow heads: "
               "it runs on past the axes, its ends are in the legend); black line: the RS value 0.138. "
               "Neither finite-size form is a theorem; their spread is the extrapolation's systematic error.")
    return style.save(fig, out_dir, "ags-finite-size", data=data, seed=seed, quick=quick, caption=caption,
                      source="new (alpha_c = 0.138 from Amit, Gutfreund & Sompolinsky 1987)")

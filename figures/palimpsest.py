"""Figure of the marginalist palimpsest's capacity: the window of retrievable recent patterns vs the forgetting rate.

Simulations: ``simulations.estimators.palimpsest``; theory: ``theory.palimpsest``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter, NullLocator

from figures import style
from figures.registry import register_figure
from simulations.core.seeds import derive_seed
from simulations.estimators import palimpsest as sp_
from theory import palimpsest as tp

#: Sizes of the builder (tests shrink the quick one).
SIZES = {
    "quick": {"Ns": [400], "eps": [4.0, 6.0, 8.0, 12.0, 20.0], "n_net": 6, "collapse_N": 400,
              "collapse_alpha": [0.05, 0.1, 0.15, 0.2, 0.25, 0.3], "collapse_net": 4},
    "full": {"Ns": [1000, 2000], "eps": [4.0, 5.0, 6.0, 8.0, 10.0, 14.0, 20.0], "n_net": 4, "collapse_N": 1000,
             "collapse_alpha": [0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3], "collapse_net": 6},
}


@register_figure("palimpsest-capacity", title="Marginalist palimpsest: window of retrievable recent patterns / N vs "
                                              "the forgetting rate eps, and the Hopfield collapse without forgetting",
                 estimators=("palimpsest-window",))
def fig_palimpsest_capacity(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    z = SIZES["quick" if quick else "full"]
    eps_th = np.geomspace(3.0, 40.0, 80)
    rep = np.array([tp.replica_window(e) for e in eps_th])
    snr = np.asarray(tp.snr_window().evaluate(epsilon=eps_th, alpha_c=tp.ags.critical()["alpha_c"]), np.float64)
    ropt, sopt = tp.replica_optimum(), tp.snr_optimum()
    data = {"theory": {"eps": eps_th, "replica": rep, "snr": np.maximum(snr, 0.0)},
            "replica_optimum": ropt, "snr_optimum": {"eps": sopt["eps"], "alpha_w": sopt["alpha_w"]},
            "published_optimum": tp.PUBLISHED_OPTIMUM["alpha_w"], "n_net": z["n_net"]}
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.55), layout="constrained")
        style.curve(ax, eps_th, rep, i=0, label="replica (T = 0, RS)")
        style.curve(ax, eps_th, np.where(snr > 0, snr, np.nan), i=1, ls="--", label="signal-to-noise")
        ax.axhline(tp.PUBLISHED_OPTIMUM["alpha_w"], color="0.5", lw=0.8, ls=":", label="1986 optimum, 0.05")
        ax.plot([ropt["eps"]], [ropt["alpha_w"]], "*", color=style.colour(0), ms=8, zorder=4)
        for k, N in enumerate(z["Ns"]):
            w = np.array([sp_.window(N, z["n_net"], derive_seed(seed, {"fig": "palimpsest-capacity", "N": N,
                                                                        "eps": e}), eps=e) for e in z["eps"]])
            m, lo, hi = style.mean_interval(w, axis=1)
            style.points(ax, z["eps"], m, lo, hi, i=2 + k, label=f"simulated, $N = {N}$")
            data[f"N={N}"] = {"eps": z["eps"], "window": m, "low": lo, "high": hi}
        ax.set_xscale("log")
        ticks = [3, 4, 6, 8, 10, 20, 40]
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(ticks, [str(v) for v in ticks])
        ax.set(xlabel=r"forgetting rate $\varepsilon$ ($\lambda = 1 - \varepsilon / N$)",
               ylabel=r"window $\alpha_w$ = retrieved recent patterns / $N$", ylim=(0, 0.085))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)  # the data fill the axes
        N = z["collapse_N"]
        alphas = np.asarray(z["collapse_alpha"])
        for i, (eps, lab) in enumerate(((0.0, r"Hebbian, $\lambda = 1$"),
                                        (ropt["eps"], rf"palimpsest, $\varepsilon = {ropt['eps']:.1f}$"))):
            r = np.array([sp_.retrieved_after(N, int(round(a * N)), z["collapse_net"],
                                              derive_seed(seed, {"fig": "palimpsest-collapse", "a": float(a)}), eps=eps)
                          for a in alphas])
            m, lo, hi = style.mean_interval(r, axis=1)
            style.points(bx, alphas, m, lo, hi, i=i, label=lab)
            data["collapse" if eps == 0 else "collapse_palimpsest"] = {"N": N, "eps": eps, "alpha": alphas,
                                                                      "retrieved": m, "low": lo, "high": hi}
        bx.plot([0, 0.138], [0, 0.138], color="0.6", lw=0.7, ls=":", label="every pattern retrieved")
        bx.axvline(0.138, color="0.3", lw=0.8, ls="--", label=r"$\alpha_c = 0.138$")
        bx.set(xlabel=r"patterns written / $N$", ylabel="retrieved patterns / $N$", ylim=(0, 0.2))
        bx.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
        return style.save(
            fig, out_dir, "palimpsest-capacity", data=data, seed=seed, quick=quick,
            caption="Left: the number of the most recent patterns retrieved (T = 0 asynchronous dynamics from the "
                    "pattern ends with m > 0.9), over N, in the stationary marginalist network J <- lam J + xi xi^T/N, "
                    f"lam = 1 - eps/N (means over independent networks, {style.LEVEL_LABEL}s), against the "
                    "replica-symmetric T = 0 window (solid; star: its optimum, "
                    f"{ropt['alpha_w']:.4f} at eps = {ropt['eps']:.2f}) and the signal-to-noise window "
                    f"ln(2 eps alpha_c)/(2 eps) (dashed; optimum alpha_c/e = {sopt['alpha_w']:.4f} at "
                    f"eps = {sopt['eps']:.2f}); dotted: the published optimum, about 0.05. The simulated windows lie "
                    "above the N -> oo theory by the classical network's finite-size shift of alpha_c carried to "
                    "the effective load (check palimpsest-capacity). Right: patterns retrieved after P written from "
                    "J = 0: without forgetting every pattern is lost "
                    "once P passes alpha_c(N) N (0.138 N for N -> oo, larger at finite N); the palimpsest at its "
                    "best rate keeps a window of about 0.05 N.",
            source="Nadal, Toulouse, Changeux & Dehaene, Europhys. Lett. 1, 535 (1986); Mezard, Nadal & Toulouse, "
                   "J. Physique 47, 1457 (1986) (the window and its optimum); the simulation is new")

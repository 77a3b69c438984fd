"""Figure of the RS capacity of the covariance rule for sparse 0/1 patterns (``theory.sparse_rs``).

Left: the capacity ``alpha_c(a)`` (RS, best threshold), the same theory without
the reaction term, the Tsodyks-Feigel'man asymptote ``1/(2 a |ln a|)``, and at
the thresholds of the ``sparse-capacity`` check the RS ``alpha_c(a, theta)``
against the simulated 50% crossing. Right: the simulated fraction of networks
keeping a stored pattern against the load in units of ``alpha_c(a, theta)``.
Intervals are 99% (Wilson for proportions).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from figures import style  # noqa: E402
from figures.registry import register_figure  # noqa: E402
from simulations.core.seeds import derive_seed  # noqa: E402


@register_figure("sparse-rs-capacity", title="covariance rule, sparse patterns: RS capacity alpha_c(a) against "
                                             "simulation and the 1/(2 a |ln a|) asymptote",
                 estimators=("sparse-kept-fraction",))
def fig_sparse_rs(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.sparse_capacity import kept_fraction
    from simulations.core.fits import logistic_crossing
    from theory import sparse, sparse_rs

    N, networks = (1000, 10) if quick else (4000, 40)
    cases = ((0.1, 0.45), (0.05, 0.5))
    loads = np.array([0.6, 0.9, 1.1, 1.4]) if quick else np.array([0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4])
    acode = np.logspace(-4, np.log10(0.3), 6 if quick else 14)
    rs = np.array([sparse_rs.capacity(float(x))["alpha_c"] for x in acode])
    naive = np.array([sparse_rs.capacity(float(x), reaction=False)["alpha_c"] for x in acode])
    tf = sparse.tsodyks_feigelman().evaluate(a=acode)
    data = {"N": N, "networks": networks, "loads": loads, "a": acode, "rs": rs, "rs_no_reaction": naive,
            "tsodyks_feigelman": tf, "cases": {}}
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.4))
        style.curve(ax, acode, rs, i=0, label=r"RS, best $\theta$")
        style.curve(ax, acode, naive, i=1, label="RS without reaction term", ls="--")
        style.curve(ax, acode, tf, i=6, label=r"$1/(2a\,|\ln a|)$", ls=":")
        for j, (a, th) in enumerate(cases):
            ac = sparse_rs.critical_alpha(a, th)["alpha_c"]
            rows = [kept_fraction(seed=derive_seed(seed, {"fig": "sparse-rs-capacity", "a": a, "load": float(f)}),
                                  N=N, a=a, alpha=float(f) * ac, theta=th, networks=networks) for f in loads]
            k = np.array([r["kept"] for r in rows])
            n = np.array([r["trials"] for r in rows])
            x = np.array([r["P"] / N for r in rows]) / ac
            frac, lo, hi = k / n, *style.wilson(k, n)
            style.points(bx, x, frac, lo, hi, i=j + 2, label=rf"$a = {a}$, $\theta = {th}$")
            cross = logistic_crossing(x, k, n) if 0 < k.sum() < n.sum() else (float("nan"), float("nan"))
            # RS value: a wide bar; simulated crossing: a filled marker with its interval (both stay visible
            # where they agree); the colour names the case, as in the right panel
            ax.plot([a], [ac], marker="_", ms=14, mew=1.6, color=style.colour(j + 2), ls="none", zorder=3)
            ax.errorbar([a], [cross[0] * ac], yerr=[[2.576 * cross[1] * ac]], marker=style.marker(j + 2), ms=3.5,
                        color=style.colour(j + 2), ls="none", zorder=4)
            data["cases"][f"a={a}, theta={th}"] = {"alpha_c": ac, "kept": k, "trials": n, "load": x,
                                                    "crossing": cross[0] * ac, "crossing_se": cross[1] * ac}
        ax.set_xscale("log")
        ax.set_yscale("log")
        from matplotlib.lines import Line2D

        ax.set_xlabel("coding level $a$")
        ax.set_ylabel(r"capacity $\alpha_c$")
        ax.add_artist(ax.legend(loc="upper right"))  # the curves, where the plot is empty
        ax.legend([Line2D([], [], marker="_", ms=14, mew=1.6, color="0.4", ls="none"),
                   Line2D([], [], marker="o", ms=3.5, color="0.4", ls="none")],
                  [r"RS $\alpha_c(a, \theta)$", f"simulated, $N = {N}$"], loc="lower left")
        lo_y, hi_y = ax.get_ylim()
        ax.set_ylim(lo_y / 2, hi_y * 30)  # room for the legends above and below the curves
        bx.axvline(1.0, color="grey", lw=0.8)
        bx.set_xlabel(r"$\alpha\,/\,\alpha_c(a, \theta)$ (RS)")
        bx.set_ylabel("fraction keeping the pattern")
        bx.set_title(f"$N = {N}$, parallel dynamics from a pattern")
        bx.legend(loc="lower left", handlelength=1.0, handletextpad=0.5)
        return style.save(fig, out_dir, "sparse-rs-capacity", data=data, seed=seed, quick=quick,
                          caption="Covariance rule with 0/1 neurons and coding level a. Left: replica-symmetric "
                                  "capacity at the best threshold (solid), the same equations without the reaction "
                                  "term (dashed) and the Tsodyks-Feigel'man asymptote (dotted), approached only "
                                  "logarithmically slowly; at two (a, theta), coloured as on the right: the RS alpha_c(a, "
                                  "theta) (wide bar) and the simulated load where half the networks keep a stored "
                                  "pattern (filled marker, 99% interval of the logistic fit). Right: the kept "
                                  "fractions (99% Wilson intervals).",
                          source="Tsodyks & Feigel'man, Europhys. Lett. 6, 101 (1988); Buhmann, Divko & Schulten, "
                                 "Phys. Rev. A 39, 2689 (1989); RS equations derived in amlab")

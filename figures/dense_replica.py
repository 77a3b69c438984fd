"""Figure of the RS retrieval overlap of the dense memory at ``P = alpha N^(n-1)`` (``theory.dense_replica``).

Left: m(alpha) for n = 3 (RS, with the band of the dynamics above it) and the
overlap reached by T = 0 asynchronous dynamics from a stored pattern at several
N, including loads above alpha_c. Right: alpha_c(n) (2n-3)!! against n with the
large-n law 1/(2 ln n), and the overlap m_c at which retrieval is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from figures import style  # noqa: E402
from figures.registry import register_figure  # noqa: E402
from simulations.core.seeds import derive_seed  # noqa: E402


@register_figure("dense-replica", title="dense memory (n = 3): RS overlap m(alpha) at P = alpha N^2 vs T = 0 "
                                        "dynamics from a pattern; alpha_c(n) and its large-n law",
                 estimators=("dense-replica-overlap",))
def fig_dense_replica(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.dense_replica import stationary_overlaps
    from theory import dense_replica as tr

    n = 3
    Ns = (100, 200) if quick else (100, 200, 400)
    nets = 40 if quick else 200
    a_sim = np.array([0.03, 0.05, 0.065, 0.075, 0.084, 0.1, 0.12]) if quick else \
        np.array([0.02, 0.03, 0.04, 0.05, 0.06, 0.065, 0.07, 0.075, 0.08, 0.084, 0.09, 0.1, 0.11, 0.12, 0.14])
    crit = tr.critical(n)
    a_th = np.linspace(1e-3, crit["alpha_c"], 400)
    m_th = tr.retrieval_overlap(a_th, n)
    hi_th = m_th + np.nan_to_num(tr.reaction_excess(a_th, n))
    data = {"n": n, "networks": nets, "alpha_sim": a_sim, "alpha_theory": a_th, "m_rs": m_th,
            "m_rs_plus_reaction": hi_th, "critical": crit}
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.4))
        style.curve(ax, a_th, m_th, i=0, label=r"RS $m(\alpha)$, $n = 3$")
        ax.fill_between(a_th, m_th, hi_th, color=style.colour(0), alpha=0.15, lw=0,
                        label="RS + Onsager excess")
        ax.axvline(crit["alpha_c"], color="0.3", lw=0.8, ls=":")
        ax.text(crit["alpha_c"] + 0.002, 0.52, rf"$\alpha_c = {crit['alpha_c']:.4f}$", color="0.3", rotation=90,
                ha="left", va="bottom")
        for i, N in enumerate(Ns):
            means, lo, hi = [], [], []
            for a in a_sim:
                r = stationary_overlaps(derive_seed(seed, {"fig": "dense-replica", "N": N, "alpha": float(a)}),
                                        N, float(a), n, nets)
                m = r["m"]
                half = stats.t.ppf(0.995, nets - 1) * m.std(ddof=1) / np.sqrt(nets)
                means.append(m.mean())
                lo.append(m.mean() - half)
                hi.append(m.mean() + half)
            style.points(ax, a_sim * (1 + 0.004 * (i - 1)), means, lo, hi, i=i + 1, label=f"dynamics, $N = {N}$")
            data[f"N={N}"] = {"mean": means, "low": lo, "high": hi}
        ax.set_xlabel(r"load $\alpha = P / N^2$")
        ax.set_ylabel("overlap with the pattern at the fixed point")
        ax.set_ylim(0.5, 1.01)
        ax.legend(loc="lower left")
        ns = np.unique(np.round(np.logspace(np.log10(3), 6, 60)))
        u = tr.alpha_c_scaled(ns)
        bx.plot(ns, u, color=style.colour(0), lw=1.2, label=r"$\alpha_c(n)\,(2n-3)!!$")
        bx.plot(ns, 1 / (2 * np.log(ns)), color="0.3", ls="--", lw=1.0, label=r"$1 / (2 \ln n)$")
        mc = [tr.critical(int(k))["m_c"] for k in (3, 4, 5, 6, 8, 10)]
        bx.plot([3, 4, 5, 6, 8, 10], [tr.alpha_c_scaled(k) for k in (3, 4, 5, 6, 8, 10)], "o",
                color=style.colour(0), ms=3)
        bx.set_xscale("log")
        bx.set_xlabel("interaction order $n$")
        bx.set_ylabel(r"$\alpha_c\,(2n-3)!!$")
        cx = bx.twinx()
        cx.plot([3, 4, 5, 6, 8, 10], mc, "s:", color=style.colour(2), ms=3, lw=0.8, label="$m_c$ (right axis)")
        cx.set_ylabel(r"overlap $m_c$ at $\alpha_c$")
        h1, l1 = bx.get_legend_handles_labels()
        h2, l2 = cx.get_legend_handles_labels()
        bx.legend(h1 + h2, l1 + l2, loc="upper right")
        data["alpha_c_scaled"] = {"n": ns, "value": u, "m_c": dict(zip((3, 4, 5, 6, 8, 10), mc))}
        return style.save(fig, out_dir, "dense-replica", data=data, seed=seed, quick=quick,
                          caption="Dense associative memory with F(x) = x^3 and P = alpha N^2 random patterns. "
                                  "Left: the replica-symmetric T = 0 retrieval overlap m = erf(m^2/sqrt(6 alpha)) "
                                  "(line; it ends at alpha_c = 0.0841 with m_c = 0.838) and the overlap at the fixed "
                                  "point of asynchronous dynamics started at a stored pattern (points: mean over "
                                  "networks, 99% t intervals). Far below alpha_c the dynamics sits on the RS value; "
                                  "towards alpha_c it lies above it, inside the shaded linear-response bound of the "
                                  "Onsager self-reaction, and at these N it keeps the pattern beyond alpha_c. Right: "
                                  "alpha_c(n) times the crosstalk variance (2n-3)!!, approaching 1/(2 ln n) slowly "
                                  "from below, and the overlap m_c at which retrieval is lost (a first-order jump).",
                          source="new (RS theory of p-spin Hebbian networks, Gardner, J. Phys. A 20, 3453 (1987); "
                                 "constants for Krotov & Hopfield's update rule derived in amlab)")

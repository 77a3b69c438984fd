"""Figure of the measured capacity of Storkey's rule (``simulations.estimators.storkey``)."""

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


@register_figure("storkey-capacity", title="Storkey rule: networks keeping every pattern fixed vs P, and P_1/2 vs "
                                           "N / sqrt(2 ln N)", estimators=("storkey-capacity",))
def fig_storkey(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators import storkey as sk

    Ns = (100, 200) if quick else (100, 200, 400, 600)
    networks = 12 if quick else 40
    data = {"networks": networks, "grid": list(sk.GRID)}
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.4))
        est, err = [], []
        for i, N in enumerate(Ns):
            a = sk.storkey_asymptote(N)
            Ps = sk.grid_patterns(N)
            all_fixed, frac = sk.storkey_stability(seed=derive_seed(seed, {"fig": "storkey", "N": N}), N=N, Ps=Ps,
                                                   networks=networks)
            k = all_fixed.sum(axis=0)
            lo, hi = style.wilson(k, networks)
            style.points(ax, Ps / a, k / networks, lo, hi, i=i, label=f"$N = {N}$")
            p_half, se = sk.half_capacity(Ps, all_fixed)
            est.append(p_half)
            err.append(se)
            data[f"N={N}"] = {"P": Ps, "all_fixed": k, "low": lo, "high": hi, "fraction_fixed": frac.mean(axis=0),
                              "P_half": p_half, "se": se}
        ax.axvline(1.0, color="0.3", lw=0.8)
        ax.set_xlabel(r"$P \,/\, (N / \sqrt{2 \ln N})$")
        ax.set_ylabel("networks with every pattern fixed")
        ax.legend()
        Nc = np.linspace(50, max(Ns) * 1.1, 200)
        style.curve(bx, Nc, Nc / np.sqrt(2 * np.log(Nc)), i=5, label=r"$N / \sqrt{2 \ln N}$ (Storkey 1997)")
        style.curve(bx, Nc, Nc / (2 * np.log(Nc)), i=6, ls="--", label=r"$N / (2 \ln N)$ (Hebbian)")
        z = 2.576
        style.points(bx, np.asarray(Ns), np.asarray(est), np.asarray(est) - z * np.asarray(err),
                     np.asarray(est) + z * np.asarray(err), i=0, label="$P_{1/2}$ measured")
        bx.set_xlabel("neurons $N$")
        bx.set_ylabel("patterns $P$")
        bx.set_ylim(0, 1.35 * max(Nc[-1] / np.sqrt(2 * np.log(Nc[-1])), max(est)))  # room for the legend
        bx.legend(loc="upper left")
        data["P_half"] = {"N": list(Ns), "estimate": est, "se": err}
        return style.save(fig, out_dir, "storkey-capacity", data=data, seed=seed, quick=quick,
                          caption="Storkey's incremental rule, zero diagonal, random patterns. Left: fraction of "
                                  "networks in which every stored pattern is a fixed point (99% Wilson intervals) vs "
                                  "P in units of Storkey's asymptotic capacity N / sqrt(2 ln N). Right: P_1/2, where "
                                  "half of the networks keep every pattern (logistic fit, 99% intervals), against "
                                  "N / sqrt(2 ln N) and the Hebbian N / (2 ln N).",
                          source="Storkey, ICANN 1997, LNCS 1327, 451 (the capacity formula); the measurement is new")

"""Figure of the REM threshold of the exponential memory (``theory.rem``).

Left: recovered fraction of rho-corrupted cues vs the load in units of alpha_1,
simulated (F(x) = exp(x)) at several N, with the finite-N closest-competitor
curves (1 - B)^(M-1); the step at 1 is the N -> oo limit, Demircigil's proven
bound sits at 1/2. Right: alpha_1(beta, rho) for several beta against
I(1-2rho)/2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from figures import style  # noqa: E402
from figures.registry import register_figure  # noqa: E402
from simulations.core.seeds import derive_seed  # noqa: E402


@register_figure("rem-capacity", title="exponential memory: recovery vs alpha/alpha_1 (REM threshold) at several N, "
                                       "and alpha_1(beta, rho)", estimators=("exp-rem-recovered",))
def fig_rem(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.rem import BETA, recovered
    from theory import exponential, rem

    rho = 0.3
    Ns = (40, 80) if quick else (40, 80, 120)
    cues = 60 if quick else 400
    f_sim = np.array([0.5, 0.8, 1.1, 1.4]) if quick else np.array([0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.45])
    f_th = np.linspace(0.3, 1.6, 200)
    a1 = float(rem.alpha_1().evaluate(beta=BETA, rho=rho))
    data = {"rho": rho, "beta": BETA, "alpha_1": a1, "cues": cues, "f_sim": f_sim, "f_theory": f_th}
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.4))
        for i, N in enumerate(Ns):
            Ms = [max(2, int(round(math.exp(f * a1 * N)))) for f in f_sim]
            counts = [recovered(seed=derive_seed(seed, {"fig": "rem-capacity", "N": N, "f": float(f)}), rho=rho,
                                N=N, M=M, cues=cues)[:2] for f, M in zip(f_sim, Ms)]
            k = np.array([c[0] for c in counts])
            n = np.array([c[1] for c in counts])
            lo, hi = style.wilson(k, n)
            style.points(ax, f_sim, k / n, lo, hi, i=i, label=f"$N = {N}$")
            th = rem.recovery_probability().evaluate(N=N, M=np.maximum(2.0, np.exp(f_th * a1 * N)), rho=rho)
            style.curve(ax, f_th, th, i=i)
            data[f"N={N}"] = {"M": Ms, "recovered": k, "cues": n, "low": lo, "high": hi, "theory": th}
        ax.axvline(1.0, color="0.3", lw=0.8, ls="-")
        ax.axvline(0.5, color="0.3", lw=0.8, ls=":")
        ax.text(1.015, 0.03, r"$\alpha_1 = I(1-2\rho)$", color="0.3", rotation=90, va="bottom")  # lines named
        ax.text(0.515, 0.03, "Demircigil bound", color="0.3", rotation=90, va="bottom")  # where they stand
        ax.set_xlabel(r"$\alpha / \alpha_1$  ($M = e^{\alpha N}$)")
        ax.set_ylabel("cues recovered exactly")
        ax.set_title(rf"$F = \exp$, $\rho = {rho}$")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(loc="upper right")
        r = np.logspace(-4, math.log10(0.45), 300)
        typical = 2 * exponential.demircigil_alpha().evaluate(rho=r)  # I(1-2rho)
        curves = {}
        for i, beta in enumerate((0.25, 0.5, 1.0, 2.0)):
            y = rem.alpha_1().evaluate(beta=beta, rho=r)
            style.curve(bx, r, y / typical, i=i + 3, label=rf"$\beta = {beta:g}$")
            rc = float(rem.rho_condensed().evaluate(beta=beta))  # where the curve leaves 1: an open circle
            bx.plot([rc], [float(np.interp(np.log(rc), np.log(r), y / typical))], "o", mfc="white",
                    color=style.colour(i + 3), ms=3.5, zorder=4)
            curves[f"beta={beta:g}"] = y
        dem = exponential.demircigil_alpha().evaluate(rho=r)
        bx.plot(r, dem / typical, color="0.3", ls=":", lw=1.0, label=r"$I(1-2\rho)/2$ (Demircigil)")
        bx.set_xscale("log")
        bx.set_ylim(0.0, 1.05)
        bx.set_xlabel(r"fraction of flipped cue bits $\rho$")
        bx.set_ylabel(r"$\alpha_1(\beta, \rho) / I(1-2\rho)$")
        bx.legend(loc="lower right")
        data["alpha_1"] = {"rho": r, **curves, "I(1-2rho)": typical, "demircigil": dem}
        return style.save(fig, out_dir, "rem-capacity", data=data, seed=seed, quick=quick,
                          caption="Exponential dense memory (F = exp, beta = 1), M = exp(alpha N) random patterns. "
                                  "Left: fraction of cues with rho N flipped bits that the asynchronous dynamics "
                                  "returns exactly to their pattern (points, 99% Wilson intervals, 5 cues a network) "
                                  "and the finite-N closest-competitor prediction (1 - B)^(M-1) (lines); as N grows "
                                  "the step sharpens at the typical-pattern threshold alpha_1 = I(1-2rho), twice "
                                  "Demircigil's proven bound (vertical lines: alpha_1 and Demircigil's bound). "
                                  "Right: alpha_1(beta, rho) of the energy "
                                  "-(1/beta) ln sum exp(beta xi.sigma) in units of I(1-2rho), the beta -> oo "
                                  "limit; it leaves 1 below rho = 1/(1+e^(4 beta)) (open circles), where the crosstalk is "
                                  "no longer condensed.",
                          source="new (REM argument of Lucibello & Mezard, PRL 132, 077301 (2024), arXiv:2304.14964, "
                                 "applied to binary patterns in amlab)")

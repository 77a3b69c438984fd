"""The recorded large-N study of the T = 0 retrieval transition (``benchmarks/ags_large_n.py``).

Left: the crossings alpha_c(N) (half the runs from a pattern keep m > 0.8) from
N = 250 to 10^5 against N^(-1/2), with every accepted finite-size ansatz and the
published critical loads. Right: the extrapolated alpha_c(infinity) of each
definition of the crossing, with its total error (systematic spread of the
ansaetze + 1.96 statistical errors), beside the published values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

import theory.ags as ags
from figures import style
from figures.registry import FigureError, register_figure

#: The recorded analysis the figure draws (written by ``benchmarks/ags_large_n.py --analyse --figure-data``).
DATA = Path(__file__).parent / "data" / "ags_large_n.json"
#: The definition drawn on the left (the one ``ags-critical`` uses).
MAIN = "P(m > 0.8) = 1/2"
#: Published loads drawn as horizontal lines: name in theory.ags.CRITICAL_LOADS, short label.
PUBLISHED = (("RS", "RS 0.1379", "-"), ("1RSB", "1RSB/2RSB 0.1382", "--"),
             ("1RSB (Crisanti, Amit & Gutfreund 1986)", "1RSB (1986) 0.144", "-."),
             ("simulations (as quoted in 1994)", "simulations 0.145", ":"))


def _curve(fit: dict, n: np.ndarray) -> np.ndarray:
    if "gamma" in fit and "coef" not in fit:  # the free exponent
        return fit["y_inf"] + fit["a"] * n ** -fit["gamma"]
    return fit["y_inf"] + sum(c * n ** -e for c, e in zip(fit["coef"], fit["exponents"]))


def recorded() -> dict:
    """The recorded analysis; ``FigureError`` when it was never recorded."""
    if not DATA.is_file():
        raise FigureError(f"no recorded study at {DATA} (run benchmarks/ags_large_n.py on a GPU, then --analyse "
                          "--figure-data; see docs/theory.md)")
    return json.loads(DATA.read_text(encoding="utf-8"))


@register_figure("ags-finite-size-large", title="alpha_c(N) up to N = 10^5 and its extrapolation vs RS, RSB and "
                 "the older estimates (recorded GPU study)", points="recorded")
def fig_ags_finite_size_large(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    rec = recorded()
    cross, extr = rec["crossings"], rec["extrapolations"]
    loads = ags.critical_loads()
    z = 1.96
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.42), layout="constrained",
                                     gridspec_kw={"width_ratios": [1.5, 1]})
        d = cross[MAIN]
        N = np.asarray(d["N"], float)
        x, se = np.asarray(d["x"]), np.asarray(d["se"])
        style.points(ax, N ** -0.5, x, x - z * se, x + z * se, 0, label=r"$\alpha_c(N)$, 95% interval")
        main_key = next(k for k in rec["main_extrapolation"] if k in extr) if "main_extrapolation" in rec else None
        main = extr[main_key] if main_key else extr[max((k for k in extr if k.startswith(MAIN)), key=len)]
        nf = np.geomspace(max(main["min_N"], N.min()), 1e9, 300)
        for j, name in enumerate(main["accepted"]):
            style.curve(ax, nf ** -0.5, _curve(main["fits"][name], nf), j + 1, lw=0.9, ls="--", label=name)
        for key, label, ls in PUBLISHED:
            ax.axhline(loads[key], color="0.35", lw=0.7, ls=ls, zorder=1)
        ax.set(xlabel=r"$N^{-1/2}$", ylabel=r"$\alpha_c(N)$", xlim=(-0.002, (N ** -0.5).max() * 1.08))
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, frameon=False)
        # right: one row per definition, the estimate with its total error
        names = [k for k in extr if "error" not in extr[k] and k.endswith(f"N >= {int(main['min_N'])}")]
        names.sort()
        ys = np.arange(len(names))
        for i, k in enumerate(names):
            e = extr[k]
            bx.errorbar(e["estimate"], i, xerr=e["total"], fmt="o", color=style.colour(0 if k.startswith(MAIN) else 2),
                        ms=3, lw=1)
        for key, label, ls in PUBLISHED:
            bx.axvline(loads[key], color="0.35", lw=0.7, ls=ls, label=label)
        bx.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
        bx.set_yticks(ys, [k.split(";")[0] for k in names], fontsize=8)
        bx.set(xlabel=r"$\alpha_c(\infty)$ $\pm$ total error")
    e = main
    caption = (f"Left: the load at which half of the runs from a stored pattern keep m > 0.8 (T = 0 asynchronous "
               f"dynamics, zero diagonal), N = {int(N.min())} to {int(N.max())}, 95% intervals; dashed: the "
               f"finite-size ansaetze the data accept (N >= {int(e['min_N'])}); dotted lines: the published loads "
               f"(RS {loads['RS']:.6f}, 1RSB {loads['1RSB']:.6f}, 0.144, 0.145). Right: alpha_c(infinity) for each "
               f"definition of the crossing, the error bar the spread of the accepted ansaetze plus 1.96 "
               f"statistical errors. Main estimate {style.estimate(e['estimate'], e['total'])}.")
    return style.save(fig, out_dir, "ags-finite-size-large", data=rec, seed=seed, quick=quick, caption=caption,
                      source="new (alpha_c: Amit, Gutfreund & Sompolinsky 1987; Steffan & Kuehn 1994)")

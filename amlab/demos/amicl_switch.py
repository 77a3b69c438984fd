"""Demo 6: AMICL switches from copying the exemplar to copying the label as a crosses 1.

References
----------
J. Burns, T. Fukai, C. Earls, arXiv:2412.15113 (2024).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from amlab.demos.registry import Echo, StrPath, register_demo
from amlab.demos._common import save_png


@register_demo("amicl-switch", title="AMICL: from copying the exemplar to copying the label as a crosses 1")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    from hopfield.amicl import run_amicl

    out_dir = Path(out_dir)
    D, K, T = 100, 512, 20
    n = 100 if small else 1000
    a_grid = np.round(np.linspace(0.5, 1.6, 6 if small else 23), 3)
    echo(f"Sequences of T = {T} tokens: exemplar, label, exemplar, label, ..., then a query exemplar "
         f"(D = {D}, K = {K} classes). Each key mixes its token with a times the previous token.")
    label, exemplar = [], []
    for a in a_grid:
        r = run_amicl(float(a), D=D, K=K, T=T, n_trials=n, seed=seed, return_scores=True)
        pos = np.argmax(r.scores[:, : T - 1], axis=1)  # keys before the query
        label.append(float(np.mean(pos % 2 == 1)))
        exemplar.append(float(np.mean(pos % 2 == 0)))
    for a, lb, ex in zip(a_grid, label, exemplar):
        echo(f"a = {a:.2f}: attention lands on a label {lb:.0%}, on an exemplar {ex:.0%}")
    echo("For a < 1 the key most like the query is the matching exemplar itself (its own token dominates);")
    echo("for a > 1 it is the label that follows it (the previous token, weighted by a, dominates): the model "
         "copies the label, which is the right answer. The switch sits at a = 1.")
    fig, ax = plt.subplots(figsize=(4.5, 3.3), layout="constrained")
    ax.plot(a_grid, label, "o-", color="#0072B2", label="attends to a label")
    ax.plot(a_grid, exemplar, "s--", color="#D55E00", label="attends to an exemplar")
    ax.axvline(1.0, color="0.6", ls=":")
    ax.set(xlabel="mixing weight a", ylabel=f"fraction of {n} trials", ylim=(-0.02, 1.02))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2)  # the curves fill the axes
    paths = [save_png(fig, out_dir / "amicl-switch.png")]
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

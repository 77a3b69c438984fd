"""Demo 2: capacity collapse. Add patterns until retrieval fails, next to the theory curve.

References
----------
D. J. Amit, H. Gutfreund, H. Sompolinsky, Ann. Phys. 173, 30 (1987), doi:10.1016/0003-4916(87)90092-3.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from amlab.demos.registry import Echo, StrPath, register_demo
from amlab.demos._common import save_png


@register_demo("capacity", title="capacity collapse: add patterns until retrieval fails, beside m(alpha)")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    import theory.ags as ags
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    out_dir = Path(out_dir)
    N = 200 if small else 400
    P_max = int(0.22 * N)
    rng = np.random.default_rng(seed)
    xi_all = random_binary(P_max, N, seed=rng)
    Ps = np.unique(np.linspace(2, P_max, 10 if small else 20).astype(int))
    echo(f"One network of N = {N} neurons; patterns are added one batch at a time, up to P = {P_max}.")
    echo("After each addition every stored pattern is used as a cue and the T = 0 dynamics run to a fixed point.")
    mean_m, frac = [], []
    for P in Ps:
        net = ClassicalHopfield(xi_all[:P])
        k = min(P, 20)
        res = net.run(xi_all[:k], schedule="async", max_sweeps=100, seed=int(rng.integers(0, 2**62)))
        m = res.overlaps[np.arange(k), np.arange(k)]
        mean_m.append(float(m.mean()))
        frac.append(float(np.mean(m > 0.9)))
    crit = ags.critical()["alpha_c"]
    a_fine = np.linspace(1e-3, crit, 200)
    m_th = ags.retrieval_overlap(a_fine)
    alphas = Ps / N
    first_bad = next((a for a, f in zip(alphas, frac) if f < 0.5), None)
    echo(f"Theory (Amit, Gutfreund & Sompolinsky): retrieval states vanish at alpha_c = {crit:.3f}, "
         f"i.e. P = {crit * N:.0f} here.")
    echo(f"Simulation: at alpha = {first_bad:.3f} fewer than half of the patterns are retrieved"
         if first_bad is not None else "Simulation: all loads tried still retrieve most patterns.")
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.plot(a_fine, m_th, "k-", label="theory m(alpha), T=0")
    ax.plot(alphas, mean_m, "o", color="#0072B2", label="mean final overlap")
    ax.plot(alphas, frac, "s", color="#D55E00", mfc="white", label="fraction retrieved (m > 0.9)")
    ax.axvline(crit, color="0.6", ls=":")
    ax.set(xlabel="load alpha = P/N", ylabel="overlap / fraction", title=f"capacity collapse, N={N}")
    ax.legend(fontsize=8, loc="lower left")
    paths = [save_png(fig, out_dir / "capacity-collapse.png")]
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

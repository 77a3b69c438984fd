"""Demo 4: dense memory vs classical at equal N: the same cues, one succeeds.

References
----------
D. Krotov, J. J. Hopfield, "Dense associative memory for pattern recognition", NeurIPS 2016,
arXiv:1606.01164.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from amlab.demos.registry import Echo, StrPath, register_demo
from amlab.demos._common import save_png
from figures import style


@register_demo("dense-vs-classical", title="dense memory vs classical at equal N: same cues, one succeeds")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    from hopfield.classical import ClassicalHopfield
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import flip, random_binary

    out_dir = Path(out_dir)
    N, K, n, cues = (64, 20, 3, 8) if small else (100, 40, 3, 20)
    rng = np.random.default_rng(seed)
    xi = random_binary(K, N, seed=rng)
    cue = flip(xi[:cues], fraction=0.15, seed=rng)
    echo(f"N = {N} neurons, K = {K} random memories (load K/N = {K / N:.2f}, above the classical 0.138).")
    echo(f"The same {cues} cues (15% of bits flipped) go to a classical Hebbian network and to a dense memory "
         f"with F(x) = x^{n} (capacity ~ N^{n - 1}).")
    rc = ClassicalHopfield(xi).run(cue, schedule="async", max_sweeps=100, seed=1)
    rd = DenseAssociativeMemory(xi, F="poly", n=n).run(cue, schedule="async", max_sweeps=100, seed=1)
    mc = rc.overlaps[np.arange(cues), np.arange(cues)]
    md = rd.overlaps[np.arange(cues), np.arange(cues)]
    echo(f"classical: {int(np.sum(mc == 1.0))}/{cues} cues end exactly on their memory (mean overlap {mc.mean():.2f})")
    echo(f"dense n={n}: {int(np.sum(md == 1.0))}/{cues} cues end exactly on their memory (mean overlap {md.mean():.2f})")
    echo("Why: the dense energy -sum F(xi.s) sharpens each memory's valley, so the crosstalk of the others "
         "grows like K N^(n-1) against a signal N^n.")
    side = int(np.sqrt(N))
    fig, axes = plt.subplots(4, 4, figsize=(6, 6.4))
    for c in range(4):
        for r, (img, title) in enumerate([(xi[c], f"memory {c}"), (cue[c], "cue"), (rc.states[c], f"classical m={mc[c]:.2f}"),
                                          (rd.states[c], f"dense m={md[c]:.2f}")]):
            ax = axes[r, c]
            im = ax.imshow(img[: side * side].reshape(side, side), cmap="gray_r")
            style.no_colorbar(im, "+-1 pattern drawn black and white")
            ax.set_title(title, fontsize=8)
            ax.axis("off")
    paths = [save_png(fig, out_dir / "dense-vs-classical-states.png")]
    fig, ax = plt.subplots(figsize=(4.5, 3))
    ax.plot(np.arange(cues), mc, "o", color="#D55E00", label="classical")
    ax.plot(np.arange(cues), md, "s", color="#0072B2", mfc="white", label=f"dense, n={n}")
    ax.set(xlabel="cue", ylabel="final overlap with its memory", ylim=(-0.1, 1.05))
    ax.legend(fontsize=8)
    paths.append(save_png(fig, out_dir / "dense-vs-classical-overlaps.png"))
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

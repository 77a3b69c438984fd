"""Demo 1: store letter glyphs and watch a corrupted letter come back, sweep by sweep, the energy falling.

References
----------
J. J. Hopfield, PNAS 79, 2554 (1982), doi:10.1073/pnas.79.8.2554 (energy and retrieval);
L. Personnaz, I. Guyon, G. Dreyfus, J. Phys. Lett. 46, L359 (1985) (the projection rule used for
correlated glyphs).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from amlab.demos.registry import Echo, StrPath, register_demo
from amlab.demos._common import glyphs, save_gif, save_png


@register_demo("letters", title="a corrupted letter retrieved sweep by sweep, the energy falling")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import flip

    out_dir = Path(out_dir)
    size = 14 if small else 20
    letters = "AMLB" if small else "AMLBHK"
    xi = glyphs(letters, size)  # (P, N)
    N = xi.shape[1]
    echo(f"Stored {len(letters)} letters ({letters}) as {size}x{size} = {N} binary neurons.")
    echo("Letters overlap a lot (many shared pixels), so the Hebbian rule would blur them together;")
    echo("the projection (pseudo-inverse) rule makes each stored letter an exact fixed point.")
    net = ClassicalHopfield(xi, rule="pseudo-inverse")
    rng = np.random.default_rng(seed)
    cue = flip(xi[0], fraction=0.3, seed=rng)
    echo(f"Cue: the letter {letters[0]} with 30% of its pixels flipped (overlap {float(cue @ xi[0].astype(int)) / N:+.2f}).")
    states, energies = [cue.copy()], [net.energy(cue)]
    s = cue.copy()
    for t in range(12):
        r = net.run(s, schedule="async", max_sweeps=1, seed=int(rng.integers(0, 2**62)))
        s = r.states[0]
        states.append(s.copy())
        energies.append(net.energy(s))
        if np.array_equal(states[-1], states[-2]):
            break
    m = [float(st.astype(int) @ xi[0].astype(int)) / N for st in states]
    echo(f"Sweeps until a fixed point: {len(states) - 1}; overlap with {letters[0]} per sweep: "
         + ", ".join(f"{v:.2f}" for v in m))
    echo("Energy per sweep (never increases under asynchronous updates): "
         + ", ".join(f"{e:.2f}" for e in energies))
    from figures.style import integer_axis

    def state_colorbar(fig, im, ax, location="right"):
        """One colorbar for the +-1 pictures of ``fig`` (they share the colour map and its limits)."""
        cb = fig.colorbar(im, ax=ax, ticks=[-1, 1], shrink=0.8, aspect=12, location=location)
        cb.ax.set_yticklabels(["-1", "+1"])
        cb.set_label("neuron state")
        return cb

    picture = dict(cmap="gray_r", vmin=-1, vmax=1)  # black: +1, white: -1, in every picture
    paths = []
    fig, axes = plt.subplots(1, len(letters), figsize=(1.4 * len(letters) + 0.8, 1.9), layout="constrained")
    for ax, p, ch in zip(axes, xi, letters):
        im = ax.imshow(p.reshape(size, size), **picture)
        ax.set_title(ch)
        ax.axis("off")
    state_colorbar(fig, im, axes)
    fig.suptitle("stored letters")
    paths.append(save_png(fig, out_dir / "letters-stored.png"))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(6.4, 3), layout="constrained")
    im = ax1.imshow(states[0].reshape(size, size), **picture)
    ax1.axis("off")
    state_colorbar(fig, im, ax1, location="left")  # on the left: clear of the energy axis label
    ax1.set_title(f"sweep 0: overlap {m[0]:.2f}")  # the longest title of any frame, before the layout
    ax2.plot(range(len(energies)), energies, "o-", color="#0072B2")
    dot, = ax2.plot([0], [energies[0]], "o", color="#D55E00", ms=9)
    ax2.set(xlabel="sweep", ylabel="energy E = -s.Ws/2")
    integer_axis(ax2, "x")  # sweeps are counted: whole-number ticks (declared to figures.lint)
    fig.get_layout_engine().execute(fig)  # lay out once (titles of every frame fit), then keep it fixed
    fig.set_layout_engine("none")

    def frame(t):
        im.set_data(states[t].reshape(size, size))
        ax1.set_title(f"sweep {t}: overlap {m[t]:.2f}")
        dot.set_data([t], [energies[t]])
        return im, dot

    from matplotlib.animation import FuncAnimation

    anim = FuncAnimation(fig, frame, frames=len(states), blit=False)
    paths.append(save_gif(anim, out_dir / "letters-retrieval.gif", fps=2))
    fig, axes = plt.subplots(1, len(states), figsize=(1.25 * len(states) + 0.9, 1.8), layout="constrained")
    axes = np.atleast_1d(axes)
    for t, ax in enumerate(axes):
        im = ax.imshow(states[t].reshape(size, size), **picture)
        ax.set_title(f"{t}: E={energies[t]:.1f}", fontsize=8)
        ax.axis("off")
    state_colorbar(fig, im, axes)
    paths.append(save_png(fig, out_dir / "letters-sweeps.png"))
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

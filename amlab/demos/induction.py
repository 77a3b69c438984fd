"""Demo 7: an induction head, step by step, on a short prompt (in-context successor vs the global bigram).

References
----------
A. Bietti, V. Cabannes, D. Bouchacourt, H. Jegou, L. Bottou, "Birth of a Transformer: A Memory
Viewpoint", NeurIPS 2023, arXiv:2306.00802.
J. Wang, I. Sato, "Rethinking associative memory mechanism in induction head", COLM 2025,
arXiv:2412.11459.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from amlab.demos.registry import Echo, StrPath, register_demo
from amlab.demos._common import save_png
from figures import style


def _prompt(bg, rng, length: int):
    """A prompt ``... q k ... q`` whose in-context successor k of q is not the global bigram's favourite."""
    V = bg.V
    q = int(rng.integers(0, V))
    favourite = int(np.argmax(bg.pi_b[q]))
    k = int(rng.choice([j for j in range(V) if j != favourite and j != q]))
    z = [int(rng.choice(V, p=bg.pi_u))]
    while len(z) < length - 1:
        z.append(int(rng.choice(V, p=bg.pi_b[z[-1]])))
    z = [t if t != q else (q + 1) % V for t in z]  # q occurs only where we put it
    pos = length // 3
    z[pos], z[pos + 1] = q, k
    z.append(q)
    return np.array(z), q, k, favourite


@register_demo("induction", title="an induction head step by step: in-context successor vs the global bigram")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    from hopfield.bigram import bigram_from_text
    from hopfield.induction import build_induction_model, forward

    out_dir = Path(out_dir)
    bg = bigram_from_text()  # character bigrams of the shipped public-domain text
    d, T = (256, 16) if small else (256, 24)
    rng = np.random.default_rng(seed)
    z, q, k, fav = _prompt(bg, rng, T)
    ch = lambda t: repr(bg.vocab[int(t)])  # noqa: E731
    text = "".join(bg.vocab[int(t)] for t in z)
    echo(f"A two-layer transformer whose weights are written as associative memories (d = {d}), with a "
         f"character bigram of the shipped text in its feed-forward memory.")
    echo(f"Prompt ({T} characters): {text!r}. The last character {ch(q)} appeared once before, followed by "
         f"{ch(k)}; in the text, {ch(q)} is most often followed by {ch(fav)}.")
    model = build_induction_model(bg, d=d, T_max=T, seed=seed)
    out = forward(model, z[None])
    t = T - 1
    prev = int(np.argmax(out.A1[0, t]))
    echo(f"Step 1, previous-token head: position {t} attends to position {prev} (the previous one: {t - 1}); "
         "every position now also carries the token before it.")
    src = int(np.argmax(out.A2[0, t]))
    echo(f"Step 2, induction head: the query {ch(q)} looks for a position whose previous token was {ch(q)}: "
         f"it attends to position {src}, which holds {ch(z[src])} (weight {out.A2[0, t, src]:.2f}).")
    logits = out.logits[0, t]
    top = int(np.argmax(logits))
    echo(f"Step 3, copy + feed-forward: the prediction is {ch(top)}; in-context successor {ch(k)} "
         f"(logit {logits[k]:.2f}) vs global bigram {ch(fav)} (logit {logits[fav]:.2f}).")
    no_ctx = forward(model.with_scales(beta_O=0.0), z[None]).logits[0, t]
    fb = int(np.argmax(no_ctx))
    echo(f"Without the induction head's output (beta_O = 0) only the feed-forward bigram memory speaks: "
         f"prediction {ch(fb)}, " + ("the global bigram favourite." if fb == fav else
                                     f"not quite the favourite {ch(fav)}: the memory is read through crosstalk "
                                     f"of order d^-1/2."))
    labels_of = lambda j: bg.vocab[int(j)] if bg.vocab[int(j)] != " " else "_"  # noqa: E731
    labels = [labels_of(c) for c in z]
    # the eight largest logits, and the in-context successor and the global favourite wherever they rank
    order = list(np.argsort(logits)[::-1][:8])
    order += [j for j in (k, fav) if j not in order]
    blue, orange = style.colour(0), style.colour(4)
    with style.context():
        fig = plt.figure(figsize=(style.PAGE, 3.0), layout="constrained")
        grid = fig.add_gridspec(1, 3, width_ratios=[1, 1, 0.9])
        first = fig.add_subplot(grid[0])
        heat = [first, fig.add_subplot(grid[1], sharey=first)]
        for ax, A, title in zip(heat, (out.A1[0], out.A2[0]), ("layer 1: previous token", "layer 2: induction")):
            im = ax.imshow(A, cmap="viridis", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
            ax.set_xticks(range(T), labels, fontfamily="monospace")
            ax.tick_params(axis="x", length=2, pad=1)
            ax.set_yticks(range(0, T, 4))
            style.integer_axis(ax, "y", locate=False)
            ax.set(title=title, xlabel="attended position")
        heat[0].set_ylabel("position")
        heat[1].tick_params(axis="y", labelleft=False)
        heat[1].plot([src], [t], "s", ms=6, mfc="none", mec=orange, mew=1.2)  # the last query's choice
        fig.colorbar(im, ax=heat, label="attention weight", shrink=0.9)
        ax = fig.add_subplot(grid[2])
        colours = [blue if j == k else orange if j == fav else "0.7" for j in order]
        ax.bar(range(len(order)), logits[order], color=colours)
        ax.set_xticks(range(len(order)), [labels_of(j) for j in order], fontfamily="monospace")
        ax.axhline(0, color="0.3", lw=0.6)
        ax.margins(y=0.12)  # room for the numbers above the bars
        ax.set_xlim(-1, len(order))
        for i, j in enumerate(order):  # the two logits the demo compares, also as numbers
            if j in (k, fav):
                ax.annotate(f"{logits[j]:.2f}", (i, max(logits[j], 0)), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", color=blue if j == k else orange)
        ax.set(title="logits at the last position", ylabel="logit")
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=blue, label=f"in-context successor {ch(k)}"),
                           Patch(color=orange, label=f"global bigram favourite {ch(fav)}")],
                  loc="upper center", bbox_to_anchor=(0.5, -0.2))
        ax.set_xlabel("next character (_ a space)")
    paths = [save_png(fig, out_dir / "induction-steps.png")]
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

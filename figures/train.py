"""Figures of trained transformers (experiment 1: residual attention streams, Burns, Fukai & Earls 2024).

The registered builder reads recorded learning curves (``icl.json`` written by
``amlab train icl``) from ``benchmarks/results/train/``: the full GPU run when
it is there, else the quick CPU run; it needs no JAX and skips (writes
nothing) when no curves are recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from figures import style
from figures.registry import register_figure

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "train"
TITLES = {"train": "training mixture", "icl": "ICL (new classes)", "icl_flipped": "ICL, flipped labels",
          "iwl": "in-weights"}


def plot_icl(result: dict, out_dir, *, quick: bool, seed: int = 0, name: str = "train-icl-curves"):
    """Accuracy vs step for every variant (mean over seeds, 99% Student-t band) on the four test sets.

    Parameters
    ----------
    result : dict
        As returned by :func:`simulations.train.icl.train_icl` (or read from its ``icl.json``).
    out_dir : path-like

    Returns
    -------
    list of Path
        PNG, PDF, JSON.
    """
    import matplotlib.pyplot as plt

    step = np.asarray(result["step"], dtype=float)
    acc = np.asarray(result["accuracy"], dtype=float)  # (E, S, V, 4)
    cfg = result["config"]
    data = {"step": step.tolist(), "variants": result["variants"], "kinds": result["kinds"]}
    with style.context():
        fig, axes = plt.subplots(1, 4, figsize=style.size(2, aspect=0.3), sharey=True)
        for k, kind in enumerate(result["kinds"]):
            ax = axes[k]
            for v, variant in enumerate(result["variants"]):
                m, lo, hi = style.mean_interval(acc[:, :, v, k], axis=1)
                lo, hi = np.clip(lo, 0, 1), np.clip(hi, 0, 1)  # accuracies: the band stays in [0, 1]
                style.curve(ax, step, m, i=v, label=variant)
                ax.fill_between(step, lo, hi, color=style.colour(v), alpha=0.2, lw=0)
                data[f"{kind}/{variant}"] = {"mean": m.tolist(), "low": lo.tolist(), "high": hi.tolist()}
            ax.axhline(1.0 / cfg["L"], color="0.6", lw=0.8, ls=":")
            if kind == "icl":
                ax.axhline(cfg["target"], color="0.6", lw=0.8, ls="--")
            ax.set(title=TITLES.get(kind, kind), xlabel="training step")
        axes[0].set_ylabel("accuracy")
        axes[0].set_ylim(0, 1.02)
        axes[-1].legend(loc="center right")
    caption = (f"Accuracy of the two-layer attention model vs training step on the four test sets "
               f"(K={cfg['K']}, L={cfg['L']}, N={cfg['N']}, B={cfg['B']}, {cfg['optimizer']} lr {cfg['lr']}, "
               f"batch {cfg['batch']}); lines: mean over {acc.shape[1]} seeds, bands: {style.LEVEL_LABEL} "
               f"(Student t) of the mean; dotted: chance 1/L; dashed: the {cfg['target']:.0%} ICL target. "
               f"Variants add layer 1's values, queries or keys to layer 2's.")
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption,
                      source="Burns, Fukai & Earls 2024 (arXiv:2412.15113), Sec. 5",
                      extra={"table": result.get("table"), "config": cfg})


def recorded(quick: bool):
    """The recorded ``icl.json`` to plot (full GPU run first unless ``quick``), or None."""
    names = ["icl_quick", "icl_full"] if quick else ["icl_full", "icl_quick"]
    for n in names:
        path = RESULTS / n / "icl.json"
        if path.exists():
            return json.loads(path.read_text())
    return None


@register_figure("train-icl-curves", title="Residual attention streams: ICL accuracy vs training step (recorded)")
def fig_train_icl(out_dir, *, quick=True, seed=0):
    result = recorded(quick)
    if result is None:
        return []
    return plot_icl(result, out_dir, quick=result["config"]["steps"] < 10_000, seed=seed)

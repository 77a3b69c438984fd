"""Figures of trained transformers (experiment 1: residual attention streams, Burns, Fukai & Earls 2024).

The registered builder reads recorded learning curves (``icl.json`` written by
``amlab train icl``) shipped with the package in ``figures/data/train/``: the
full GPU run (``icl_full/``) when it is there, else the quick CPU run
(``icl_quick/``). It needs no JAX; without recorded curves it raises
:class:`figures.registry.FigureError` (``amlab figures`` exits 1 saying so).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes

from figures import style
from figures.registry import FigureError, register_figure

#: The recorded training runs, package data (``<run>/icl.json``, ``<run>/induction.json``).
RESULTS = Path(__file__).resolve().parent / "data" / "train"
TITLES = {"train": "training mixture", "icl": "ICL (new classes)", "icl_flipped": "ICL, flipped labels",
          "iwl": "in-weights"}


def step_axis(step: npt.ArrayLike) -> tuple[np.ndarray, str]:
    """Training steps as plotted: ``(x, xlabel)``, in thousands when the run is 10 000 steps or longer."""
    step = np.asarray(step, dtype=float)
    if step.size and step.max() >= 10_000:
        return step / 1000, "training step (thousands)"
    return step, "training step"


def integer_ticks(ax: Axes, axis: str = "x") -> None:
    """Ticks on whole numbers only, on 1-2-5 steps (training steps), declared to :mod:`figures.lint`."""
    from matplotlib.ticker import MaxNLocator

    getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10], integer=True))
    style.integer_axis(ax, axis, locate=False)


def read_recorded(kind: str, quick: bool, results: Path) -> dict:
    """The recorded ``<kind>.json`` of ``results/<kind>_full`` or ``<kind>_quick`` (quick first when ``quick``).

    Raises
    ------
    FigureError
        Neither file exists (the figure cannot be drawn).
    """
    names = [f"{kind}_quick", f"{kind}_full"] if quick else [f"{kind}_full", f"{kind}_quick"]
    paths = [Path(results) / n / f"{kind}.json" for n in names]
    for path in paths:
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FigureError(f"no recorded results: neither {paths[0]} nor {paths[1]} exists (record them with "
                      f"`amlab train {kind}`; see docs/training.md)")


def plot_icl(result: dict, out_dir: style.StrPath, *, quick: bool, seed: int = 0,
             name: str = "train-icl-curves") -> Sequence[Path]:
    """Accuracy vs step for every variant on the four test sets (mean over seeds; see :func:`style.seed_curves`).

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
    x, xlabel = step_axis(step)
    data = {"step": step.tolist(), "variants": result["variants"], "kinds": result["kinds"]}
    with style.context():
        fig, axes = plt.subplots(1, 4, figsize=style.size(2, aspect=0.3), sharey=True, layout="constrained")
        for k, kind in enumerate(result["kinds"]):
            ax = axes[k]
            for v, variant in enumerate(result["variants"]):
                data[f"{kind}/{variant}"] = style.seed_curves(ax, x, acc[:, :, v, k], i=v, label=variant,
                                                              clip=(0, 1))
            ax.axhline(1.0 / cfg["L"], color="0.6", lw=0.8, ls=":")
            if kind == "icl":
                ax.axhline(cfg["target"], color="0.6", lw=0.8, ls="--")
            ax.set_title(TITLES.get(kind, kind))
            integer_ticks(ax)
        fig.supxlabel(xlabel, fontsize="medium")  # one label for the row: long labels would collide
        axes[0].set_ylabel("accuracy")
        axes[0].set_ylim(0, 1.02)
        # one legend for the row, in a band of its own above the panels: the curves fill every panel
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncol=len(result["variants"]))
    caption = (f"Accuracy of the two-layer attention model vs training step on the four test sets "
               f"(K={cfg['K']}, L={cfg['L']}, N={cfg['N']}, B={cfg['B']}, {cfg['optimizer']} lr {cfg['lr']}, "
               f"batch {cfg['batch']}); {style.seed_curves_caption(acc.shape[1])}; dotted: chance 1/L; dashed: "
               f"the {cfg['target']:.0%} ICL target. Variants add layer 1's values, queries or keys to layer 2's.")
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption,
                      source="Burns, Fukai & Earls 2024 (arXiv:2412.15113), Sec. 5",
                      extra={"table": result.get("table"), "config": cfg})


def recorded(quick: bool) -> dict:
    """The recorded ``icl.json`` to plot (the full GPU run first unless ``quick``); ``FigureError`` if none."""
    return read_recorded("icl", quick, RESULTS)


@register_figure("train-icl-curves", title="Residual attention streams: ICL accuracy vs training step (recorded)",
                 points="recorded")
def fig_train_icl(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    result = recorded(quick)
    return plot_icl(result, out_dir, quick=result["config"]["steps"] < 10_000, seed=seed)

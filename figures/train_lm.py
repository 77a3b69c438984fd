"""Figures of the language-model experiment (the value residual stream, Burns, Fukai & Earls 2024).

The registered builders read the recorded ``lm.json`` (written by ``amlab train
lm``) shipped in ``figures/data/train/``: the GPU run (``lm_full/``) when it is
there, else the CPU quick run (``lm_quick/``). They need no JAX; without a
record they raise :class:`figures.registry.FigureError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from figures import style
from figures.registry import register_figure
from figures.train import RESULTS, integer_ticks, read_recorded, step_axis

SOURCE = "Burns, Fukai & Earls 2024 (arXiv:2412.15113), the language-model experiment; Olsson et al. 2022"


def _setting(result: dict) -> str:
    cfg = result["config"]
    return (f"{result['n_params'] / 1e6:.2f}M parameters ({cfg['layers']} layers, width {cfg['d']}, {cfg['heads']} "
            f"heads, context {cfg['T']} bytes), AdamW lr {cfg['lr']}, batch {cfg['batch']}, corpus "
            f"{Path(result['corpus']['path']).name} ({result['corpus']['bytes'] / 1e6:.2f} MB)")


def _curves(result: dict, out_dir: style.StrPath, *, key: str, name: str, ylabel: str, quick: bool, seed: int,
            what: str) -> Sequence[Path]:
    import matplotlib.pyplot as plt

    step = np.asarray(result["step"], dtype=float)
    y = np.asarray(result[key], dtype=float)  # (E, S, V)
    x, xlabel = step_axis(step)
    data = {"step": step.tolist(), "variants": result["variants"]}
    base = result["variants"].index("baseline") if "baseline" in result["variants"] else None
    panels = 2 if base is not None and len(result["variants"]) > 1 else 1
    with style.context():
        fig, axes = plt.subplots(1, panels, figsize=style.size(2 if panels == 2 else 1, aspect=0.4 if panels == 2
                                                                else 0.75), layout="constrained", squeeze=False)
        ax = axes[0, 0]
        for v, variant in enumerate(result["variants"]):
            data[variant] = style.seed_curves(ax, x, y[:, :, v], i=v, label=variant)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        integer_ticks(ax)
        ax.legend()
        if panels == 2:
            ax = axes[0, 1]
            for v, variant in enumerate(result["variants"]):
                if v != base:
                    data[f"{variant} - baseline"] = style.seed_curves(ax, x, y[:, :, v] - y[:, :, base], i=v,
                                                                      label=f"{variant} - baseline")
            ax.axhline(0.0, color="0.6", lw=0.8, ls=":")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(f"paired difference ({what})")
            integer_ticks(ax)
            ax.legend()
    run = "GPU run" if not quick else "CPU quick run"
    caption = (f"{ylabel[0].upper() + ylabel[1:]} of the byte-level language model vs training step ({run}; "
               f"{_setting(result)}); {style.seed_curves_caption(y.shape[1])}"
               + ("; right: each variant minus the baseline of the same seed (same initial weights and batches), "
                  "dotted: no difference" if panels == 2 else "") + ".")
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption, source=SOURCE,
                      extra={"table": result.get("table"), "config": result["config"]})


def plot_loss(result: dict, out_dir: style.StrPath, *, quick: bool, seed: int = 0,
              name: str = "train-lm-loss") -> Sequence[Path]:
    """Validation loss (nats per byte, mean over the context) vs step per variant, and the paired differences."""
    return _curves(result, out_dir, key="val_loss", name=name, ylabel="validation loss (nats/byte)", quick=quick,
                   seed=seed, what="loss")


def plot_icl(result: dict, out_dir: style.StrPath, *, quick: bool, seed: int = 0,
             name: str = "train-lm-icl") -> Sequence[Path]:
    """ICL score (late minus early loss; lower: more in-context learning) vs step, and the paired differences."""
    e, lt, _ = result["icl_positions"]
    return _curves(result, out_dir, key="icl_score", name=name, quick=quick, seed=seed, what="ICL score",
                   ylabel=f"ICL score (loss at {lt + 1} - at {e + 1})")


def recorded(quick: bool = True) -> dict:
    """The recorded ``lm.json`` to plot: the GPU run (``lm_full/``) whenever it exists, else the quick run.

    ``quick`` is accepted for the registry's signature and ignored: the GPU run is the measurement.
    ``FigureError`` if neither is recorded.
    """
    return read_recorded("lm", False, RESULTS)


def _is_quick(result: dict) -> bool:
    return result["timing"].get("device") != "gpu"


@register_figure("train-lm-loss", title="Value residual stream in a small language model: validation loss "
                 "(recorded)", points="recorded")
def fig_train_lm_loss(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    result = recorded()
    return plot_loss(result, out_dir, quick=_is_quick(result), seed=seed)


@register_figure("train-lm-icl", title="Value residual stream in a small language model: in-context learning "
                 "score (recorded)", points="recorded")
def fig_train_lm_icl(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    result = recorded()
    return plot_icl(result, out_dir, quick=_is_quick(result), seed=seed)

"""Figures of experiment 3: sequence mixers trained on MQAR, beside the ideal memory of the same size.

The registered builders read recorded results (``mqar.json`` written by
``amlab train mqar``) shipped with the package in ``figures/data/train/``: the
full GPU sweep (``mqar_full/``) whenever it is there, else the quick CPU run
(``mqar_quick/``). They need no JAX; without recorded results they raise
:class:`figures.registry.FigureError`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from figures import style
from figures.registry import FigureError, register_figure

#: The recorded runs, package data (``mqar_full/mqar.json``, ``mqar_quick/mqar.json``).
RESULTS = Path(__file__).resolve().parent / "data" / "train"
#: The ideal memory beside each mixer: the memory its state implements.
IDEAL = {"attention": "softmax", "linear": "hebbian", "decay": "hebbian", "delta": "delta", "gated_delta": "delta"}
NAMES = {"attention": "softmax attention", "linear": "linear attention", "decay": "decayed linear attn.",
         "delta": "DeltaNet", "gated_delta": "gated DeltaNet", "hebbian": "outer product", "softmax": "softmax",
         "delta_memory": "delta rule"}
SOURCE = "Arora et al. 2023 (Zoology, arXiv:2312.04927), the accuracy-vs-width and state-size figures, trained here"


def recorded(results: Path | None = None) -> dict:
    """The recorded ``mqar.json``: the full GPU sweep when present, else the quick CPU run; ``FigureError`` if none."""
    results = RESULTS if results is None else Path(results)
    paths = [results / "mqar_full" / "mqar.json", results / "mqar_quick" / "mqar.json"]
    for path in paths:
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FigureError(f"no recorded results: neither {paths[0]} nor {paths[1]} exists (record them with "
                      f"`amlab train mqar`; see docs/training.md)")


def _run_label(result: dict) -> str:
    cfg = result["config"]
    return (f"length {cfg['seq_len']}, vocabulary {cfg['vocab_size']}, {cfg['steps']} AdamW steps of "
            f"{cfg['batch']} sequences, {cfg['seeds']} seeds, on {result.get('device', '?')}"
            + (" (the quick CPU run)" if result.get("platform") == "cpu" else ""))


def _done(result: dict):
    return {k: r for k, r in result["programs"].items() if r["status"] != "skipped"}


def _accuracy(result: dict, mixer: str):
    """Widths (n,) and accuracy (n, S, K) of ``mixer``'s trained programs."""
    runs = sorted((r for r in _done(result).values() if r["mixer"] == mixer), key=lambda r: r["d"])
    if not runs:
        return np.zeros(0), np.zeros((0, 0, 0))
    return np.array([r["d"] for r in runs], float), np.array([r["accuracy"] for r in runs], float)


def plot_width(result: dict, out_dir: style.StrPath, *, quick: bool, seed: int = 0,
               name: str = "train-mqar-width") -> Sequence[Path]:
    """Accuracy vs width per mixer (one panel each), one line per pair count; the ideal memory dashed beside.

    Returns
    -------
    list of Path
        PNG, PDF, JSON.
    """
    import matplotlib.pyplot as plt

    cfg = result["config"]
    mixers = [m for m in cfg["mixers"] if _accuracy(result, m)[0].size]
    if not mixers:
        raise FigureError("the record holds no trained program")
    ideal = result.get("ideal")
    data = {"pairs": cfg["pairs"]}
    with style.context():
        fig, axes = plt.subplots(1, len(mixers), figsize=style.size(2, aspect=0.3), sharey=True,
                                 layout="constrained", squeeze=False)
        for a, mixer in enumerate(mixers):
            ax = axes[0, a]
            d, acc = _accuracy(result, mixer)  # (n,), (n, S, K)
            for k, P in enumerate(cfg["pairs"]):
                m = acc[:, :, k].mean(axis=1)
                ax.plot(d, m, color=style.colour(k), marker=style.marker(k), ms=3, lw=1.2,
                        label=f"{P} pairs" if a == 0 else None)
                for s in range(acc.shape[1]):
                    ax.plot(d, acc[:, s, k], ls="none", marker=".", ms=2, color=style.colour(k), alpha=0.5)
                data[f"{mixer}/{P}"] = {"d": d.tolist(), "mean": m.tolist(), "runs": acc[:, :, k].T.tolist()}
                if ideal is not None:
                    mem = ideal["memories"][IDEAL[mixer]]
                    y = np.array(mem["simulated"], float)[:, k]
                    ax.plot(ideal["widths"], y, color=style.colour(k), ls="--", lw=0.8)
                    data[f"{mixer}/{P}/ideal"] = y.tolist()
            ax.set_xscale("log", base=2)
            ax.set_xticks(d)
            ax.set_xticklabels([str(int(x)) for x in d])
            ax.minorticks_off()
            ax.set_title(NAMES[mixer])
            ax.set_xlabel("width d")
        axes[0, 0].set_ylabel("accuracy")
        axes[0, 0].set_ylim(0, 1.02)
        fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside upper center", ncol=len(cfg["pairs"]))
    caption = (f"MQAR accuracy of two-layer models trained with each sequence mixer vs model width d "
               f"({_run_label(result)}); solid: mean over seeds, dots: each seed; dashed: the ideal memory of the "
               f"same width on the same data law, no training (softmax for attention, outer product for the "
               f"linear attentions, one pass of the delta rule for the DeltaNets; Gaussian embeddings).")
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption, source=SOURCE,
                      extra={"config": cfg, "table": result.get("table")})


def plot_state_size(result: dict, out_dir: style.StrPath, *, quick: bool, seed: int = 0,
                    name: str = "train-mqar-state-size") -> Sequence[Path]:
    """Accuracy vs state size (floats a mixer keeps per layer), one panel per pair count, every mixer;
    the closed forms of the outer-product and delta memories as curves."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    from simulations.train.mqar_table import outer_product_closed_form

    cfg = result["config"]
    mixers = [m for m in cfg["mixers"] if _accuracy(result, m)[0].size]
    if not mixers:
        raise FigureError("the record holds no trained program")
    ideal = result.get("ideal")
    nv = cfg["vocab_size"] - cfg["vocab_size"] // 2
    data = {"pairs": cfg["pairs"]}
    runs = _done(result)
    with style.context():
        fig, axes = plt.subplots(1, len(cfg["pairs"]), figsize=style.size(2, aspect=0.3), sharey=True,
                                 layout="constrained", squeeze=False)
        for k, P in enumerate(cfg["pairs"]):
            ax = axes[0, k]
            for i, mixer in enumerate(mixers):
                rs = sorted((r for r in runs.values() if r["mixer"] == mixer), key=lambda r: r["state_size"])
                x = np.array([r["state_size"] for r in rs], float)
                y = np.array([np.mean([a[k] for a in r["accuracy"]]) for r in rs])
                ax.plot(x, y, color=style.colour(i), marker=style.marker(i), ms=3, lw=1.0,
                        label=NAMES[mixer] if k == 0 else None)
                data[f"{P}/{mixer}"] = {"state_size": x.tolist(), "mean": y.tolist()}
            widths = np.array(cfg["widths"], float)
            dd = np.geomspace(widths.min(), widths.max(), 12)
            cf = np.array([outer_product_closed_form(float(d), P, nv) for d in dd])
            ax.plot(dd ** 2, cf, color="k", ls="--", lw=0.9, label="outer product, closed form" if k == 0 else None)
            data[f"{P}/outer_product_closed_form"] = {"state_size": (dd ** 2).tolist(), "accuracy": cf.tolist()}
            if ideal is not None:
                dcf = np.array(ideal["memories"]["delta"]["closed_form"], dtype=float)[:, k]
                ax.plot(np.array(ideal["widths"], float) ** 2, dcf, color="0.45", ls=":", lw=1.0,
                        label="delta rule, closed form" if k == 0 else None)
                data[f"{P}/delta_closed_form"] = dcf.tolist()
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # under a decade, minor labels would collide
            ax.set_title(f"{P} pairs")
            ax.set_xlabel("state size (floats)")
        axes[0, 0].set_ylabel("accuracy")
        axes[0, 0].set_ylim(0, 1.02)
        fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside upper center", ncol=4)
    caption = (f"MQAR accuracy vs the state a mixer keeps per layer (d^2 for the linear attentions and DeltaNets, "
               f"the 2 L d floats of the key-value cache for softmax attention; {_run_label(result)}); points: mean "
               f"over seeds at each width; dashed: the closed-form accuracy of the outer-product memory with "
               f"the same state (Gaussian scores, {nv} candidate values); dotted: the delta rule's closed form "
               f"(one extra write).")
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption, source=SOURCE,
                      extra={"config": cfg})


@register_figure("train-mqar-width", title="Trained MQAR: accuracy vs width per mixer, ideal memory beside (recorded)",
                 points="recorded")
def fig_train_mqar_width(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    result = recorded()
    return plot_width(result, out_dir, quick=result.get("platform") == "cpu", seed=seed)


@register_figure("train-mqar-state-size", title="Trained MQAR: accuracy vs state size, ideal memories' closed form "
                 "(recorded)", points="recorded")
def fig_train_mqar_state_size(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    result = recorded()
    return plot_state_size(result, out_dir, quick=result.get("platform") == "cpu", seed=seed)

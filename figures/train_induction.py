"""Figures of experiment 2: a trained induction head (Bietti et al. 2023) against the closed-form logits.

The registered builders read recorded results (``induction.json`` written by
``amlab train induction``) shipped with the package in ``figures/data/train/``:
the full GPU run (``induction_full/``) when it is there, else the quick CPU run
(``induction_quick/``). They need no JAX; without recorded results they raise
:class:`figures.registry.FigureError` (``amlab figures`` exits 1 saying so).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from figures import style
from figures.registry import FigureError, register_figure
from figures.train import integer_ticks, read_recorded, step_axis

#: The recorded training runs, package data (``induction_full/induction.json``, ``induction_quick/...``).
RESULTS = Path(__file__).resolve().parent / "data" / "train"
TITLES = {"prev_token": "previous-token", "induction": "induction", "copy": "copy", "icl": "ICL accuracy",
          "loss": "loss"}


def _quick(result) -> bool:
    return result["config"]["steps"] < 10_000


def plot_curves(result: dict, out_dir: style.StrPath, *, quick: bool, seed: int = 0,
                name: str = "train-induction-curves") -> Sequence[Path]:
    """The probes and the loss vs training step, one line per d (mean over seeds; see :func:`style.seed_curves`).

    Parameters
    ----------
    result : dict
        As returned by :func:`simulations.train.induction.train_induction` (or read from ``induction.json``).
    out_dir : path-like

    Returns
    -------
    list of Path
        PNG, PDF, JSON.
    """
    import matplotlib.pyplot as plt

    cfg = result["config"]
    names = list(result["probes"])
    V = result["V"]
    data = {"probes": names}
    n_seeds = cfg["seeds"]
    with style.context():
        fig, axes = plt.subplots(1, len(names), figsize=style.size(2, aspect=0.3), layout="constrained")
        probe_axes = [axes[k] for k, p in enumerate(names) if p != "loss"]
        for ax in probe_axes[1:]:
            ax.sharey(probe_axes[0])
            ax.tick_params(labelleft=False)
        runs = sorted(result["runs"].items(), key=lambda item: int(item[1]["d"]))  # keys are strings
        for i, (d, run) in enumerate(runs):
            x, xlabel = step_axis(run["step"])
            vals = np.asarray(run["probes"], float)  # (E, S, P)
            n_seeds = vals.shape[1]
            for k, probe in enumerate(names):
                drawn = style.seed_curves(axes[k], x, vals[:, :, k], i=i, label=f"d = {d}",
                                          clip=None if probe == "loss" else (0, 1))
                data[f"{probe}/d={d}"] = {"step": list(run["step"]), **drawn}
        for k, probe in enumerate(names):
            ax = axes[k]
            ax.set_title(TITLES.get(probe, probe))
            integer_ticks(ax)
            if probe in ("copy", "icl"):
                ax.axhline(1.0 / V, color="0.6", lw=0.8, ls=":")
            if probe == "loss":
                ax.set_ylabel("cross-entropy (nats)")
            else:
                ax.set_ylim(0, 1.02)
        fig.supxlabel(xlabel, fontsize="medium")  # one label for the row: long labels would collide
        probe_axes[0].set_ylabel("probe")
        axes[names.index("loss") if "loss" in names else -1].legend(loc="best")
    caption = (f"Memory-recall probes and loss of the two-layer attention-only model during training on "
               f"trigger-bigram sequences ({cfg['bigram']} bigram, V={V}, T={cfg['T']}, K={cfg['K']} triggers, "
               f"{cfg['optimizer']} lr {cfg['lr']}, batch {cfg['batch']}); {style.seed_curves_caption(n_seeds)}, "
               f"per d; dotted: chance 1/V. Previous-token: layer-1 attention peaks at t-1; induction: layer-2 "
               f"attention peaks after an earlier occurrence of the current token; copy: W_O2 W_V2 recalls the "
               f"token; in-context accuracy at repeated trigger outputs; loss: mean next-token cross-entropy on the "
               f"evaluation sequences.")
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption,
                      source="Bietti et al. 2023 (arXiv:2306.00802), Sec. 6 (memory-recall probes)",
                      extra={"config": cfg, "table": result.get("table")})


def plot_deviation(result: dict, out_dir: style.StrPath, *, quick: bool, seed: int = 0,
                   name: str = "train-induction-deviation") -> Sequence[Path]:
    """Deviation of the trained logits from the closed form and from the built model vs d (log-log), with the fits.

    Returns
    -------
    list of Path
        PNG, PDF, JSON (empty list with fewer than two d values).
    """
    import matplotlib.pyplot as plt

    runs = sorted(result["runs"].values(), key=lambda r: int(r["d"]))
    if len(runs) < 2:
        return []
    ds = np.array([r["d"] for r in runs], float)
    data = {"d": ds.tolist()}
    n_seeds = min(len(r["comparison"]) for r in runs)
    band = n_seeds >= style.MIN_RUNS_FOR_BAND
    fits = []
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1), layout="constrained")
        for i, (ref, label) in enumerate((("theory", "closed form (fitted scales)"),
                                          ("built", "built memory model"))):
            dev = np.array([[c[ref]["deviation"] for c in r["comparison"][:n_seeds]] for r in runs])  # (D, S)
            m, lo, hi = style.mean_interval(dev, axis=1)
            lo = np.maximum(lo, 0.5 * dev.min())  # a log axis: the interval's lower end kept positive
            x = ds * (1 + 0.03 * (2 * i - 1))
            if band:
                style.points(ax, x, m, lo, hi, i=i, label=label)
            else:  # with few seeds a t-interval spans decades: the single runs show the spread
                ax.plot(x, m, style.marker(i), color=style.colour(i), ms=4, label=label, zorder=3)
            ax.scatter(np.repeat(x, dev.shape[1]), dev.ravel(), s=6, color=style.colour(i), alpha=0.45, lw=0)
            s = result.get("slopes", {}).get(ref)
            if s:
                lx = np.log(ds)
                b = np.mean(np.log(dev)) - s["slope"] * np.mean(lx)  # OLS line through the centroid
                style.curve(ax, ds, np.exp(b + s["slope"] * lx), i=i, ls="--", lw=0.9)
                fits.append(f"{label} {s['slope']:.2f} ({s['low']:.2f} to {s['high']:.2f})")
            data[ref] = {"deviation": dev.tolist(), "mean": m.tolist(), "slope": s}
            if band:
                data[ref].update(low=lo.tolist(), high=hi.tolist())
        ax.set(xscale="log", yscale="log", xlabel="embedding dimension d",
               ylabel="RMS(trained - reference) / RMS(trained)")
        from matplotlib.ticker import FuncFormatter, NullFormatter

        ax.set_xticks(ds)
        ax.set_xticklabels([str(int(x)) for x in ds])
        ax.xaxis.set_minor_formatter(NullFormatter())
        # plain numbers (0.5, 2, 3 rather than 5 x 10^-1, 2 x 10^0); minor ticks labelled at 2, 3 and 5 only
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(
            lambda v, _: f"{v:g}" if v > 0 and round(v / 10 ** np.floor(np.log10(v)), 6) in (2, 3, 5) else ""))
        lo_y, hi_y = ax.get_ylim()
        ax.set_ylim(lo_y, hi_y * (hi_y / lo_y) ** 0.35)  # headroom above the data for the legend
        ax.legend(loc="upper right")
    cfg = result["config"]
    spread = (f"points: mean over {n_seeds} seeds with {style.LEVEL_LABEL} (Student t)" if band else
              f"points: mean over {n_seeds} seeds (no interval with fewer than {style.MIN_RUNS_FOR_BAND} seeds)")
    caption = (f"Deviation of the trained model's centred query logits on designed prompts (t={cfg['t_prompt']}, "
               f"n_q={cfg['n_q']}, c in {cfg['c_qks']}, cbar={cfg['cbar_k']}) from the closed-form logits with "
               f"fitted scales (beta2, beta_O, gamma) and from the associative-memory model built with those scales "
               f"and the same frozen embeddings; {spread}, dots: single runs; dashed: OLS fit of log deviation on "
               f"log d" + (f", slopes with 95% intervals: {'; '.join(fits)}." if fits else "."))
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption,
                      source="new (after Wang & Sato 2024, arXiv:2412.11459)", extra={"config": cfg})


def recorded(quick: bool) -> dict:
    """The recorded ``induction.json`` to plot (the full GPU run first unless ``quick``); ``FigureError`` if none."""
    return read_recorded("induction", quick, RESULTS)


@register_figure("train-induction-curves", title="Trained induction head: memory-recall probes vs step (recorded)",
                 points="recorded")
def fig_train_induction_curves(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    result = recorded(quick)
    return plot_curves(result, out_dir, quick=_quick(result), seed=seed)


@register_figure("train-induction-deviation",
                 title="Trained induction head: deviation from the closed-form logits vs d (recorded)",
                 points="recorded")
def fig_train_induction_deviation(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    result = recorded(quick)
    files = plot_deviation(result, out_dir, quick=_quick(result), seed=seed)
    if not files:
        raise FigureError(f"the recorded run has {len(result['runs'])} value(s) of d; the deviation vs d needs two")
    return files

"""Figures of experiment 2: a trained induction head (Bietti et al. 2023) against the closed-form logits.

The registered builders read recorded results (``induction.json`` written by
``amlab train induction``) from ``benchmarks/results/train/``: the full GPU run
when it is there, else the quick CPU run; they need no JAX and skip (write
nothing) when no results are recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from figures import style
from figures.registry import register_figure

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "train"
TITLES = {"prev_token": "previous-token", "induction": "induction", "copy": "copy", "icl": "ICL accuracy",
          "loss": "loss"}


def _quick(result) -> bool:
    return result["config"]["steps"] < 10_000


def plot_curves(result: dict, out_dir, *, quick: bool, seed: int = 0, name: str = "train-induction-curves"):
    """The probes vs training step, one line per d (mean over seeds, 99% Student-t band).

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
    names = result["probes"]
    data = {"probes": names}
    with style.context():
        fig, axes = plt.subplots(1, len(names), figsize=style.size(2, aspect=0.25))
        for i, (d, run) in enumerate(result["runs"].items()):
            step = np.asarray(run["step"], float)
            vals = np.asarray(run["probes"], float)  # (E, S, P)
            for k, probe in enumerate(names):
                m, lo, hi = style.mean_interval(vals[:, :, k], axis=1)
                if probe != "loss":
                    lo, hi = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
                style.curve(axes[k], step, m, i=i, label=f"d = {d}")
                axes[k].fill_between(step, lo, hi, color=style.colour(i), alpha=0.2, lw=0)
                data[f"{probe}/d={d}"] = {"step": step.tolist(), "mean": m.tolist(), "low": lo.tolist(),
                                          "high": hi.tolist()}
        V = result["V"]
        for k, probe in enumerate(names):
            axes[k].set(title=TITLES.get(probe, probe), xlabel="training step")
            if probe in ("copy", "icl"):
                axes[k].axhline(1.0 / V, color="0.6", lw=0.8, ls=":")
            if probe != "loss":
                axes[k].set_ylim(0, 1.02)
        axes[0].set_ylabel("probe")
        axes[-1].legend(loc="upper right")
    caption = (f"Memory-recall probes of the two-layer attention-only model during training on trigger-bigram "
               f"sequences ({cfg['bigram']} bigram, V={V}, T={cfg['T']}, K={cfg['K']} triggers, {cfg['optimizer']} "
               f"lr {cfg['lr']}, batch {cfg['batch']}); lines: mean over {cfg['seeds']} seeds per d, bands: "
               f"{style.LEVEL_LABEL} (Student t) of the mean; dotted: chance 1/V. Previous-token: layer-1 attention "
               f"peaks at t-1; induction: layer-2 attention peaks after an earlier occurrence of the current token; "
               f"copy: W_O2 W_V2 recalls the token; in-context accuracy at repeated trigger outputs.")
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption,
                      source="Bietti et al. 2023 (arXiv:2306.00802), Sec. 6 (memory-recall probes)",
                      extra={"config": cfg, "table": result.get("table")})


def plot_deviation(result: dict, out_dir, *, quick: bool, seed: int = 0, name: str = "train-induction-deviation"):
    """Deviation of the trained logits from the closed form and from the built model vs d (log-log), with the fits.

    Returns
    -------
    list of Path
        PNG, PDF, JSON (empty list with fewer than two d values).
    """
    import matplotlib.pyplot as plt

    runs = list(result["runs"].values())
    if len(runs) < 2:
        return []
    ds = np.array([r["d"] for r in runs], float)
    data = {"d": ds.tolist()}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
        for i, (ref, label) in enumerate((("theory", "closed form (fitted scales)"),
                                          ("built", "built memory model"))):
            dev = np.array([[c[ref]["deviation"] for c in r["comparison"]] for r in runs])  # (D, S)
            m, lo, hi = style.mean_interval(dev, axis=1)
            lo = np.maximum(lo, 0.5 * dev.min())  # a log axis: the band's lower end kept positive
            style.points(ax, ds * (1 + 0.03 * (2 * i - 1)), m, lo, hi, i=i, label=label)
            ax.scatter(np.repeat(ds, dev.shape[1]) * (1 + 0.03 * (2 * i - 1)), dev.ravel(), s=5,
                       color=style.colour(i), alpha=0.35, lw=0)
            s = result.get("slopes", {}).get(ref)
            if s:
                lx = np.log(ds)
                b = np.mean(np.log(dev)) - s["slope"] * np.mean(lx)  # OLS line through the centroid
                style.curve(ax, ds, np.exp(b + s["slope"] * lx), i=i, ls="--", lw=0.9,
                            label=f"slope {s['slope']:.2f} [{s['low']:.2f}, {s['high']:.2f}]")
            data[ref] = {"deviation": dev.tolist(), "mean": m.tolist(), "low": lo.tolist(), "high": hi.tolist(),
                         "slope": s}
        ax.set(xscale="log", yscale="log", xlabel="embedding dimension d",
               ylabel="RMS(trained - reference) / RMS(trained)")
        from matplotlib.ticker import NullFormatter

        ax.set_xticks(ds)
        ax.set_xticklabels([str(int(x)) for x in ds])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(loc="best", fontsize=6.5)
    cfg = result["config"]
    caption = (f"Deviation of the trained model's centred query logits on designed prompts (t={cfg['t_prompt']}, "
               f"n_q={cfg['n_q']}, c in {cfg['c_qks']}, cbar={cfg['cbar_k']}) from the closed-form logits with "
               f"fitted scales (beta2, beta_O, gamma) and from the associative-memory model built with those scales "
               f"and the same frozen embeddings; points: mean over seeds with {style.LEVEL_LABEL} (Student t), "
               f"dots: single runs; dashed: OLS fit of log deviation on log d (slope, 95% interval).")
    return style.save(fig, out_dir, name, data=data, seed=seed, quick=quick, caption=caption,
                      source="new (after Wang & Sato 2024, arXiv:2412.11459)", extra={"config": cfg})


def recorded(quick: bool):
    """The recorded ``induction.json`` to plot (full GPU run first unless ``quick``), or None."""
    names = ["induction_quick", "induction_full"] if quick else ["induction_full", "induction_quick"]
    for n in names:
        path = RESULTS / n / "induction.json"
        if path.exists():
            return json.loads(path.read_text())
    return None


@register_figure("train-induction-curves", title="Trained induction head: memory-recall probes vs step (recorded)")
def fig_train_induction_curves(out_dir, *, quick=True, seed=0):
    result = recorded(quick)
    if result is None:
        return []
    return plot_curves(result, out_dir, quick=_quick(result), seed=seed)


@register_figure("train-induction-deviation",
                 title="Trained induction head: deviation from the closed-form logits vs d (recorded)")
def fig_train_induction_deviation(out_dir, *, quick=True, seed=0):
    result = recorded(quick)
    if result is None:
        return []
    return plot_deviation(result, out_dir, quick=_quick(result), seed=seed)

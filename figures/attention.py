"""Figures of Hebbian attention: key-value memories, their capacity, MQAR and the Zipf scaling laws.

Every builder draws with ``figures.style`` and saves a PNG, a PDF and the JSON
of the plotted data. Simulated points are means over independent memories with
99% Student-t intervals (``style.mean_interval``), or proportions with 99% Wilson
intervals; curves are theory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from scipy import optimize

from figures import style
from figures.registry import register_figure
from hopfield.mqar import evaluate_mqar, make_mqar
from simulations.estimators import kv as sk
from simulations.core.fits import logistic_crossing
from simulations.core.seeds import derive_seed
from theory import kv_memory as tkv

#: Sizes of the builders (tests shrink the quick ones).
SIZES = {
    "quick": {"vsM_d": 32, "vsM_points": 9, "vsM_mem": 30, "cap_d": [8, 16, 32], "cap_mem": 20,
              "mqar_d": [16, 32, 64], "mqar_P": [4, 8, 16, 32, 64], "mqar_seq": 30, "mqar_vocab": 1024,
              "zipf_d": [32, 64, 128, 256], "zipf_T": [30, 100, 300, 1000, 3000], "zipf_reps": 40},
    "full": {"vsM_d": 64, "vsM_points": 15, "vsM_mem": 300, "cap_d": [8, 16, 32, 64, 128], "cap_mem": 200,
             "mqar_d": [16, 32, 64, 128, 256], "mqar_P": [4, 8, 16, 32, 64, 128, 256], "mqar_seq": 300,
             "mqar_vocab": 8192, "zipf_d": [32, 64, 128, 256, 512, 1024],
             "zipf_T": [30, 100, 300, 1000, 3000, 10000, 30000], "zipf_reps": 400},
}


def _log_ticks(ax, axis, values):
    """Plain tick labels at the simulated values of a log axis."""
    from matplotlib.ticker import NullFormatter, NullLocator

    a = ax.xaxis if axis == "x" else ax.yaxis
    a.set_minor_locator(NullLocator())
    a.set_minor_formatter(NullFormatter())
    (ax.set_xticks if axis == "x" else ax.set_yticks)(list(values), [str(v) for v in values])


MEMORY_LABEL = {"hebbian": "Hebbian (linear attention)", "delta": "delta rule (one pass)",
                "softmax": "softmax attention", "normalized": "normalised linear (elu+1)"}


@register_figure("kv-accuracy-vs-M", title="Key-value recall accuracy vs stored pairs M at fixed d (three memories)",
                 estimators=("kv-recall-accuracy",))
def fig_accuracy_vs_M(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    z = SIZES["quick" if quick else "full"]
    d, V = z["vsM_d"], 8
    Ms = np.unique(np.round(np.geomspace(8, 2 * d * d, z["vsM_points"])).astype(int))
    n_mem = z["vsM_mem"]
    Mth = np.geomspace(8, 2 * d * d, 25)
    th = tkv.argmax_accuracy(d, Mth, V, "other")
    data = {"d": d, "V": V, "M": Ms, "n_mem": n_mem, "theory": {"M": Mth, "hebbian": th}}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1, 1.15), layout="constrained")  # the legend goes below
        for i, mem in enumerate(("hebbian", "delta", "softmax")):
            acc = [sk.recall_accuracy(mem, d, int(M), V, "other", n_mem,
                                      derive_seed(seed, {"fig": "kv-accuracy-vs-M", "memory": mem, "M": int(M)}))
                   for M in Ms]
            m, lo, hi = style.mean_interval(np.array(acc), axis=1)
            style.points(ax, Ms, m, lo, hi, i=i, label=MEMORY_LABEL[mem])
            data[mem] = {"accuracy": m, "low": lo, "high": hi}
        style.curve(ax, Mth, th, i=0, label="Gaussian theory (Hebbian)")
        ax.axvline(d, color="0.6", lw=0.7, ls=":")
        ax.axhline(1 / V, color="0.6", lw=0.7, ls="--")
        ax.set_xscale("log")
        ax.set(xlabel="stored pairs $M$", ylabel=f"recall accuracy ($V = {V}$)", ylim=(0, 1.03))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2))  # the data fill the axes
        return style.save(fig, out_dir, "kv-accuracy-vs-M", data=data, seed=seed, quick=quick,
                          caption=f"Argmax recall among V = {V} stored values after writing M Gaussian pairs in d = {d}"
                                  f" (means over {n_mem} memories, {style.LEVEL_LABEL}s). Curve: "
                                  "theory.kv_memory.argmax_accuracy for the Hebbian memory. Dotted: M = d; dashed: "
                                  "chance. Softmax beta = sqrt(d) ln M. The queries are the V earliest pairs, which "
                                  "one pass of the delta rule overwrites first.",
                          source="new")


def _m50_theory(d, V):
    f = lambda lm: float(tkv.argmax_accuracy(d, np.exp(lm), V, "other")) - 0.5  # noqa: E731
    return float(np.exp(optimize.brentq(f, np.log(2.0), np.log(1e3 * d * d))))


@register_figure("kv-capacity-vs-d", title="Pairs at 50% recall vs d (log-log) with fitted slopes",
                 estimators=("kv-recall-accuracy",))
def fig_capacity_vs_d(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    V = 8
    z = SIZES["quick" if quick else "full"]
    ds, n_mem = z["cap_d"], z["cap_mem"]
    data = {"V": V, "d": ds, "n_mem": n_mem}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1, 1.1), layout="constrained")  # the legend goes below
        for i, mem in enumerate(("hebbian", "delta")):
            m50, se50 = [], []
            for d in ds:
                guess = _m50_theory(d, V) if mem == "hebbian" else 2.0 * d
                Ms = np.unique(np.round(guess * np.geomspace(0.4, 2.5, 6)).astype(int))
                Ms = Ms[Ms >= V]
                acc = [sk.recall_accuracy(mem, d, int(M), V, "other", n_mem,
                                          derive_seed(seed, {"fig": "kv-capacity-vs-d", "memory": mem, "d": d,
                                                             "M": int(M)})) for M in Ms]
                k = [int(round(a.sum() * V)) for a in acc]
                x, se = logistic_crossing(np.log(Ms), k, [V * n_mem] * len(Ms))
                m50.append(float(np.exp(x)))
                se50.append(float(np.exp(x) * se))
            m50 = np.array(m50)
            slope, icpt = np.polyfit(np.log(ds), np.log(m50), 1)
            lo, hi = m50 - 2.58 * np.array(se50), m50 + 2.58 * np.array(se50)
            style.points(ax, ds, m50, np.maximum(lo, 1), hi, i=i, label=f"{MEMORY_LABEL[mem]}: slope {slope:.2f}")
            data[mem] = {"M50": m50, "se": se50, "slope": slope}
        dth = np.geomspace(ds[0], ds[-1], 12)
        mth = np.array([_m50_theory(d, V) for d in dth])
        sl_th = float(np.polyfit(np.log(dth), np.log(mth), 1)[0])
        style.curve(ax, dth, mth, i=0, label=f"Hebbian theory: slope {sl_th:.2f}")
        style.curve(ax, dth, dth, i=6, ls=":", label="$M = d$")
        data["theory"] = {"d": dth, "M50": mth, "slope": sl_th}
        ax.set(xscale="log", yscale="log", xlabel="dimension $d$", ylabel="$M$ at 50% recall")
        _log_ticks(ax, "x", ds)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2))
        return style.save(fig, out_dir, "kv-capacity-vs-d", data=data, seed=seed, quick=quick,
                          caption=f"Stored pairs at which argmax recall among V = {V} stored values falls to 50%, "
                                  "from a logistic fit in log M to per-query successes (queries of one memory "
                                  f"treated as independent; 99% intervals), {n_mem} memories per M. The Hebbian "
                                  "memory scales as d^2 (crosstalk variance M/d^2); one pass of the delta rule as "
                                  "about d. Softmax attention is off this scale (its capacity grows exponentially).",
                          source="new")


@register_figure("mqar-accuracy-vs-pairs", title="MQAR accuracy vs key-value pairs at several d (three memories)",
                 estimators=("mqar-accuracy",))
def fig_mqar(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    z = SIZES["quick" if quick else "full"]
    ds, Ps, n_seq, vocab = z["mqar_d"], z["mqar_P"], z["mqar_seq"], z["mqar_vocab"]
    mems = ("hebbian", "delta", "softmax")
    data = {"d": ds, "pairs": Ps, "n_seq": n_seq, "vocab_size": vocab}
    with style.context():
        fig, axes = plt.subplots(1, 3, figsize=style.size(2, 0.33), sharey=True)
        for P in Ps:
            b = make_mqar(n_seq, vocab_size=vocab, num_pairs=P, seq_len=4 * P + 16,
                          seed=derive_seed(seed, {"fig": "mqar", "P": P}))
            for mem in mems:
                for d in ds:
                    r = evaluate_mqar(b, mem, d, seed=derive_seed(seed, {"fig": "mqar-emb", "d": d}))
                    data.setdefault(mem, {}).setdefault(str(d), {"accuracy": [], "correct": [], "n": [],
                                                                 "state_size": []})
                    e = data[mem][str(d)]
                    e["accuracy"].append(r.accuracy)
                    e["correct"].append(int(r.correct.sum()))
                    e["n"].append(int(r.correct.size))
                    e["state_size"].append(r.state_size)
        for ax, mem in zip(axes, mems):
            for i, d in enumerate(ds):
                e = data[mem][str(d)]
                lo, hi = style.wilson(e["correct"], e["n"])
                style.points(ax, Ps, e["accuracy"], lo, hi, i=i, label=f"d = {d}", ls="-")
            ax.set(xscale="log", xlabel="key-value pairs", title=MEMORY_LABEL[mem])
            _log_ticks(ax, "x", Ps)
        axes[0].set(ylabel="MQAR accuracy", ylim=(0, 1.03))
        axes[0].legend(loc="lower left")
        return style.save(fig, out_dir, "mqar-accuracy-vs-pairs", data=data, seed=seed, quick=quick,
                          caption=f"Multi-query associative recall ({n_seq} sequences per point, vocabulary {vocab}, "
                                  "length 4P + 16, every key queried once, Zoology's power-law gaps) solved by each "
                                  "memory on random Gaussian token embeddings of dimension d, no training. "
                                  "Fixed-state memories (d^2 floats) fail as the pairs approach their capacity; "
                                  "softmax attention keeps 2 P d floats and recalls (at small d its errors come from "
                                  "decoding: the best of vocab/2 random value embeddings). Wilson 99% intervals "
                                  "(queries treated as independent).",
                          source="Arora et al. 2023 (Zoology), the accuracy-vs-pairs and state-size plots, "
                                 "here without training")


@register_figure("kv-zipf-scaling", title="Zipf scaling laws of the outer-product memory: error vs d and vs samples",
                 estimators=("kv-zipf-error", "kv-zipf-sample-error"))
def fig_zipf(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    alpha = 2.0
    z = SIZES["quick" if quick else "full"]
    ds, Ts, reps = z["zipf_d"], z["zipf_T"], z["zipf_reps"]
    data = {"alpha": alpha, "d": ds, "T": Ts, "reps": reps}
    with style.context():
        # legends below the panels: with few repetitions the intervals can span the whole y range
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.5), layout="constrained")
        ax = axes[0]
        handles, labels = [], []
        for i, storage in enumerate(("frequency", "threshold")):
            S = [sk.zipf_error(d, alpha, storage, reps, derive_seed(seed, {"fig": "zipf", "s": storage, "d": d}))
                 for d in ds]
            g, se = sk.fit_exponent(ds, S)
            th = float(tkv.zipf_error_exponent(storage).evaluate(alpha_zipf=alpha))
            m, lo, hi = style.mean_interval(np.array(S), axis=1)
            pts = style.points(ax, ds, m, lo, hi, i=i)
            c = m[0] * (np.asarray(ds) / ds[0]) ** -th
            (ln,) = style.curve(ax, ds, c, i=i, ls="--")
            handles.append((pts, ln))  # one entry per storage: points and the predicted slope through them
            labels.append(f"{storage}: fit {style.estimate(g, se)}\n(predicted {th:.2f})")
            data[storage] = {"mean": m, "low": lo, "high": hi, "fit": g, "se": se, "predicted": th}
        ax.set(xscale="log", yscale="log", xlabel="dimension $d$", ylabel="generalisation error",
               title=rf"Zipf $\alpha = {alpha:g}$")
        _log_ticks(ax, "x", ds)
        from matplotlib.legend_handler import HandlerTuple

        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  handler_map={tuple: HandlerTuple(ndivide=None)}, handlelength=2.5)
        ax = axes[1]
        S = [sk.zipf_sample_error(T, alpha, reps // 4, derive_seed(seed, {"fig": "zipf-T", "T": T})) for T in Ts]
        g, se = sk.fit_exponent(Ts, S)
        th = float(tkv.zipf_sample_exponent().evaluate(alpha_zipf=alpha))
        m, lo, hi = style.mean_interval(np.array(S), axis=1)
        pts = style.points(ax, Ts, m, lo, hi, i=2)
        (ln,) = style.curve(ax, Ts, m[0] * (np.asarray(Ts) / Ts[0]) ** -th, i=2, ls="--")
        data["samples"] = {"mean": m, "low": lo, "high": hi, "fit": g, "se": se, "predicted": th}
        ax.set(xscale="log", yscale="log", xlabel="samples $T$", ylabel="error ($d$ large)")
        _log_ticks(ax, "x", Ts)  # after the scale, which resets the ticks
        ax.legend([(pts, ln)], [f"unseen mass: fit {style.estimate(g, se)}\n(predicted {th:.2f})"],
                  loc="upper center", bbox_to_anchor=(0.5, -0.2), handler_map={tuple: HandlerTuple(ndivide=None)},
                  handlelength=2.5)
        return style.save(fig, out_dir, "kv-zipf-scaling", data=data, seed=seed, quick=quick,
                          caption="Outer-product memory on Zipf inputs p(x) ~ x^-2 with 5 random classes. Left: "
                                  "error vs d for frequency-weighted storage (q = p) and for the d/8 most frequent "
                                  "inputs stored (threshold); dashed lines have the predicted slopes (alpha-1)/"
                                  "(2 alpha) and alpha-1. Right: with d large the error is the unseen mass after T "
                                  f"samples, slope 1 - 1/alpha. Means over {reps} (left) and {reps // 4} (right) "
                                  "repetitions with 99% intervals; fits by weighted least squares on logs, slopes with one "
                                  "standard error.",
                          source="Cabannes, Dohmatob & Bietti, ICLR 2024 (arXiv:2310.02984), the scaling-law figures")

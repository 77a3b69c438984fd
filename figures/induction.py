"""Figures of the induction-head transformer built from associative memories (Bietti et al. 2023;
Wang & Sato 2024): attention maps, theory vs simulated logits, the d^(-1/2) deviation, in-context vs
global probability, APE vs RPE previous-token recall, accuracy vs the scales.

Theory: ``theory.induction`` (derived in amlab). Simulation: ``hopfield.induction``.
Intervals: 99% (``figures.style``): Wilson for proportions, Student t for means.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from figures import style  # noqa: E402
from figures.registry import register_figure  # noqa: E402
from hopfield.bigram import bigram_from_text, synthetic_bigram  # noqa: E402
from hopfield.induction import build_induction_model, forward, positional_recall, probes  # noqa: E402
from hopfield.induction_data import context_counts, designed_prompts, trigger_sequences  # noqa: E402
from simulations.estimators import induction as ei  # noqa: E402
from theory import induction as th  # noqa: E402

SRC = "new (setting of Bietti et al. 2023, arXiv:2306.00802, and Wang & Sato 2024, arXiv:2412.11459)"


@register_figure("induction-attention", title="Layer-1 and layer-2 attention maps on a sample trigger sequence",
                 estimators=("induction-attention-map",))
def fig_attention(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    bg = bigram_from_text()
    T = 40 if quick else 64
    tok, fl = trigger_sequences(bg, 1, T, K=3, seed=seed, triggers="fixed")
    m = build_induction_model(bg, 256, T, seed=seed, gamma=0.3)
    out = forward(m, tok)
    text = bg.decode(tok[0])
    chars = list(text.replace(" ", "_").replace("\n", "/"))
    # where the induction head should look from query t - 1 when token t repeats a trigger's output: the
    # position after the previous occurrence of the token at t - 1
    expected = ei.induction_targets(tok[0], fl[0])
    with style.context():
        # stacked at page width: every key position keeps a readable 8-pt character; one shared colour scale
        fig, axes = plt.subplots(2, 1, figsize=style.size(2, 0.8), layout="constrained", sharex=True)
        for ax, A, name in zip(axes, (out.A1[0], out.A2[0]), ("layer 1 (previous token)", "layer 2 (induction)")):
            im = ax.imshow(A, vmin=0, vmax=1, cmap="viridis", aspect="auto", interpolation="nearest")
            ax.set(title=name, ylabel="query position $t$")
            ax.set_xticks(range(T), chars, fontfamily="monospace")
            ax.tick_params(axis="x", labelbottom=True, length=2, pad=1)
            ax.set_yticks(range(0, T, 8))
            style.integer_axis(ax, "y", locate=False)
        axes[1].set_xlabel("key position $s$ (its character)")
        if expected:
            s_, t_ = np.array(expected).T
            axes[1].plot(s_, t_, "s", ms=5, mfc="none", mec=style.colour(4), mew=1.2, ls="none")
        fig.colorbar(im, ax=axes, label="attention weight", shrink=0.8)
        caption = (f"Attention of the built model (d = 256, APE, beta1 = 20, beta2 = 10) on one trigger sequence "
                   f"of the shipped text's character bigram (K = 3 fixed triggers, T = {T}); key positions are "
                   "labelled with their characters (_ a space). Layer 1 attends to the previous token; layer 2 "
                   "attends to the position after the last occurrence of the current token. Orange squares (layer 2): "
                   f"for the {len(expected)} queries whose next token is a repeated trigger output, the position the "
                   "induction head should attend to (the one after the trigger's previous occurrence).")
        data = {"tokens": tok[0].tolist(), "A1": out.A1[0].tolist(), "A2": out.A2[0].tolist(),
                "flags": fl[0].tolist(), "expected_target": expected}
        return style.save(fig, out_dir, "induction-attention", data=data, seed=seed, quick=quick, caption=caption,
                          source=SRC)


@register_figure("induction-logits", title="Theory vs simulated logits on designed prompts (scatter, per-token bars)",
                 estimators=("induction-prompt-logits",))
def fig_logits(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    bg = ei.bigram()
    d, n = (512, 20) if quick else (2048, 100)
    kw = dict(beta2=2.0, beta_O=4.0, gamma=0.5)
    configs = ((4, 2, 2), (4, 4, 0), (6, 1, 3))
    xs, ys = [], []
    for j, (n_q, c, cb) in enumerate(configs):
        lg, p = ei.simulate_prompt_logits(bg, d, n, seed + j, 32, n_q, c, cb, **kw)
        pr = ei.predicted_logits(bg, p, **kw)
        xs.append(pr - pr.mean(1, keepdims=True))
        ys.append(lg - lg.mean(1, keepdims=True))
    with style.context():
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.42))
        ax = axes[0]
        for j, (x, y) in enumerate(zip(xs, ys)):
            ax.plot(x.ravel(), y.ravel(), style.marker(j), color=style.colour(j), ms=1.8, alpha=0.5,
                    label=r"$n_q = {}$, $c = {}$, $\bar c = {}$".format(*configs[j]))
        lim = [min(np.min(x) for x in xs) - 0.3, max(np.max(x) for x in xs) + 0.3]
        ax.plot(lim, lim, color="0.5", lw=0.8)
        ax.set(xlabel="closed-form logit (centred)", ylabel="simulated logit (centred)", title=f"$d = {d}$")
        ax.legend(loc="upper left", markerscale=2.5, handletextpad=0.2)
        ax = axes[1]
        x, y = xs[0], ys[0]
        mean, lo, hi = style.mean_interval(y, axis=0)
        # each prompt has its own context counts, hence its own closed form: the bar is their mean over the
        # same prompts the points average over
        bar = x.mean(axis=0)
        covered = (lo <= bar) & (bar <= hi)
        k = np.arange(bg.V)
        ax.bar(k, bar, color="0.85", label="closed form")
        style.points(ax, k, mean, lo, hi, 0, label="simulated mean")
        _, p0 = ei.simulate_prompt_logits(bg, 64, 1, seed, 32, *configs[0], **kw)
        style.integer_axis(ax, "x")
        ax.xaxis.set_minor_locator(matplotlib.ticker.MultipleLocator(1))  # a mark at every token
        ax.set(xlabel="token $k$", ylabel="centred logit",
               title=rf"$n_q = 4$, $c = 2$, $\bar c = 2$ ($k = {p0.k[0]}$, $g = {p0.g[0]}$)")
        ax.legend(loc="lower left")
        miss = int(bg.V - covered.sum())
        caption = ("Logits of the last position of designed prompts (V = 16 synthetic bigram, t = 32, beta2 = 2, "
                   "beta_O = 4, gamma = 0.5), one fresh model per prompt, against theory.induction.logits. Both sides "
                   "centred over tokens (the closed form holds up to a common constant). Right: per-token means over "
                   f"the {len(y)} prompts with {style.LEVEL_LABEL}s (Student t), bars the closed form averaged over "
                   f"the same prompts (their context counts differ). {int(covered.sum())} of {bg.V} intervals cover "
                   f"their bar; at the {style.LEVEL:.0%} level about 1 in {round(1 / (1 - style.LEVEL))} would miss by "
                   f"chance if the closed form held exactly at d = {d} ({bg.V * (1 - style.LEVEL):.2f} of {bg.V}; the "
                   "closed form neglects an O(1/d) bias, the induction-logits check's tolerance)"
                   + ("." if miss == 0 else f"; {miss} miss{'es' if miss == 1 else ''}."))
        return style.save(fig, out_dir, "induction-logits", data={"theory": [x.tolist() for x in xs],
                          "simulated": [y.tolist() for y in ys], "configs": configs, "d": d,
                          "bars": bar.tolist(), "covered": covered.tolist()}, seed=seed,
                          quick=quick, caption=caption, source=SRC)


@register_figure("induction-deviation", title="RMS deviation of simulated from closed-form logits vs d (log-log)",
                 estimators=("induction-prompt-logits",))
def fig_deviation(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    bg = ei.bigram()
    ds = [64, 128, 256, 512] if quick else [64, 128, 256, 512, 1024, 2048]
    n = 30 if quick else 200
    kw = dict(beta2=2.0, beta_O=4.0, gamma=0.5)
    rms, lo, hi = [], [], []
    for j, d in enumerate(ds):
        lg, p = ei.simulate_prompt_logits(bg, d, n, seed + 1000 * j, 32, 4, 2, 2, **kw)
        dev = ei.gap_stats(lg, p)[0] - ei.gap_stats(ei.predicted_logits(bg, p, **kw), p)[0]
        r = np.sqrt(np.mean(dev**2))
        z = 2.576 / np.sqrt(2 * (n - 1))
        rms.append(r)
        lo.append(r * np.exp(-z))
        hi.append(r * np.exp(z))
    slope, se = ei.fit_slope(np.log(ds), np.log(rms), np.full(len(ds), 1 / np.sqrt(2 * (n - 1))))
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
        style.points(ax, ds, rms, lo, hi, 0, label="simulated RMS deviation")
        dd = np.geomspace(ds[0], ds[-1], 50)
        style.curve(ax, dd, rms[0] * (dd / ds[0]) ** -0.5, 1, label="d^(-1/2) (theory)", ls="--")
        ax.set_xscale("log")
        ax.set_xticks(ds)
        ax.set_xticklabels([str(d) for d in ds])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set(yscale="log", xlabel="d", ylabel="RMS of xi(k)-xi(g) deviation",
               title=f"fitted slope {slope:.2f} +- {1.96 * se:.2f}")
        ax.legend()
        caption = ("Root-mean-square deviation of the simulated logit gap xi(k) - xi(g) from the closed form on "
                   f"designed prompts (n_q = 4, c = 2, cbar = 2, t = 32), {n} models per d; 99% intervals from "
                   "sd(log RMS) ~ 1/sqrt(2(n-1)). Dashed: slope -1/2 through the first point.")
        return style.save(fig, out_dir, "induction-deviation", data={"d": ds, "rms": rms, "low": lo, "high": hi,
                          "slope": slope, "slope_se": se}, seed=seed, quick=quick, caption=caption, source=SRC)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@register_figure("induction-flip", title="In-context vs global-bigram probability as the in-context count grows",
                 estimators=("induction-prompt-logits",))
def fig_flip(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    bg = ei.bigram()
    d, n = (384, 15) if quick else (1024, 100)
    kw = dict(beta2=2.0, beta_O=4.0, gamma=1.0)
    m_other, t = 1, 32
    cs = list(range(0, 8))
    sim_k, sim_g, th_k, th_g = [], [], [], []
    for c in cs:
        lg, p = ei.simulate_prompt_logits(bg, d, n, seed + c, t, c + m_other, c, 0, **kw)
        pr = ei.predicted_logits(bg, p, **kw)
        ar = np.arange(n)
        ps, pt = _softmax(lg), _softmax(pr)
        sim_k.append(ps[ar, p.k])
        sim_g.append(ps[ar, p.g])
        th_k.append(float(pt[0, p.k[0]]))
        th_g.append(float(pt[0, p.g[0]]))
    q, k = ei.fixed_pair(bg)
    g = int(np.argmax(bg.pi_b[q]))
    Delta = float(bg.log_pi_b[q, g] - bg.log_pi_b[q, k])
    cstar = float(th.flip_count().evaluate(beta2=kw["beta2"], beta_O=kw["beta_O"], gamma=kw["gamma"], cbar=0,
                                           m=m_other, t=t, Delta=Delta))
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
        handles, labels = [], []
        for i, (sim, thv, lab) in enumerate(((sim_k, th_k, "in-context $k$"), (sim_g, th_g, "global $g$"))):
            mean, lo, hi = style.mean_interval(np.array(sim), axis=1)
            pts = style.points(ax, cs, mean, lo, hi, i)
            (ln,) = style.curve(ax, cs, thv, i, ls="--")
            handles.append((pts, ln))  # points simulated, dashed the closed form
            labels.append(lab)
        ax.axvline(cstar, color="0.5", lw=0.8)
        ax.set(xlabel="$c$ = times $k$ followed $q$ in context", ylabel="probability",
               title=f"flip count $c^* = {cstar:.2f}$")
        style.integer_axis(ax, "x")
        from matplotlib.legend_handler import HandlerTuple

        y0, y1 = ax.get_ylim()
        ax.set_ylim(y0, y1 + 0.2 * (y1 - y0))  # room for the legend above the intervals
        ax.legend(handles, labels, loc="upper right", handler_map={tuple: HandlerTuple(ndivide=None)},
                  handlelength=2.5)
        caption = (f"Softmax probability of the in-context successor k and of the global bigram answer g at the "
                   f"query of designed prompts with n_q = c + {m_other}, t = {t}, d = {d} (beta2 = 2, beta_O = 4, "
                   "gamma = 1); points: means over models with 99% t intervals; dashed: the closed form; vertical "
                   "line: the predicted flip count c* (theory.induction.flip_count).")
        return style.save(fig, out_dir, "induction-flip", data={"c": cs, "sim_k": [s.tolist() for s in sim_k],
                          "sim_g": [s.tolist() for s in sim_g], "theory_k": th_k, "theory_g": th_g, "c_star": cstar},
                          seed=seed, quick=quick, caption=caption, source=SRC)


@register_figure("induction-recall", title="APE vs RPE previous-token recall vs T for several d",
                 estimators=("induction-positional-recall",))
def fig_recall(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    bg = synthetic_bigram(4, seed=0)
    ds = [32, 64] if quick else [32, 64, 128]
    Ts = [32, 64, 128, 256, 512] if quick else [32, 64, 128, 256, 512, 1024, 2048]
    n = 4 if quick else 20
    data = {}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
        for i, d in enumerate(ds):
            for pe, ls in (("ape", "-"), ("rpe", ":")):
                rec = np.array([[positional_recall(build_induction_model(bg, d, T, seed=ei.trial_seed(seed + T, j),
                                                                         pe=pe)) for j in range(n)] for T in Ts])
                mean, lo, hi = style.mean_interval(rec, axis=1)
                style.points(ax, Ts, mean, lo, hi, i, label=f"{pe.upper()} d={d}", mfc="none" if pe == "rpe" else None)
                TT = np.unique(np.geomspace(Ts[0], Ts[-1], 12).astype(int))
                f = th.prev_token_recall_ape if pe == "ape" else th.prev_token_recall_rpe
                style.curve(ax, TT, f(d, TT), i, ls=ls)
                data[f"{pe}_{d}"] = rec.tolist()
        ax.set(xscale="log", xlabel="sequence length T", ylabel="previous-token recall", ylim=(0, 1.05))
        ax.set_xticks(Ts)
        ax.set_xticklabels([str(T) for T in Ts])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.legend()
        caption = ("Fraction of positions whose positional layer-1 score peaks at the previous position, absolute "
                   "(filled) vs relative (open) encoding; means over models with 99% t intervals. Curves: "
                   "theory.induction.prev_token_recall_ape (solid, crosstalk of T - 1 stored pairs) and _rpe "
                   "(dotted, offset scores, T-independent noise).")
        return style.save(fig, out_dir, "induction-recall", data={"T": Ts, "d": ds, **data}, seed=seed, quick=quick,
                          caption=caption, source=SRC)


@register_figure("induction-scales", title="In-context accuracy of the built model vs the attention scale",
                 estimators=("induction-scale-accuracy",))
def fig_scales(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    bg = synthetic_bigram(64, seed=0)
    d, T, n = (128, 128, 8) if quick else (256, 256, 64)
    betas = [1, 2, 5, 10, 20]
    tok, fl = trigger_sequences(bg, n, T, K=5, seed=seed)
    acc, nn = [], []
    for b in betas:
        pr = probes(build_induction_model(bg, d, T, seed=seed, beta1=b, beta2=b, beta_O=1.0, gamma=0.0), tok, fl)
        acc.append(pr["icl"])
        nn.append(pr["n_icl"])
    k = np.round(np.array(acc) * np.array(nn)).astype(int)
    lo, hi = style.wilson(k, nn)
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
        style.points(ax, betas, acc, lo, hi, 0, label="built model")
        ax.set(xscale="log", xlabel="beta1 = beta2", ylabel="in-context accuracy", ylim=(0, 1.02))
        ax.set_xticks(betas)
        ax.set_xticklabels([str(b) for b in betas])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.legend()
        caption = (f"In-context accuracy (argmax logit = next token at repeated trigger outputs) of the built model "
                   f"(d = {d}, T = {T}, V = 64, K = 5 random triggers, no feed-forward memory) vs the attention "
                   "scales; "
                   "99% Wilson intervals (positions within a sequence are not independent: indicative). Unit scales "
                   "give attention too soft for the memories to act.")
        return style.save(fig, out_dir, "induction-scales", data={"beta": betas, "accuracy": acc, "n": nn},
                          seed=seed, quick=quick, caption=caption, source=SRC)

"""Figures of AMICL (Burns, Fukai & Earls, arXiv:2412.15113): accuracy curves, attention maps, spot checks.

Each builder saves through ``figures.style`` (a PNG, a PDF and the JSON of the
plotted data with its caption and source, atomically) and returns the paths.
Simulated points are the accuracies of trials whose context classes are all
distinct (the setting of ``theory.amicl.accuracy_exact``) with 99% Wilson
intervals (the checks' level), except where a panel says "all trials".

References
----------
J. Burns, T. Fukai, C. Earls, "Associative memory inspires improvements for in-context learning using a
novel attention residual stream architecture", arXiv:2412.15113 (2024).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from figures import style  # noqa: E402
from figures.registry import register_figure  # noqa: E402
from hopfield.amicl import SIMILARITIES, make_sequences, run_amicl, sweep_amicl  # noqa: E402
from simulations.core.io import atomic_write_text  # noqa: E402
from theory import amicl as th  # noqa: E402

QUICK_QUADRATURE = th.ExactSettings(n_R=12, n_u=161, n_c=101, n_xy=81)

#: The authors' notebook (Burns, Fukai & Earls 2024; docs/references.md): correct of 1000 at K = 512, D = 100, T = 20.
PAPER_SPOT = {2.0: 1000, 1.75: 1000, 1.5: 994, 1.25: 907, 1.0: 325}
#: Their accuracy vs D at a = 2 (read from the paper's figure, approximate).
PAPER_VS_D = {10: 0.73, 20: 0.95, 40: 0.99, 100: 1.0}


def _wilson(k, n):
    k = np.atleast_1d(np.asarray(k, dtype=np.int64))
    n = np.broadcast_to(np.atleast_1d(np.asarray(n, dtype=np.int64)), k.shape)
    return style.wilson(k, n)


SOURCE = "Burns, Fukai & Earls 2024 (arXiv:2412.15113)"


def _points(ax, x, k, n, **kw):
    p = np.asarray(k) / np.asarray(n)
    lo, hi = _wilson(k, n)
    kw.setdefault("fmt", "o")
    ax.errorbar(x, p, yerr=[np.clip(p - lo, 0, None), np.clip(hi - p, 0, None)], ms=3.5, capsize=1.5, **kw)
    return p, lo, hi


@register_figure("amicl-accuracy-vs-a", title="AMICL accuracy vs mixing weight a (dot product; Pearson)",
                 estimators=("amicl-accuracy",))
@style.styled
def fig_vs_a(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    D, K, T = 100, 512, 20
    a_sim = np.round(np.linspace(0.5, 2.5, 11 if quick else 41), 4)
    a_th = np.linspace(0.55, 2.5, 14 if quick else 60)
    n = 1000 if quick else 10000
    st = QUICK_QUADRATURE if quick else th.ExactSettings()
    dot = sweep_amicl(a_sim, D=D, K=K, T=T, n_trials=n, seed=seed)
    pea = sweep_amicl(a_sim, D=D, K=K, T=T, n_trials=n, seed=seed, similarity="pearson")
    exact = th.accuracy_exact(a_th, D, T, 0.1, st)
    simple = th.accuracy_large_D(a_th, D)
    fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.42), sharey=True)
    ax = axes[0]
    kd, nd = dot.correct_distinct[:, 0, 0, 0], dot.n_distinct[0, 0, 0]
    p, lo, hi = _points(ax, a_sim, kd, nd, color=style.PALETTE[0], label=f"simulation, {nd} trials")
    style.curve(ax, a_th, exact, 0, label="finite-D theory")
    style.curve(ax, a_th, simple, 1, ls="--", label="large-D integral")
    ax.axvline(1.0, color="0.7", lw=0.8)
    ax.set(xlabel="mixing weight a", ylabel="accuracy", title=f"dot product, D={D}, K={K}, T={T}")
    ax.legend(fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 0.08))  # clear of the rise at a ~ 1
    ax = axes[1]
    kp = pea.correct[:, 0, 0, 0]
    pp, plo, phi_ = _points(ax, a_sim, kp, n, color=style.PALETTE[0], label=f"simulation, {n} trials")
    ceil = float(th.pearson_ceiling().evaluate(C=T // 2 - 1))
    ax.axhline(ceil, color=style.colour(2), ls="--", label=f"ceiling 1 - 1/C = {ceil:.3f}")
    ax.axvline(1.0, color="0.7", lw=0.8)
    ax.set(xlabel="mixing weight a", title="Pearson correlation")
    ax.legend(fontsize=8, loc="center right", bbox_to_anchor=(1.0, 0.45), handlelength=1.5)  # between the plateaus
    data = {"D": D, "K": K, "T": T, "eps": 0.1,
            "dot": {"a": a_sim, "correct_distinct": kd, "n_distinct": int(nd), "accuracy": p, "low": lo, "high": hi},
            "pearson": {"a": a_sim, "correct": kp, "n": n, "accuracy": pp, "low": plo, "high": phi_,
                        "ceiling": ceil},
            "theory": {"a": a_th, "exact": exact, "large_D": simple}}
    return style.save(fig, out_dir, "amicl-accuracy-vs-a", data=data, seed=seed, quick=quick,
                      caption=f"AMICL accuracy vs the mixing weight a at D = {D}, K = {K}, T = {T}. Left (dot product): points are the accuracy over trials whose context classes are all distinct, Wilson {style.LEVEL_LABEL}s; solid: the finite-D theory accuracy_exact, dashed: the large-D integral, both on a grid of a independent of the points. Right (Pearson correlation): all trials, with the ceiling 1 - 1/C. The switch from copying the exemplar to copying the label is at a = 1 (grey).",
                      source=SOURCE + ", accuracy vs a (their Fig. 2)")


@register_figure("amicl-accuracy-vs-T", title="AMICL accuracy vs sequence length T",
                 estimators=("amicl-accuracy",))
@style.styled
def fig_vs_T(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    D, K = 100, 512
    Ts = [4, 10, 20, 40, 100] if quick else [4, 10, 20, 40, 100, 200, 500, 1000]
    T_th = [4, 10, 20, 40] if quick else [4, 10, 20, 40, 100, 200]
    a_vals = [1.25, 2.0]
    n = 500 if quick else 5000
    st = QUICK_QUADRATURE if quick else th.ExactSettings()
    sw = sweep_amicl(a_vals, D=D, K=K, T=Ts, n_trials=n, seed=seed)
    fig, ax = plt.subplots(figsize=style.size(1, 1.2), layout="constrained")  # room for the legend below
    data = {"D": D, "K": K, "T": Ts, "T_theory": T_th, "curves": []}
    for g, av in enumerate(a_vals):
        k, nd = sw.correct_distinct[g, 0, :, 0], sw.n_distinct[0, :, 0]
        keep = nd >= 30  # long sequences rarely have all-distinct classes at K = 512
        Tk = np.asarray(Ts)[keep]
        p, lo, hi = _points(ax, Tk, k[keep], nd[keep], color=style.colour(g), label=f"$a = {av:g}$, distinct classes")
        ka = sw.correct[g, 0, :, 0]
        pa, loa, hia = _points(ax, np.asarray(Ts) * 1.06, ka, n, color=style.colour(g), mfc="white", fmt="s",
                               label=f"$a = {av:g}$, all trials")
        ex = [float(th.accuracy_exact(av, D, Tv, 0.1, st)) for Tv in T_th]
        style.curve(ax, T_th, ex, g, label=f"finite-$D$ theory, $a = {av:g}$ (distinct)")
        data["curves"].append({"a": av, "T_distinct": Tk, "correct_distinct": k[keep], "n_distinct": nd[keep],
                               "accuracy_distinct": p, "low": lo, "high": hi, "exact": ex,
                               "correct_all": ka, "n_all": n, "accuracy_all": pa, "low_all": loa,
                               "high_all": hia})
    ax.set_xscale("log")
    ax.set(xlabel="sequence length $T$ (tokens)", ylabel="accuracy", title=f"$D = {D}$, $K = {K}$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1)
    return style.save(fig, out_dir, "amicl-accuracy-vs-T", data=data, seed=seed, quick=quick,
                      caption=f"AMICL accuracy vs sequence length T at D = {D}, K = {K}, for two mixing weights. Filled: trials with all-distinct context classes (shown where at least 30 such trials exist); open squares: all trials; lines: the finite-D theory for distinct classes. Wilson {style.LEVEL_LABEL}s.",
                      source=SOURCE + ", accuracy vs sequence length")


@register_figure("amicl-accuracy-vs-D", title="AMICL accuracy vs dimension D at a = 2 (finite-D theory)",
                 estimators=("amicl-accuracy",))
@style.styled
def fig_vs_D(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    K, T, av = 512, 20, 2.0
    Ds = [5, 10, 20, 40, 100] if quick else [3, 5, 7, 10, 15, 20, 30, 40, 60, 100, 200]
    n = 1000 if quick else 20000
    st = QUICK_QUADRATURE if quick else th.ExactSettings()
    sw = sweep_amicl([av], D=Ds, K=K, T=T, n_trials=n, seed=seed)
    D_th = np.unique(np.round(np.geomspace(min(Ds), max(Ds), 8 if quick else 25)).astype(int))
    ex = np.array([float(th.accuracy_exact(av, int(d), T, 0.1, st)) for d in D_th])
    simple = th.accuracy_large_D(av, D_th)
    fig, ax = plt.subplots(figsize=style.size(1, 0.8))
    k, nd = sw.correct_distinct[0, :, 0, 0], sw.n_distinct[:, 0, 0]
    p, lo, hi = _points(ax, Ds, k, nd, color=style.PALETTE[0], label="simulation")
    style.curve(ax, D_th, ex, 0, label="finite-$D$ theory")
    style.curve(ax, D_th, simple, 1, ls="--", label="large-$D$ integral")
    ax.plot(list(PAPER_VS_D), list(PAPER_VS_D.values()), "x", color=style.colour(1), label="paper (approx.)")
    ax.set_xscale("log")
    ax.set(xlabel="dimension $D$", ylabel="accuracy", title=f"$a = {av:g}$, $K = {K}$, $T = {T}$")
    ax.legend(loc="lower right")
    data = {"a": av, "K": K, "T": T, "D": Ds, "correct_distinct": k, "n_distinct": nd, "accuracy": p, "low": lo,
            "high": hi, "theory": {"D": D_th, "exact": ex, "large_D": simple}, "paper": PAPER_VS_D}
    return style.save(fig, out_dir, "amicl-accuracy-vs-D", data=data, seed=seed, quick=quick,
                      caption=f"AMICL accuracy vs the token dimension D at a = {av:g}, K = {K}, T = {T}: simulation over distinct-class trials with Wilson {style.LEVEL_LABEL}s, finite-D theory (solid), large-D integral (dashed) and values read from the paper's figure (crosses, approximate).",
                      source=SOURCE + ", accuracy vs D (values read from their figure)")


#: Inverse temperatures of the heatmaps' softmax panels, per similarity (their scales differ).
HEATMAP_BETA = {"dot": 40.0, "pearson": 20.0, "euclidean": 20.0, "manhattan": 2.0}


@register_figure("amicl-attention", title="AMICL attention of the query over positions vs a, per similarity",
                 estimators=("amicl-query-attention",))
@style.styled
def fig_attention(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    D, K, T = 100, 512, 20
    a_grid = np.round(np.linspace(0.2, 2.5, 12 if quick else 47), 4)
    fig, axes = plt.subplots(len(SIMILARITIES), 3, figsize=(style.PAGE, 1.9 * len(SIMILARITIES)), sharex=True,
                             sharey=True)
    data = {"D": D, "K": K, "T": T, "a": a_grid, "beta": HEATMAP_BETA, "panels": {}}
    # A trial whose query class occurs once, in a middle pair: the first such trial of ``seed``.
    seqs = make_sequences(64, D=D, K=K, T=T, seed=seed)
    C = T // 2 - 1
    pick = [i for i in range(64) if seqs.m[i] == 1
            and 2 <= int(np.nonzero(seqs.classes[i, :C] == seqs.classes[i, C])[0][0]) <= C - 3]
    trial = pick[0] if pick else 0
    j = int(np.nonzero(seqs.classes[trial, :C] == seqs.classes[trial, C])[0][0])
    answer = 2 * j + 1
    data["trial"], data["answer_position"] = trial, answer
    for r, sim in enumerate(SIMILARITIES):
        sc = np.array([run_amicl(float(a), D=D, K=K, T=T, n_trials=trial + 1, similarity=sim, seed=seed,
                                 return_scores=True).scores[trial] for a in a_grid])  # (G, T)
        z = HEATMAP_BETA[sim] * (sc - sc.max(axis=1, keepdims=True))
        soft = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        hard = np.zeros_like(sc)
        hard[np.arange(len(a_grid)), np.argmax(sc, axis=1)] = 1.0
        for c, (mat, name) in enumerate([(sc, "scores"), (soft, f"softmax (beta={HEATMAP_BETA[sim]:g})"),
                                         (hard, "argmax")]):
            ax = axes[r, c]
            im = ax.imshow(mat, aspect="auto", origin="lower", cmap="viridis",
                           extent=(-0.5, T - 0.5, a_grid[0], a_grid[-1]))
            fig.colorbar(im, ax=ax, fraction=0.04)
            ax.axvline(answer, color=style.colour(1), lw=1.0, ls=":")
            ax.set_title(f"{sim}: {name}", fontsize=8)
            if c == 0:
                ax.set_ylabel("a")
            else:
                ax.tick_params(labelleft=False)
            if r == len(SIMILARITIES) - 1:
                ax.set_xlabel("key position t")
        data["panels"][sim] = {"scores": sc, "softmax": soft, "argmax": np.argmax(sc, axis=1)}
    fig.suptitle(f"Query attention over the keys of one sequence vs a (D={D}, T={T})", fontsize=9)
    return style.save(fig, out_dir, "amicl-attention", data=data, seed=seed, quick=quick,
                      caption=f"Scores of the query against every key position t of one sequence (D = {D}, T = {T}) as the mixing weight a varies, for each similarity: raw scores, their softmax and the argmax. Even t are exemplars, odd t labels, t = {T - 1} the noise key; the dotted line marks the correct label (t = {answer}). For a > 1 the argmax moves from the exemplar to its label.",
                      source="new (the mechanism of " + SOURCE + ")")


@register_figure("amicl-spot-checks", title="AMICL spot checks beside the numbers of the authors' notebook",
                 estimators=("amicl-accuracy",))
@style.styled
def fig_spot_checks(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    n = 1000
    st = QUICK_QUADRATURE if quick else th.ExactSettings()
    rows = []
    settings = [(a, 100, 512, 20) for a in PAPER_SPOT]
    settings += [(2.0, d, 512, 20) for d in (10, 20, 40)]
    settings += [(2.0, 100, 50, 20), (1.25, 100, 50, 20), (2.0, 100, 512, 100)]
    if not quick:
        settings.append((2.0, 100, 512, 1000))
    for av, Dv, Kv, Tv in settings:
        r = run_amicl(av, D=Dv, K=Kv, T=Tv, n_trials=n, seed=seed)
        k = int(r.correct.sum())
        lo, hi = _wilson(k, n)
        ex = float(th.accuracy_exact(av, Dv, Tv, 0.1, st)) if Tv <= 100 else float("nan")
        if (Dv, Kv, Tv) == (100, 512, 20):
            paper = f"{PAPER_SPOT[av]} / 1000"
        elif Kv == 512 and Tv == 20 and Dv in PAPER_VS_D:
            paper = f"~{PAPER_VS_D[Dv]:.2f} (figure)"
        elif Tv > 20 and av == 2.0:
            paper = "1.0 (figure)"
        else:
            paper = "-"
        rows.append({"a": av, "D": Dv, "K": Kv, "T": Tv, "correct": k, "n": n, "low": float(lo[0]),
                     "high": float(hi[0]), "theory_exact_distinct": ex, "paper": paper})
    header = ["a", "D", "K", "T", "amlab (of 1000)", "99% interval", "theory*", "paper"]
    cells = [[f"{r['a']:g}", str(r["D"]), str(r["K"]), str(r["T"]), str(r["correct"]),
              f"[{r['low']:.3f}, {r['high']:.3f}]", "-" if np.isnan(r["theory_exact_distinct"]) else
              f"{r['theory_exact_distinct']:.3f}", r["paper"]] for r in rows]
    md = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(c) + " |" for c in cells]
    note = ("Trials: all (including repeated context classes). *Theory: theory.amicl.accuracy_exact, "
            f"for trials with distinct context classes; seed {seed}.")
    paths = []
    paths.append(atomic_write_text(Path(out_dir) / "amicl-spot-checks.md",
                                   "# AMICL spot checks\n\n" + "\n".join(md) + "\n\n" + note + "\n"))
    fig, ax = plt.subplots(figsize=(style.PAGE, 0.3 * (len(cells) + 2)))
    ax.axis("off")
    tab = ax.table(cellText=cells, colLabels=header, loc="center", cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(8)
    tab.scale(1, 1.3)
    tab.auto_set_column_width(list(range(len(header))))
    ax.set_title("AMICL spot checks (1000 trials each) beside the paper", fontsize=9)
    ax.text(0.5, -0.02, note, transform=ax.transAxes, ha="center", va="top", fontsize=8, wrap=True)
    paths = style.save(fig, out_dir, "amicl-spot-checks", data={"rows": rows, "note": note}, seed=seed, quick=quick,
                      caption="AMICL spot checks: correct answers of 1000 trials per setting with Wilson 99% intervals, the finite-D theory for distinct-class trials and the numbers of the authors' notebook and figures.",
                      source=SOURCE + ", the authors' notebook numbers") + paths
    return paths

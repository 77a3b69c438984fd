"""Figures of the key-value memories that forget: recall by age, and the recall/state-size frontier.

Simulated points come from ``simulations.estimators.forgetting.memory_scores`` (keys and values
i.i.d. ``N(0, I/d)``, state ``d x d`` for every memory); curves are ``theory.forgetting``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

import theory.forgetting as tf
from figures import style
from figures.registry import register_figure
from simulations.core.seeds import derive_seed
from simulations.estimators import forgetting as sf

#: Sizes of the builders (tests shrink the quick ones).
SIZES = {
    "quick": {"age_d": 16, "age_L": 400, "age_n": 300, "front_d": [8, 12, 16], "front_n": 100, "boot": 100},
    "full": {"age_d": 16, "age_L": 600, "age_n": 2000, "front_d": [8, 16, 32], "front_n": 400, "boot": 200},
}

#: The SNR threshold of a retrievable pair.
THETA = 1.0


def memories(d: int) -> list:
    """``(label, memory, params)`` of every memory drawn, at state size ``d x d``.

    The decaying memory at ``lam*`` (``theory.forgetting.optimal_decay``) and at twice and a third of its
    forgetting ``1 - lam^2``, plain linear attention (``lam = 1``), the normalised gated delta rule
    (``a = 0.995``), Titans (``theta = 0.5``, momentum 0.5, retention 0.995), Longhorn (``beta = 1``).
    """
    ls = float(tf.optimal_decay(d, THETA))
    x = 1 - ls**2
    return [(rf"decay $\lambda^* = {ls:.4f}$", "decay", {"lam": ls}),
            (rf"decay $\lambda = {np.sqrt(1 - 2 * x):.4f}$", "decay", {"lam": float(np.sqrt(1 - 2 * x))}),
            (rf"decay $\lambda = {np.sqrt(1 - x / 3):.4f}$", "decay", {"lam": float(np.sqrt(1 - x / 3))}),
            ("linear ($\\lambda = 1$)", "decay", {"lam": 1.0}),
            ("gated delta ($a = 0.995$)", "gated-delta", {"lam": 0.995}),
            ("Titans", "titans", {"lam": 0.995, "eta": 0.5, "momentum": 0.5}),
            ("Longhorn ($\\beta = 1$)", "longhorn", {"eta": 1.0})]


def _ages(L: int) -> np.ndarray:
    return np.unique(np.round(np.geomspace(1, L, 14)).astype(int) - 1)


@register_figure("forgetting-recall-age", title="Memories that forget: recall accuracy and signal vs the age of a "
                                                "pair, every memory at state size d x d",
                 estimators=("kv-forgetting-recall",))
def fig_recall_age(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    z = SIZES["quick" if quick else "full"]
    d, L, n = z["age_d"], z["age_L"], z["age_n"]
    data = {"d": d, "L": L, "n": n, "theta": THETA}
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.55), layout="constrained")
        for i, (label, mem, kw) in enumerate(memories(d)):
            Lm = min(L, 6 * d) if mem == "titans" else L  # Titans is read once per age (a copy each)
            ages = _ages(Lm)
            sc = sf.memory_scores(mem, d, Lm, ages, n, derive_seed(seed, {"fig": "forgetting-recall-age",
                                                                           "memory": mem, **kw}), **kw)
            c = sf.recall_curve(sc)
            lo, hi = style.wilson(c["correct"], n)
            style.points(ax, ages + 1, c["accuracy"], lo, hi, i=i, label=label)
            zc = 2.576
            style.points(bx, ages + 1, c["signal"], c["signal"] - zc * c["signal_se"],
                         c["signal"] + zc * c["signal_se"], i=i)
            entry = {"memory": mem, "params": kw, "L": Lm, "age": ages, "accuracy": c["accuracy"], "low": lo,
                     "high": hi, "signal": c["signal"], "signal_se": c["signal_se"], "snr": c["snr"]}
            a_th = np.arange(Lm)
            if mem == "decay":  # exact closed forms (finite L); lam = 1 as the limit lam -> 1
                lam = min(kw["lam"], 1 - 1e-9)
                acc = tf.recall_accuracy(d, lam, a_th, V=2, L=Lm)
                style.curve(ax, a_th + 1, acc, i=i)
                style.curve(bx, a_th + 1, lam ** a_th, i=i)
                entry["theory"] = {"age": a_th, "accuracy": acc, "signal": lam ** a_th}
            elif mem == "gated-delta":  # exact moments (b = 1/|k|^2, finite L); accuracy Phi(mean / sd)
                sig = np.asarray(tf.gated_delta_signal().evaluate(a=kw["lam"], d=d, age=a_th), dtype=float)
                acc = tf.gated_delta_accuracy(d, kw["lam"], a_th, L=Lm)
                style.curve(ax, a_th + 1, acc, i=i, ls="--")
                style.curve(bx, a_th + 1, sig, i=i, ls="--")
                entry["theory"] = {"age": a_th, "accuracy": acc, "signal": sig}
            data[label] = entry
        ax.axhline(0.5, color="0.6", lw=0.7, ls=":")
        for a in (ax, bx):
            a.set_xscale("log")
            a.set_xlabel("age of the pair + 1")
        ax.set(ylabel="recall accuracy (stored vs fresh value)", ylim=(0.45, 1.01))
        bx.set(ylabel=r"signal $E\, v_j^\top W u_j$", ylim=(-0.05, 1.1))
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=4)
        return style.save(fig, out_dir, "forgetting-recall-age", data=data, seed=seed, quick=quick,
                          caption=f"Key-value memories written at every step with Gaussian pairs in d = {d} (state "
                                  f"d x d), read after L = {L} writes (Titans: {min(L, 6 * d)}) with the key of the "
                                  f"pair of each age; {n} memories per point. Left: fraction whose stored value "
                                  "outscores a fresh random value (99% Wilson intervals); curves: "
                                  "theory.forgetting.recall_accuracy (exact variances, Gaussian approximation); dashed: "
                                  "the gated delta rule's gated_delta_accuracy (its exact mean and variances, the same "
                                  "approximation). Right: mean stored score (99% intervals); solid: lam^age, dashed: "
                                  "the gated delta rule's exact (a (1 - 1/d))^age. Too little forgetting (lam near 1) drowns "
                                  "every pair in crosstalk; too much loses the old ones; lam* keeps the longest "
                                  "window at SNR 1. The Gaussian approximation is low at small ages, where the own pair's term (a product of two chi-squares at d = 16, not Gaussian) dominates the scores. Points only where amlab has no closed form (Titans, Longhorn).",
                          source="new; memories of Sun et al. 2023 (RetNet), Yang, Kautz & Hatamizadeh 2025 (Gated "
                                 "DeltaNet), Behrouz, Zhong & Mirrokni 2024 (Titans), Liu et al. 2024 (Longhorn)")


@register_figure("forgetting-frontier", title="Retrievable pairs vs state size d^2: the decaying memory at lam* "
                                              "(theory) and every memory (simulation)",
                 estimators=("kv-forgetting-window",))
def fig_frontier(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    z = SIZES["quick" if quick else "full"]
    ds, n, boot = z["front_d"], z["front_n"], z["boot"]
    data = {"d": ds, "n": n, "theta": THETA}
    pick = {"decay": 0, "gated-delta": 4, "titans": 5, "longhorn": 6}  # the memories drawn (lam* for decay)
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1, 1.25), layout="constrained")
        dth = np.arange(min(ds), max(ds) + 1)
        lth = np.asarray(tf.optimal_decay(dth, THETA))
        pth = np.asarray(tf.retrievable_pairs(dth, lth, THETA))
        lead = np.asarray(tf.optimal_decay_leading()["window"].evaluate(d=dth, theta=THETA), dtype=float)
        style.curve(ax, dth**2, pth, i=0, label=r"decay at $\lambda^*$: theory")
        style.curve(ax, dth**2, lead, i=0, ls=":", label=r"leading order $d^2 B / (2 e \theta)$")
        data["theory"] = {"d": dth, "lam_star": lth, "pairs": pth, "leading_window": lead}
        for mem, j in pick.items():
            label = memories(ds[0])[j][0] if mem != "decay" else r"decay at $\lambda^*$"
            est, se = [], []
            for d in ds:
                kw = memories(d)[j][2]
                L, A = _frontier_sizes(mem, d, kw)
                sc = sf.memory_scores(mem, d, L, np.arange(A), n,
                                      derive_seed(seed, {"fig": "forgetting-frontier", "memory": mem, "d": d}), **kw)
                c, s = sf.simulated_pairs(sc, THETA, boot=boot, seed=seed)
                est.append(c)
                se.append(s)
            est, se = np.array(est), np.array(se)
            style.points(ax, np.asarray(ds) ** 2, est, est - 2.576 * se, est + 2.576 * se, i=pick[mem],
                         label=f"{label}: simulated")
            data[mem] = {"pairs": est, "se": se}
        ax.set(xscale="log", yscale="log", xlabel=r"state size $d^2$", ylabel=r"retrievable pairs (SNR $\geq 1$)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2))
        return style.save(fig, out_dir, "forgetting-frontier", data=data, seed=seed, quick=quick,
                          caption=f"Stationary number of recent pairs whose SNR (stored against a fresh value) is at "
                                  f"least {THETA:g}, against the state size d^2 (d = {', '.join(map(str, ds))}), "
                                  f"{n} memories per point, 99% bootstrap intervals. Curve: "
                                  "theory.forgetting.retrievable_pairs at the optimal decay lam*(d) (dotted: its "
                                  "leading order). The decaying memory keeps of order d^2 pairs; the delta-type "
                                  "rules, which overwrite instead of decaying, of order d (as measured here, with "
                                  "their default gates).",
                          source="new; the recall/state-size frontier after Arora et al. 2023 (Zoology) and 2024 "
                                 "(Based), here from closed forms and simulation")


def _frontier_sizes(mem: str, d: int, kw: dict) -> tuple:
    """Pairs written ``L`` (stationary to about ``e^-8``) and ages read ``0 .. A - 1`` of one frontier point."""
    if mem == "decay":
        x = 1 - kw["lam"] ** 2
        return int(np.ceil(8 / x)), int(np.ceil(2.5 * float(tf.window().evaluate(d=d, lam=kw["lam"], theta=THETA))))
    return (6 * d, 3 * d) if mem == "titans" else (10 * d, 4 * d)

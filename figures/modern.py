"""Figures of the modern (softmax) Hopfield network: Theorem 5's bound and metastable states vs beta.

``modern-retrieval`` draws the one-step retrieval error ``||f(xi) - x_i||`` of
Ramsauer et al. (2021) against the inverse temperature beta, beside their
Theorem 5 bound ``2 (N-1) exp(-beta (Delta_i - 2 max(||xi - x_i||, ||x_i* -
x_i||) M)) M``, and the fixed points reached from every pattern of a pattern set:
at small beta all starts fall into one global-average state, as beta grows
metastable states (averages over a few patterns) and then one fixed point per
pattern appear (the regimes of their Sec. 2 and Fig. 2).

References
----------
H. Ramsauer et al., "Hopfield Networks is All You Need", ICLR 2021, arXiv:2008.02217.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

import theory.modern as tm
from figures import style
from figures.registry import register_figure
from simulations.estimators.modern import census_patterns, fixed_point_census, median_separation_cues
from simulations.core.seeds import derive_seed


@register_figure("modern-retrieval", title="Ramsauer: one-step retrieval error vs beta with Theorem 5's bound; metastable states vs beta",
                 estimators=("modern-median-error", "modern-fixed-point-census"))
def fig_modern(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from hopfield.modern import ModernHopfield, separation

    d, n_pat, R, r = 32, 16, 4.0, 0.05
    cues = 40 if quick else 400
    X, i0, xi = median_separation_cues(derive_seed(seed, {"figure": "modern-retrieval"}), d, n_pat, R, r, cues)
    delta = np.asarray(separation(X), dtype=float)
    M = float(np.linalg.norm(X, axis=1).max())
    b_sim = np.geomspace(0.05, 2.0, 8 if quick else 24)
    b_fine = np.geomspace(0.04, 2.2, 300)
    bound_f = tm.retrieval_error_bound()

    def bound(beta):
        star = np.asarray(ModernHopfield(X, float(beta)).retrieve(X[i0], max_steps=500, tol=0.0))
        dist = max(r, float(np.linalg.norm(star - X[i0])))
        return float(bound_f.evaluate(N=n_pat, beta=float(beta), Delta=float(delta[i0]), dist=dist, M=M)), dist

    bd = np.array([bound(b)[0] for b in b_fine])
    mean, lo, hi, mx = [], [], [], []
    for b in b_sim:
        err = np.linalg.norm(np.asarray(ModernHopfield(X, float(b)).update(xi)) - X[i0], axis=1)
        m_, l_, h_ = style.mean_interval(err)
        mean.append(float(m_)), lo.append(float(l_)), hi.append(float(h_)), mx.append(float(err.max()))
    sets = 6 if quick else 30
    b_meta = np.geomspace(0.02, 3.0, 30 if quick else 80)
    dist_all, part_all, b_cond = [], [], []
    for k in range(sets):
        Xk = census_patterns(derive_seed(seed, {"set": k}), d, n_pat, R)
        dk, pk = fixed_point_census(Xk, b_meta, steps=200 if quick else 1000)
        dist_all.append(dk), part_all.append(pk)
        from simulations.estimators.modern import beta_at_condition

        b_cond.append(beta_at_condition(float(np.median(separation(Xk))), n_pat, float(np.linalg.norm(Xk, axis=1).max())))
    dist_all, part_all = np.array(dist_all, float), np.array(part_all)
    dm, dl, dh = style.mean_interval(dist_all, axis=0)
    pm, pl, ph = style.mean_interval(part_all, axis=0)
    data = {"d": d, "N": n_pat, "radius": R, "r": r, "pattern": i0, "Delta": float(delta[i0]), "M": M, "cues": cues,
            "error": {"beta": b_sim, "mean": mean, "low": lo, "high": hi, "max": mx},
            "bound": {"beta": b_fine, "bound": bd},
            "metastable": {"beta": b_meta, "sets": sets, "distinct_mean": dm, "distinct_low": dl, "distinct_high": dh,
                           "participation_mean": pm, "participation_low": pl, "participation_high": ph,
                           "beta_condition_median": b_cond}}
    # the bound says nothing above 2M (both f(xi) and x_i lie in the ball of radius M): it is drawn only where it
    # is informative; at small beta it is vacuous (and it jumps where the fixed point x_i* moves onto x_i)
    informative = bd <= 2 * M
    beta_vacuous = float(b_fine[~informative].max()) if (~informative).any() else None
    data["bound"]["informative"] = informative
    data["bound"]["vacuous_below_beta"] = beta_vacuous
    with style.context():
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.38))
        ax = axes[0]
        style.curve(ax, b_fine, np.where(informative, bd, np.nan), 1, label="Theorem 5 bound")
        ax.axhline(2 * M, color="0.5", lw=0.8, ls=":", label="largest possible error $2M$")
        style.points(ax, b_sim, mean, np.maximum(lo, 1e-12), hi, 0, label=f"mean error ({cues} cues)")
        ax.plot(b_sim, mx, "v", color=style.colour(0), ms=3.5, mfc="white", label="largest error")
        ax.set(xscale="log", yscale="log", xlabel=r"inverse temperature $\beta$", ylabel=r"$\|f(\xi) - x_i\|$",
               ylim=(1e-8, 1e3), title=rf"one update from $\|\xi - x_i\| = {r}$")
        ax.legend(loc="lower left")
        ax = axes[1]
        ax.fill_between(b_meta, dl, dh, color=style.colour(0), alpha=0.25, lw=0)
        style.curve(ax, b_meta, dm, 0)
        ax.fill_between(b_meta, pl, ph, color=style.colour(2), alpha=0.25, lw=0)
        style.curve(ax, b_meta, pm, 2, ls="--")
        ax.axvspan(min(b_cond), max(b_cond), color="0.85", zorder=0)
        # the curves are labelled where they run (a legend has no free corner here)
        ax.text(0.025, 1.8, "distinct fixed points", color=style.colour(0), va="bottom")
        ax.text(0.025, n_pat - 2.0, "patterns averaged,\n" + r"$1/\Sigma_i\,p_i^2$", color=style.colour(2), va="top")
        ax.text(float(np.sqrt(min(b_cond) * max(b_cond))), n_pat / 2, "fixed-point\ncondition\nmet", ha="center",
                va="center", color="0.3")
        ax.set(xscale="log", xlabel=r"inverse temperature $\beta$", ylabel="count", ylim=(0, n_pat + 1),
               title=f"fixed points from the patterns ({sets} sets)")
    vac = ("" if beta_vacuous is None else
           f"; the bound is drawn only where it is below 2M = {2 * M:.1f}, the largest possible error (dotted): for "
           f"beta <= {beta_vacuous:.3f} it is vacuous, because the fixed point x_i* lies far from x_i there")
    caption = (f"Modern Hopfield network with N = {n_pat} patterns on a sphere of radius {R} in d = {d}. Left: one-step "
               f"retrieval error from cues at distance {r} of a pattern of median separation Delta = {delta[i0]:.2f}, "
               f"mean over {cues} cues with Student-t {style.LEVEL_LABEL}s and the largest error, vs beta; line: Ramsauer "
               "et al.'s Theorem 5 bound on a fine beta grid (with the fixed point x_i* computed at each beta)"
               f"{vac}. Right: "
               f"over {sets} random pattern sets (mean and {style.LEVEL_LABEL} bands), the number of distinct fixed points "
               "reached from the N patterns (solid) and the softmax participation 1/sum p^2 at the end point (dashed): "
               "one global-average state at small beta, metastable averages in between, one state per pattern at "
               "large beta; grey: the betas at which the fixed-point condition holds at the median separation.")
    return style.save(fig, out_dir, "modern-retrieval", data=data, seed=seed, quick=quick, caption=caption,
                      source="Ramsauer et al. 2021, Theorem 5 and the global/metastable/single-pattern regimes (Fig. 2)")

"""Figures of the extended capacity theory: basins, finite temperature, perceptron couplings.

Each builder simulates its points (independent networks per point, seeds derived
from ``seed`` and the point), draws the theory curves of ``theory.basins``,
``theory.ags`` / ``theory.finite_t`` and ``theory.gardner``, and saves PNG, PDF
and the JSON of the plotted data through ``figures.style.save``. Intervals are
99% (Student-t for means, Wilson for proportions).
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
from simulations.core.seeds import derive_seed  # noqa: E402
from theory import basins  # noqa: E402


@register_figure("basins-steps", title="overlap after 1 and 2 parallel steps vs m0: simulation, "
                                       "erf(m0/sqrt(2 alpha)) and the two-step formula",
                 estimators=("basins-two-step",))
def fig_basin_steps(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.basins import parallel_overlaps

    N = 1000 if quick else 4000
    networks, cues = (6, 6) if quick else (40, 10)
    alphas = (0.1, 0.25)
    m0_sim = np.array([0.15, 0.4, 0.65, 0.9]) if quick else np.linspace(0.05, 0.95, 10)
    m0_th = np.linspace(0.0, 1.0, 201)
    data = {"N": N, "networks": networks, "cues": cues, "alphas": list(alphas), "m0_sim": m0_sim, "m0_theory": m0_th}
    with style.context():
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.4), sharey=True)
        for ax, a in zip(axes, alphas):
            P = int(round(a * N))
            sims = np.array([parallel_overlaps(seed=derive_seed(seed, {"fig": "basins-steps", "alpha": a, "m0": float(m)}),
                                               N=N, alpha=a, m0=float(m), networks=networks, cues=cues)
                             for m in m0_sim])  # (len(m0), networks, 2)
            for t, f, lab in ((0, basins.first_step(), "m1"), (1, basins.second_step(), "m2")):
                mean, lo, hi = style.mean_interval(sims[:, :, t], axis=1)
                style.points(ax, m0_sim, mean, lo, hi, i=t, label=f"{lab} simulated")
                style.curve(ax, m0_th, f.evaluate(m0=m0_th, alpha=P / N), i=t, label=f"{lab} theory")
                data[f"alpha={a}"] = {**data.get(f"alpha={a}", {}), f"{lab}_mean": mean, f"{lab}_low": lo,
                                      f"{lab}_high": hi, f"{lab}_theory": f.evaluate(m0=m0_th, alpha=P / N)}
            naive = basins.naive_second_step().evaluate(m0=m0_th, alpha=P / N)
            ax.plot(m0_th, naive, color="0.5", ls="--", lw=1, label="m1 map iterated")
            data[f"alpha={a}"]["naive_m2"] = naive
            ax.plot([0, 1], [0, 1], color="0.8", lw=0.8, zorder=1)
            ax.set_title(f"alpha = {a}, N = {N}")
            ax.set_xlabel("initial overlap m0")
        axes[0].set_ylabel("overlap after the step")
        axes[0].legend(loc="lower right")
        return style.save(fig, out_dir, "basins-steps", data=data, seed=seed, quick=quick,
                          caption="Overlap with the cued pattern after one (m1) and two (m2) parallel steps of the "
                                  "Hebbian network (zero diagonal) from cues with overlap m0. Points: mean over "
                                  "independent networks (each the mean of its cues), 99% t-intervals. Lines: "
                                  "m1 = erf(m0/sqrt(2 alpha)) and the Gardner-Derrida-Mottishaw two-step formula; "
                                  "dashed: the first-step map applied twice, which overestimates m2.",
                          source="Gardner, Derrida & Mottishaw, J. Physique 48, 741 (1987) (two-step formula); new")


@register_figure("basin-radius", title="measured basin radius of asynchronous T=0 dynamics vs alpha",
                 estimators=("basin-radius",))
def fig_basin_radius(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.basins import basin_radius

    Ns = (500,) if quick else (500, 2000)
    alphas = np.array([0.02, 0.05, 0.08, 0.11, 0.13]) if quick else np.linspace(0.01, 0.14, 14)
    fractions = np.linspace(0.05, 0.5, 10) if quick else np.linspace(0.02, 0.5, 25)
    trials = 24 if quick else 200
    data = {"alphas": alphas, "fractions": fractions, "trials": trials, "threshold": 0.9}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
        for i, N in enumerate(Ns):
            r = [basin_radius(seed=derive_seed(seed, {"fig": "basin-radius", "N": N}), N=N, alpha=float(a),
                              fractions=fractions, trials=trials) for a in alphas]
            rad = np.array([x["radius"] for x in r])
            se = np.array([x["se"] for x in r])
            style.points(ax, alphas, rad, rad - 2.576 * se, rad + 2.576 * se, i=i, label=f"N = {N}")
            data[f"N={N}"] = r
        ax.axvline(0.138, color="0.5", ls=":", lw=1)
        ax.text(0.136, 0.02, "alpha_c (RS)", rotation=90, ha="right", va="bottom", color="0.4")
        ax.set_xlabel("load alpha = P/N")
        ax.set_ylabel("basin radius (fraction of flipped bits)")
        ax.set_ylim(0, 0.5)
        ax.legend()
        return style.save(fig, out_dir, "basin-radius", data=data, seed=seed, quick=quick,
                          caption="Basin radius of asynchronous T = 0 dynamics of the Hebbian network: the fraction "
                                  "of flipped bits at which half of the runs (one network each) end with overlap "
                                  ">= 0.9, from a logistic fit of the success rate (99% delta-method intervals). "
                                  "No closed form exists (from step 3 the dynamics depend on their history); the "
                                  "radius shrinks to zero near alpha_c.",
                          source="new (cf. Gardner, Derrida & Mottishaw 1987; Amit 1989, ch. 7)")


@register_figure("ags-glauber", title="RS overlap m(T) at fixed alpha against Glauber dynamics at several N",
                 estimators=("ags-glauber",))
def fig_ags_glauber(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.finite_t import glauber_overlaps
    from theory import finite_t

    alphas = (0.02, 0.05)
    Ns = (500, 1500) if quick else (500, 2000, 5000)
    T_sim = np.array([0.2, 0.4, 0.6, 0.8]) if quick else np.round(np.arange(0.1, 1.01, 0.1), 2)
    networks, cues, sweeps = (6, 3, 25) if quick else (30, 4, 60)
    data = {"Ns": list(Ns), "T_sim": T_sim, "networks": networks, "cues": cues, "sweeps": sweeps}
    with style.context():
        fig, axes = plt.subplots(1, 2, figsize=style.size(2, 0.4), sharey=True)
        for ax, a in zip(axes, alphas):
            T_M = float(finite_t.retrieval_line(a))
            T_th = np.linspace(0.05, T_M * 0.9999, 40 if quick else 120)
            m_th = finite_t.retrieval_overlap(a, T_th)
            T_cw = np.linspace(0.05, 0.999, 60)
            style.curve(ax, T_th, m_th, i=6, label="RS m(alpha, T)")
            ax.plot(T_cw, finite_t.curie_weiss_overlap(T_cw), color="0.6", ls="--", lw=1, label="alpha -> 0")
            ax.axvline(T_M, color="0.5", ls=":", lw=1)
            ax.text(T_M, 0.05, " T_M", color="0.4")
            d = {"T_theory": T_th, "m_theory": m_th, "T_M": T_M}
            for i, N in enumerate(Ns):
                sims = np.array([glauber_overlaps(seed=derive_seed(seed, {"fig": "ags-glauber", "N": N, "alpha": a,
                                                                          "T": float(T)}),
                                                  N=N, alpha=a, T=float(T), networks=networks, cues=cues,
                                                  sweeps=sweeps) for T in T_sim])  # (len(T), networks)
                mean, lo, hi = style.mean_interval(sims, axis=1)
                style.points(ax, T_sim + 0.008 * (i - 0.5), mean, lo, hi, i=i, label=f"Glauber, N = {N}")
                d[f"N={N}"] = {"mean": mean, "low": lo, "high": hi}
            data[f"alpha={a}"] = d
            ax.set_title(f"alpha = {a}")
            ax.set_xlabel("temperature T")
            ax.set_xlim(0, 1.02)
        axes[0].set_ylabel(f"overlap after {sweeps} sweeps")
        axes[0].legend(loc="lower left")
        return style.save(fig, out_dir, "ags-glauber", data=data, seed=seed, quick=quick,
                          caption="Overlap of heat-bath (Glauber) dynamics started at a stored pattern, after a "
                                  "fixed number of sweeps, against the replica-symmetric retrieval overlap "
                                  "m(alpha, T) of Amit, Gutfreund & Sompolinsky (solid, ends at the retrieval line "
                                  "T_M, dotted). Dashed: the alpha -> 0 (Curie-Weiss) overlap. Points: mean over "
                                  "independent networks, 99% t-intervals. Above T_M the overlap decays towards "
                                  "0, slowly at finite N.",
                          source="Amit, Gutfreund & Sompolinsky, Ann. Phys. 173, 30 (1987) (RS equations); new")


@register_figure("gardner-perceptron", title="fraction of random problems solved by MinOver vs alpha, "
                                             "against Gardner's alpha_c(kappa) and Cover's count",
                 estimators=("gardner-minover",))
def fig_gardner(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.gardner import solved_problems
    from theory import gardner

    N = 40 if quick else 150
    trials = 32 if quick else 200
    budget = 20000 if quick else 200000
    kappas = (0.0, 0.5, 1.0)
    factors = np.array([0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4]) if quick else np.linspace(0.5, 1.5, 11)
    data = {"N": N, "trials": trials, "max_updates": budget}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
        for i, kappa in enumerate(kappas):
            ac = float(gardner.alpha_c().evaluate(kappa=kappa))
            Ps = np.unique(np.maximum(1, np.rint(factors * ac * N).astype(int)))
            k = np.array([solved_problems(N=N, P=int(P), kappa=kappa, trials=trials, max_updates=budget,
                                          seed=derive_seed(seed, {"fig": "gardner", "P": int(P), "kappa": kappa}))
                          for P in Ps])
            lo, hi = style.wilson(k, trials)
            style.points(ax, Ps / N, k / trials, lo, hi, i=i, label=rf"$\kappa = {kappa:g}$")
            ax.axvline(ac, color=style.colour(i), ls=":", lw=1)
            data[f"kappa={kappa}"] = {"alpha": Ps / N, "solved": k, "alpha_c": ac}
        a = np.linspace(0.2, 3.4, 300)  # to 3.4: room for the legend right of the curves
        Pg = np.arange(1, int(3.0 * N) + 1)
        ax.plot(Pg / N, gardner.cover_separable(Pg, N), color=style.colour(0), lw=1, alpha=0.6,
                label=f"Cover, $N = {N}$")
        data["cover"] = {"alpha": Pg / N, "p": gardner.cover_separable(Pg, N)}
        ax.set_xlim(a[0], a[-1])
        ax.set_xlabel(r"load $\alpha = P/N$")
        ax.set_ylabel(r"fraction solved (stability $\geq \kappa$)")
        ax.legend(loc="upper right", handlelength=1.2)
        return style.save(fig, out_dir, "gardner-perceptron", data=data, seed=seed, quick=quick,
                          caption="Fraction of random problems (P patterns, random targets) for which MinOver finds "
                                  "couplings with every stability >= kappa within its update budget (99% Wilson "
                                  "intervals). Dotted: Gardner's alpha_c(kappa) = 1/((1+kappa^2)Phi(kappa) + "
                                  "kappa phi(kappa)); line: Cover's exact separable fraction at kappa = 0. "
                                  "Problems solvable only with a tiny margin can exceed the budget, so the points lie "
                                  "slightly below Cover's curve near alpha = 2.",
                          source="Gardner, J. Phys. A 21, 257 (1988), eq. 24; Cover (1965); new")


@register_figure("pseudo-inverse-step", title="one parallel step of the projection rule (zero diagonal) vs m0",
                 estimators=("pseudo-inverse",))
def fig_projection(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.pseudo_inverse import projection_runs

    N = 300 if quick else 1500
    networks, cues = (6, 6) if quick else (30, 10)
    alphas = (0.3, 0.6, 0.9)
    m0_sim = np.array([0.2, 0.5, 0.8, 0.95]) if quick else np.linspace(0.1, 0.95, 10)
    m0_th = np.linspace(0.0, 0.999, 300)
    data = {"N": N, "networks": networks, "cues": cues, "m0_sim": m0_sim}
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
        for i, a in enumerate(alphas):
            P = int(round(a * N))
            m1 = projection_runs(seed=derive_seed(seed, {"fig": "pinv", "alpha": a}), N=N, alpha=a,
                                 m0=list(m0_sim), networks=networks, cues=cues)[1].T  # (len(m0), networks)
            mean, lo, hi = style.mean_interval(m1, axis=1)
            th = basins.first_step_projection().evaluate(m0=m0_th, alpha=P / N)
            style.points(ax, m0_sim, mean, lo, hi, i=i, label=f"alpha = {a}")
            style.curve(ax, m0_th, th, i=i)
            data[f"alpha={a}"] = {"mean": mean, "low": lo, "high": hi, "theory": th}
        ax.plot([0, 1], [0, 1], color="0.7", lw=0.8, zorder=1)
        ax.set_xlabel("initial overlap m0")
        ax.set_ylabel("overlap after one parallel step")
        ax.legend(loc="upper left")
        return style.save(fig, out_dir, "pseudo-inverse-step", data=data, seed=seed, quick=quick,
                          caption="One parallel step of the pseudo-inverse (projection) rule with zero diagonal from "
                                  "cues with overlap m0: simulation (mean over networks, 99% t-intervals) and "
                                  "m1 = erf(m0 sqrt((1-alpha)/(2 alpha (1-m0^2)))). Every pattern is a fixed point "
                                  "for alpha < 1, but the map crosses the diagonal (grey) ever closer to m0 = 1 as "
                                  "alpha -> 1: the basins shrink.",
                          source="Kanter & Sompolinsky, Phys. Rev. A 35, 380 (1987) (the rule); the curve is new")


@register_figure("sparse-capacity", title="covariance rule: one-step errors vs alpha, and the Tsodyks-Feigel'man "
                                          "capacity vs coding level", estimators=("sparse-one-step",))
def fig_sparse(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.sparse import one_step_errors
    from theory import sparse

    N = 1500 if quick else 5000
    networks, cues = (4, 6) if quick else (30, 10)
    a, theta = 0.1, 0.45
    alphas = np.array([0.2, 0.4, 0.6, 0.8]) if quick else np.linspace(0.1, 1.0, 10)
    al_th = np.linspace(0.05, 1.0, 200)
    e = sparse.bit_errors()
    data = {"N": N, "a": a, "theta": theta, "alphas": alphas}
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.4))
        rates = np.array([one_step_errors(seed=derive_seed(seed, {"fig": "sparse", "alpha": float(x)}), N=N, a=a,
                                          alpha=float(x), theta=theta, networks=networks, cues=cues)
                          for x in alphas])  # (len(alphas), networks, 2)
        for j, kind in enumerate(("active", "inactive")):
            mean, lo, hi = style.mean_interval(rates[:, :, j], axis=1)
            style.points(ax, alphas, mean, lo, hi, i=j, label=f"{kind} bits flipped")
            th = e[kind].evaluate(a=a, alpha=al_th, theta=theta)
            style.curve(ax, al_th, th, i=j)
            data[kind] = {"mean": mean, "low": lo, "high": hi, "theory": th}
        ax.set_yscale("log")
        ax.set_ylim(1e-4, 0.5)
        ax.set_xlabel(r"load $\alpha = P/N$")
        ax.set_ylabel("fraction flipped by one update")
        ax.set_title(rf"$a = {a}$, $\theta = {theta}$, $N = {N}$")
        ax.legend()
        acode = np.logspace(-4, -0.7, 100)
        tf = sparse.tsodyks_feigelman().evaluate(a=acode)
        style.curve(bx, acode, tf, i=6, label=r"$1/(2a\,|\ln a|)$")
        for i, eps in enumerate((0.1, 0.01)):
            bx.plot(acode, 1 / (2 * acode * np.log(1 / (eps * acode))), color=style.colour(i + 2), ls="--", lw=1,
                    label=rf"$e^{{-1/(2\alpha a)}} = {eps}\,a$")
        bx.set_xscale("log")
        bx.set_yscale("log")
        bx.set_xlabel("coding level $a$")
        bx.set_ylabel(r"capacity $\alpha_c$")
        bx.legend(loc="upper right")
        data["capacity"] = {"a": acode, "tsodyks_feigelman": tf}
        return style.save(fig, out_dir, "sparse-capacity", data=data, seed=seed, quick=quick,
                          caption="Covariance rule with 0/1 neurons and coding level a. Left: fractions of active and "
                                  "inactive bits of a stored pattern flipped by one parallel update (points: mean "
                                  "over networks, 99% t-intervals; lines: Gaussian crosstalk of variance alpha a). "
                                  "Right: the Tsodyks-Feigel'man asymptote 1/(2 a |ln a|) and the criterion it comes "
                                  "from at two error levels: the asymptote is approached only logarithmically slowly.",
                          source="Tsodyks & Feigel'man, Europhys. Lett. 6, 101 (1988) (asymptote); new")


@register_figure("mixture-stability", title="symmetric 3-mixture: overlap and survival under Glauber dynamics vs T",
                 estimators=("mixture-stability",))
def fig_mixtures(out_dir: style.StrPath, *, quick: bool = True, seed: int = 0) -> Sequence[Path]:
    from simulations.estimators.mixtures import KEPT, mixture_runs
    from theory import mixtures

    Ns = (1000, 10000) if quick else (1000, 4000, 20000)
    T_sim = np.array([0.1, 0.25, 0.35, 0.45, 0.55]) if quick else np.round(np.arange(0.05, 0.71, 0.05), 2)
    runs, sweeps = (10, 30) if quick else (100, 60)
    T_inst = mixtures.instability_T(3)
    T_th = np.linspace(0.01, 0.99, 150)
    m_th = np.array([mixtures.symmetric_mixture(t)["m"] for t in T_th])
    lam = np.array([mixtures.symmetric_mixture(t)["lambda_break"] for t in T_th])
    data = {"T_theory": T_th, "m_theory": m_th, "lambda_break": lam, "T_instability": T_inst, "runs": runs,
            "sweeps": sweeps}
    with style.context():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=style.size(2, 0.4))
        stable = T_th < T_inst
        style.curve(ax, T_th[stable], m_th[stable], i=6, label="stable")
        ax.plot(T_th[~stable], m_th[~stable], color="k", ls="--", lw=1, label="unstable")
        for i, N in enumerate(Ns):
            ov = [mixture_runs(seed=derive_seed(seed, {"fig": "mix", "N": N, "T": float(T)}), N=N, P=4, T=float(T),
                               runs=runs, sweeps=sweeps) for T in T_sim]
            kept = np.array([int((o.min(axis=1) > KEPT).sum()) for o in ov])
            lo, hi = style.wilson(kept, runs)
            style.points(bx, T_sim + 0.006 * (i - 0.5), kept / runs, lo, hi, i=i, label=f"$N = {N}$")
            mm = np.array([o[o.min(axis=1) > KEPT].mean() if (o.min(axis=1) > KEPT).sum() else np.nan for o in ov])
            ax.plot(T_sim, mm, style.marker(i), color=style.colour(i), ms=3.5)
            data[f"N={N}"] = {"kept": kept, "mean_overlap_kept": mm}
        for a_ in (ax, bx):
            a_.axvline(T_inst, color="0.5", ls=":", lw=1)
            a_.set_xlabel("temperature $T$")
        ax.set_ylabel("overlap with each of the 3 patterns")
        bx.set_ylabel(f"fraction keeping the mixture ({sweeps} sweeps)")
        from matplotlib.lines import Line2D

        handles, labels = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], marker="o", color="0.4", ms=3.5, ls="none"))
        labels.append("kept runs")  # colours and markers: N, as on the right
        ax.legend(handles, labels, loc="lower left", handlelength=1.5)
        bx.legend(loc="lower left")
        return style.save(fig, out_dir, "mixture-stability", data=data, seed=seed, quick=quick,
                          caption="Symmetric 3-mixture at alpha -> 0 (P = 4). Left: overlap m(T) from "
                                  "m = (1/3)<z tanh(beta m z)> (1/2 at T = 0), solid where the Hessian is positive, "
                                  "and the mean overlap of runs that keep the mixture (markers per N as on the "
                                  "right). Right: fraction of Glauber "
                                  "runs seeded with sign(xi1 + xi2 + xi3) that keep it (smallest overlap > 0.25), "
                                  "99% Wilson intervals. Dotted: T = 0.4598 where the mixture loses stability; "
                                  "finite networks escape earlier by thermal activation.",
                          source="Amit, Gutfreund & Sompolinsky, Phys. Rev. A 32, 1007 (1985) ('T ~ 0.46'); new")

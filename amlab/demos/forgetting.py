"""Demo 8: why a memory that keeps learning must forget.

(1) A Hebbian network fed a stream of patterns keeps every one of them until about
0.14 N have been written, then loses them all. (2) The marginalist palimpsest,
``J <- lam J + xi xi^T / N``, forgets the oldest and keeps a stationary window of
the most recent, about 0.05 N at the best rate. (3) The delta rule with a decay
gate does the same for key-value pairs with a ``d x d`` state.

References
----------
J. P. Nadal, G. Toulouse, J. P. Changeux, S. Dehaene, Europhys. Lett. 1, 535 (1986).
M. Mezard, J. P. Nadal, G. Toulouse, J. Physique 47, 1457 (1986).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from amlab.demos._common import save_png
from amlab.demos.registry import Echo, StrPath, register_demo


def delta_recall_by_age(d: int, L: int, decay: float, seed: int) -> np.ndarray:
    """Whether each of ``L`` key-value pairs written into a delta memory is recalled at the end (index = age)."""
    from hopfield.kv import DeltaMemory

    rng = np.random.default_rng(seed)
    K = rng.normal(size=(L, d)) / np.sqrt(d)
    Vv = rng.normal(size=(L, d))
    mem = DeltaMemory(d, d, decay=decay).write(K, Vv)
    out = mem.read(K)  # (L, d)
    scores = out @ Vv.T  # nearest stored value by inner product
    ok = scores.argmax(axis=1) == np.arange(L)
    return ok[::-1]  # age 0 = the last pair written


@register_demo("forgetting", title="why a memory that keeps learning must forget: collapse, palimpsest, gated delta")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    from simulations.estimators import palimpsest as sp_
    from theory import palimpsest as tp

    out_dir = Path(out_dir)
    N, n_net = (200, 2) if small else (400, 4)
    alphas = np.array([0.05, 0.1, 0.15, 0.25, 0.35])
    eps = tp.replica_optimum()["eps"]
    heb = np.array([sp_.retrieved_after(N, int(a * N), n_net, seed, eps=0.0).mean() for a in alphas])
    pal = np.array([sp_.retrieved_after(N, int(a * N), n_net, seed, eps=eps).mean() for a in alphas])
    echo(f"(1) A Hebbian network of N = {N} neurons learns a stream of random patterns (no forgetting):")
    for a, h in zip(alphas, heb):
        echo(f"    after {int(a * N)} patterns ({a:.2f} N): {h * N:.0f} retrieved ({h:.3f} N)")
    echo("    past about 0.14 N (more at this small N) the crosstalk wins and every pattern is lost.")
    echo(f"(2) The palimpsest J <- lam J + xi xi^T/N, lam = 1 - eps/N at the best rate eps = {eps:.1f}:")
    for a, p in zip(alphas, pal):
        echo(f"    after {int(a * N)} patterns: the {p * N:.0f} most recent retrieved ({p:.3f} N)")
    echo(f"    a stationary window; theory {tp.replica_optimum()['alpha_w']:.3f} N for N -> oo (1986: about 0.05 N).")
    d, L = (16, 200) if small else (32, 400)
    rec = {lam: delta_recall_by_age(d, L, lam, seed) for lam in (1.0, 0.9)}
    echo(f"(3) The delta rule W <- lam W + eta (v - lam W k) k^T, d = {d} ({d * d} numbers of state), {L} pairs:")
    for lam, ok in rec.items():
        first = int(np.argmin(ok)) if not ok.all() else L
        echo(f"    lam = {lam}: the {first} most recent pairs all recalled, {int(ok.sum())} of {L} in all")
    echo("    the correction v - W k overwrites old pairs and the gate lam fades them: recent pairs stay readable.")
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
    ax.plot(alphas, heb, "o-", color="#D55E00", label="Hebbian")
    ax.plot(alphas, pal, "s-", color="#0072B2", label=f"palimpsest, eps={eps:.1f}")
    ax.axvline(0.138, color="0.4", ls="--", lw=0.8)
    ax.set(xlabel="patterns written / N", ylabel="retrieved / N", ylim=(0, 0.3))
    ax.legend(loc="upper right", fontsize=8)
    ages = np.arange(L)
    for lam, c in ((1.0, "#009E73"), (0.9, "#CC79A7")):
        window = 20
        frac = np.convolve(rec[lam], np.ones(window) / window, mode="valid")
        bx.plot(ages[: frac.size], frac, color=c, label=f"delta rule, lam = {lam}")
    bx.set(xlabel="age of the pair", ylabel="recalled (running mean)", ylim=(0, 1.35))
    bx.legend(loc="upper right", fontsize=8)
    paths = [save_png(fig, out_dir / "forgetting.png")]
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

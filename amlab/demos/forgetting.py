"""Demo 8: why a memory that keeps learning must forget.

(1) A Hebbian network fed a stream of patterns keeps every one of them until about
0.14 N have been written, then loses them all. (2) The marginalist palimpsest,
``J <- lam J + xi xi^T / N``, forgets the oldest and keeps a stationary window of
the most recent, about 0.05 N at the best rate. (3) The same for key-value pairs in a
``d x d`` state: the linear (Hebbian) memory reads every pair until about ``d^2/2`` have
been written, then none; with the decay of :func:`theory.forgetting.optimal_decay` it keeps
a stationary window of the most recent, measured beside the theory's; the gated delta
rule reads the newest pair exactly but keeps a window of order ``d`` only.

References
----------
J. P. Nadal, G. Toulouse, J. P. Changeux, S. Dehaene, Europhys. Lett. 1, 535 (1986).
M. Mezard, J. P. Nadal, G. Toulouse, J. Physique 47, 1457 (1986).
S. Yang, J. Kautz, A. Hatamizadeh, ICLR 2025, arXiv:2412.06464 (the gated delta rule).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from amlab.demos._common import save_png
from amlab.demos.registry import Echo, StrPath, register_demo


def score_snr(rule: str, d: int, S: int, L: int, ages: np.ndarray, seed: int, **kw) -> np.ndarray:
    """Per-position samples of one stored pair's read, streamed by :func:`hopfield.kv.stream`.

    ``S`` sequences of ``L`` random pairs (keys and values ``N(0, I/d)``); at position ``t`` the
    query is the key written at ``t - ages[s, t]`` (``ages <= t``). Returns ``(S, L)`` differences
    ``v_u . o_t - v' . o_t`` between the score of the stored value and of a fresh random value
    ``v'``: their mean over samples is the signal, their variance the noise of the SNR of
    :mod:`theory.forgetting`.
    """
    from hopfield.kv import stream

    rng = np.random.default_rng(seed)
    K = rng.normal(size=(S, L, d)) / np.sqrt(d)
    Vv = rng.normal(size=(S, L, d)) / np.sqrt(d)
    u = (np.arange(L)[None, :] - ages)[..., None]
    out = stream(K, Vv, np.take_along_axis(K, u, axis=1), rule, **kw)
    fresh = rng.normal(size=(S, L, d)) / np.sqrt(d)
    return np.einsum("sld,sld->sl", out, np.take_along_axis(Vv, u, axis=1) - fresh)


def _snr(x: np.ndarray) -> float:
    return float(x.mean() ** 2 / x.var())


def _snr_by_age(diff: np.ndarray, ages: np.ndarray, n_age: int) -> np.ndarray:
    return np.array([_snr(diff[ages == a]) for a in range(n_age)])


def _readable(snr_by_age: np.ndarray, theta: float) -> int:
    """Number of ages whose measured SNR is at least ``theta``: the window, counted (in theory the
    ages ``0..floor(window)``; counting is less sensitive to one noisy age near the edge than the
    first age below ``theta``)."""
    return int(np.count_nonzero(snr_by_age >= theta))


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
    from theory import forgetting as tf
    from theory.kv_memory import readout_variance

    theta, d = 1.0, (16 if small else 32)
    S, L_lin = (256, 512) if small else (256, 2048)
    ns = L_lin // np.array([16, 8, 4, 2, 1])
    rng = np.random.default_rng(seed + 1)
    ages = (rng.random((S, L_lin)) * (np.arange(L_lin) + 1)).astype(np.int64)  # a stored pair, uniformly
    lin = score_snr("linear", d, S, L_lin, ages, seed)
    lam = float(tf.optimal_decay(d, theta))
    win = float(tf.window().evaluate(d=d, lam=lam, theta=theta))
    n_age, burn = int(3 * win), int(16 * win)  # lam^(2 burn) < 1e-6: the stationary memory
    S_dec, L_dec = S // 2, burn + (4 if small else 2) * L_lin  # reads per age: about 2800 (small), 1100
    ages_d = np.minimum(rng.integers(0, n_age, size=(S_dec, L_dec)), np.arange(L_dec))
    dec = {r: _snr_by_age(score_snr(r, d, S_dec, L_dec, ages_d, seed, decay=lam)[:, burn:], ages_d[:, burn:], n_age)
           for r in ("decay", "gated-delta")}
    echo(f"(3) Key-value pairs in a d x d state, d = {d} ({d * d} numbers): a pair is readable while the SNR of its "
         f"value's score against a random value's is >= {theta:g} (squared mean of the difference over its variance):")
    for n in ns:
        m = np.arange(n - 8, n) + 1  # pairs stored at the 8 positions n-8..n-1 (pooled)
        var = np.mean([sum(float(readout_variance(k).evaluate(d=d, M=int(x))) for k in ("stored", "fresh"))
                       for x in m])
        meas = _snr(lin[:, n - 8:n])
        echo(f"    linear W <- W + v k^T, after {n} writes: SNR {meas:.2f} (theory {1 / var:.2f}): "
             f"{n if meas >= theta else 0} readable")
    n_c = d * d * (1 - 5 * theta / d - 4 * theta / d**2) / (2 * theta)
    echo(f"    every pair is readable up to about {n_c:.0f} writes, then none: the key-value Hebbian collapse.")
    echo(f"    decay W <- lam W + v k^T at the best lam* = {lam:.4f} (theory.forgetting.optimal_decay), after "
         f"{L_dec} writes: a window of {_readable(dec['decay'], theta)} recent pairs readable "
         f"(theory {tf.retrievable_pairs(d, lam, theta):.0f}, window {win:.1f})")
    echo(f"    gated delta rule, a = lam*, b = 1/|k|^2: a window of {_readable(dec['gated-delta'], theta)}: "
         "it reads the newest pair exactly but its erasure forgets at rate 1/d, a window of order d, not d^2.")
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
    ax.plot(alphas, heb, "o-", color="#D55E00", label="Hebbian")
    ax.plot(alphas, pal, "s-", color="#0072B2", label=f"palimpsest, eps={eps:.1f}")
    ax.axvline(0.138, color="0.4", ls="--", lw=0.8)
    ax.set(xlabel="patterns written / N", ylabel="retrieved / N", ylim=(0, 0.3))
    ax.legend(loc="upper right", fontsize=8)
    age = np.arange(n_age)
    bx.axhline(theta, color="0.4", ls="--", lw=0.8)
    late = ages[:, -L_lin // 8:]
    edges = np.linspace(0, n_age, 9).astype(int)
    mid = (edges[:-1] + edges[1:]) / 2
    lin_bins = [_snr(lin[:, -L_lin // 8:][(late >= lo) & (late < hi)]) for lo, hi in zip(edges[:-1], edges[1:])]
    bx.plot(mid, lin_bins, "o", ms=3, color="#D55E00", label=f"linear, {L_lin} writes")
    # hollow points under the theory line (drawn last, on top): the points scatter about it, not over it
    bx.plot(age, dec["decay"], "s", ms=2.5, mfc="none", mew=0.5, color="#0072B2", label=f"decay lam*={lam:.3f}")
    bx.plot(age, tf.snr("stationary").evaluate(d=d, lam=lam, age=age), color="black", lw=1.2, zorder=4,
            label="decay, theory")
    bx.plot(age, dec["gated-delta"], "^", ms=2, color="#009E73", label="gated delta")
    bx.set(xlabel="age of the pair", ylabel="SNR", yscale="log", ylim=(0.05, 40))
    bx.legend(loc="upper right", fontsize=8)
    paths = [save_png(fig, out_dir / "forgetting.png")]
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

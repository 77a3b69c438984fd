"""Demo 5: one attention step is one modern Hopfield update; metastable states as beta falls.

References
----------
H. Ramsauer et al., "Hopfield Networks is All You Need", ICLR 2021, arXiv:2008.02217.
A. Vaswani et al., "Attention is all you need", NeurIPS 2017, arXiv:1706.03762.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from amlab.demos.registry import Echo, StrPath, register_demo
from amlab.demos._common import save_gif, save_png


def patterns_and_query(*, small: bool = False, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The demo's stored patterns ``X`` (keys = values) and its query, pattern 0 plus noise.

    Parameters
    ----------
    small : bool, default False
        8 patterns in ``d = 16`` (else 16 in ``d = 32``).
    seed : int, default 0
        Seed of the Gaussian patterns and of the query's noise (standard deviation 0.4).

    Returns
    -------
    X : ndarray of shape (n, d), float64
    q : ndarray of shape (d,), float64

    Examples
    --------
    >>> X, q = patterns_and_query(small=True)
    >>> X.shape, q.shape
    ((8, 16), (16,))
    """
    d, n_pat = (16, 8) if small else (32, 16)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_pat, d))  # stored patterns = keys = values
    q = X[0] + 0.4 * rng.standard_normal(d)
    return X, q


def fixed_point(X: np.ndarray, q: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The modern Hopfield fixed point reached from ``q`` at inverse temperature ``beta``.

    Parameters
    ----------
    X : ndarray of shape (n, d), float64
        Stored patterns.
    q : ndarray of shape (d,), float64
        The query (initial state).
    beta : float
        Inverse temperature, ``> 0``.

    Returns
    -------
    fp : ndarray of shape (d,)
        The fixed point (200 updates at most, to ``max |change| <= 1e-10``).
    weights : ndarray of shape (n,)
        ``softmax(beta X fp)``: how much each stored pattern contributes to it.
    overlap : float
        Correlation of ``fp`` with pattern 0.

    Examples
    --------
    >>> X, q = patterns_and_query(small=True)
    >>> round(float(fixed_point(X, q, 4.0)[1].max()), 3)
    1.0

    References
    ----------
    H. Ramsauer et al., ICLR 2021, arXiv:2008.02217 (eq. 3, the update; metastable states, Sec. 2).
    """
    from scipy.special import softmax

    from hopfield.modern import ModernHopfield

    fp = ModernHopfield(X, beta).retrieve(q, max_steps=200, tol=1e-10)
    return fp, softmax(beta * (X @ fp)), float(np.corrcoef(fp, X[0])[0, 1])


def at_beta(beta: float, *, small: bool = False, seed: int = 0) -> dict:
    """The fixed point of the demo's query at one ``beta``: the notebook's ``beta`` slider calls this.

    Parameters
    ----------
    beta : float
        Inverse temperature, ``> 0``.
    small, seed
        As :func:`patterns_and_query`.

    Returns
    -------
    dict
        ``beta``, ``weights`` (list, one per stored pattern), ``top_weight``,
        ``participation`` (``1 / sum p^2``: 1 for one pattern, ``n`` for the
        global average) and ``overlap`` (correlation with pattern 0).

    Raises
    ------
    ValueError
        If ``beta`` is not a positive finite number.

    Examples
    --------
    >>> r = at_beta(0.01, small=True)
    >>> round(r["participation"])
    8
    """
    if not (isinstance(beta, (int, float, np.floating, np.integer)) and np.isfinite(beta) and beta > 0):
        raise ValueError(f"beta must be a positive finite number, got {beta!r}")
    X, q = patterns_and_query(small=small, seed=seed)
    _, p, r = fixed_point(X, q, float(beta))
    return {"beta": float(beta), "weights": [float(v) for v in p], "top_weight": float(p.max()),
            "participation": float(1 / np.sum(p**2)), "overlap": r}


def plot_at_beta(result: dict) -> Figure:
    """Bar chart of the softmax weights of :func:`at_beta`; returns the figure."""
    w = result["weights"]
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(np.arange(len(w)), w, color="#0072B2")
    ax.set(xlabel="stored pattern", ylabel="softmax weight at the fixed point", ylim=(0, 1.05),
           title=f"beta = {result['beta']:.3g}: participation {result['participation']:.1f} of {len(w)}, "
                 f"correlation with pattern 0 = {result['overlap']:.2f}")
    ax.title.set_fontsize(9)
    return fig


@register_demo("attention", title="one attention step is one modern Hopfield update; metastable states as beta falls")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    from scipy.special import softmax

    from hopfield.modern import ModernHopfield

    out_dir = Path(out_dir)
    X, q = patterns_and_query(small=small, seed=seed)
    n_pat, d = X.shape
    beta = 1.0 / np.sqrt(d)
    attn = softmax(beta * (q @ X.T)) @ X  # softmax(q K^T / sqrt(d)) V with K = V = X
    hop = ModernHopfield(X, beta).update(q)
    echo(f"{n_pat} stored patterns in d = {d}: keys K = values V = the patterns X, query q = a noisy pattern 0.")
    echo(f"Attention softmax(q K^T / sqrt(d)) V and the modern Hopfield update X^T softmax(beta X q) with "
         f"beta = 1/sqrt(d) = {beta:.3f} differ by at most {np.max(np.abs(attn - hop)):.1e}: they are the same step.")
    betas = np.geomspace(4.0, 0.01, 8 if small else 16)
    weights, overlaps = [], []
    for b in betas:
        _, p, r = fixed_point(X, q, float(b))
        weights.append(p)
        overlaps.append(r)
    for b, p in zip(betas[:: max(1, len(betas) // 4)], weights[:: max(1, len(betas) // 4)]):
        echo(f"beta = {b:.3g}: fixed point puts weight {p.max():.2f} on its top pattern "
             f"(participation 1/sum p^2 = {1 / np.sum(p**2):.1f} of {n_pat})")
    echo("Large beta: the fixed point is pattern 0 itself. As beta falls it becomes a metastable average of "
         "several patterns, and at small beta the global average of all of them.")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7, 2.8))
    bars = ax1.bar(np.arange(n_pat), weights[0], color="#0072B2")
    ax1.set(xlabel="stored pattern", ylabel="softmax weight at the fixed point", ylim=(0, 1.05))
    ax2.semilogx(betas, overlaps, "o-", color="#D55E00")
    dot, = ax2.plot([betas[0]], [overlaps[0]], "o", color="k", ms=8)
    ax2.set(xlabel="beta", ylabel="correlation of fixed point with pattern 0")

    def frame(t):
        for bar, h in zip(bars, weights[t]):
            bar.set_height(h)
        ax1.set_title(f"beta = {betas[t]:.3g}")
        dot.set_data([betas[t]], [overlaps[t]])
        return (*bars, dot)

    from matplotlib.animation import FuncAnimation

    anim = FuncAnimation(fig, frame, frames=len(betas), blit=False)
    paths = [save_gif(anim, out_dir / "attention-beta.gif", fps=3)]
    fig, ax = plt.subplots(figsize=(4.5, 3))
    im = ax.imshow(np.array(weights), aspect="auto", cmap="viridis")
    fig.colorbar(im, ax=ax, label="softmax weight")
    ax.set(xlabel="stored pattern", ylabel="beta (top: large)", title="weights at the fixed point")
    ax.set_yticks([0, len(betas) - 1], [f"{betas[0]:.2g}", f"{betas[-1]:.2g}"])
    paths.append(save_png(fig, out_dir / "attention-weights.png"))
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

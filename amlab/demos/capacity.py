"""Demo 2: capacity collapse. Add patterns until retrieval fails, next to the theory curve.

References
----------
D. J. Amit, H. Gutfreund, H. Sompolinsky, Ann. Phys. 173, 30 (1987), doi:10.1016/0003-4916(87)90092-3.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from amlab.demos.registry import Echo, StrPath, register_demo
from amlab.demos._common import save_png


def retrieval(xi: np.ndarray, k: int, *, seed: int) -> np.ndarray:
    """Final overlaps of the first ``k`` stored patterns, each used as its own cue.

    Parameters
    ----------
    xi : ndarray of shape (P, N), int8 in {-1, +1}
        The stored patterns (Hebbian couplings).
    k : int
        How many of them are cued, ``1 <= k <= P``.
    seed : int
        Seed of the asynchronous update order.

    Returns
    -------
    ndarray of shape (k,), float64
        Overlap ``m`` of the fixed point reached from pattern ``mu`` with pattern ``mu``.

    Examples
    --------
    >>> from hopfield.patterns import random_binary
    >>> retrieval(random_binary(5, 100, seed=0), 3, seed=1).round(2)
    array([1., 1., 1.])
    """
    from hopfield.classical import ClassicalHopfield

    res = ClassicalHopfield(xi).run(xi[:k], schedule="async", max_sweeps=100, seed=seed)
    return res.overlaps[np.arange(k), np.arange(k)]


def at_load(alpha: float, *, N: int = 400, cues: int = 20, seed: int = 0) -> dict:
    """One network at load ``alpha = P/N``: how many of its stored patterns are still retrieved.

    The notebook's ``alpha`` slider calls this: below ``alpha_c = 0.138`` almost
    every stored pattern is (nearly) a fixed point, above it they are lost.

    Parameters
    ----------
    alpha : float
        Load ``P/N``, ``0 < alpha <= 1``; ``P = max(1, round(alpha N))``.
    N : int, default 400
        Number of neurons.
    cues : int, default 20
        How many stored patterns are used as cues (at most ``P``).
    seed : int, default 0
        Seed of the patterns and of the update order.

    Returns
    -------
    dict
        ``alpha``, ``N``, ``P``, ``overlaps`` (list of the final overlaps),
        ``mean_overlap``, ``fraction_retrieved`` (``m > 0.9``) and ``theory_m``
        (the replica-symmetric ``m(alpha)`` at ``T = 0``; ``None`` above ``alpha_c``).

    Raises
    ------
    ValueError
        If ``alpha`` is not in ``(0, 1]`` or ``N`` is below 10.

    Examples
    --------
    >>> r = at_load(0.05, N=200, seed=0)
    >>> r["P"], r["fraction_retrieved"]
    (10, 1.0)

    References
    ----------
    D. J. Amit, H. Gutfreund, H. Sompolinsky, Ann. Phys. 173, 30 (1987).
    """
    import theory.ags as ags
    from hopfield.patterns import random_binary

    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha!r}")
    if int(N) != N or N < 10:
        raise ValueError(f"N must be an integer >= 10, got {N!r}")
    N = int(N)
    P = max(1, int(round(alpha * N)))
    rng = np.random.default_rng(seed)
    xi = random_binary(P, N, seed=rng)
    m = retrieval(xi, min(P, cues), seed=int(rng.integers(0, 2**62)))
    m_th = float(ags.retrieval_overlap(P / N))
    return {"alpha": P / N, "N": N, "P": P, "overlaps": [float(v) for v in m],
            "mean_overlap": float(m.mean()), "fraction_retrieved": float(np.mean(m > 0.9)),
            "theory_m": None if np.isnan(m_th) else m_th}


def plot_at_load(result: dict) -> Figure:
    """Histogram of the final overlaps of :func:`at_load`, the theory's ``m(alpha)`` marked; returns the figure."""
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.hist(result["overlaps"], bins=np.linspace(-1, 1, 41), color="#0072B2", label="final overlaps")
    if result["theory_m"] is not None:
        ax.axvline(result["theory_m"], color="k", ls="--", label=f"theory m = {result['theory_m']:.3f}")
    ax.set(xlabel="overlap m with the cued pattern", ylabel="cues",
           title=f"alpha = {result['alpha']:.3f} (P = {result['P']}, N = {result['N']}): "
                 f"{result['fraction_retrieved']:.0%} retrieved")
    ax.legend(fontsize=8, loc="upper left")
    return fig


@register_demo("capacity", title="capacity collapse: add patterns until retrieval fails, beside m(alpha)")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    import theory.ags as ags
    from hopfield.patterns import random_binary

    out_dir = Path(out_dir)
    N = 200 if small else 400
    P_max = int(0.22 * N)
    rng = np.random.default_rng(seed)
    xi_all = random_binary(P_max, N, seed=rng)
    Ps = np.unique(np.linspace(2, P_max, 10 if small else 20).astype(int))
    echo(f"One network of N = {N} neurons; patterns are added one batch at a time, up to P = {P_max}.")
    echo("After each addition every stored pattern is used as a cue and the T = 0 dynamics run to a fixed point.")
    mean_m, frac = [], []
    for P in Ps:
        m = retrieval(xi_all[:P], min(P, 20), seed=int(rng.integers(0, 2**62)))
        mean_m.append(float(m.mean()))
        frac.append(float(np.mean(m > 0.9)))
    crit = ags.critical()["alpha_c"]
    a_fine = np.linspace(1e-3, crit, 200)
    m_th = ags.retrieval_overlap(a_fine)
    alphas = Ps / N
    first_bad = next((a for a, f in zip(alphas, frac) if f < 0.5), None)
    echo(f"Theory (Amit, Gutfreund & Sompolinsky): retrieval states vanish at alpha_c = {crit:.3f}, "
         f"i.e. P = {crit * N:.0f} here.")
    echo(f"Simulation: at alpha = {first_bad:.3f} fewer than half of the patterns are retrieved"
         if first_bad is not None else "Simulation: all loads tried still retrieve most patterns.")
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.plot(a_fine, m_th, "k-", label="theory m(alpha), T=0")
    ax.plot(alphas, mean_m, "o", color="#0072B2", label="mean final overlap")
    ax.plot(alphas, frac, "s", color="#D55E00", mfc="white", label="fraction retrieved (m > 0.9)")
    ax.axvline(crit, color="0.6", ls=":")
    ax.set(xlabel="load alpha = P/N", ylabel="overlap / fraction", title=f"capacity collapse, N={N}")
    ax.legend(fontsize=8, loc="lower left")
    paths = [save_png(fig, out_dir / "capacity-collapse.png")]
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

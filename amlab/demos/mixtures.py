"""Demo 3: spurious mixture states, and how temperature removes them.

References
----------
D. J. Amit, H. Gutfreund, H. Sompolinsky, Phys. Rev. A 32, 1007 (1985), doi:10.1103/PhysRevA.32.1007
(symmetric 3-mixtures are stable below T ~ 0.46 at low load).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Tuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from amlab.demos.registry import Echo, StrPath, register_demo
from amlab.demos._common import save_png


def trajectory(net: Any, s: np.ndarray, xi: np.ndarray, T: float, sweeps: int,
               rng: np.random.Generator) -> np.ndarray:
    """Overlaps with the first three patterns after each sweep (T = 0: async; T > 0: Glauber).

    Parameters
    ----------
    net : hopfield.ClassicalHopfield
        The network.
    s : ndarray of shape (N,), int8 in {-1, +1}
        Initial state.
    xi : ndarray of shape (P, N), int8
        The stored patterns (``P >= 3``).
    T : float
        Temperature, ``>= 0``.
    sweeps : int
        Number of sweeps.
    rng : numpy.random.Generator
        Draws one seed per sweep.

    Returns
    -------
    ndarray of shape (sweeps + 1, 3), float64
        Row ``t``: the overlaps ``m1, m2, m3`` after ``t`` sweeps.
    """
    N = s.size
    traj = [xi[:3].astype(np.int64) @ s.astype(np.int64) / N]
    for _ in range(sweeps):
        sched = "glauber" if T > 0 else "async"
        s = net.run(s, schedule=sched, T=T, max_sweeps=1, seed=int(rng.integers(0, 2**62))).states[0]
        traj.append(xi[:3].astype(np.int64) @ s.astype(np.int64) / N)
    return np.array(traj)  # (sweeps + 1, 3)


def mixture_start(*, small: bool = False, seed: int = 0) -> Tuple[Any, np.ndarray, np.ndarray, np.random.Generator]:
    """The demo's network, its patterns, the symmetric 3-mixture ``sign(xi1 + xi2 + xi3)`` and the generator.

    Returns ``(net, xi, mix, rng)``: 3 patterns of 300 neurons (``small``) or 5 of 1000,
    drawn from ``default_rng(seed)``, which is returned to draw the sweeps' seeds.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    N, P = (300, 3) if small else (1000, 5)
    rng = np.random.default_rng(seed)
    xi = random_binary(P, N, seed=rng)
    mix = np.sign(xi[0].astype(int) + xi[1] + xi[2]).astype(np.int8)  # the symmetric 3-mixture
    return ClassicalHopfield(xi), xi, mix, rng


def at_temperature(T: float, *, small: bool = False, seed: int = 0, sweeps: int | None = None) -> dict:
    """Start at the symmetric 3-mixture and run at temperature ``T``: the notebook's slider calls this.

    Parameters
    ----------
    T : float
        Temperature, ``0 <= T <= 2`` (``T = 0``: asynchronous ``T = 0`` dynamics; else Glauber).
    small : bool, default False
        300 neurons and 3 patterns (else 1000 and 5).
    seed : int, default 0
        Seed of the patterns and of the dynamics.
    sweeps : int, optional
        Number of sweeps (default 15 small, 40 otherwise).

    Returns
    -------
    dict
        ``T``, ``trajectory`` (list of ``[m1, m2, m3]`` per sweep), ``final`` (the last
        row) and ``escaped`` (one pattern dominates: the largest ``|m|`` exceeds the second by
        more than 0.3, so the state left the symmetric mixture for that pattern; at ``T`` near 1
        and above no pattern dominates, the network is paramagnetic).

    Raises
    ------
    ValueError
        If ``T`` is not in ``[0, 2]``.

    Examples
    --------
    >>> r = at_temperature(0.0, small=True)
    >>> r["escaped"], [round(v, 1) for v in r["final"]]
    (False, [0.5, 0.5, 0.5])

    References
    ----------
    D. J. Amit, H. Gutfreund, H. Sompolinsky, Phys. Rev. A 32, 1007 (1985).
    """
    if not (isinstance(T, (int, float, np.floating, np.integer)) and 0 <= T <= 2):
        raise ValueError(f"T must be a temperature in [0, 2], got {T!r}")
    net, xi, mix, rng = mixture_start(small=small, seed=seed)
    n = sweeps if sweeps is not None else (15 if small else 40)
    tr = trajectory(net, mix.copy(), xi, float(T), n, rng)
    return {"T": float(T), "trajectory": tr.tolist(), "final": tr[-1].tolist(),
            "escaped": bool(np.diff(np.sort(np.abs(tr[-1]))[-2:])[0] > 0.3)}


def plot_at_temperature(result: dict) -> Figure:
    """The three overlaps of :func:`at_temperature` per sweep; returns the figure."""
    tr = np.asarray(result["trajectory"])
    fig, ax = plt.subplots(figsize=(5, 3))
    for j, c in enumerate(("#0072B2", "#D55E00", "#009E73")):
        ax.plot(tr[:, j], color=c, label=f"m{j + 1}")
    ax.set(title=f"T = {result['T']:.2f}: " + ("one pattern dominates" if result["escaped"]
                                                 else "no single pattern dominates"),
           xlabel="sweep", ylabel="overlap with pattern", ylim=(-0.3, 1.05))
    ax.legend(fontsize=8, loc="center right")
    return fig


@register_demo("mixtures", title="spurious mixture states, and how temperature removes them")
def run(out_dir: StrPath, *, small: bool = False, seed: int = 0, echo: Echo = print) -> list[Path]:
    out_dir = Path(out_dir)
    sweeps = 15 if small else 40
    net, xi, mix, rng = mixture_start(small=small, seed=seed)
    P, N = xi.shape
    echo(f"N = {N} neurons store P = {P} random patterns (load {P / N:.3f}, far below capacity).")
    echo("Start at the symmetric mixture sign(xi1 + xi2 + xi3): it resembles three patterns at once "
         "(overlap 1/2 with each) and is not a stored memory.")
    Ts = [0.0, 0.3, 0.6]
    trajs = {T: trajectory(net, mix.copy(), xi, T, sweeps, rng) for T in Ts}
    for T, tr in trajs.items():
        end = tr[-1]
        where = (f"it went to pattern {int(np.argmax(np.abs(end))) + 1}" if np.max(np.abs(end)) > 0.8
                 else "it stayed in the mixture")
        echo(f"T = {T}: final overlaps with patterns 1-3 = " + ", ".join(f"{v:+.2f}" for v in end) + f": {where}")
    echo("At T = 0 the mixture is a fixed point: a spurious memory. Thermal noise lets the state leave the "
         "shallow mixture valley for one stored pattern, whose valley is deeper; in the large-N theory the "
         "symmetric 3-mixtures lose their stability above T ~ 0.46 (Amit, Gutfreund & Sompolinsky 1985), and at "
         "finite N the escape can happen at lower T.")
    fig, axes = plt.subplots(1, len(Ts), figsize=(3 * len(Ts), 2.8), sharey=True)
    for ax, T in zip(axes, Ts):
        for j, c in enumerate(("#0072B2", "#D55E00", "#009E73")):
            ax.plot(trajs[T][:, j], color=c, label=f"m{j + 1}")
        ax.set(title=f"T = {T}", xlabel="sweep", ylim=(-0.3, 1.05))
    axes[0].set_ylabel("overlap with pattern")
    axes[0].legend(fontsize=8)
    fig.suptitle("started at the symmetric 3-mixture state", y=1.06)
    paths = [save_png(fig, out_dir / "mixtures.png")]
    echo("Wrote " + ", ".join(str(p) for p in paths))
    return paths

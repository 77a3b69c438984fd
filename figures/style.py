"""One style for every amlab figure: sizes, fonts, colours, intervals and saving.

Figures are drawn at their printed size: one journal column is 3.4 inches wide
(``COLUMN``), two columns 7.0 inches (``PAGE``). Text is at least 8 pt at that
size, PDFs embed TrueType fonts (no Type 3), and the colours are the Okabe-Ito
palette, which stays distinct under the common colour-vision deficiencies.

Every builder saves through :func:`save`, which writes a PNG, a PDF and the JSON
of the plotted data with the figure's caption, the published result it
regenerates (or ``"new"``), the size (quick figures are stamped "quick size"
below the drawn content) and provenance.

Layout rules are checked by :mod:`figures.lint` (legends inside the figure and
clear of the data, text of 8 pt or more, a colorbar for every heat map, integer
ticks on integer axes); the figure tests lint every figure they build. Builders
declare what the lint cannot guess: :func:`integer_axis` for an axis of counts,
indices or steps, :func:`no_colorbar` for a categorical image. Fitted values are
printed with :func:`estimate` (as many digits as the error supports).

Examples
--------
>>> import matplotlib.pyplot as plt
>>> from figures import style
>>> with style.context():
...     fig, ax = plt.subplots(figsize=style.size(1))
>>> float(round(fig.get_figwidth(), 1))
3.4
>>> plt.close(fig)
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Tuple, TypeVar, Union

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy import stats  # noqa: E402

from simulations.core.io import atomic_write_bytes, atomic_write_json, provenance  # noqa: E402

#: An output folder as figure builders and :func:`save` accept it.
StrPath = Union[str, os.PathLike]
_F = TypeVar("_F", bound=Callable[..., Any])

#: Width of one journal column and of a full page, inches.
COLUMN = 3.4
PAGE = 7.0

#: The Okabe-Ito colour-blind-safe palette (black first).
PALETTE: Tuple[str, ...] = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
)
#: The same palette without black and yellow, for series on a white background.
SERIES: Tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS: Tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")

#: Level of the intervals drawn around simulated points: the checks' family level is 1%.
LEVEL = 0.99
LEVEL_LABEL = "99% interval"

RC: Dict[str, object] = {
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.7,
    "lines.linewidth": 1.3,
    "lines.markersize": 4,
    "errorbar.capsize": 1.5,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "savefig.dpi": 200,
    "figure.dpi": 100,
    "axes.prop_cycle": matplotlib.cycler(color=list(SERIES)),
    "image.cmap": "viridis",
}


def size(columns: float = 1, aspect: float = 0.75) -> Tuple[float, float]:
    """Figure size in inches: ``columns`` journal columns wide, height ``aspect`` x width."""
    if columns not in (1, 1.5, 2):
        raise ValueError(f"columns must be 1, 1.5 or 2, got {columns!r}")
    width = COLUMN if columns == 1 else PAGE if columns == 2 else 5.2
    return (width, width * aspect)


@contextlib.contextmanager
def context() -> Iterator[None]:
    """Matplotlib settings of amlab's figures, for the duration of a ``with`` block."""
    with matplotlib.rc_context(RC):
        yield


def colour(i: int) -> str:
    """The ``i``-th series colour (cycles)."""
    return SERIES[i % len(SERIES)]


def marker(i: int) -> str:
    """The ``i``-th series marker (cycles)."""
    return MARKERS[i % len(MARKERS)]


def wilson(k: npt.ArrayLike, n: npt.ArrayLike, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the proportion ``k / n``, elementwise.

    Parameters
    ----------
    k, n : array_like of int
        Successes and trials (broadcast together).
    level : float
        Confidence level (default 0.99, the checks' level).

    Returns
    -------
    low, high : ndarray of float64
    """
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    k, n = np.broadcast_arrays(k, n)
    lo = np.empty(k.shape)
    hi = np.empty(k.shape)
    for idx in np.ndindex(k.shape):
        ci = stats.binomtest(int(k[idx]), int(n[idx])).proportion_ci(level, method="wilson")
        lo[idx], hi[idx] = ci.low, ci.high
    return lo, hi


def mean_interval(samples: npt.ArrayLike, axis: int = -1,
                  level: float = LEVEL) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t interval of the mean along ``axis`` (independent samples).

    Returns
    -------
    mean, low, high : ndarray of float64
    """
    x = np.asarray(samples, dtype=np.float64)
    n = x.shape[axis]
    m = x.mean(axis=axis)
    if n < 2:
        return m, m.copy(), m.copy()
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(axis=axis, ddof=1) / np.sqrt(n)
    return m, m - half, m + half


def points(ax: Axes, x: npt.ArrayLike, y: npt.ArrayLike, low: npt.ArrayLike, high: npt.ArrayLike, i: int = 0, label: Optional[str] = None,
           **kw: Any) -> Any:
    """Simulated points with their interval as error bars, in series style ``i``."""
    y = np.asarray(y, dtype=np.float64)
    yerr = np.vstack([y - np.asarray(low), np.asarray(high) - y])
    yerr = np.clip(yerr, 0.0, None)
    opts = dict(fmt=marker(i), color=colour(i), ms=3.5, lw=0.9, label=label, zorder=3)
    opts.update(kw)
    return ax.errorbar(x, y, yerr=yerr, **opts)


def curve(ax: Axes, x: npt.ArrayLike, y: npt.ArrayLike, i: int = 0, label: Optional[str] = None, **kw: Any) -> list:
    """A theory curve (a line on a fine grid) in series style ``i``."""
    opts = dict(color=colour(i), lw=1.2, label=label, zorder=2)
    opts.update(kw)
    return ax.plot(x, y, **opts)


def estimate(value: float, error: float) -> str:
    """``value +- error`` with as many decimals as the error supports.

    The error is rounded to one significant digit (two when its leading
    digit is 1) and the value to the same decimal place, so "0.96 +- 0.00"
    becomes "0.962 ± 0.004". A zero or non-finite error leaves the value at
    three significant digits.

    Parameters
    ----------
    value, error : float

    Returns
    -------
    str

    Examples
    --------
    >>> estimate(0.96213, 0.0041)
    '0.962 ± 0.004'
    >>> estimate(0.2613, 0.0149)
    '0.261 ± 0.015'
    >>> estimate(2.4, 0.31)
    '2.4 ± 0.3'
    >>> estimate(123.4, 25.0)
    '120 ± 30'
    """
    import math

    value, error = float(value), abs(float(error))
    if not math.isfinite(value):
        return f"{value} ± {error:.2g}"
    if error == 0 or not math.isfinite(error):
        return f"{value:.3g} ± {error:g}"
    exp = math.floor(math.log10(error))
    lead = int(error / 10**exp + 1e-9)
    decimals = -exp + (1 if lead == 1 else 0)
    if decimals > 0:
        return f"{value:.{decimals}f} ± {error:.{decimals}f}"
    step = 10 ** (-decimals)
    half_up = lambda x: math.floor(x / step + 0.5) * step  # noqa: E731
    return f"{half_up(value):.0f} ± {half_up(error):.0f}"


def integer_axis(ax: Axes, which: str = "x", *, locate: bool = True, nbins: int | str = "auto") -> Axis:
    """Declare an axis integer-valued (token indices, counts, steps): ticks only at integers.

    Sets a ``MaxNLocator(integer=True)`` on the axis (unless ``locate`` is
    False: the builder placed its own integer ticks, e.g. with ``set_xticks``)
    and marks the axis, so that :func:`figures.lint.lint` reports any
    non-integer tick on it. Call it after setting the axis scale and limits.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    which : {"x", "y"}
        The axis to declare.
    locate : bool
        Set the integer locator (default) or only mark the axis.
    nbins : int or "auto"
        Passed to ``MaxNLocator``.

    Returns
    -------
    matplotlib.axis.Axis
        The marked axis.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1, 2, 3], [1, 0, 1, 0])
    >>> _ = integer_axis(ax, "x")
    >>> [float(v) % 1 for v in ax.get_xticks()] == [0.0] * len(ax.get_xticks())
    True
    >>> plt.close(fig)
    """
    from matplotlib.ticker import MaxNLocator

    from figures.lint import INTEGER_MARK

    if which not in ("x", "y"):
        raise ValueError(f"which must be 'x' or 'y', got {which!r}")
    axis = ax.xaxis if which == "x" else ax.yaxis
    if locate:
        axis.set_major_locator(MaxNLocator(nbins=nbins, integer=True))
    setattr(axis, INTEGER_MARK, True)
    return axis


def no_colorbar(artist: _F, reason: str) -> _F:
    """Declare a colour-mapped image or mesh categorical: it needs no colorbar (a legend or caption keys it).

    :func:`figures.lint.lint` asks every image and heat map for a colorbar
    except those declared here, e.g. +-1 patterns drawn black and white.

    Parameters
    ----------
    artist : matplotlib.image.AxesImage or matplotlib.collections.Collection
    reason : str
        Why no colorbar is needed (kept on the artist, for readers of the code).

    Returns
    -------
    The artist.
    """
    from figures.lint import NO_COLORBAR_MARK

    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("no_colorbar needs a reason (a non-empty string)")
    setattr(artist, NO_COLORBAR_MARK, reason)
    return artist


def save(fig: Figure, out_dir: StrPath, name: str, *, data: dict, seed: int, quick: bool, caption: str,
         source: str, extra: Optional[dict] = None) -> Sequence[Path]:
    """Write ``name``.png, .pdf and .json to ``out_dir`` (atomically) and close ``fig``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    out_dir : path-like
    name : str
        Registered figure name (file stem).
    data : dict
        The plotted data (JSON-serialisable: arrays are converted).
    seed : int
    quick : bool
        Quick-size figures are stamped "quick size" at the lower right, below the drawn content.
    caption : str
        What the figure shows, how the intervals are made, what the curves are.
    source : str
        The published figure or result it regenerates ("Paper Year, Fig. N"), or "new".
    extra : dict, optional
        More metadata for the JSON.

    Returns
    -------
    list of Path
        PNG, PDF, JSON.
    """
    if not caption or not source:
        raise ValueError("save needs a caption and a source (the published figure, or 'new')")
    out_dir = Path(out_dir)
    from figures import lint

    lint.notify(fig, name)  # lints the figure as drawn when a lint.collecting() block is active
    if quick:
        # below everything drawn (the saved image is cropped to its content), so it never covers a label
        # lay the figure out once and freeze it, and pin figure legends to the figure rather than to the
        # cropped box that saving makes (which would pull a legend at the bottom down onto the stamp)
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
        for leg in fig.legends:
            if leg.get_bbox_to_anchor() is fig.bbox:
                leg.set_bbox_to_anchor((0, 0, 1, 1), transform=fig.transFigure)
        box = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
        w, h = fig.get_size_inches()
        fig.text(box.x1 / w, (box.y0 - 0.02) / h, "quick size", ha="right", va="top", fontsize=6.5, color="0.45")
    paths = []
    with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}):
        for ext in ("png", "pdf"):
            buf = io.BytesIO()
            fig.savefig(buf, format=ext, dpi=200 if ext == "png" else None, bbox_inches="tight")
            paths.append(atomic_write_bytes(out_dir / f"{name}.{ext}", buf.getvalue()))
    plt.close(fig)
    meta = {"figure": name, "caption": caption, "source": source, "interval_level": LEVEL,
            "seed": seed, "size": "quick" if quick else "full", "provenance": provenance()}
    if extra:
        meta.update(extra)
    paths.append(atomic_write_json(out_dir / f"{name}.json", {**meta, "data": data}))
    return paths


def summary_interval(mean: npt.ArrayLike, sd: npt.ArrayLike, n: npt.ArrayLike, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval of a mean from its samples' mean, standard deviation and count.

    Parameters
    ----------
    mean, sd : array_like of float
        Mean and sample standard deviation (ddof=1) of ``n`` independent samples.
    n : array_like of int
        Number of samples (>= 2 for a non-degenerate interval).

    Returns
    -------
    low, high : ndarray of float64

    Examples
    --------
    >>> lo, hi = summary_interval(0.5, 0.1, 10)
    >>> round(float(hi - lo), 4)  # 2 t(0.995, 9) 0.1 / sqrt(10)
    0.2055
    """
    mean = np.asarray(mean, dtype=np.float64)
    sd = np.asarray(sd, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    half = np.where(n >= 2, stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1)), 0.0)
    return mean - half, mean + half


def styled(func: _F) -> _F:
    """Decorator: run a figure builder inside :func:`context` (amlab's matplotlib settings)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with context():
            return func(*args, **kwargs)

    return wrapper


#: Fewest independent runs for which :func:`seed_curves` draws a Student-t band; with fewer, each run is drawn.
MIN_RUNS_FOR_BAND = 5


def seed_curves(ax: Axes, x: npt.ArrayLike, runs: npt.ArrayLike, i: int = 0, label: Optional[str] = None,
                clip: tuple[float, float] | None = None) -> dict:
    """The mean of independent runs (seeds) as a line, with their spread shown honestly.

    With at least :data:`MIN_RUNS_FOR_BAND` runs, a band of the
    :data:`LEVEL` Student-t interval of the mean is drawn around the line. With
    fewer, such a band is nearly the whole range (two runs: t = 63.7 at 99%)
    and says nothing, so every run is drawn as a thin line instead.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : array_like of shape (E,)
    runs : array_like of shape (E, S)
        One column per run.
    i : int
        Series style.
    label : str, optional
        Legend label of the mean line.
    clip : (float, float), optional
        Limits of the band (accuracies: ``(0, 1)``).

    Returns
    -------
    dict
        The plotted data: ``mean``, ``runs`` (S lists), and ``low``, ``high`` when a band is drawn.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> d = seed_curves(ax, [0, 1], [[0.1, 0.3], [0.5, 0.7]])
    >>> d["mean"], "low" in d, len(ax.lines)  # two runs: no band; the mean and each run drawn
    ([0.2, 0.6], False, 3)
    >>> plt.close(fig)
    """
    x = np.asarray(x, dtype=np.float64)
    runs = np.asarray(runs, dtype=np.float64)
    if runs.ndim != 2 or runs.shape[0] != x.shape[0]:
        raise ValueError(f"runs must have shape (len(x), S) = ({x.shape[0]}, S), got {runs.shape}")
    m, lo, hi = mean_interval(runs, axis=1)
    data = {"mean": m.tolist(), "runs": runs.T.tolist()}
    if runs.shape[1] >= MIN_RUNS_FOR_BAND:
        if clip is not None:
            lo, hi = np.clip(lo, *clip), np.clip(hi, *clip)
        ax.fill_between(x, lo, hi, color=colour(i), alpha=0.2, lw=0)
        data.update(low=lo.tolist(), high=hi.tolist())
    else:
        for run in runs.T:
            ax.plot(x, run, color=colour(i), lw=0.6, alpha=0.45, zorder=1)
    curve(ax, x, m, i=i, label=label)
    return data


def seed_curves_caption(n_runs: int) -> str:
    """How :func:`seed_curves` drew ``n_runs`` runs, for a caption."""
    if n_runs >= MIN_RUNS_FOR_BAND:
        return f"lines: mean over {n_runs} seeds, bands: {LEVEL_LABEL} (Student t) of the mean"
    return (f"thick lines: mean over {n_runs} seed{'s' if n_runs != 1 else ''}, thin lines: each seed "
            f"(no interval band with fewer than {MIN_RUNS_FOR_BAND} seeds)")

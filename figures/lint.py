"""A lint for drawn figures: the layout defects a reader sees, found from matplotlib's own bounding boxes.

:func:`lint` takes a :class:`matplotlib.figure.Figure`, draws it once and
returns a list of readable problems (empty when the figure is clean):

- a legend partly outside its axes (a legend placed wholly beside its axes is
  fine), or partly outside the figure;
- a legend over plotted data: a data point of a ``Line2D`` or of a scatter
  (``PathCollection``), a segment of a drawn line, or an error bar
  (``LineCollection``) inside the legend's window extent; text placed inside
  an axes (``ax.text``, ``ax.annotate``) over plotted data, the same way;
- a legend over text (tick labels, axis labels, titles) or over another axes;
- two texts over each other (colliding tick labels, a suptitle over a title);
- text smaller than :data:`MIN_FONT_PT` points (tick labels, legends, titles,
  labels, annotations; the "quick size" stamp that :func:`figures.style.save`
  adds after linting is not part of the drawn figure);
- a non-integer tick on an axis declared integer with
  :func:`figures.style.integer_axis`;
- a colour-mapped image or mesh (``AxesImage``, ``QuadMesh``, ``pcolormesh``,
  colour-mapped collections) without a colorbar, unless it shares the colour
  map and limits of one that has a colorbar, or was declared categorical with
  :func:`figures.style.no_colorbar`.

Checks use display coordinates (pixels at the figure's dpi), with a tolerance
of :data:`TOLERANCE_PT` points, and respect clipping: the part of a line clipped
away by its axes cannot lie under a legend.

:func:`collecting` lints every figure saved through :func:`figures.style.save`
(and the demos' ``save_png``) inside a ``with`` block; the figure tests use it
to lint the figures they build anyway.

Examples
--------
>>> import matplotlib.pyplot as plt
>>> from figures import lint, style
>>> with style.context():
...     fig, ax = plt.subplots(figsize=style.size(1))
...     _ = ax.plot([0, 1], [0, 1], label="y = x")
...     _ = ax.legend(loc="lower right")
>>> lint.lint(fig)
[]
>>> _ = ax.set_title("tiny", fontsize=5)
>>> lint.lint(fig)
["text 'tiny' is 5 pt (at least 8 pt)"]
>>> plt.close(fig)
"""

from __future__ import annotations

import contextlib
import math
from typing import Dict, Iterator, List, Optional

import numpy as np
from matplotlib import collections as mcoll
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: Smallest font size allowed anywhere in a figure, points.
MIN_FONT_PT = 8.0
#: Geometric tolerance, points: overlaps shallower than this are not reported.
TOLERANCE_PT = 1.0

#: Attribute set on a matplotlib ``Axis`` by :func:`figures.style.integer_axis`.
INTEGER_MARK = "_amlab_integer_axis"
#: Attribute set on an image or mesh by :func:`figures.style.no_colorbar` (its value: the reason).
NO_COLORBAR_MARK = "_amlab_no_colorbar"

_COLLECTORS: List[Dict[str, List[str]]] = []


def lint(fig: Figure) -> List[str]:
    """Layout problems of ``fig``, as readable sentences (empty list: none found).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, as it will be saved. It is drawn once (on its own canvas).

    Returns
    -------
    list of str
        One sentence per problem, naming the artist (legend, text, axes) and
        what is wrong with it.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib Figure.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    tol = TOLERANCE_PT * fig.dpi / 72.0
    problems: List[str] = []
    problems += _small_text(fig)
    problems += _legends(fig, renderer, tol)
    problems += _axes_texts(fig, renderer, tol)
    problems += _text_collisions(fig, renderer, tol)
    problems += _integer_ticks(fig)
    problems += _colorbars(fig)
    return problems


@contextlib.contextmanager
def collecting() -> Iterator[Dict[str, List[str]]]:
    """Lint every figure saved through :func:`figures.style.save` inside the block.

    Yields
    ------
    dict
        Filled as figures are saved: figure name -> list of problems.
    """
    found: Dict[str, List[str]] = {}
    _COLLECTORS.append(found)
    try:
        yield found
    finally:
        _COLLECTORS.remove(found)


def notify(fig: Figure, name: str) -> None:
    """Called by the saving functions before a figure is written: lint it if a collector is active."""
    if _COLLECTORS:
        problems = lint(fig)
        for found in _COLLECTORS:
            found[name] = problems


# --- helpers -------------------------------------------------------------------------------------------------------

def _is_colorbar_axes(ax) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def _describe_text(t: Text) -> str:
    s = t.get_text().replace("\n", " ")
    return repr(s if len(s) <= 40 else s[:37] + "...")


def _ax_name(fig: Figure, ax) -> str:
    title = ax.get_title() or ax.get_title(loc="left")
    i = fig.axes.index(ax) if ax in fig.axes else -1
    return f"axes {i}" + (f" ({title[:30]!r})" if title else "")


def _tick_texts(fig: Figure):
    """(drawn tick labels, ids of every tick label object and of the labels of undrawn axes), over all axes."""
    drawn, every = [], set()
    for ax in fig.axes:
        for axis in _axes_axis(ax):
            for tick in list(axis.majorTicks) + list(axis.minorTicks):
                every.add(id(tick.label1))
                every.add(id(tick.label2))
            if not (ax.get_visible() and ax.axison and axis.get_visible()):
                every.add(id(axis.label))  # an axis not drawn (ax.axis("off")) draws no label either
                every.add(id(axis.offsetText))
                continue
            drawn += [t for t in _in_view_labels(axis) if t.get_visible() and t.get_text().strip()]
    return drawn, every


def _in_view_labels(axis, which: str = "both") -> List[Text]:
    """Tick labels of ``axis`` that are drawn: those of ticks inside the view interval."""
    axis.get_majorticklabels()  # brings ticks and their labels up to date
    axis.get_minorticklabels()
    lo, hi = sorted(axis.get_view_interval())
    eps = 1e-10 * max(1.0, abs(lo), abs(hi))
    out = []
    for minor in (False, True):
        if which != "both" and minor != (which == "minor"):
            continue
        locs = axis.get_minorticklocs() if minor else axis.get_majorticklocs()
        ticks = axis.get_minor_ticks(len(locs)) if minor else axis.get_major_ticks(len(locs))
        for loc, tick in zip(locs, ticks):
            if lo - eps <= loc <= hi + eps:
                out += [lab for lab in (tick.label1, tick.label2) if lab.get_visible()]
    return out


def _axes_axis(ax):
    out = [ax.xaxis, ax.yaxis]
    if hasattr(ax, "zaxis"):
        out.append(ax.zaxis)
    return out


def _text_objects(fig: Figure) -> List[Text]:
    """Every drawn, non-empty text of the figure, tick labels in view included."""
    drawn_ticks, every_tick = _tick_texts(fig)
    out = list(drawn_ticks)
    for t in fig.findobj(Text):
        if id(t) in every_tick or not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        out.append(t)
    return out


def _small_text(fig: Figure) -> List[str]:
    by_size: Dict[float, List[str]] = {}
    for t in _text_objects(fig):
        size = round(float(t.get_fontsize()), 2)
        if size < MIN_FONT_PT - 1e-9:
            names = by_size.setdefault(size, [])
            name = _describe_text(t)
            if name not in names:
                names.append(name)
    problems = []
    for size, names in sorted(by_size.items()):
        if len(names) == 1:
            problems.append(f"text {names[0]} is {size:g} pt (at least {MIN_FONT_PT:g} pt)")
        else:
            shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
            problems.append(f"texts {shown} are {size:g} pt (at least {MIN_FONT_PT:g} pt)")
    return problems


def _overlap(a: Bbox, b: Bbox, tol: float) -> bool:
    """True when the boxes overlap by more than ``tol`` in both directions."""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


def _inside(inner: Bbox, outer: Bbox, tol: float) -> bool:
    return (inner.x0 >= outer.x0 - tol and inner.x1 <= outer.x1 + tol and
            inner.y0 >= outer.y0 - tol and inner.y1 <= outer.y1 + tol)


def _shrink(b: Bbox, tol: float) -> Optional[Bbox]:
    x0, y0, x1, y1 = b.x0 + tol, b.y0 + tol, b.x1 - tol, b.y1 - tol
    if x1 <= x0 or y1 <= y0:
        return None
    return Bbox([[x0, y0], [x1, y1]])


def _clip_box(artist, box: Bbox) -> Optional[Bbox]:
    """``box`` restricted to where ``artist`` can be seen (its clip box, if clipping is on)."""
    if not artist.get_clip_on():
        return box
    cb = artist.get_clip_box()
    if cb is None:
        return box
    x0, y0 = max(box.x0, cb.x0), max(box.y0, cb.y0)
    x1, y1 = min(box.x1, cb.x1), min(box.y1, cb.y1)
    if x1 <= x0 or y1 <= y0:
        return None
    return Bbox([[x0, y0], [x1, y1]])


def _points_in(xy: np.ndarray, box: Bbox) -> bool:
    if xy.size == 0:
        return False
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    return bool(np.any((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)))


def _segments_cross(xy: np.ndarray, box: Bbox) -> bool:
    """True when a segment of the polyline ``xy`` (NaN breaks it) passes through ``box`` (Liang-Barsky)."""
    if len(xy) < 2:
        return _points_in(xy, box)
    p, q = xy[:-1], xy[1:]
    ok = np.all(np.isfinite(p), axis=1) & np.all(np.isfinite(q), axis=1)
    p, q = p[ok], q[ok]
    if len(p) == 0:
        return False
    d = q - p
    t0 = np.zeros(len(p))
    t1 = np.ones(len(p))
    alive = np.ones(len(p), bool)
    for pk, qk in ((-d[:, 0], p[:, 0] - box.x0), (d[:, 0], box.x1 - p[:, 0]),
                   (-d[:, 1], p[:, 1] - box.y0), (d[:, 1], box.y1 - p[:, 1])):
        par = pk == 0
        alive &= ~(par & (qk <= 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = qk / pk
        neg = (pk < 0) & ~par
        pos = (pk > 0) & ~par
        t0 = np.where(neg, np.maximum(t0, r), t0)
        t1 = np.where(pos, np.minimum(t1, r), t1)
    alive &= t0 < t1
    return bool(np.any(alive))


def _line_xy(line: Line2D) -> np.ndarray:
    path = line.get_transform().transform_path(line.get_path())
    return np.asarray(path.vertices, dtype=float)


def _data_artists(ax):
    """(kind, artist) pairs of the plotted data of ``ax``."""
    for line in ax.lines:
        if line.get_visible() and len(line.get_xdata()) > 0:
            yield "line", line
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, mcoll.PathCollection):
            yield "points", coll
        elif isinstance(coll, mcoll.LineCollection):
            yield "segments", coll


def _artist_hits(kind: str, artist, box: Bbox) -> bool:
    region = _clip_box(artist, box)
    if region is None:
        return False
    if kind == "line":
        xy = _line_xy(artist)
        ls = artist.get_linestyle()
        if ls in ("None", "none", "", " ") or artist.get_linewidth() == 0:
            return _points_in(xy, region)
        if artist.get_marker() not in (None, "None", "none", "", " ") and _points_in(xy, region):
            return True
        return _segments_cross(xy, region)
    if kind == "points":
        offs = np.asarray(artist.get_offsets(), dtype=float)
        if offs.size == 0:
            return False
        xy = artist.get_offset_transform().transform(offs)
        return _points_in(xy, region)
    if kind == "segments":
        tr = artist.get_transform()
        for seg in artist.get_segments():
            seg = np.asarray(seg, dtype=float)
            if seg.size and _segments_cross(tr.transform(seg), region):
                return True
        return False
    return False


def _container_labels(ax) -> Dict[int, str]:
    """id of each artist inside a container (error bars, bars) -> the container's label."""
    out: Dict[int, str] = {}
    for c in ax.containers:
        lab = c.get_label() or ""
        parts = []
        for a in c:
            parts += list(a) if isinstance(a, (tuple, list)) else [a]
        for a in parts:
            if a is not None:
                out[id(a)] = lab
    return out


def _label_of(artist, labels: Dict[int, str]) -> str:
    lab = artist.get_label() if hasattr(artist, "get_label") else ""
    if not lab or lab.startswith("_"):
        lab = labels.get(id(artist), "")
    if lab and not lab.startswith("_"):
        what = "error bars of " if isinstance(artist, mcoll.LineCollection) else ""
        return f"{what}{lab!r}"
    if isinstance(artist, mcoll.LineCollection):
        return "unlabelled error bars or segments"
    if isinstance(artist, Line2D):
        x, y = np.asarray(artist.get_xdata(), float), np.asarray(artist.get_ydata(), float)
        if len(x) == 2 and x[0] == x[1]:
            return f"unlabelled vertical line x = {x[0]:g}"
        if len(y) == 2 and y[0] == y[1]:
            return f"unlabelled horizontal line y = {y[0]:g}"
        return "unlabelled line"
    return f"unlabelled {type(artist).__name__}"


def _data_under(box: Bbox, axes, tol: float) -> List[str]:
    inner = _shrink(box, tol)
    if inner is None:
        return []
    hits = []
    for ax in axes:
        if not _overlap(box, ax.get_window_extent(), 0):
            continue
        labels = _container_labels(ax)
        for kind, artist in _data_artists(ax):
            if _artist_hits(kind, artist, inner):
                hits.append(_label_of(artist, labels))
    return hits


def _same_box(a, b) -> bool:
    return bool(np.allclose(a.get_window_extent().extents, b.get_window_extent().extents, atol=0.5))


def _legends(fig: Figure, renderer, tol: float) -> List[str]:
    problems = []
    plot_axes = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar_axes(ax)]
    fig_box = fig.bbox
    texts = _text_objects(fig)
    entries = []
    for ax in plot_axes:  # the axes' legend and any more added with ax.add_artist
        legs = [c for c in ax.get_children() if isinstance(c, Legend)]
        if ax.get_legend() is not None and ax.get_legend() not in legs:
            legs.append(ax.get_legend())
        entries += [(ax, leg) for leg in legs]
    entries += [(None, leg) for leg in fig.legends]
    for ax, leg in entries:
        if not leg.get_visible():
            continue
        box = leg.get_window_extent(renderer)
        if not leg.get_frame_on():  # without a frame only the entries are seen: drop the border padding
            pad = leg.borderpad * leg.prop.get_size_in_points() * fig.dpi / 72.0
            box = _shrink(box, pad) or box
        where = "figure legend" if ax is None else f"legend of {_ax_name(fig, ax)}"
        if not _inside(box, fig_box, tol):
            problems.append(f"{where} lies partly outside the figure")
        if ax is not None:
            ax_box = ax.get_window_extent()
            if _overlap(box, ax_box, tol) and not _inside(box, ax_box, tol):
                problems.append(f"{where} lies partly outside its axes")
        for other in plot_axes:
            if other is ax or (ax is not None and _same_box(other, ax)):  # a twin (twinx) shares the area
                continue
            if _overlap(box, other.get_window_extent(), tol):
                problems.append(f"{where} overlaps {_ax_name(fig, other)}")
        hits = _data_under(box, plot_axes, tol)
        if hits:
            problems.append(f"{where} covers plotted data: {', '.join(sorted(set(hits)))}")
        own = set(id(t) for t in leg.findobj(Text))
        for t in texts:
            if id(t) in own:
                continue
            if _overlap(box, t.get_window_extent(renderer), tol):
                problems.append(f"{where} overlaps text {_describe_text(t)}")
    return problems


def _axes_texts(fig: Figure, renderer, tol: float) -> List[str]:
    problems = []
    for ax in fig.axes:
        if not ax.get_visible() or _is_colorbar_axes(ax):
            continue
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            box = t.get_window_extent(renderer)
            hits = _data_under(box, [ax], tol)
            if hits:
                problems.append(f"text {_describe_text(t)} in {_ax_name(fig, ax)} lies on plotted data: "
                                f"{', '.join(sorted(set(hits)))}")
    return problems


def _text_collisions(fig: Figure, renderer, tol: float) -> List[str]:
    """Pairs of drawn texts whose boxes overlap (colliding tick labels, a title under a suptitle, ...)."""
    texts = _text_objects(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    problems = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if _overlap(boxes[i], boxes[j], tol):
                problems.append(f"texts {_describe_text(texts[i])} and {_describe_text(texts[j])} overlap")
    return problems


def _integer_ticks(fig: Figure) -> List[str]:
    problems = []
    for ax in fig.axes:
        for axis in _axes_axis(ax):
            if not getattr(axis, INTEGER_MARK, False):
                continue
            lo, hi = sorted(axis.get_view_interval())
            bad = []
            for minor in (False, True):
                locs = axis.get_minorticklocs() if minor else axis.get_majorticklocs()
                labels = _in_view_labels(axis, "minor" if minor else "major")
                shown = {round(float(t.get_position()[0 if axis is ax.xaxis else 1]), 9): t.get_text()
                         for t in labels if t.get_visible() and t.get_text().strip()}
                for v in locs:
                    v = float(v)
                    if not (lo - 1e-9 <= v <= hi + 1e-9):
                        continue
                    if minor and round(v, 9) not in shown:
                        continue  # an unlabelled minor tick is only a mark
                    if not math.isclose(v, round(v), abs_tol=1e-9):
                        bad.append(f"{v:g}")
                for text in shown.values():
                    s = text.replace("\u2212", "-").replace("$", "").replace("\\mathdefault{", "").rstrip("}")
                    try:
                        float(s)
                    except ValueError:
                        continue
                    if "." in s and s not in bad:
                        bad.append(s)
            if bad:
                name = axis.__class__.__name__[0].lower()
                problems.append(f"integer {name} axis of {_ax_name(fig, ax)} has non-integer ticks "
                                f"{', '.join(sorted(set(bad), key=lambda x: float(x)))}")
    return problems


def _mapped_artists(ax):
    for im in ax.images:
        arr = im.get_array()
        if arr is not None and np.ndim(arr) == 2:
            yield im
    for coll in ax.collections:
        if isinstance(coll, mcoll.LineCollection) and coll.get_array() is None:
            continue
        if coll.get_array() is not None:
            yield coll


def _colorbars(fig: Figure) -> List[str]:
    problems = []
    mapped = []
    for ax in fig.axes:
        if not ax.get_visible() or _is_colorbar_axes(ax):
            continue
        mapped += [(ax, a) for a in _mapped_artists(ax) if a.get_visible()]
    with_bar = [a for _, a in mapped if getattr(a, "colorbar", None) is not None]

    def key(a):
        n = a.norm
        return (a.get_cmap().name, type(n).__name__, n.vmin, n.vmax)

    covered = {key(a) for a in with_bar}
    for ax, a in mapped:
        if getattr(a, "colorbar", None) is not None or getattr(a, NO_COLORBAR_MARK, None):
            continue
        if key(a) in covered:
            continue
        kind = "image" if isinstance(a, AxesImage) else type(a).__name__
        problems.append(f"{kind} in {_ax_name(fig, ax)} has no colorbar")
    return problems

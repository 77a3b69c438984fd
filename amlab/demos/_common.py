"""Saving demo images atomically (PNG through a buffer, GIF through a temporary file)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from simulations.core.io import atomic_write_bytes  # noqa: E402


def save_png(fig, path) -> Path:
    """Write ``fig`` as a PNG to ``path`` atomically and close it (linted first inside ``figures.lint.collecting``)."""
    from figures import lint

    lint.notify(fig, Path(path).stem)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())


def save_gif(anim, path, fps: int = 4) -> Path:
    """Write a ``FuncAnimation`` as a GIF (Pillow writer) to ``path`` atomically and close its figure."""
    from matplotlib.animation import PillowWriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gif", dir=path.parent)
    os.close(fd)
    try:
        anim.save(tmp, writer=PillowWriter(fps=fps), dpi=80)
        data = Path(tmp).read_bytes()
    finally:
        os.unlink(tmp)
        plt.close(anim._fig)
    return atomic_write_bytes(path, data)


def glyphs(text: str, size: int = 16):
    """Letters rendered with matplotlib text and binarised: int8 array (len(text), size * size) of +-1.

    No data set: each character is drawn in a ``size`` x ``size`` canvas and
    thresholded at half the maximal ink.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = []
    for ch in text:
        fig = Figure(figsize=(1, 1), dpi=size)
        canvas = FigureCanvasAgg(fig)
        fig.text(0.5, 0.45, ch, ha="center", va="center", fontsize=62, family="DejaVu Sans",
                 weight="bold")
        canvas.draw()
        img = np.asarray(canvas.buffer_rgba())[:, :, 0].astype(float)  # white 255, ink 0
        ink = 255.0 - img
        out.append(np.where(ink > ink.max() / 2, 1, -1).astype(np.int8).ravel())
    return np.stack(out)

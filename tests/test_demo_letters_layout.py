"""The letters demo's pictures are laid out for a reader: the suptitle clear of the panel titles, every
label inside the saved frame (the GIF is not cropped), whole-number ticks on the sweep axis, and a colorbar
keying the +-1 pictures. Each check is shown to fail on a figure drawn the old way."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

import amlab.demos.letters as letters  # noqa: E402


def layout_problems(fig) -> list:
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    problems = []
    drawn = fig.get_tightbbox(r)  # inches: everything drawn, labels included
    w, h = fig.get_size_inches()
    if drawn.x0 < -0.01 or drawn.y0 < -0.01 or drawn.x1 > w + 0.01 or drawn.y1 > h + 0.01:
        problems.append(f"drawn content {drawn.bounds} leaves the {w:.2f} x {h:.2f} in frame")
    sup = fig._suptitle
    if sup is not None and sup.get_text():
        sb = sup.get_window_extent(r)
        for ax in fig.axes:
            if ax.get_title() and sb.overlaps(ax.title.get_window_extent(r)):
                problems.append(f"suptitle over title {ax.get_title()!r}")
    images = [im for ax in fig.axes for im in ax.images]
    keyed = {(im.get_cmap().name, im.norm.vmin, im.norm.vmax) for im in images if im.colorbar is not None}
    for im in images:
        if (im.get_cmap().name, im.norm.vmin, im.norm.vmax) not in keyed:
            problems.append("image without colorbar")
    for ax in fig.axes:
        if ax.get_xlabel() == "sweep":
            ticks = [v for v in ax.get_xticks() if ax.get_xlim()[0] <= v <= ax.get_xlim()[1]]
            if any(v != round(v) for v in ticks):
                problems.append(f"non-integer sweep ticks {ticks}")
    return problems


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    """The demo's figures, as they are when saved."""
    figs = {}

    def save_png(fig, path):
        figs[path.name] = fig
        return path

    def save_gif(anim, path, fps=4):
        figs[path.name] = anim._fig
        return path

    monkeypatch.setattr(letters, "save_png", save_png)
    monkeypatch.setattr(letters, "save_gif", save_gif)
    letters.run(tmp_path, small=True, seed=0, echo=lambda *a: None)
    yield figs
    plt.close("all")


@pytest.mark.filterwarnings("ignore:Animation was deleted")
def test_letters_figures_are_laid_out(drawn):
    assert set(drawn) == {"letters-stored.png", "letters-retrieval.gif", "letters-sweeps.png"}
    for name, fig in drawn.items():
        assert layout_problems(fig) == [], name


def test_the_checks_catch_the_old_layout():
    xi = np.where(np.random.default_rng(0).random((2, 49)) < 0.5, 1, -1)
    fig, axes = plt.subplots(1, 2, figsize=(2.6, 1.5))  # no layout engine, as the demo drew it before
    for ax, p, ch in zip(axes, xi, "AB"):
        ax.imshow(p.reshape(7, 7), cmap="gray_r")
        ax.set_title(ch)
        ax.axis("off")
    fig.suptitle("stored letters")
    found = layout_problems(fig)
    assert any("suptitle over title" in p for p in found) and "image without colorbar" in found
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.plot(range(3), [-15, -96, -96], "o-")
    ax.set(xlabel="sweep", ylabel="energy")
    fig.subplots_adjust(bottom=0.02)  # the x label pushed out of the frame, as in the uncropped GIF
    found = layout_problems(fig)
    assert any("leaves the" in p for p in found) and any("non-integer sweep ticks" in p for p in found)
    plt.close("all")

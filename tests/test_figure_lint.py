"""The figure lint (figures/lint.py) reports each defect it is for, on small figures built with that defect,
and stays silent on the same figures built right; style helpers that declare integer axes and categorical
images work with it. The registered figures themselves are linted where their tests build them
(tests/test_figures_*.py) and, all of them, in the slow test at the end of this module."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from figures import lint, style  # noqa: E402


def _fig(columns=1):
    with style.context():
        return plt.subplots(figsize=style.size(columns))


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _has(problems, *words):
    return any(all(w in p for w in words) for p in problems)


def test_clean_figure_passes():
    fig, ax = _fig()
    x = np.linspace(0, 1, 50)
    ax.plot(x, x**2, label="x^2")
    ax.errorbar([0.2, 0.4], [0.04, 0.16], yerr=0.01, fmt="o", label="points")
    ax.legend(loc="upper left")
    ax.set(xlabel="x", ylabel="y", title="clean")
    assert lint.lint(fig) == []


def test_legend_partly_outside_axes_and_figure():
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1], label="a rather long legend entry that sticks out")
    ax.legend(loc="upper left", bbox_to_anchor=(0.6, 1.1))
    problems = lint.lint(fig)
    assert _has(problems, "partly outside its axes")
    assert _has(problems, "partly outside the figure")


def test_legend_wholly_beside_its_axes_is_allowed():
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
    fig.subplots_adjust(right=0.6)
    ax.plot([0, 1], [0, 1], label="line")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    assert lint.lint(fig) == []


def test_legend_over_points_line_and_errorbars():
    # points only (no line): a point inside the legend box is reported
    fig, ax = _fig()
    ax.plot([0.05, 0.5, 0.95], [0.95, 0.5, 0.05], "o", label="points")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    assert _has(lint.lint(fig), "covers plotted data", "'points'")
    # a line whose vertices lie outside the legend but whose segment crosses it
    fig, ax = _fig()
    ax.plot([0, 1], [0.9, 0.9], label="crossing")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper center")
    assert _has(lint.lint(fig), "covers plotted data", "'crossing'")
    # an error bar (LineCollection) under the legend, its marker outside
    fig, ax = _fig()
    ax.errorbar([0.5], [0.3], yerr=[[0.01], [0.68]], fmt="o", label="bar")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper center")
    assert _has(lint.lint(fig), "covers plotted data", "error bars of 'bar'")
    # scatter (PathCollection)
    fig, ax = _fig()
    ax.scatter([0.05], [0.95], label="dot")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left", handlelength=4)
    assert _has(lint.lint(fig), "covers plotted data", "'dot'")


def test_figure_legend_over_data():
    fig, ax = _fig()
    ax.plot([0, 1], [0.5, 0.5], label="flat")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    fig.legend(loc="center")
    assert _has(lint.lint(fig), "figure legend covers plotted data")


def test_clipped_part_of_a_line_is_not_under_a_legend():
    # the line runs on outside the axes (clipped away) where the legend sits beside the axes
    with style.context():
        fig, ax = plt.subplots(figsize=style.size(1))
    fig.subplots_adjust(right=0.6)
    ax.plot([0, 3], [0.5, 0.5], label="long")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    assert lint.lint(fig) == []


def test_legend_over_axis_label_and_other_axes():
    with style.context():
        fig, (a, b) = plt.subplots(1, 2, figsize=style.size(2))
    a.plot([0, 1], [0, 1], label="a line with a long label")
    a.legend(loc="center left", bbox_to_anchor=(0.98, 0.5))
    b.set_ylabel("the right panel's label")
    problems = lint.lint(fig)
    assert _has(problems, "overlaps axes 1") or _has(problems, "overlaps text")


def test_text_on_data():
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "label on the line", ha="center", va="center")
    assert _has(lint.lint(fig), "'label on the line'", "lies on plotted data")
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1])
    ax.text(0.8, 0.2, "clear", ha="center", va="center")
    assert lint.lint(fig) == []


@pytest.mark.parametrize("where", ["tick", "legend", "title", "annotation", "label", "suptitle"])
def test_small_text(where):
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1], label="line")
    if where == "tick":
        ax.tick_params(labelsize=6)
    elif where == "legend":
        ax.legend(fontsize=6, loc="upper left")
    elif where == "title":
        ax.set_title("title", fontsize=7.5)
    elif where == "annotation":
        ax.annotate("note", (0.9, 0.1), fontsize=5)
    elif where == "label":
        ax.set_xlabel("x", fontsize=7)
    else:
        fig.suptitle("suptitle", fontsize=6)
    problems = lint.lint(fig)
    assert _has(problems, "pt (at least 8 pt)"), problems
    assert len([p for p in problems if "at least 8 pt" in p]) == 1  # one sentence per font size


def test_tick_labels_out_of_view_are_not_counted():
    # a 6-pt label set on a tick that is outside the view limits is never drawn
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1])
    ax.set_xticks([0, 0.5, 1, 5])
    ax.set_xlim(0, 1)
    assert lint.lint(fig) == []


def test_integer_axis():
    fig, ax = _fig()
    ax.plot(np.arange(11), np.arange(11) ** 0.5)
    style.integer_axis(ax, "x", locate=False)  # marked, but the default locator ticks 0, 2.5, 5, ...
    ax.set_xlim(0, 10)
    ax.set_xticks([0, 2.5, 5, 7.5, 10])
    assert _has(lint.lint(fig), "integer x axis", "2.5", "7.5")
    style.integer_axis(ax, "x")  # the integer locator fixes it
    assert lint.lint(fig) == []
    # integer-valued ticks written as decimals ("2.0") are reported too
    fig, ax = _fig()
    ax.plot([0, 4], [0, 1])
    style.integer_axis(ax, "x", locate=False)
    ax.set_xticks([0, 2, 4], ["0.0", "2.0", "4.0"])
    assert _has(lint.lint(fig), "integer x axis", "2.0")
    # an unmarked axis with fractional ticks is fine
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1])
    assert lint.lint(fig) == []
    with pytest.raises(ValueError, match="which"):
        style.integer_axis(ax, "z")


@pytest.mark.parametrize("kind", ["imshow", "pcolormesh", "matshow"])
def test_heat_map_needs_a_colorbar(kind):
    fig, ax = _fig()
    z = np.arange(12.0).reshape(3, 4)
    art = getattr(ax, kind)(z)
    assert _has(lint.lint(fig), "no colorbar")
    fig.colorbar(art, ax=ax)
    assert lint.lint(fig) == []


def test_shared_colorbar_and_categorical_images():
    with style.context():
        fig, (a, b) = plt.subplots(1, 2, figsize=style.size(2))
    z = np.random.default_rng(0).random((4, 4))
    ia = a.imshow(z, vmin=0, vmax=1)
    b.imshow(z.T, vmin=0, vmax=1)
    fig.colorbar(ia, ax=[a, b])  # one colorbar for both panels (same colour map, same limits)
    assert lint.lint(fig) == []
    ib = b.images[0]
    ib.set_clim(0, 2)  # now the right panel's scale differs from the colorbar's
    assert _has(lint.lint(fig), "image in axes 1 has no colorbar")
    style.no_colorbar(ib, "black and white +-1 pattern")
    assert lint.lint(fig) == []
    with pytest.raises(ValueError, match="reason"):
        style.no_colorbar(ib, "")
    # an RGB image is not colour-mapped
    fig, ax = _fig()
    ax.imshow(np.zeros((3, 3, 3)))
    assert lint.lint(fig) == []


def test_not_a_figure():
    with pytest.raises(TypeError, match="Figure"):
        lint.lint("figure.png")


def test_collecting_lints_saved_figures(tmp_path):
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1])
    ax.set_title("small", fontsize=6)
    with lint.collecting() as found:
        style.save(fig, tmp_path, "lint-demo", data={}, seed=0, quick=True, caption="c", source="new")
    assert _has(found["lint-demo"], "'small' is 6 pt")
    # outside the block nothing is linted (and the 6.5-pt "quick size" stamp, added after linting, never is)
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1])
    with lint.collecting() as found:
        style.save(fig, tmp_path, "lint-clean", data={}, seed=0, quick=True, caption="c", source="new")
    assert found == {"lint-clean": []}


def test_colliding_texts():
    # tick labels packed too closely: reported; the same ticks thinned out: clean
    fig, ax = _fig()
    ax.plot([100, 140], [0, 1])
    ax.set_xticks(range(100, 141), [str(v) for v in range(100, 141)])
    ax.set_xlim(100, 140)
    assert _has(lint.lint(fig), "texts '10", "overlap")
    ax.set_xticks(range(100, 141, 10), [str(v) for v in range(100, 141, 10)])
    assert lint.lint(fig) == []
    # a suptitle drawn over the axes title
    fig, ax = _fig()
    ax.plot([0, 1], [0, 1])
    ax.set_title("the axes title")
    fig.suptitle("the figure title", y=0.97)
    assert _has(lint.lint(fig), "'the axes title'", "'the figure title'", "overlap")


def test_every_legend_of_an_axes_is_checked():
    # a first legend kept with add_artist, then a second one: the first covers the data
    fig, ax = _fig()
    ax.plot([0.05, 0.95], [0.95, 0.95], "o", label="top")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.add_artist(ax.legend(loc="upper left"))
    ax.legend(["other"], loc="lower right")
    assert _has(lint.lint(fig), "covers plotted data", "'top'")


#: Registered figures that no test lints yet (their layout is being reworked separately).
NOT_LINTED = {"train-icl-curves", "train-induction-curves", "train-induction-deviation"}


def test_every_registered_figure_is_linted_by_its_build_test():
    import figures.catalog  # noqa: F401  (registers the figures)
    from figures.registry import FIGURES
    from tests import (test_figures_ags_large, test_figures_amicl, test_figures_attention,
                       test_figures_capacity_extended, test_figures_induction, test_figures_theory,
                       test_figures_train_lm)

    linted = (set(test_figures_theory.THEORY_FIGURES) | set(test_figures_amicl.NAMES) |
              set(test_figures_attention.NAMES) | set(test_figures_capacity_extended.NAMES) |
              set(test_figures_induction.FAST) | set(test_figures_induction.SLOW) | set(test_figures_ags_large.NAMES) |
              {"dense-replica", "rem-capacity", "storkey-capacity", "sparse-rs-capacity", "palimpsest-capacity",
               "forgetting-recall-age", "forgetting-frontier",
               "train-mqar-width", "train-mqar-state-size"}  # the last two: tests/test_figures_train_mqar.py
              | set(test_figures_train_lm.NAMES))
    assert linted | NOT_LINTED == set(FIGURES), sorted(set(FIGURES) - linted - NOT_LINTED)


def test_twin_axes_share_their_area_but_not_their_data():
    fig, ax = _fig()
    ax.plot([0, 1], [0, 0.2], label="left")
    tw = ax.twinx()
    tw.plot([0, 1], [0, 0.2], color="k")
    ax.set_ylim(0, 1)
    tw.set_ylim(0, 1)
    ax.legend(loc="upper right")
    assert lint.lint(fig) == []  # a twin is not "another axes" under the legend
    tw.plot([0.6, 0.95], [0.95, 0.95], color="k")  # but the twin's data under the legend are reported
    assert _has(lint.lint(fig), "covers plotted data")

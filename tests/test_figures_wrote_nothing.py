"""A figure that writes nothing is an error: `amlab figures` and `amlab reproduce` exit 1 naming the figure and
the reason, and never count it as done."""

import numpy as np
import pytest

import amlab.demos
from amlab.cli import main
from simulations.checks import registry
from simulations.checks.registry import register_check
from simulations.checks.stats import binomial_point


@pytest.fixture
def figures_world(monkeypatch):
    """A registry of three figures: one that draws, one whose data are missing, one that returns nothing."""
    import figures.catalog  # noqa: F401  (registered before the registry is swapped out)
    import matplotlib.pyplot as plt

    from figures import registry as fr
    from figures import style

    monkeypatch.setattr(fr, "FIGURES", {})
    monkeypatch.setattr(amlab.demos, "DEMOS", {})  # reproduce runs no real demo here

    @fr.register_figure("drawn", title="a figure that draws")
    def drawn(out_dir, *, quick, seed):
        with style.context():
            fig, ax = plt.subplots(figsize=style.size(1))
            ax.plot([0, 1], [0, 1])
        return style.save(fig, out_dir, "drawn", data={"x": [0, 1]}, seed=seed, quick=quick,
                          caption="A diagonal line.", source="new")

    @fr.register_figure("no-data", title="a figure whose recorded data are missing")
    def no_data(out_dir, *, quick, seed):
        raise fr.FigureError("no recorded results: /nowhere/icl.json does not exist")

    @fr.register_figure("silent", title="a figure that returns without writing")
    def silent(out_dir, *, quick, seed):
        return []

    return fr


def test_a_figure_that_draws_is_done(figures_world, tmp_path, capsys):
    """The control: the same command with a figure that draws exits 0 and says done."""
    assert main(["figures", "drawn", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "error" not in err
    assert (tmp_path / "drawn.png").is_file()


@pytest.mark.parametrize("name, reason", [("no-data", "no recorded results: /nowhere/icl.json"),
                                          ("silent", "returned no files")])
def test_a_figure_that_writes_nothing_exits_1(figures_world, tmp_path, capsys, name, reason):
    assert main(["figures", name, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"amlab figures: error: figure {name} wrote nothing: " in err and reason in err
    assert "1/1 figures done" not in err


def test_the_others_are_still_built(figures_world, tmp_path, capsys):
    assert main(["figures", "no-data", "drawn", "silent", "--out", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert (tmp_path / "drawn.png").is_file() and "wrote" in out
    assert "figure no-data wrote nothing" in err and "figure silent wrote nothing" in err
    assert "3/3 figures done" not in err


def test_a_builder_that_names_missing_files_is_caught(figures_world, tmp_path, capsys):
    @figures_world.register_figure("phantom", title="names a file it never wrote")
    def phantom(out_dir, *, quick, seed):
        return [out_dir / "phantom.png"]

    assert main(["figures", "phantom", "--out", str(tmp_path)]) == 1
    assert "do not exist" in capsys.readouterr().err


def test_reproduce_fails_on_a_figure_that_writes_nothing(figures_world, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(registry, "CHECKS", {})

    @register_check("coin", title="a fair coin", theory="p = 1/2", test="binomial", quick={"n": 200},
                    full={"n": 400})
    def coin(*, seed, n):
        k = int(np.random.default_rng(seed).binomial(n, 0.5))
        return [binomial_point("coin", k, n, 0.5, 0.0, level=0.99)]

    out = tmp_path / "report"
    assert main(["reproduce", "--quick", "--out", str(out)]) == 1
    printed = "".join(capsys.readouterr())
    assert "figure no-data wrote nothing: no recorded results" in printed
    report = (out / "report.md").read_text()
    assert "Figures: 1/3 built" in report and "no-data NOT BUILT" in report and "silent NOT BUILT" in report
    assert (out / "figures" / "drawn.png").is_file()

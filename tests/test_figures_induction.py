"""Induction figures build at quick size (PNG, PDF, JSON); the CLI derives and checks in-process."""

import json

import pytest

import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from amlab.cli import main
from figures.registry import FIGURES

FAST = ["induction-scales"]
SLOW = ["induction-attention", "induction-logits", "induction-deviation", "induction-flip", "induction-recall"]


def _builds(tmp_path, name):
    with lint.collecting() as problems:
        paths = FIGURES[name].func(tmp_path, quick=True, seed=0)
    assert problems == {name: []}  # figures.lint: layout, text size, integer ticks, colorbars
    assert {p.suffix for p in paths} == {".png", ".pdf", ".json"}
    assert all(p.exists() and p.stat().st_size > 200 for p in paths)
    data = json.loads((tmp_path / f"{name}.json").read_text())
    assert data["figure"] == name and data["caption"] and data["source"]


@pytest.mark.parametrize("name", FAST)
def test_fast_figure_builds(tmp_path, name):
    _builds(tmp_path, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_slow_figure_builds(tmp_path, name):
    _builds(tmp_path, name)


def test_cli_derives_induction_logits(capsys):
    assert main(["derive", "induction-logits"]) == 0
    out = capsys.readouterr().out
    assert "derived in amlab" in out and "xi_t(k)" in out and "gamma*" in out


def test_cli_runs_an_induction_check(tmp_path, capsys):
    assert main(["check", "induction-rpe-flat", "--quick", "--out", str(tmp_path)]) == 0

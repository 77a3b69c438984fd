"""Figures of figures/capacity_extended.py: registered; each builds its PNG, PDF and JSON (slow)."""

import json

import pytest

import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from figures.registry import FIGURES

NAMES = ["basins-steps", "basin-radius", "ags-glauber", "gardner-perceptron", "pseudo-inverse-step",
         "sparse-capacity", "mixture-stability"]


def test_registered():
    assert set(NAMES) <= set(FIGURES)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_builds(name, tmp_path):
    with lint.collecting() as problems:
        paths = FIGURES[name].func(tmp_path, quick=True, seed=0)
    assert problems == {name: []}  # figures.lint
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    meta = json.loads((tmp_path / f"{name}.json").read_text())
    assert meta["caption"] and meta["source"] and meta["data"]

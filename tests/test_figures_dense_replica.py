"""The dense-replica figure is registered and builds its PNG, PDF and JSON (slow)."""

import json

import pytest

import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from figures.registry import FIGURES


def test_registered():
    assert "dense-replica" in FIGURES


@pytest.mark.slow
def test_builds(tmp_path):
    with lint.collecting() as problems:
        paths = FIGURES["dense-replica"].func(tmp_path, quick=True, seed=0)
    assert problems == {"dense-replica": []}  # figures.lint
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    meta = json.loads((tmp_path / "dense-replica.json").read_text())
    assert meta["caption"] and meta["source"] and meta["data"]["N=100"]["mean"]

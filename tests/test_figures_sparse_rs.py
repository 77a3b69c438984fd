"""Figure sparse-rs-capacity: registered; builds its PNG, PDF and JSON (slow)."""

import json

import pytest

import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from figures.registry import FIGURES


def test_registered():
    assert "sparse-rs-capacity" in FIGURES


@pytest.mark.slow
def test_builds(tmp_path):
    with lint.collecting() as problems:
        paths = FIGURES["sparse-rs-capacity"].func(tmp_path, quick=True, seed=0)
    assert problems == {"sparse-rs-capacity": []}  # figures.lint
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    meta = json.loads((tmp_path / "sparse-rs-capacity.json").read_text())
    assert meta["caption"] and meta["source"] and meta["data"]["cases"]

"""The rem-capacity figure is registered and builds its PNG, PDF and JSON (slow)."""

import json

import pytest

import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from figures.registry import FIGURES


def test_registered():
    assert "rem-capacity" in FIGURES


@pytest.mark.slow
def test_builds(tmp_path):
    with lint.collecting() as problems:
        paths = FIGURES["rem-capacity"].func(tmp_path, quick=True, seed=0)
    assert problems == {"rem-capacity": []}  # figures.lint
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    meta = json.loads((tmp_path / "rem-capacity.json").read_text())
    assert meta["caption"] and meta["source"] and meta["data"]["alpha_1"]["beta=1"]


def test_storkey_registered():
    assert "storkey-capacity" in FIGURES


@pytest.mark.slow
def test_storkey_builds(tmp_path):
    with lint.collecting() as problems:
        paths = FIGURES["storkey-capacity"].func(tmp_path, quick=True, seed=0)
    assert problems == {"storkey-capacity": []}  # figures.lint
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    meta = json.loads((tmp_path / "storkey-capacity.json").read_text())
    assert meta["caption"] and meta["data"]["P_half"]["estimate"]

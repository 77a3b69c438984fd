"""The attention figures build (at a shrunken quick size) into a folder, with PNG, PDF and JSON each."""

import json

import pytest

import figures.attention as fa
import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from figures.registry import FIGURES

NAMES = ["kv-accuracy-vs-M", "kv-capacity-vs-d", "mqar-accuracy-vs-pairs", "kv-zipf-scaling"]


@pytest.fixture(autouse=True)
def tiny(monkeypatch):
    # the plumbing is under test here; the statistics are in tests/test_checks_kv.py
    monkeypatch.setitem(fa.SIZES, "quick", {
        "vsM_d": 8, "vsM_points": 4, "vsM_mem": 4, "cap_d": [8, 16], "cap_mem": 6,
        "mqar_d": [8, 16], "mqar_P": [4, 8], "mqar_seq": 4, "mqar_vocab": 64,
        "zipf_d": [16, 32, 64], "zipf_T": [30, 100, 300], "zipf_reps": 8})


@pytest.mark.parametrize("name", NAMES)
def test_figure_builds(tmp_path, name):
    with lint.collecting() as problems:
        paths = FIGURES[name].func(tmp_path, quick=True, seed=0)
    assert problems == {name: []}  # figures.lint: layout, text size, colorbars
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    for p in paths:
        assert p.exists() and p.stat().st_size > 200
    data = json.loads((tmp_path / f"{name}.json").read_text())
    assert data["figure"] == name and data["caption"] and data["source"] and data["size"] == "quick"
    assert not list(tmp_path.glob(".*.tmp"))
    if name == "kv-zipf-scaling":  # fitted and predicted slopes are both recorded
        d = data["data"]
        assert (d["frequency"]["predicted"], d["threshold"]["predicted"], d["samples"]["predicted"]) == (0.25, 1.0, 0.5)
        assert all(isinstance(d[k]["fit"], float) for k in ("frequency", "threshold", "samples"))

"""AMICL figures build at quick size into a temporary folder, with PNG, PDF and JSON each."""

import json

import pytest

import figures.amicl as fa
import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from figures.registry import FIGURES
from theory.amicl import ExactSettings

NAMES = ["amicl-accuracy-vs-a", "amicl-accuracy-vs-T", "amicl-accuracy-vs-D", "amicl-attention", "amicl-spot-checks"]


@pytest.fixture(autouse=True)
def coarse_quadrature(monkeypatch):
    # The figures' plumbing is under test here, not the quadrature (tests/test_amicl_theory.py).
    monkeypatch.setattr(fa, "QUICK_QUADRATURE", ExactSettings(n_R=4, n_u=81, n_c=61, n_xy=41))


@pytest.mark.parametrize("name", NAMES)
def test_figure_builds(tmp_path, name):
    with lint.collecting() as problems:
        paths = FIGURES[name].func(tmp_path, quick=True, seed=0)
    assert problems == {name: []}  # figures.lint: layout, text size, colorbars
    exts = sorted(p.suffix for p in paths)
    assert {".png", ".pdf", ".json"} <= set(exts)
    for p in paths:
        assert p.exists() and p.stat().st_size > 200
        assert p.parent == tmp_path
    data = json.loads((tmp_path / f"{name}.json").read_text())
    assert data["figure"] == name and data["seed"] == 0 and "provenance" in data
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_spot_check_table_has_paper_numbers(tmp_path):
    FIGURES["amicl-spot-checks"].func(tmp_path, quick=True, seed=0)
    md = (tmp_path / "amicl-spot-checks.md").read_text()
    for paper in ("1000 / 1000", "994 / 1000", "907 / 1000", "325 / 1000"):
        assert paper in md
    rows = json.loads((tmp_path / "amicl-spot-checks.json").read_text())["data"]["rows"]
    assert {(r["a"], r["D"], r["K"], r["T"]) for r in rows} >= {(a, 100, 512, 20) for a in (2.0, 1.75, 1.5, 1.25, 1.0)}
    assert all(0 <= r["correct"] <= r["n"] == 1000 for r in rows)

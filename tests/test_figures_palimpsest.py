"""The palimpsest-capacity figure: registered, linted, and its data show the window and the Hopfield collapse."""

import json

import pytest

import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from figures import palimpsest as fp
from figures.registry import FIGURES

#: A shrunken quick size (about 1 s): N = 200, three rates, two loads either side of the collapse.
SMALL = {"Ns": [200], "eps": [6.0, 8.0, 20.0], "n_net": 3, "collapse_N": 200, "collapse_alpha": [0.05, 0.35],
         "collapse_net": 3}


def test_registered_with_its_estimator_and_check():
    import simulations.checks.suite  # noqa: F401  (registers the checks)
    from simulations.checks.registry import CHECKS

    assert FIGURES["palimpsest-capacity"].estimators == ("palimpsest-window",)
    assert "palimpsest-capacity" in CHECKS["palimpsest-window"].figures


def _collapsed(data):
    """The property the right panel shows: the Hebbian network keeps every pattern at low load and none past
    alpha_c, while the palimpsest keeps a window of a few per cent of N at every load."""
    heb, pal = data["collapse"]["retrieved"], data["collapse_palimpsest"]["retrieved"]
    return heb[0] > 0.04 and heb[-1] < 0.01 and min(pal) > 0.03


def test_builds_linted_and_shows_the_collapse(tmp_path, monkeypatch):
    monkeypatch.setitem(fp.SIZES, "quick", SMALL)
    with lint.collecting() as problems:
        paths = FIGURES["palimpsest-capacity"].func(tmp_path, quick=True, seed=0)
    assert problems == {"palimpsest-capacity": []}  # figures.lint
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    meta = json.loads((tmp_path / "palimpsest-capacity.json").read_text())
    data = meta["data"]
    assert meta["caption"] and meta["source"]
    assert abs(data["replica_optimum"]["alpha_w"] - 0.049) < 0.001 and data["published_optimum"] == 0.05
    w = data["N=200"]["window"]
    assert all(0.02 < x < 0.12 for x in w)  # a window of a few per cent of N at every rate
    assert _collapsed(data)
    # the property test fails on a network that keeps its patterns (no collapse) or on a palimpsest that forgot all
    kept = {"collapse": {"retrieved": [0.05, 0.3]}, "collapse_palimpsest": data["collapse_palimpsest"]}
    lost = {"collapse": data["collapse"], "collapse_palimpsest": {"retrieved": [0.05, 0.0]}}
    assert not _collapsed(kept) and not _collapsed(lost)


@pytest.mark.slow
def test_quick_size_builds(tmp_path):
    paths = FIGURES["palimpsest-capacity"].func(tmp_path, quick=True, seed=0)
    assert len(paths) == 3

"""The training figure: built from recorded curves (no JAX needed), an error when none are recorded."""

import json
import sys

import numpy as np
import pytest

import figures.train as ft
from figures import style
from figures.registry import FigureError


def _result(E=4, S=3, V=2):
    rng = np.random.default_rng(0)
    acc = np.clip(np.linspace(0.1, 0.9, E)[:, None, None, None] + 0.05 * rng.standard_normal((E, S, V, 4)), 0, 1)
    cfg = {"K": 64, "L": 8, "N": 8, "B": 2, "optimizer": "sgd", "lr": 0.01, "batch": 128, "target": 0.95,
           "steps": 300}
    return {"config": cfg, "variants": ["baseline", "values"][:V], "kinds": ["train", "icl", "icl_flipped", "iwl"],
            "step": [0, 100, 200, 300][:E], "accuracy": acc.tolist(), "table": []}


def test_plot_from_recorded(tmp_path, monkeypatch):
    res = _result()
    (tmp_path / "icl_quick").mkdir()
    (tmp_path / "icl_quick" / "icl.json").write_text(json.dumps(res))
    monkeypatch.setattr(ft, "RESULTS", tmp_path)
    files = ft.fig_train_icl(tmp_path / "out", quick=True, seed=0)
    assert [f.suffix for f in files] == [".png", ".pdf", ".json"]
    meta = json.loads(files[2].read_text())
    data = meta["data"]
    acc = np.asarray(res["accuracy"])
    # the plotted line is the mean over seeds of the recorded accuracies, and each seed is drawn
    np.testing.assert_allclose(data["icl/values"]["mean"], acc[:, :, 1, 1].mean(axis=1))
    np.testing.assert_allclose(data["icl/values"]["runs"], acc[:, :, 1, 1].T)
    # three seeds: too few for an honest Student-t band, so none is drawn, and the caption says so
    assert "low" not in data["icl/values"]
    assert "mean over 3 seeds" in meta["caption"] and "each seed" in meta["caption"]


def test_band_only_with_enough_seeds(tmp_path, monkeypatch):
    S = style.MIN_RUNS_FOR_BAND
    res = _result(S=S)
    (tmp_path / "icl_full").mkdir()
    (tmp_path / "icl_full" / "icl.json").write_text(json.dumps(res))
    monkeypatch.setattr(ft, "RESULTS", tmp_path)
    meta = json.loads(ft.fig_train_icl(tmp_path / "out", quick=False, seed=0)[2].read_text())
    band = meta["data"]["icl/values"]
    assert np.all(np.asarray(band["low"]) <= np.asarray(band["mean"]))
    assert np.all(np.asarray(band["high"]) >= np.asarray(band["mean"]))
    assert f"mean over {S} seeds, bands" in meta["caption"]


def test_without_recorded_results_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(ft, "RESULTS", tmp_path)
    with pytest.raises(FigureError, match="no recorded results.*icl_quick.*icl_full"):
        ft.fig_train_icl(tmp_path / "out", quick=True, seed=0)
    assert not (tmp_path / "out").exists()


def test_recorded_results_are_package_data():
    """The curves the figure reads live inside the package, so an installed amlab has them."""
    assert ft.RESULTS.is_relative_to(__import__("pathlib").Path(ft.__file__).parent)
    assert (ft.RESULTS / "icl_quick" / "icl.json").is_file() and (ft.RESULTS / "icl_full" / "icl.json").is_file()


def test_recorded_figures_build_without_jax_and_lint_clean(tmp_path, monkeypatch):
    """docs/training.md promises the train-* figures without the train extra: with JAX and optax made
    unimportable, each builds from the recorded runs shipped with the package (quick and full runs),
    and passes figures.lint."""
    import figures.train_induction as fti
    from figures import lint

    for mod in ("jax", "jax.numpy", "optax"):
        monkeypatch.setitem(sys.modules, mod, None)
    with pytest.raises(ImportError):
        import jax  # noqa: F401  (the block works)
    for quick in (True, False):
        with lint.collecting() as problems:
            for build in (ft.fig_train_icl, fti.fig_train_induction_curves, fti.fig_train_induction_deviation):
                for f in build(tmp_path / str(quick), quick=quick, seed=0):
                    assert f.is_file()
        assert len(problems) == 3 and all(v == [] for v in problems.values()), problems

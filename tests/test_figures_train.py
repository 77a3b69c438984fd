"""The training figure: built from recorded curves (no JAX needed), skipped cleanly when none are recorded."""

import json

import numpy as np

import figures.train as ft


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
    data = json.loads(files[2].read_text())["data"]
    acc = np.asarray(res["accuracy"])
    # the plotted line is the mean over seeds of the recorded accuracies
    np.testing.assert_allclose(data["icl/values"]["mean"], acc[:, :, 1, 1].mean(axis=1))
    assert np.all(np.asarray(data["icl/values"]["low"]) <= np.asarray(data["icl/values"]["mean"]))


def test_skips_without_recorded_results(tmp_path, monkeypatch):
    monkeypatch.setattr(ft, "RESULTS", tmp_path)
    assert ft.fig_train_icl(tmp_path / "out", quick=True, seed=0) == []
    assert not (tmp_path / "out").exists()

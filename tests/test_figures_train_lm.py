"""The language-model figures: built from a recorded lm.json (no JAX), linted, the GPU record preferred."""

import json

import numpy as np
import pytest

import figures.train_lm as fl
from figures import lint
from figures.registry import FigureError

NAMES = ("train-lm-loss", "train-lm-icl")


def _result(E=4, S=3, V=2, device="cpu"):
    rng = np.random.default_rng(0)
    val = 5.5 - np.linspace(0, 3, E)[:, None, None] + 0.05 * rng.standard_normal((E, S, V))
    icl = -np.linspace(0, 1, E)[:, None, None] + 0.05 * rng.standard_normal((E, S, V))
    cfg = {"layers": 2, "d": 64, "heads": 4, "T": 128, "lr": 0.003, "batch": 16, "steps": 600}
    return {"config": cfg, "variants": ["baseline", "values"][:V], "step": [0, 200, 400, 600][:E],
            "val_loss": val.tolist(), "icl_score": icl.tolist(), "icl_positions": [11, 124, 2], "n_params": 140544,
            "corpus": {"path": ".corpus/kjv.txt", "bytes": 4152017}, "timing": {"device": device}, "table": []}


def _record(tmp_path, kind, res):
    (tmp_path / f"lm_{kind}").mkdir()
    (tmp_path / f"lm_{kind}" / "lm.json").write_text(json.dumps(res))


@pytest.mark.slow  # two figures, PNG and PDF each (about 5 s); figures.lint's own failing cases are in test_figure_lint
def test_figures_from_the_record_are_linted(tmp_path, monkeypatch):
    res = _result()
    _record(tmp_path, "quick", res)
    monkeypatch.setattr(fl, "RESULTS", tmp_path)
    for name, fig, key in ((NAMES[0], fl.fig_train_lm_loss, "val_loss"), (NAMES[1], fl.fig_train_lm_icl, "icl_score")):
        with lint.collecting() as problems:
            files = fig(tmp_path / "out", quick=True, seed=0)
        assert problems == {name: []}  # figures.lint: layout, text size, integer ticks
        assert [f.suffix for f in files] == [".png", ".pdf", ".json"] and files[0].stem == name
        meta = json.loads(files[2].read_text())
        y = np.asarray(res[key])
        np.testing.assert_allclose(meta["data"]["values"]["mean"], y[:, :, 1].mean(axis=1))
        np.testing.assert_allclose(meta["data"]["values - baseline"]["runs"], (y[:, :, 1] - y[:, :, 0]).T)
        assert "CPU quick run" in meta["caption"]


def test_gpu_record_is_preferred_and_missing_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(fl, "RESULTS", tmp_path)
    with pytest.raises(FigureError, match="no recorded results"):
        fl.fig_train_lm_icl(tmp_path / "out", quick=True, seed=0)
    assert not (tmp_path / "out").exists()
    _record(tmp_path, "quick", _result())
    assert fl.recorded(True)["timing"]["device"] == "cpu"  # only the quick run: it is drawn
    _record(tmp_path, "full", _result(device="gpu"))
    assert fl.recorded(True)["timing"]["device"] == "gpu"  # the GPU run, when recorded, is drawn instead

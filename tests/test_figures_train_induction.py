"""The figures of experiment 2: built from recorded results (no JAX needed), an error when none are recorded."""

import json

import numpy as np
import pytest

import figures.train_induction as fti
from figures.registry import FigureError

PROBES = ["prev_token", "induction", "copy", "icl", "loss"]


def _result(ds=(32, 64), E=3, S=3):
    rng = np.random.default_rng(0)
    runs = {}
    for j, d in enumerate(ds):
        probes = np.clip(np.linspace(0.1, 0.9, E)[:, None, None] + 0.05 * rng.standard_normal((E, S, 5)), 0, 1)
        comp = [{"theory": {"deviation": float(2 * d ** -0.5 * (1 + 0.1 * s))},
                 "built": {"deviation": float(3 * d ** -0.5 * (1 + 0.1 * s))}} for s in range(S)]
        runs[str(d)] = {"d": d, "step": [0, 100, 200][:E], "probes": probes.tolist(), "comparison": comp}
    cfg = {"bigram": "text", "T": 64, "K": 3, "optimizer": "adam", "lr": 0.01, "batch": 32, "seeds": S, "steps": 200,
           "t_prompt": 32, "n_q": 4, "c_qks": [1, 2, 3], "cbar_k": 2}
    slopes = {"theory": {"slope": -0.5, "low": -0.6, "high": -0.4}, "built": {"slope": -0.5, "low": -0.6, "high": -0.4}}
    return {"config": cfg, "probes": PROBES, "V": 35, "runs": runs, "slopes": slopes, "table": []}


def test_plots_from_recorded(tmp_path, monkeypatch):
    res = _result()
    (tmp_path / "induction_quick").mkdir()
    (tmp_path / "induction_quick" / "induction.json").write_text(json.dumps(res))
    monkeypatch.setattr(fti, "RESULTS", tmp_path)
    files = fti.fig_train_induction_curves(tmp_path / "out", quick=True, seed=0)
    assert [f.suffix for f in files] == [".png", ".pdf", ".json"]
    data = json.loads(files[2].read_text())["data"]
    # the plotted line is the mean over seeds of the recorded probe
    np.testing.assert_allclose(data["induction/d=64"]["mean"], np.asarray(res["runs"]["64"]["probes"])[:, :, 1].mean(1))
    files = fti.fig_train_induction_deviation(tmp_path / "out", quick=True, seed=0)
    data = json.loads(files[2].read_text())["data"]
    np.testing.assert_allclose(data["theory"]["mean"], [np.mean([2 * d ** -0.5 * (1 + 0.1 * s) for s in range(3)])
                                                        for d in (32, 64)])


def test_without_recorded_results_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(fti, "RESULTS", tmp_path)
    with pytest.raises(FigureError, match="no recorded results"):
        fti.fig_train_induction_curves(tmp_path / "out", quick=True, seed=0)
    with pytest.raises(FigureError, match="no recorded results"):
        fti.fig_train_induction_deviation(tmp_path / "out", quick=True, seed=0)
    assert not (tmp_path / "out").exists()


def test_deviation_with_one_d_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "induction_quick").mkdir()
    (tmp_path / "induction_quick" / "induction.json").write_text(json.dumps(_result(ds=(32,))))
    monkeypatch.setattr(fti, "RESULTS", tmp_path)
    with pytest.raises(FigureError, match="needs two"):
        fti.fig_train_induction_deviation(tmp_path / "out", quick=True, seed=0)


def test_table_script_fills_docs(tmp_path):
    from simulations.train import induction_table as it

    page = tmp_path / "page.md"
    page.write_text(f"before\n{it.START}\nold\n{it.END}\nafter\n")
    it.fill_docs(page, "| new |")
    assert page.read_text() == f"before\n{it.START}\n| new |\n{it.END}\nafter\n"
    with pytest.raises(ValueError, match="markers|no"):
        it.fill_docs(_no_markers(tmp_path), "x")


def _no_markers(tmp_path):
    p = tmp_path / "plain.md"
    p.write_text("no markers here\n")
    return p

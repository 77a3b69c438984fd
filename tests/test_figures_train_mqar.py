"""The trained-MQAR figures: drawn from a recorded sweep (no JAX), the GPU record preferred, lint clean."""

import json
import sys

import numpy as np
import pytest

import figures.train_mqar as fm
from figures import lint
from figures.registry import FigureError

MIXERS = ["attention", "linear", "delta"]


def _record(platform="cpu", widths=(16, 32), pairs=(2, 4), S=2, skip=()):
    rng = np.random.default_rng(0)
    cfg = {"mixers": MIXERS, "widths": list(widths), "pairs": list(pairs), "seq_len": 32, "vocab_size": 64,
           "steps": 300, "batch": 32, "seeds": S}
    programs = {}
    for d in widths:
        for m in MIXERS:
            name = f"{m}/d{d}"
            if name in skip:
                programs[name] = {"mixer": m, "d": d, "status": "skipped", "reason": "budget_s=1"}
                continue
            acc = rng.uniform(0, 1, (S, len(pairs)))
            programs[name] = {"mixer": m, "d": d, "status": "done", "accuracy": acc.tolist(),
                              "state_size": 2 * 32 * d if m == "attention" else d * d}
    ideal = {"widths": list(widths), "pairs": list(pairs), "memories": {
        mem: {"simulated": rng.uniform(0, 1, (len(widths), len(pairs))).tolist(),
              "closed_form": (rng.uniform(0, 1, (len(widths), len(pairs))).tolist() if mem != "softmax" else
                              [[None] * len(pairs)] * len(widths))} for mem in ("hebbian", "delta", "softmax")}}
    return {"config": cfg, "programs": programs, "ideal": ideal, "device": "cpu", "platform": platform}


def _ship(tmp_path, monkeypatch, **records):
    for name, rec in records.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "mqar.json").write_text(json.dumps(rec))
    monkeypatch.setattr(fm, "RESULTS", tmp_path)


def test_width_figure_plots_the_seed_mean_and_the_ideal_memory(tmp_path, monkeypatch):
    rec = _record(skip=("delta/d32",))
    _ship(tmp_path, monkeypatch, mqar_quick=rec)
    with lint.collecting() as problems:
        files = fm.fig_train_mqar_width(tmp_path / "out", seed=0)
        files2 = fm.fig_train_mqar_state_size(tmp_path / "out", seed=0)
    assert all(v == [] for v in problems.values()) and len(problems) == 2, problems
    data = json.loads(files[2].read_text())["data"]
    acc = np.asarray(rec["programs"]["linear/d32"]["accuracy"])
    assert data["linear/4"]["mean"][1] == pytest.approx(acc[:, 1].mean())
    assert data["linear/4/ideal"] == np.asarray(rec["ideal"]["memories"]["hebbian"]["simulated"])[:, 1].tolist()
    assert data["delta/2"]["d"] == [16.0]  # the skipped program is not drawn
    meta = json.loads(files2[2].read_text())
    assert "quick CPU run" in meta["caption"]
    cf = meta["data"]["2/outer_product_closed_form"]
    assert cf["state_size"][0] == pytest.approx(16 ** 2) and cf["state_size"][-1] == pytest.approx(32 ** 2)
    assert np.all(np.diff(cf["accuracy"]) > 0)  # more state, more recall


def test_the_gpu_record_is_preferred(tmp_path, monkeypatch):
    _ship(tmp_path, monkeypatch, mqar_quick=_record(), mqar_full=_record(platform="gpu", widths=(32, 64, 128)))
    data = json.loads(fm.fig_train_mqar_width(tmp_path / "out", quick=True, seed=0)[2].read_text())["data"]
    assert data["attention/2"]["d"] == [32.0, 64.0, 128.0]


def test_without_recorded_results_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(fm, "RESULTS", tmp_path)
    with pytest.raises(FigureError, match="no recorded results.*mqar_full.*mqar_quick"):
        fm.fig_train_mqar_width(tmp_path / "out", seed=0)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # 1.5 s; the wheel-install check builds the same figures from package data
def test_shipped_record_builds_without_jax(tmp_path, monkeypatch):
    """The shipped record (package data) draws both figures with JAX and optax unimportable."""
    assert (fm.RESULTS / "mqar_quick" / "mqar.json").is_file()
    for mod in ("jax", "jax.numpy", "optax"):
        monkeypatch.setitem(sys.modules, mod, None)
    with lint.collecting() as problems:
        for build in (fm.fig_train_mqar_width, fm.fig_train_mqar_state_size):
            assert all(f.is_file() for f in build(tmp_path, seed=0))
    assert all(v == [] for v in problems.values()), problems

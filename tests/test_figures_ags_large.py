"""The large-N study of the retrieval transition: its analysis (benchmarks/ags_large_n.py) and its figure."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import figures.ags_large as fig
from figures import lint
from figures.registry import FigureError

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["ags-finite-size-large"]


def _study():
    spec = importlib.util.spec_from_file_location("ags_large_n", ROOT / "benchmarks" / "ags_large_n.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_figure_builds_from_the_record_and_is_lint_clean(tmp_path):
    with lint.collecting() as found:
        paths = fig.fig_ags_finite_size_large(tmp_path, quick=True, seed=0)
    assert found["ags-finite-size-large"] == []
    assert all(Path(p).is_file() for p in paths)
    rec = json.loads(fig.DATA.read_text())
    main = rec["extrapolations"][rec["main_extrapolation"][0]]
    # the record's main estimate lies between the published RS value and the crossings it extrapolates
    assert 0.1379 < main["estimate"] < min(rec["crossings"][fig.MAIN]["x"])


def test_figure_without_its_record_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(fig, "DATA", tmp_path / "missing.json")
    with pytest.raises(FigureError, match="no recorded study"):
        fig.fig_ags_finite_size_large(tmp_path, quick=True, seed=0)


def _synthetic_rows(alpha_inf, a, gamma, Ns, trials, seed):
    """Rows in the study's format whose kept fractions follow a logistic transition at alpha_inf + a N^-gamma."""
    rng = np.random.default_rng(seed)
    rows = []
    for N in Ns:
        xc = alpha_inf + a * N ** -gamma
        width = 0.35 * N ** -0.5
        pts = []
        for x in np.linspace(xc - 3 * width, xc + 3 * width, 9):
            P = int(round(x * N))
            p = 1.0 / (1.0 + np.exp((P / N - xc) / width))
            k = int(rng.binomial(trials, p))
            kept = {str(t): k for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)}
            pts.append({"P": P, "alpha": P / N, "trials": trials, "kept": kept,
                        "mean_m": 0.3 + 0.7 * k / trials, "sum_m2": 0.0, "hist": []})
        rows.append({"N": N, "chunk": 0, "points": pts})
    return rows


def test_analysis_recovers_a_known_limit_and_rejects_a_wrong_one():
    mod = _study()
    rows = _synthetic_rows(0.1400, 1.9, 2 / 3, [1000, 2000, 5000, 10000, 20000, 50000], 4000, seed=0)
    res = mod.analyse(rows, min_Ns=(1000,))
    e = res["extrapolations"]["P(m > 0.8) = 1/2; N >= 1000"]
    assert abs(e["estimate"] - 0.1400) < e["total"]
    # the stated error is a real constraint: a limit 3 total errors away is outside it
    assert abs(e["estimate"] - (0.1400 + 3 * e["total"])) > e["total"]
    # and a study of a different limit gives a different answer
    rows2 = _synthetic_rows(0.1450, 1.9, 2 / 3, [1000, 2000, 5000, 10000, 20000, 50000], 4000, seed=0)
    e2 = mod.analyse(rows2, min_Ns=(1000,))["extrapolations"]["P(m > 0.8) = 1/2; N >= 1000"]
    assert abs(e2["estimate"] - 0.1400) > e["total"]


def test_chunks_resume_without_redoing(tmp_path):
    mod = _study()
    out = tmp_path / "study.json"
    args = ["--Ns", "120", "--trials", "3", "--alphas", "0.1", "0.3", "--out", str(out)]
    assert mod.main(args + ["--chunks", "1"]) == 0
    first = json.loads(out.read_text())["rows"]
    assert mod.main(args + ["--chunks", "2"]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert [r["chunk"] for r in rows] == [0, 1] and rows[0] == first[0]  # chunk 0 kept as it was, chunk 1 added
    assert rows[0]["points"] != rows[1]["points"] or rows[0]["seed"] == rows[1]["seed"]

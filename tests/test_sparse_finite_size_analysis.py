"""The pooled analysis of ``benchmarks/sparse_finite_size.py --analyse`` on synthetic records."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module():
    spec = importlib.util.spec_from_file_location("sparse_finite_size", ROOT / "benchmarks" / "sparse_finite_size.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _records(tmp_path, x_inf, c=0.5, networks=4000):
    """Records whose kept fractions follow a logistic of centre x_inf + c N^-1/2 (expected counts, no noise)."""
    rows = []
    for N in (1000, 2000, 4000, 8000):
        xc = x_inf + c * N ** -0.5
        for load in (0.95, 1.0, 1.05, 1.1, 1.15, 1.2):
            p = 1.0 / (1.0 + np.exp((load - xc) / 0.02))
            rows.append({"seed": 0, "a": 0.1, "theta": 0.45, "N": N, "load": load, "alpha_c": 0.3549,
                         "kept": int(round(p * networks)), "trials": networks, "P": int(round(load * 0.3549 * N))})
    half = len(rows) // 2
    paths = []
    for k, part in enumerate((rows[:half], rows[half:])):  # two records, pooled by the analysis
        path = tmp_path / f"r{k}.json"
        path.write_text(json.dumps({"rows": part}))
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("x_inf", [1.0, 1.08])
def test_analysis_recovers_the_limit_it_was_given(tmp_path, x_inf):
    mod = _module()
    res = mod.analyse(_records(tmp_path, x_inf))
    ex = res["extrapolations"]["a=0.1, theta=0.45"]
    assert ex["N"] == [1000, 2000, 4000, 8000]
    # P is rounded to an integer load, so the crossing carries a rounding error of ~1/(alpha_c N)
    assert abs(ex["fits"]["gamma = 1/2"]["y_inf"] - x_inf) < 0.01
    assert abs(ex["estimate"] - x_inf) < ex["total"]
    other = 1.08 if x_inf == 1.0 else 1.0  # the analysis can tell the two limits apart
    assert abs(ex["fits"]["gamma = 1/2"]["y_inf"] - other) > 0.05
    assert 1.05 < ex["no_gamma_shift_over_alpha_c"] < 1.15

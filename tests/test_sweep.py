import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulations.core.seeds import canonical, derive_seed
from simulations.sweeps.sweep import SpecMismatchError, expand_grid, export, load_records, sweep
from tests.sweep_helpers import slow_logged, toy

ROOT = Path(__file__).resolve().parents[1]


def test_expand_grid_product_and_list():
    pts = expand_grid({"N": [10, 20], "alpha": [0.1, 0.2, 0.3]})
    assert len(pts) == 6 and pts[0] == {"N": 10, "alpha": 0.1} and pts[-1] == {"N": 20, "alpha": 0.3}
    assert expand_grid([{"a": 1}, {"a": 2, "b": "x"}]) == [{"a": 1}, {"a": 2, "b": "x"}]
    with pytest.raises(ValueError, match="twice"):
        expand_grid([{"a": 1}, {"a": 1}])
    with pytest.raises(ValueError, match="empty"):
        expand_grid({"a": []})
    with pytest.raises(TypeError, match="list of values"):
        expand_grid({"a": 3})
    with pytest.raises(TypeError, match="number, string"):
        expand_grid({"a": [[1, 2]]})


def test_point_seed_depends_on_params_not_order(tmp_path):
    a = sweep(toy, {"a": [1, 2, 3]}, tmp_path / "a", seed=5, progress=False)
    b = sweep(toy, {"a": [3, 1, 2]}, tmp_path / "b", seed=5, progress=False)
    ra = {r["params"]["a"]: r for r in a.records}
    rb = {r["params"]["a"]: r for r in b.records}
    for k in (1, 2, 3):
        assert ra[k]["seed"] == rb[k]["seed"] == derive_seed(5, {"a": k})
        assert ra[k]["result"] == rb[k]["result"] == toy(seed=ra[k]["seed"], a=k)
    # a different master seed changes the numbers
    c = sweep(toy, {"a": [1]}, tmp_path / "c", seed=6, progress=False)
    assert c.records[0]["result"] != ra[1]["result"]


def test_record_contents_and_export(tmp_path):
    from amlab import __version__

    res = sweep(toy, {"a": [1, 2]}, tmp_path / "s", params={"b": 2.0}, seed=1, progress=False)
    assert (res.computed, res.reused) == (2, 0)
    rec = res.records[0]
    assert rec["params"] == {"a": 1, "b": 2.0} and rec["amlab"] == __version__
    assert rec["wall_s"] >= 0 and set(rec["result"]) == {"x", "k"}
    spec = json.loads((tmp_path / "s" / "spec.json").read_text())
    assert spec["grid"] == [{"a": 1}, {"a": 2}] and spec["seed"] == 1 and spec["params"] == {"b": 2.0}
    files = export(res.records, tmp_path / "s")
    lines = files[1].read_text().splitlines()
    assert lines[0].split(",")[:4] == ["a", "b", "seed", "wall_s"] and len(lines) == 3
    assert json.loads(files[0].read_text()) == res.records


def test_resume_reuses_and_different_spec_is_an_error(tmp_path):
    store = tmp_path / "s"
    first = sweep(toy, {"a": [1, 2]}, store, seed=3, progress=False)
    again = sweep(toy, {"a": [1, 2]}, store, seed=3, progress=False)
    assert (again.computed, again.reused) == (0, 2) and again.records == first.records
    for grid, seed, params in [({"a": [1, 2, 3]}, 3, None), ({"a": [1, 2]}, 4, None), ({"a": [1, 2]}, 3, {"b": 2})]:
        with pytest.raises(SpecMismatchError, match="different sweep"):
            sweep(toy, grid, store, seed=seed, params=params, progress=False)


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match="unknown estimator 'nope'"):
        sweep("nope", {"a": [1]}, tmp_path / "x", progress=False)
    with pytest.raises(ValueError, match="unknown"):
        sweep("classical-bit-error", {"Q": [1]}, tmp_path / "y", progress=False)
    with pytest.raises(ValueError, match="both as fixed"):
        sweep(toy, {"a": [1]}, tmp_path / "z", params={"a": 2}, progress=False)
    with pytest.raises(ValueError, match="seed"):
        sweep(toy, {"a": [1]}, tmp_path / "w", seed=-1, progress=False)


def test_kill_9_mid_sweep_resumes_without_loss_or_recomputation(tmp_path):
    store, log1 = tmp_path / "store", tmp_path / "log1"
    n, delay = 40, 0.05
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = f"from tests.sweep_helpers import main; main({str(store)!r}, {str(log1)!r}, {n}, {delay})"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    points = store / "points"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if points.is_dir() and len(list(points.glob("*.json"))) >= 5:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    before = {p.name: p.read_bytes() for p in points.glob("*.json")}
    assert 5 <= len(before) < n, "the sweep must have been killed in the middle"
    done = {canonical(json.loads(b)["params"]) for b in before.values()}

    res = sweep(slow_logged, {"a": list(range(n))}, store, params={"log": str(log1), "delay": delay}, seed=7,
                progress=False)
    # the resumed run wrote log1 too; what it computed is what log1 gained after the kill
    assert res.reused == len(before) and res.computed == n - len(before)
    assert len(load_records(store)) == n
    for name, data in before.items():  # finished points are untouched
        assert (points / name).read_bytes() == data
    # no finished point was recomputed: compare the resumed calls with the finished set
    calls = [json.loads(line) for line in log1.read_text().splitlines()]
    resumed_calls = calls[len(calls) - res.computed:]
    assert not {canonical({"a": c["a"], "delay": delay, "log": str(log1)}) for c in resumed_calls} & done
    assert not list(points.glob(".*.tmp"))
    # and every record is what an uninterrupted run computes from its own seed
    for r in res.records:
        assert r["seed"] == derive_seed(7, r["params"])
        assert r["result"] == toy(seed=r["seed"], a=r["params"]["a"])

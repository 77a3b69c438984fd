"""Checks as units of work: one source of truth, any backend, bit-identical points.

``run_check`` runs a check's units one after another here; ``run_checks`` hands
the same units to a backend (in-process, a process pool, Dask) and combines
them in the parent. The points must not depend on the backend, on the order
in which units finish, or on an interruption between units.
"""

from __future__ import annotations

import math
import pickle

import pytest

import simulations.checks.suite  # noqa: F401  (registers the checks)
from simulations.checks import registry
from simulations.sweeps.backends import LocalBackend, ProcessBackend, check_backend_options, get_backend
from simulations.checks.registry import CHECKS, Unit, Work, plan_check, run_check
from simulations.checks.runner import check_seed, load_unit, run_checks, run_unit, unit_path
from tests.check_helpers import Simulated

#: Quick checks with several units each, cheap enough for the default suite.
FEW = ["basins-two-step", "storkey-capacity", "mixture-stability"]


def same_points(a, b) -> bool:
    """Bit-for-bit equality of two lists of points (NaN equal to NaN)."""

    def eq(x, y):
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            return True
        return x == y

    if len(a) != len(b):
        return False
    for p, q in zip(a, b):
        for f in ("label", "theory", "estimate", "low", "high", "tolerance", "p_value", "ok", "kind"):
            if not eq(getattr(p, f), getattr(q, f)):
                return False
    return True


def serial_whole(check, size, seed):
    """The check's units run and combined by hand, in reverse order of execution (order must not matter)."""
    work = plan_check(check, size, seed)
    outs = [None] * len(work.units)
    for j in reversed(range(len(work.units))):
        outs[j] = pickle.loads(pickle.dumps(work.units[j].run()))  # as if it came back from another process
    params = registry.check_params(check, size)
    return registry.finish_check(check, size, seed, params, work, outs, 0.0)


@pytest.mark.parametrize("name", FEW)
def test_units_in_any_order_give_the_serial_points(name):
    c = CHECKS[name]
    s = check_seed(0, name)
    assert len(plan_check(c, "quick", s).units) > 1
    assert same_points(run_check(c, "quick", seed=s).points, serial_whole(c, "quick", s).points)


def test_simulated_helper_judges_as_run_check():
    # tests/check_helpers.Simulated (units run once, judged again under patched theories) is run_check's verdict
    c = CHECKS["storkey-capacity"]
    s = check_seed(0, c.name)
    got, ref = Simulated(c.name, s).judge(), run_check(c, "quick", seed=s)
    assert same_points(got.points, ref.points) and got.passed == ref.passed


def test_every_check_plans_picklable_units_with_unique_labels():
    for c in CHECKS.values():
        if not (c.func.__module__ or "").startswith("simulations.checks."):
            continue  # a check another test registered on the fly
        for size in ("quick", "full"):
            work = plan_check(c, size, 1)
            assert work.units, c.name
            for u in work.units:
                pickle.dumps((u.fn, u.kwargs))  # module-level function, plain arguments
                assert u.cost > 0
            assert len({u.label for u in work.units}) == len(work.units)


def test_split_check_must_return_work(monkeypatch):
    monkeypatch.setattr(registry, "CHECKS", {})
    registry.register_check("bad", title="t", theory="t", test="t", quick={}, full={}, split=True)(
        lambda *, seed: [])
    with pytest.raises(TypeError, match="split=True"):
        plan_check(registry.CHECKS["bad"], "quick", 0)


def test_a_wrong_combine_is_seen():
    """Mutant: a combine that drops the last unit's output changes the points (the comparison can fail)."""
    c = CHECKS["basins-two-step"]
    s = check_seed(0, c.name)
    work = plan_check(c, "quick", s)
    outs = [u.run() for u in work.units]
    good = registry.finish_check(c, "quick", s, {}, work, outs, 0.0)
    bad_work = Work(work.units, lambda o: work.combine(o[:-1]))
    bad = registry.finish_check(c, "quick", s, {}, bad_work, outs, 0.0)
    assert not same_points(good.points, bad.points)


def test_units_lost_seeds_are_seen():
    """Mutant: a unit run with another seed (as if a block drew from the whole check's stream) changes the points."""
    c = CHECKS["storkey-capacity"]
    s = check_seed(0, c.name)
    work = plan_check(c, "quick", s)
    outs = [u.run() for u in work.units]
    u0 = work.units[0]
    outs_bad = [Unit(u0.fn, {**u0.kwargs, "seed": u0.kwargs["seed"] + 1}).run()] + outs[1:]
    assert not same_points(registry.finish_check(c, "quick", s, {}, work, outs, 0.0).points,
                           registry.finish_check(c, "quick", s, {}, work, outs_bad, 0.0).points)


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    """The FEW checks run one unit after another in this process: the reference of the other backends."""
    out = tmp_path_factory.mktemp("local")
    return {r.name: r for r in run_checks([CHECKS[n] for n in FEW], out=out, echo=lambda *a: None)}


def test_local_pool_agrees_bit_for_bit(in_process, tmp_path):
    ref = in_process
    pool = {r.name: r for r in run_checks([CHECKS[n] for n in FEW], out=tmp_path / "pool", processes=2,
                                          echo=lambda *a: None)}
    for n in FEW:
        assert same_points(ref[n].points, pool[n].points), n
        assert ref[n].passed == pool[n].passed
        assert set(pool[n].units) == {u.label for u in plan_check(CHECKS[n], "quick", 0).units}


@pytest.mark.slow  # a Dask cluster of its own; test_backends.py runs a check on Dask in the default suite
def test_dask_agrees_bit_for_bit(in_process, tmp_path):
    pytest.importorskip("distributed")
    ref = in_process
    dask = {r.name: r for r in run_checks([CHECKS[n] for n in FEW[:2]], out=tmp_path / "dask", workers=2,
                                          echo=lambda *a: None)}
    for n in FEW[:2]:
        assert same_points(ref[n].points, dask[n].points), n


def test_process_workers_have_one_thread():
    with ProcessBackend(2) as b:
        assert len({w["pid"] for w in b.workers}) == 2
        for w in b.workers:
            assert w["numba_threads"] == 1 and w["OPENBLAS_NUM_THREADS"] == "1" and w["NUMBA_NUM_THREADS"] == "1"
        assert sorted(r for _, r in b.map_unordered(pow, [(2, 3), (3, 2)])) == [8, 9]


@pytest.mark.parametrize("kw, match", [
    ({"processes": 0}, "processes must be a positive integer.*0"),
    ({"processes": 2.5}, "processes must be a positive integer.*2.5"),
    ({"processes": True}, "processes must be a positive integer.*True"),
    ({"processes": 2, "workers": 2}, "--processes or --workers"),
    ({"processes": 2, "scheduler": "tcp://h:1"}, "--processes or --scheduler"),
])
def test_bad_backend_options(kw, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        check_backend_options(**{k: v for k, v in kw.items()})
    with pytest.raises(ValueError, match=match):
        run_checks([CHECKS["basins-two-step"]], out=tmp_path, echo=lambda *a: None, **kw)
    assert not (tmp_path / "checks.json").exists()


def test_cli_processes_and_workers_are_exclusive(capsys):
    from amlab.cli import main

    assert main(["check", "kv-argmax-accuracy", "--processes", "2", "--workers", "2"]) == 2
    assert "not allowed with" in capsys.readouterr().err
    assert main(["check", "kv-argmax-accuracy", "--processes", "0"]) == 2
    assert "--processes" in capsys.readouterr().err


def test_interrupted_check_resumes_from_its_units(tmp_path, monkeypatch):
    """Units of an unfinished check are kept; a second run reuses them and gives the same points."""
    c = CHECKS["storkey-capacity"]
    ref = run_check(c, "quick", seed=check_seed(0, c.name))
    work = plan_check(c, "quick", check_seed(0, c.name))
    calls = []

    def failing(fn, kwargs):
        if len(calls) == len(work.units) - 1:
            raise KeyboardInterrupt
        calls.append(kwargs.get("nets"))
        return run_unit(fn, kwargs)

    monkeypatch.setattr("simulations.checks.runner.run_unit", failing)
    with pytest.raises(KeyboardInterrupt):
        run_checks([c], out=tmp_path, echo=lambda *a: None)
    kept = [u for u in work.units if load_unit(tmp_path, c, "quick", 0, u.label) is not None]
    assert len(kept) == len(work.units) - 1
    assert all(unit_path(tmp_path, c.name, u.label).exists() for u in kept)
    redo = []
    monkeypatch.setattr("simulations.checks.runner.run_unit", lambda fn, kw: (redo.append(1), run_unit(fn, kw))[1])
    (r,) = run_checks([c], out=tmp_path, echo=lambda *a: None)
    assert len(redo) == 1  # only the unit in flight is redone
    assert same_points(r.points, ref.points)
    assert not (tmp_path / "checks" / "units" / c.name).exists()  # the check record supersedes its units


def test_get_backend_local_by_default():
    assert isinstance(get_backend(), LocalBackend)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n, c in CHECKS.items() if c.split])
def test_full_size_split_equals_serial(name):
    """At full size the units, run in reverse order and pickled, give the points of ``run_check``."""
    c = CHECKS[name]
    s = check_seed(0, name)
    assert same_points(run_check(c, "full", seed=s).points, serial_whole(c, "full", s).points)


def test_bench_check_scaling_writes_its_record(tmp_path):
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import bench_check_scaling as bench

    out = tmp_path / "s.json"
    assert bench.main(["--quick", "--checks", "storkey-capacity", "--out", str(out)]) == 0
    rec = json.loads(out.read_text())
    assert rec["checks_run"] == ["storkey-capacity"] and rec["wall_s"] > 0 and len(rec["units"]) == 3
    assert rec["largest_unit"]["seconds"] == max(u["seconds"] for u in rec["units"])
    ps, load = bench.parts(list(CHECKS.values()), 3)
    assert sorted(c.name for p in ps for c in p) == sorted(CHECKS) and max(load) < 1.1 * min(load)


def test_units_are_submitted_largest_first(tmp_path, monkeypatch):
    """On a pool the units of all checks go out by estimated seconds (``simulations.checks.schedule``), largest first;
    with the checks given cheap-first, submitting in plan order (the mutant) fails this."""
    from simulations.checks.schedule import unit_weights

    sent = []

    class Recording(LocalBackend):
        name = "recording"

        def map_unordered(self, fn, args):
            sent.extend(kw for _, kw in args)
            return super().map_unordered(fn, args)

    monkeypatch.setattr("simulations.sweeps.backends.get_backend", lambda **kw: Recording())
    checks = [CHECKS["basins-two-step"], CHECKS["storkey-capacity"]]
    run_checks(checks, out=tmp_path, echo=lambda *a: None)
    weight = {}
    for c in checks:
        units = plan_check(c, "quick", check_seed(0, c.name)).units
        for u, w in zip(units, unit_weights(c.name, "quick", units)):
            weight[repr(sorted(u.kwargs.items()))] = w
    got = [weight[repr(sorted(kw.items()))] for kw in sent]
    assert len(got) == 5 and got == sorted(got, reverse=True) and got[0] > got[-1]

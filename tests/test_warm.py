"""Warming the kernel cache: every entry kernel is covered, every check is mapped, the background compile works."""

import dataclasses
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from amlab import cli, warm

ROOT = Path(__file__).resolve().parents[1]
JIT_OFF = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")

# Run in a fresh interpreter (this one may have compiled kernels in other tests): warm the families of argv[1]
# (comma separated), print the entry kernels still without a compiled or loaded signature, then warm the
# families of argv[2] and print them again. An entry kernel is a @njit function of hopfield.kernels that no
# other kernel calls (those are compiled with their callers).
COVERAGE = r"""
import importlib, inspect, json, pkgutil, re, sys
import hopfield.kernels as pkg
from numba.core.registry import CPUDispatcher
from amlab.warm import warm_cache

kernels = {}
for info in pkgutil.iter_modules(pkg.__path__):
    mod = importlib.import_module(f"hopfield.kernels.{info.name}")
    for name, obj in vars(mod).items():
        if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == mod.__name__:
            kernels[f"{mod.__name__}.{name}"] = obj
sources = {q: inspect.getsource(d.py_func) for q, d in kernels.items()}
def called(q):
    short = q.rsplit(".", 1)[1]
    return any(re.search(rf"\b{re.escape(short)}\(", s.split("\n", 2)[-1]) for p, s in sources.items() if p != q)
entries = sorted(q for q in kernels if not called(q))
from amlab.warm import NOT_WARMED
assert set(NOT_WARMED) <= set(entries), sorted(set(NOT_WARMED) - set(entries))
entries = [q for q in entries if q not in NOT_WARMED]
out = {"entries": entries}
for step, arg in (("first", sys.argv[1]), ("second", sys.argv[2])):
    warm_cache([f for f in arg.split(",") if f])
    out[step] = [q for q in entries if not kernels[q].signatures]
print(json.dumps(out))
"""


def _coverage(first, second):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", COVERAGE, ",".join(first), ",".join(second)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(JIT_OFF, reason="with the JIT off nothing is compiled or cached")
def test_every_entry_kernel_is_warmed_and_a_missing_family_is_caught():
    # mutant first: every family but the key-value memories; then the key-value family as well
    others = [f for f in warm.FAMILIES if f != "kv"]
    out = _coverage(others, ["kv"])
    assert len(out["entries"]) >= 10, out["entries"]  # the scan found the kernels
    assert out["first"], "warming without the kv family left no kernel cold: the coverage test cannot fail"
    assert all(q.startswith("hopfield.kernels.kv.") for q in out["first"]), out["first"]
    assert out["second"] == [], f"kernels no family of amlab.warm compiles: {out['second']}"


def _undeclared(checks):
    """Checks of the package (not those tests define) whose declared families are missing or unknown."""
    return sorted(c.name for c in checks if (c.func.__module__ or "").startswith("simulations.")
                  and (c.families is None or not set(c.families) <= set(warm.FAMILIES)))


def test_every_check_declares_its_families():
    checks = list(cli._checks().values())
    assert len(checks) >= 30 and _undeclared(checks) == []
    # mutants: a check that declares no families is reported (and then warms every family); one that names a
    # family amlab.warm does not know is reported too
    kv = cli._checks()["kv-delta-one-pass"]
    assert kv.families == ("kv",) and warm.families_for([kv]) == ["kv"]
    silent = dataclasses.replace(kv, families=None)
    assert _undeclared([silent]) == ["kv-delta-one-pass"]
    assert warm.families_for([silent]) == list(warm.FAMILIES)
    assert _undeclared([dataclasses.replace(kv, families=("kv", "quantum"))]) == ["kv-delta-one-pass"]


def _fake_check(families):
    return types.SimpleNamespace(families=families)


def test_families_come_in_the_order_the_checks_first_need_them():
    checks = [_fake_check(f) for f in ((), ("dense",), ("classical",), ("dense",), ("kv",))]
    assert warm.families_for(checks) == ["dense", "classical", "kv"]
    assert warm.families_for([]) == []


def test_every_family_has_a_probe_kernel():
    assert set(warm._PROBES) == set(warm.FAMILIES)
    for family in warm.FAMILIES:
        assert callable(warm._dispatcher(family))
        assert isinstance(warm.is_cached(family), bool)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="families must be names from .* got 'bogus'"):
        warm.warm_cache(["bogus"])
    with pytest.raises(ValueError, match="workers must be an integer >= 1, got 0"):
        warm.warm_cache(["capacity"], workers=0)
    with pytest.raises(ValueError, match="got 'nope'"):
        warm.is_cached("nope")
    assert cli.main(["warm", "bogus"]) == 2


def _is_cached_in(env, family):
    code = f"from amlab.warm import is_cached; print(is_cached({family!r}))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip() == "True"


@pytest.mark.skipif(JIT_OFF, reason="with the JIT off nothing is compiled or cached")
def test_prefetch_fills_an_empty_cache(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    assert not _is_cached_in(env, "capacity")  # an empty cache is seen as empty (else the test cannot fail)
    proc = warm.prefetch(["capacity"], env=env)
    assert proc.wait(timeout=600) == 0
    assert _is_cached_in(env, "capacity")
    assert not _is_cached_in(env, "dense")  # only what was asked for


def test_check_compiles_in_the_background_only_when_asked(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(warm, "prefetch_for_checks", lambda checks: calls.append(("start", [c.name for c in checks]))
                        or ["proc"])
    monkeypatch.setattr(warm, "stop_prefetch", lambda procs: calls.append(("stop", procs)))
    import simulations.checks.runner

    monkeypatch.setattr(simulations.checks.runner, "run_checks", lambda checks, **kw: [types.SimpleNamespace(passed=True)])
    assert cli.main(["check", "kv-delta-one-pass", "--out", str(tmp_path)]) == 0
    assert calls == [("start", ["kv-delta-one-pass"]), ("stop", ["proc"])]
    calls.clear()
    assert cli.main(["check", "kv-delta-one-pass", "--out", str(tmp_path), "--scheduler", "tcp://x:1"]) == 0
    assert calls == []  # a remote cluster compiles on its own machines


def test_prefetch_is_skipped_when_switched_off_or_cached(monkeypatch):
    started = []
    monkeypatch.setattr(warm, "prefetch", lambda families: started.append(families) or families)
    checks = [_fake_check(("dense",)), _fake_check(("kv",))]
    monkeypatch.setenv("AMLAB_PREFETCH", "0")
    assert warm.prefetch_for_checks(checks, workers=1) is None
    monkeypatch.delenv("AMLAB_PREFETCH")
    monkeypatch.delenv("NUMBA_DISABLE_JIT", raising=False)
    monkeypatch.setattr(warm, "is_cached", lambda f: f == "dense")
    assert warm.prefetch_for_checks(checks, workers=1) == [["kv"]]
    monkeypatch.setattr(warm, "is_cached", lambda f: True)
    assert warm.prefetch_for_checks(checks, workers=1) is None
    monkeypatch.setattr(warm, "is_cached", lambda f: False)
    assert warm.prefetch_for_checks(checks, workers=2) == [["dense"], ["kv"]]
    assert warm.prefetch_for_checks(checks, workers=0) is None
    # default: one background process when a core is idle, none on a busy machine
    monkeypatch.setattr(warm, "idle_cores", lambda: 1.2)
    assert warm.prefetch_for_checks(checks) == [["dense", "kv"]]
    monkeypatch.setattr(warm, "idle_cores", lambda: 0.7)
    assert warm.prefetch_for_checks(checks) is None
    monkeypatch.setenv("AMLAB_PREFETCH", "1")  # forced on, whatever the load
    assert warm.prefetch_for_checks(checks) == [["dense", "kv"]]


def test_idle_cores_counts_usable_cores_less_the_load(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.25, 0.0, 0.0))
    assert warm.idle_cores() == pytest.approx(0.75)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 0.0, 0.0))
    assert warm.idle_cores() < 0

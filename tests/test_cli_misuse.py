"""The command line misused as a new user would: every case ends in the right result or one line and exit 2.

Cases follow the numbered list of the reliability issue: (1) P and alpha,
(2) bad grid values, (3) nonsense values, (4) output folders and killed check
runs, (5) two writers of one sweep store, (6) Dask addresses, (7) progress in
logs, (8) the smaller items. Each group also shows a mutant (the protection
switched off by monkeypatching) that its test catches.
"""

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import amlab.demos
from amlab.cli import main
from simulations import estimators
from simulations.checks import registry
from simulations.estimators import _common, classical as classical_est
from simulations.checks.stats import binomial_point

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def one_line_error(err: str) -> str:
    """The single ``amlab COMMAND: error:`` line of ``err`` (fails on a traceback or several lines)."""
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert "Traceback" not in err, err
    assert len(lines) == 1 and "error:" in lines[0], err
    return lines[0]


@pytest.fixture
def coin_checks(monkeypatch, tmp_path):
    """Checks 'fair' and 'biased' that count their runs in a log file."""
    import simulations.checks.suite  # noqa: F401

    monkeypatch.setattr(registry, "CHECKS", {})
    monkeypatch.setattr(amlab.demos, "DEMOS", {})  # reproduce runs no real demo here
    log = tmp_path / "runs.log"

    def coin(name, p):
        def f(*, seed, n):
            with open(log, "a") as fh:
                fh.write(name + "\n")
            k = int(np.random.default_rng(seed).binomial(n, p))
            return [binomial_point("coin", k, n, 0.5)]
        return f

    for name, p in (("fair", 0.5), ("biased", 0.7)):
        registry.register_check(name, title=name, theory="1/2", test="binomial", quick={"n": 400},
                                full={"n": 4000})(coin(name, p))
    return log


def runs(log: Path):
    return log.read_text().split() if log.exists() else []


# ------------------------------------------------ 1. P and alpha together

def test_1_alpha_grid_is_not_beaten_by_the_default_P(tmp_path, capsys):
    out = tmp_path / "fp"
    argv = ["sweep", "classical-fixed-points", "--grid", "alpha=0.05,0.1,0.2", "--param", "N=200",
            "--param", "networks=2", "--out", str(out)]
    assert main(argv) == 0
    P = [r["result"]["P"] for r in json.loads((out / "records.json").read_text())]
    assert P == [10, 20, 40]  # round(alpha * N), not the default P = 10 three times
    capsys.readouterr()
    assert main(argv[:-2] + ["--param", "P=10", "--out", str(tmp_path / "both")]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "give one of P, alpha" in line and "P=10" in line and "alpha=0.05" in line
    assert not (tmp_path / "both").exists()


def test_1_mutant_one_of_ignored_is_caught(tmp_path, monkeypatch):
    # mutant: the group's default P is kept when alpha is given -> P = 10 at every point
    monkeypatch.setattr(estimators.Estimator, "resolve", lambda self, given: {**self.defaults, **given})
    monkeypatch.setattr(estimators.Estimator, "validate", lambda self, given: self.coerce(given))
    out = tmp_path / "fp"
    assert main(["sweep", "classical-fixed-points", "--grid", "alpha=0.05,0.2", "--param", "N=200",
                 "--param", "networks=1", "--out", str(out)]) == 0
    P = [r["result"]["P"] for r in json.loads((out / "records.json").read_text())]
    assert P != [10, 40]


# ------------------------------------- 2 and 3. bad values: one line, exit 2, nothing written

BAD = [
    ("classical-fixed-points", ["--grid", "N=0"], "N=0"),
    ("classical-fixed-points", ["--grid", "N=abc"], "N='abc'"),
    ("classical-bit-error", ["--grid", "alpha=nan"], "alpha=nan"),
    ("modern-retrieval-bound", ["--grid", "beta=0"], "beta=0"),
    ("dense-bit-error", ["--grid", "F=quartic"], "F='quartic'"),
    ("classical-bit-error", ["--grid", "N=100,100"], "twice"),
    ("classical-bit-error", ["--grid", "N=100,1e2"], "twice"),  # the same point once canonicalised
    ("classical-bit-error", ["--grid", "N=100", "--param", "N=200"], "both"),
    ("classical-bit-error", ["--grid", "alpha=-0.1"], "alpha=-0.1"),
    ("classical-bit-error", ["--grid", "alpha=0.001", "--param", "N=100"], "at least 1 pattern"),
    ("classical-fixed-points", ["--grid", "networks=0"], "networks=0"),
    ("classical-bit-error", ["--grid", "N=100.5"], "N=100.5"),
    ("classical-bit-error", ["--grid", "keep_diagonal=maybe"], "keep_diagonal='maybe'"),
    ("dense-bit-error", ["--grid", "n=66"], "n=66"),
    ("exp-recovery", ["--grid", "N=1000"], "alpha*N"),
    ("exp-recovery", ["--grid", "M=100", "--param", "alpha=0.2"], "give one of alpha, M"),
]


@pytest.mark.parametrize("name, args, names", BAD, ids=[" ".join(a) for _, a, _ in BAD])
def test_2_3_bad_values_fail_before_anything_is_written(name, args, names, tmp_path, capsys):
    out = tmp_path / "store"
    assert main(["sweep", name, *args, "--out", str(out)]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert names in line
    assert not out.exists()  # no spec.json: the corrected command into the same --out is a new sweep


def test_2_corrected_command_into_the_same_out_works(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sweep", "classical-bit-error", "--grid", "N=0,40", "--param", "networks=1", "--out", str(out)]) == 2
    assert main(["sweep", "classical-bit-error", "--grid", "N=20,40", "--param", "networks=1", "--out", str(out)]) == 0
    assert "2 points computed, 0 reused" in capsys.readouterr().out


def test_2_store_with_a_spec_but_no_point_is_taken_over(tmp_path, capsys):
    # a run that died before its first point leaves spec.json alone; the next sweep takes the store over
    from simulations.core.io import atomic_write_json

    out = tmp_path / "s"
    atomic_write_json(out / "spec.json", {"format": 1, "estimator": "classical-bit-error", "grid": [{"N": 7}],
                                          "params": {}, "seed": 0})
    assert main(["sweep", "classical-bit-error", "--grid", "N=20", "--param", "networks=1", "--out", str(out)]) == 0


def test_3_integral_float_is_the_same_point_and_seed(tmp_path):
    from simulations.sweeps.sweep import sweep

    a = sweep("classical-bit-error", {"N": [1e2]}, tmp_path / "a", params={"alpha": 1e-1}, progress=False)
    b = sweep("classical-bit-error", {"N": [100]}, tmp_path / "b", params={"alpha": 0.1}, progress=False)
    assert a.records[0]["params"] == {"N": 100, "alpha": 0.1} and isinstance(a.records[0]["params"]["N"], int)
    assert a.records[0]["seed"] == b.records[0]["seed"] and a.records[0]["result"] == b.records[0]["result"]


def test_3_mutant_without_declarations_accepts_nonsense(tmp_path, monkeypatch, capsys):
    # mutant: values pass unchecked -> alpha=-0.1 runs (P clipped) and exits 0
    monkeypatch.setattr(estimators.Param, "coerce", lambda self, value: value)
    def clipped(N, P=None, alpha=None, name="P"):
        return int(P) if P is not None else max(1, int(round(float(alpha) * int(N))))

    monkeypatch.setattr(_common, "_n_patterns", clipped)  # the check of the parameters
    monkeypatch.setattr(classical_est, "_n_patterns", clipped)  # the estimator itself
    assert main(["sweep", "classical-bit-error", "--grid", "alpha=-0.1", "--param", "N=20",
                 "--out", str(tmp_path / "m")]) == 0


def test_3_evaluate_validates_too():
    with pytest.raises(ValueError, match="networks=0"):
        estimators.evaluate("classical-fixed-points", {"networks": 0}, 0)
    with pytest.raises(ValueError, match="give one of P, alpha"):
        estimators.evaluate("classical-fixed-points", {"alpha": 0.1, "P": 3}, 0)


# ------------------------------------------------ 4. output folders and killed runs

def test_4_unwritable_out_fails_before_any_check(coin_checks, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["check", "fair", "--out", str(blocker / "sub")]) == 2
    assert "not writable" in one_line_error(capsys.readouterr().err)
    assert runs(coin_checks) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write into read-only folders")
def test_4_read_only_out_fails_before_any_check(coin_checks, tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        assert main(["check", "fair", "--out", str(ro)]) == 2
    finally:
        ro.chmod(0o700)
    assert "not writable" in one_line_error(capsys.readouterr().err)
    assert runs(coin_checks) == []


def test_4_full_disk_fails_before_any_check(coin_checks, tmp_path, capsys, monkeypatch):
    from simulations.checks import runner

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runner.tempfile, "mkstemp", full)
    assert main(["check", "fair", "--out", str(tmp_path / "o")]) == 2
    assert "No space left" in one_line_error(capsys.readouterr().err)
    assert runs(coin_checks) == []


def test_4_write_failure_mid_run_is_one_line(coin_checks, tmp_path, capsys, monkeypatch):
    from simulations.checks import runner

    def fail(path, obj):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runner, "atomic_write_json", fail)
    assert main(["check", "fair", "--out", str(tmp_path / "o")]) == 2
    assert "cannot write" in one_line_error(capsys.readouterr().err)


def test_4_records_written_as_checks_finish_and_reused(coin_checks, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["check", "fair", "biased", "--out", str(out)]) == 1
    assert sorted(p.name for p in (out / "checks").iterdir()) == ["biased.json", "fair.json"]
    first = json.loads((out / "checks.json").read_text())
    capsys.readouterr()
    assert main(["check", "fair", "biased", "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert "reusing 2 finished check(s)" in text and "fair, biased" in text
    assert runs(coin_checks) == ["fair", "biased"]  # nothing ran twice
    again = json.loads((out / "checks.json").read_text())
    assert again["checks"] == first["checks"]
    # another seed or size is another run: nothing reused
    assert main(["check", "fair", "--seed", "1", "--out", str(out)]) == 0
    assert runs(coin_checks) == ["fair", "biased", "fair"]


def test_4_sigkill_mid_run_loses_at_most_the_check_in_flight(tmp_path, monkeypatch, capsys):
    from tests.cli_helpers import register_steps

    out, log, names, delay = tmp_path / "o", tmp_path / "log", ["step-a", "step-b", "step-c"], 0.5
    proc = subprocess.Popen([sys.executable, "-m", "tests.cli_helpers", str(out), str(log), str(delay), *names],
                            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.time()
        while "step-b" not in runs(log):  # step-a finished and saved, step-b in flight
            assert proc.poll() is None and time.time() - t0 < 120, "the run ended before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (out / "checks" / "step-a.json").exists() and not (out / "checks" / "step-b.json").exists()
    monkeypatch.setattr(registry, "CHECKS", {})
    register_steps(names, log, delay)
    assert main(["check", *names, "--out", str(out)]) == 0
    assert "reusing 1 finished check(s)" in capsys.readouterr().out
    assert runs(log) == ["step-a", "step-b", "step-b", "step-c"]  # only the check in flight ran again


def test_4_reproduce_checks_out_first_and_reuses_finished_checks(coin_checks, tmp_path, capsys, monkeypatch):
    import figures.catalog  # noqa: F401
    from figures import registry as fr
    from simulations.core.io import atomic_write_bytes

    monkeypatch.setattr(fr, "FIGURES", {})
    fr.register_figure("toy-figure", title="a toy")(
        lambda out_dir, *, quick, seed: [atomic_write_bytes(out_dir / "toy.png", b"png")])
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["reproduce", "--out", str(blocker / "r")]) == 2
    assert "not writable" in one_line_error(capsys.readouterr().err) and runs(coin_checks) == []
    out = tmp_path / "r"
    assert main(["reproduce", "--out", str(out)]) == 1  # 'biased' fails
    capsys.readouterr()
    assert main(["reproduce", "--out", str(out)]) == 1
    assert "reusing 2 finished check(s)" in capsys.readouterr().out
    assert sorted(runs(coin_checks)) == ["biased", "fair"] and (out / "report.md").exists()


def test_4_mutant_without_resume_reruns_finished_checks(coin_checks, tmp_path, monkeypatch):
    from simulations.checks import runner

    monkeypatch.setattr(runner, "load_finished", lambda *a: None)
    main(["check", "fair", "--out", str(tmp_path / "o")])
    main(["check", "fair", "--out", str(tmp_path / "o")])
    assert runs(coin_checks) == ["fair", "fair"]  # what the resume test would catch


# ------------------------------------------------ 5. one writer per sweep store

def _start_slow_sweep(store, log, n=50, delay=0.2):
    code = f"from tests.sweep_helpers import main; main({str(store)!r}, {str(log)!r}, {n}, {delay})"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    t0 = time.time()
    while not (log.exists() and log.read_text()):
        assert proc.poll() is None and time.time() - t0 < 120, "the first sweep ended early"
        time.sleep(0.02)
    return proc


def test_5_second_writer_is_refused_and_the_lock_dies_with_the_first(tmp_path, monkeypatch, capsys):
    from simulations.sweeps.sweep import StoreLockedError, _StoreLock, sweep
    from tests.sweep_helpers import slow_logged, toy

    store, log = tmp_path / "s", tmp_path / "log"
    proc = _start_slow_sweep(store, log)
    try:
        with pytest.raises(StoreLockedError, match="another sweep"):
            sweep(slow_logged, {"a": [0, 1]}, store, params={"log": str(log), "delay": 0.0}, seed=7, progress=False)
        monkeypatch.setitem(estimators.ESTIMATORS, "toy", estimators.Estimator("toy", "toy", toy, {"a": 0, "b": 1.0}))
        assert main(["sweep", "toy", "--grid", "a=1,2", "--out", str(store)]) == 2
        line = one_line_error(capsys.readouterr().err)
        assert "being written by another sweep" in line and f"process {proc.pid}" in line
        spec = json.loads((store / "spec.json").read_text())
        assert spec["estimator"].endswith("slow_logged")  # the first sweep's spec is untouched
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with _StoreLock(store):  # released by the OS when the holder died
        pass


def test_5_mutant_without_lock_lets_both_write(tmp_path, monkeypatch):
    from simulations.sweeps import sweep as sw

    class NoLock:
        def __init__(self, store):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

    store, log = tmp_path / "s", tmp_path / "log"
    proc = _start_slow_sweep(store, log)
    try:
        monkeypatch.setattr(sw, "_StoreLock", NoLock)
        from tests.sweep_helpers import slow_logged

        sw.sweep(slow_logged, {"a": [0, 1]}, store, params={"log": str(log), "delay": 0.0}, seed=7,
                 progress=False)  # accepted: the behaviour the lock test refuses
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


# ------------------------------------------------ 6. Dask addresses

@pytest.mark.parametrize("address, words", [("tcp://127.0.0.1:9", "cannot reach"), ("tcp://host:xx", "not a scheduler"),
                                            ("foo:bar:baz", "not a scheduler"), ("http://h:1", "not a scheduler")])
def test_6_bad_scheduler_is_one_line(address, words, coin_checks, tmp_path, capsys):
    t0 = time.perf_counter()
    assert main(["check", "fair", "--scheduler", address, "--timeout", "1", "--out", str(tmp_path / "o")]) == 2
    assert words in one_line_error(capsys.readouterr().err)
    assert time.perf_counter() - t0 < 20  # the 1 s timeout, not distributed's 30 s default
    assert runs(coin_checks) == []


def test_6_missing_extra_names_the_source_install(coin_checks, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    assert main(["sweep", "classical-bit-error", "--grid", "N=20", "--workers", "1", "--out", str(tmp_path / "o")]) == 2
    assert 'pip install ".[distributed]"' in one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "x"])
def test_6_bad_timeout_is_usage(value, capsys):
    assert main(["check", "--timeout", value]) == 2
    assert "--timeout" in capsys.readouterr().err


# ------------------------------------------------ 7. progress in logs

def test_7_one_line_per_finished_check_and_point_when_not_a_terminal(coin_checks, tmp_path, capsys, monkeypatch):
    # capsys' stderr is not a terminal, as in a batch job
    assert main(["check", "fair", "biased", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("checks: 1/2 checks done, fair PASS")
    assert err[1].startswith("checks: 2/2 checks done, biased FAIL")
    from tests.sweep_helpers import toy

    monkeypatch.setitem(estimators.ESTIMATORS, "toy", estimators.Estimator("toy", "toy", toy, {"a": 0, "b": 1.0}))
    assert main(["sweep", "toy", "--grid", "a=1,2,3", "--out", str(tmp_path / "s")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [ln.split(" (")[0] for ln in err] == [f"sweep toy: {k}/3 points done" for k in (1, 2, 3)]


def test_7_a_terminal_gets_a_bar(monkeypatch):
    from simulations.core import progress

    monkeypatch.setattr(progress, "is_terminal", lambda stream=None: True)
    assert type(progress.bar(3, "x")).__name__ != "LineProgress"
    monkeypatch.setattr(progress, "is_terminal", lambda stream=None: False)
    assert type(progress.bar(3, "x")).__name__ == "LineProgress"


# ------------------------------------------------ 8. the smaller items

def test_8_broken_pipe_exits_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "amlab", "list", "estimators"], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader went away before the first line, as `| head` does
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and err == "", err


def test_8_broken_pipe_in_process(monkeypatch):
    class Closed:
        def write(self, text):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["list"]) == 0


def test_8_a_name_given_twice_runs_once(coin_checks, tmp_path):
    assert main(["check", "fair", "fair", "--out", str(tmp_path / "o")]) == 0
    assert runs(coin_checks) == ["fair"]


@pytest.mark.parametrize("argv", [["check", "--seed", "-1"], ["sweep", "x", "--seed", "-1", "--out", "o"],
                                  ["check", "--workers", "0"]])
def test_8_bad_option_names_the_subcommand(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"amlab {argv[0]}: error: argument" in err and "Traceback" not in err


def test_8_list_estimators_shows_parameters_and_defaults(capsys):
    assert main(["list", "estimators"]) == 0
    out = capsys.readouterr().out
    assert "classical-fixed-points" in out and "(formerly classical-fixed-point)" in out
    assert "networks       int >= 1" in out and "default 100" in out and "give at most one of P, alpha" in out


def test_8_old_estimator_names_still_work_with_a_notice(tmp_path, capsys):
    assert main(["sweep", "classical-fixed-point", "--grid", "N=20", "--param", "networks=1",
                 "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "'classical-fixed-point' is now called 'classical-fixed-points'" in err
    assert json.loads((tmp_path / "o" / "spec.json").read_text())["estimator"] == "classical-fixed-points"


def test_8_estimator_names_match_check_names():
    import simulations.checks.suite  # noqa: F401

    renamed = {"classical-fixed-points", "dense-random-starts", "modern-retrieval-bound"}
    assert renamed <= set(estimators.ESTIMATORS) & set(registry.CHECKS)
    assert {estimators.ALIASES[old] for old in ("classical-fixed-point", "dense-random-start",
                                                "modern-retrieval")} == renamed


def test_docs_table_matches_the_declarations():
    text = (ROOT / "docs" / "cli.md").read_text()
    begin, end = "<!-- estimators: begin -->\n", "<!-- estimators: end -->"
    assert begin in text and end in text
    assert text.split(begin)[1].split(end)[0].strip() == estimators.markdown_table().strip()


# ------------------------------------------------ 8. the smaller items of the Python API

def test_8_dense_order_names_n(monkeypatch):
    from hopfield import dense
    from hopfield.patterns import random_binary

    xi = random_binary(4, 20, seed=0)
    dense.DenseAssociativeMemory(xi, n=65)  # the largest order with int64 coefficients
    with pytest.raises(ValueError, match="n must be <= 65, got 66"):
        dense.DenseAssociativeMemory(xi, n=66)
    monkeypatch.setattr(dense, "N_MAX", 10**6)  # mutant: no upper bound -> the old OverflowError
    with pytest.raises(OverflowError):
        dense.DenseAssociativeMemory(xi, n=66)


def test_8_random_patterns_check_memory_up_front(monkeypatch):
    from hopfield import _validate
    from hopfield.patterns import biased_binary, random_binary

    monkeypatch.setattr(_validate, "MEMORY_LIMIT_BYTES", 10_000)
    with pytest.raises(ValueError, match=r"random_binary\(P=100, N=100\)"):
        random_binary(100, 100, seed=0)
    with pytest.raises(ValueError, match=r"biased_binary\(P=100, N=100\)"):
        biased_binary(100, 100, 0.2, seed=0)
    assert random_binary(10, 100, seed=0).shape == (10, 100)


def test_8_sweep_amicl_refuses_a_run_of_days():
    from hopfield.amicl import sweep_amicl

    with pytest.raises(ValueError, match="n_trials=100000000000"):
        sweep_amicl([0.5, 2.0], n_trials=10**11)


def test_8_run_accepts_a_generator():
    from hopfield.classical import ClassicalHopfield
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import flip, random_binary

    xi = random_binary(6, 60, seed=0)
    cues = flip(xi, fraction=0.2, seed=1)
    top = np.iinfo(np.int64).max
    for net in (ClassicalHopfield(xi), DenseAssociativeMemory(xi, n=3)):
        g = np.random.default_rng(5)
        a = net.run(cues, seed=g)
        b = net.run(cues, seed=g)  # the generator advanced: fresh trials
        as_int = np.random.default_rng(5)
        ref_a = net.run(cues, seed=int(as_int.integers(0, top, endpoint=True)))
        ref_b = net.run(cues, seed=int(as_int.integers(0, top, endpoint=True)))
        assert np.array_equal(a.states, ref_a.states) and np.array_equal(b.states, ref_b.states)
        assert np.array_equal(a.sweeps, ref_a.sweeps) and np.array_equal(b.sweeps, ref_b.sweeps)


def test_8_formula_refuses_non_integral_integer_symbols():
    from theory.classical import bit_error

    f = bit_error()
    with pytest.raises(ValueError, match="N must be an integer, got 100.5"):
        f.evaluate(N=100.5, P=10)
    assert f.evaluate(N=100.0, P=10) == f.evaluate(N=100, P=10)
    lo, mid, hi = (f.evaluate_continuous(N=100, P=p) for p in (10, 10.5, 11))
    assert lo < mid < hi  # the real continuation, for root finding and curves


def test_8_blas_pool_limited_for_the_command_line(monkeypatch):
    from amlab import cli

    for name in cli.BLAS_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # a user's own setting is kept
    cli.limit_blas_threads()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "3"
    code = "import os, amlab.cli, numpy; print(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in ENV.items() if k != "OPENBLAS_NUM_THREADS"}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.stdout.strip() == "1", r.stderr


# ------------------------------------------------ 9. --out, --max-seconds and mistyped numbers, up front

#: Every command that writes, with the arguments it needs besides ``--out``.
WRITERS = [["check", "fair"], ["figures"], ["sweep", "classical-bit-error", "--grid", "N=20"], ["reproduce"],
           ["demo", "letters", "--small"], ["train", "icl"], ["train", "induction"]]


@pytest.fixture
def no_work(coin_checks, monkeypatch):
    """Every command's work and JAX made unreachable: a test passes only if the error comes first."""
    from amlab.demos import DEMOS, Demo
    from simulations.checks import runner
    from simulations.sweeps import sweep

    def work(*a, **k):
        raise AssertionError("the work started before the error")

    for mod, name in ((runner, "run_checks"), (runner, "build_figures"), (runner, "reproduce"), (sweep, "sweep")):
        monkeypatch.setattr(mod, name, work)
    monkeypatch.setitem(DEMOS, "letters", Demo("letters", "letters", work))
    for name in ("jax", "optax", "simulations.train.icl", "simulations.train.induction"):
        monkeypatch.setitem(sys.modules, name, None)  # an import of these fails: JAX must not be reached
    return coin_checks


@pytest.mark.parametrize("where", ["file", "under-a-file"])
@pytest.mark.parametrize("argv", WRITERS, ids=[" ".join(a[:2]) for a in WRITERS])
def test_9_out_that_cannot_be_a_folder_fails_before_any_work(argv, where, no_work, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    out = blocker if where == "file" else blocker / "sub"
    assert main([*argv, "--out", str(out)]) == 2
    line = one_line_error(capsys.readouterr().err)
    prog = "amlab " + " ".join(argv[:2] if argv[0] == "train" else argv[:1])
    assert line.startswith(f"{prog}: error: output folder {out}")
    assert ("is a file, not a folder" if where == "file" else f"{blocker} is a file") in line
    assert blocker.read_text() == "x" and runs(no_work) == []


@pytest.mark.parametrize("argv", WRITERS, ids=[" ".join(a[:2]) for a in WRITERS])
def test_9_out_in_a_read_only_folder_fails_before_any_work(argv, no_work, tmp_path, capsys, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root may write anyway: the permission bits as read
        access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **k: (mode & os.W_OK == 0 or Path(p) != ro)
                            and access(p, mode, **k))
    try:
        assert main([*argv, "--out", str(ro / "new")]) == 2
    finally:
        ro.chmod(0o700)
    assert "not writable: cannot create it in" in one_line_error(capsys.readouterr().err)


def test_9_mutant_without_the_out_check_reaches_jax(no_work, tmp_path, capsys, monkeypatch):
    # mutant: the up-front check switched off -> train imports its JAX module first (and, with JAX
    # installed, trained before failing on the file), check starts its work
    from amlab import cli

    monkeypatch.setattr(cli, "_check_out", lambda args: None)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["train", "icl", "--out", str(blocker)]) == 2
    assert "simulations.train.icl" in one_line_error(capsys.readouterr().err)
    with pytest.raises(AssertionError, match="work started"):
        main(["check", "fair", "--out", str(blocker)])


def test_9_good_out_is_created_only_when_the_work_starts(no_work, tmp_path):
    out = tmp_path / "new" / "deeper"
    with pytest.raises(AssertionError, match="work started"):
        main(["check", "fair", "--out", str(out)])
    assert not out.exists()  # the up-front check writes nothing; run_checks creates the folder itself


MISTYPED = [
    (["check", "--processes", "abc"], "--processes", "'abc'"),
    (["reproduce", "--processes", "0"], "--processes", "got 0"),
    (["sweep", "x", "--out", "o", "--seed", "abc"], "--seed", "'abc'"),
    (["check", "--no-such-option"], "unrecognized arguments", "--no-such-option"),
    (["train", "icl", "--steps", "abc"], "--steps", "'abc'"),
    (["train", "icl", "--steps", "0"], "--steps", "got 0"),
    (["train", "icl", "--seeds", "-2"], "--seeds", "got -2"),
    (["train", "icl", "--eval-every", "1.5"], "--eval-every", "'1.5'"),
    (["train", "icl", "--max-seconds", "-1"], "--max-seconds", "got -1"),
    (["train", "icl", "--max-seconds", "0"], "--max-seconds", "got 0"),
    (["train", "induction", "--max-seconds", "nan"], "--max-seconds", "got nan"),
    (["train", "induction", "--lr", "0"], "--lr", "got 0"),
    (["train", "induction", "--d", "x"], "--d", "'x'"),
]


@pytest.mark.parametrize("argv, option, value", MISTYPED, ids=[" ".join(a) for a, _, _ in MISTYPED])
def test_9_mistyped_value_is_one_line_without_the_usage_block(argv, option, value, no_work, capsys):
    assert main(argv) == 2
    line = one_line_error(capsys.readouterr().err)
    prog = "amlab " + " ".join(argv[:2] if argv[0] == "train" else argv[:1])
    assert line.startswith(f"{prog}: error: ") and option in line and value in line
    assert f"see {prog} --help" in line and "usage:" not in line


def test_9_help_still_prints_the_usage(capsys):
    assert main(["train", "icl", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: amlab train icl")


def test_9_mutant_plain_argparse_prints_the_usage_block(capsys, monkeypatch):
    import argparse

    from amlab import cli

    monkeypatch.setattr(cli.Parser, "error", argparse.ArgumentParser.error)
    assert main(["check", "--processes", "abc"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: amlab check") and len(err.strip().splitlines()) > 2
    with pytest.raises(AssertionError):
        one_line_error(err)

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from amlab import __version__
import amlab.demos
from amlab.cli import main
from simulations.checks import registry
from simulations.checks.stats import binomial_point

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def toy_checks(monkeypatch):
    """Two toy checks: 'fair' (a fair coin against 1/2) and 'biased' (a 0.7 coin against 1/2)."""
    import simulations.checks.suite  # noqa: F401  (register the real ones first, then hide them)

    monkeypatch.setattr(registry, "CHECKS", {})
    monkeypatch.setattr(amlab.demos, "DEMOS", {})  # reproduce runs no real demo here

    def coin(p):
        def f(*, seed, n):
            k = int(np.random.default_rng(seed).binomial(n, p))
            return [binomial_point("coin", k, n, 0.5)]
        return f

    registry.register_check("fair", title="fair coin", theory="1/2", test="binomial", quick={"n": 400},
                            full={"n": 4000})(coin(0.5))
    registry.register_check("biased", title="biased coin", theory="1/2", test="binomial", quick={"n": 400},
                            full={"n": 4000})(coin(0.7))
    return registry.CHECKS


def test_version_and_list(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"amlab {__version__}"
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "estimators:" in out and "classical-bit-error" in out
    assert main(["list", "estimators"]) == 0


def test_check_exit_status_and_reports(toy_checks, tmp_path, capsys):
    assert main(["check", "fair", "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "fair" in out
    data = json.loads((tmp_path / "a" / "checks.json").read_text())
    assert data["passed"] and data["checks"][0]["name"] == "fair" and data["seed"] == 0
    assert "## fair" in (tmp_path / "a" / "checks.md").read_text()
    assert main(["check", "--out", str(tmp_path / "b")]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_check_seed_is_per_name(toy_checks, tmp_path):
    main(["check", "fair", "biased", "--seed", "3", "--out", str(tmp_path / "both")])
    main(["check", "fair", "--seed", "3", "--out", str(tmp_path / "one")])
    main(["check", "fair", "--seed", "4", "--out", str(tmp_path / "other")])
    pts = {d: json.loads((tmp_path / d / "checks.json").read_text())["checks"][0]["points"][0]
           for d in ("both", "one", "other")}
    assert pts["both"]["estimate"] == pts["one"]["estimate"] != pts["other"]["estimate"]


@pytest.mark.parametrize("argv", [
    ["check", "no-such-check"],
    ["check", "--seed", "-1"],
    ["check", "--seed", "x"],
    ["check", "--quick", "--full"],
    ["check", "--workers", "0"],
    ["check", "--workers", "2", "--scheduler", "tcp://h:1"],
    ["list", "things"],
    ["derive", "no-such-derivation"],
    ["sweep", "no-such-estimator", "--grid", "N=1", "--out", "x"],
    ["sweep", "classical-bit-error", "--out", "x"],
    ["sweep", "classical-bit-error", "--grid", "N", "--out", "x"],
    ["sweep", "classical-bit-error", "--grid", "Q=1,2", "--out", "x"],
    ["sweep", "classical-bit-error", "--grid", "N=1,2", "--grid", "N=3", "--out", "x"],
    ["sweep", "classical-bit-error", "--grid", "N=10"],
    [],
])
def test_bad_usage_exits_2(argv, toy_checks, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2


def test_sweep_command_resumes_and_rejects_another_spec(tmp_path, monkeypatch, capsys):
    from simulations import estimators
    from tests.sweep_helpers import toy

    monkeypatch.setitem(estimators.ESTIMATORS, "toy",
                        estimators.Estimator("toy", "toy", toy, {"a": 0, "b": 1.0}))
    out = tmp_path / "s"
    assert main(["sweep", "toy", "--grid", "a=1,2,3", "--param", "b=2", "--seed", "5", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "3 points computed, 0 reused" in text
    assert len((out / "records.csv").read_text().splitlines()) == 4
    assert main(["sweep", "toy", "--grid", "a=1,2,3", "--param", "b=2", "--seed", "5", "--out", str(out)]) == 0
    assert "0 points computed, 3 reused" in capsys.readouterr().out
    assert main(["sweep", "toy", "--grid", "a=1,2", "--param", "b=2", "--seed", "5", "--out", str(out)]) == 2
    assert "different sweep" in capsys.readouterr().err


def test_console_entry_point_subprocess(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "amlab", "--version"], cwd=tmp_path, env=env, capture_output=True,
                       text=True)
    assert r.returncode == 0 and __version__ in r.stdout
    r = subprocess.run([sys.executable, "-m", "amlab", "check", "no-such-check"], cwd=tmp_path, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "unknown check" in r.stderr


def test_reproduce_writes_report_with_checks_and_figures(toy_checks, tmp_path, monkeypatch, capsys):
    import figures.catalog  # noqa: F401
    from figures import registry as fr
    from simulations.core.io import atomic_write_bytes

    monkeypatch.setattr(fr, "FIGURES", {})

    @fr.register_figure("toy-figure", title="a toy")
    def toy(out_dir, *, quick, seed):
        return [atomic_write_bytes(out_dir / "toy.png", b"png"), atomic_write_bytes(out_dir / "toy.json", b"{}")]

    monkeypatch.setitem(registry.CHECKS, "fair", toy_checks["fair"])
    monkeypatch.delitem(registry.CHECKS, "biased")
    out = tmp_path / "r"
    assert main(["reproduce", "--quick", "--out", str(out)]) == 0
    report = (out / "report.md").read_text()
    assert "## fair" in report and "![toy](figures/toy.png)" in report and "figures/toy.json" in report
    assert (out / "checks.json").exists()
    page = (out / "report.html").read_text()
    assert '<img alt="toy" src="data:image/png;base64,' in page and '<h2 id="check-fair">fair: fair coin <a href="#contents">' in page


@pytest.fixture
def toy_demos(toy_checks, monkeypatch):
    """The 'fair' check alone, no figure, and a registry of two toy demos that write one file each."""
    import figures.catalog  # noqa: F401
    from figures import registry as fr
    from simulations.core.io import atomic_write_bytes

    monkeypatch.setattr(fr, "FIGURES", {})
    monkeypatch.delitem(registry.CHECKS, "biased")
    seen = []

    def demo(name):
        def run(out_dir, *, small=False, seed=0, echo=print):
            seen.append((name, small, seed))
            echo(f"{name} says hello")
            return [atomic_write_bytes(out_dir / f"{name}.png", b"png")]
        return amlab.demos.Demo(name, f"the {name} demo", run)

    for name in ("one", "two"):
        amlab.demos.DEMOS[name] = demo(name)
    return seen


def test_reproduce_runs_every_demo_and_lists_it(toy_demos, tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["reproduce", "--quick", "--seed", "3", "--out", str(out)]) == 0
    assert toy_demos == [("one", True, 3), ("two", True, 3)]  # small at --quick, the master seed
    printed = capsys.readouterr().out
    assert "demo one (1/2): 2 files in" in printed and "demo two (2/2)" in printed
    assert (out / "demos" / "one" / "one.png").read_bytes() == b"png"
    assert (out / "demos" / "two" / "narrative.txt").read_text() == "two says hello\n"
    report = (out / "report.md").read_text()
    assert "Demos: 2/2 ran" in report and "# Demos" in report and "[Demos (2/2 ran)](#demos)" in report
    row = next(line for line in report.splitlines() if line.startswith("| one "))
    assert "[one.png](demos/one/one.png)" in row and "[narrative.txt](demos/one/narrative.txt)" in row
    assert row.rstrip(" |").endswith("ok")
    assert "Demos" in (out / "report.html").read_text()
    assert main(["reproduce", "--full", "--out", str(tmp_path / "f")]) == 0
    assert toy_demos[2:] == [("one", False, 0), ("two", False, 0)]  # full size at --full


@pytest.mark.parametrize("broken, why", [("raises", "RuntimeError: no canvas"), ("silent", "it returned no files")])
def test_a_failing_demo_makes_reproduce_exit_1(toy_demos, tmp_path, capsys, broken, why):
    def raises(out_dir, *, small=False, seed=0, echo=print):
        raise RuntimeError("no canvas")

    def silent(out_dir, *, small=False, seed=0, echo=print):
        return []

    amlab.demos.DEMOS["one"] = amlab.demos.Demo("one", "a broken demo", {"raises": raises, "silent": silent}[broken])
    out = tmp_path / "r"
    assert main(["reproduce", "--quick", "--out", str(out)]) == 1
    assert f"error: demo one failed: {why}" in capsys.readouterr().out
    report = (out / "report.md").read_text()
    assert f"Demos: 1/2 ran; one FAILED: {why}" in report
    assert next(line for line in report.splitlines() if line.startswith("| one ")).count("failed") == 1
    assert (out / "demos" / "two" / "two.png").is_file()  # the others still ran


def test_reproduce_passes_every_registered_demo(monkeypatch, tmp_path):
    from simulations.checks import runner

    seen = {}
    monkeypatch.setattr(runner, "reproduce", lambda *a, **k: seen.update(k) or True)
    assert main(["reproduce", "--quick", "--out", str(tmp_path / "r")]) == 0
    assert [d.name for d in seen["demos"]] == list(amlab.demos.DEMOS) and "forgetting" in amlab.demos.DEMOS


def test_check_huge_runs_only_checks_with_a_huge_size(capsys, tmp_path):
    from amlab.cli import main

    # a check without one is refused before work, naming those that have one
    assert main(["check", "storkey-capacity", "--huge", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "storkey-capacity has no huge size" in err and "ags-critical" in err

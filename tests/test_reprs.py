"""Results print readably at a prompt and in a notebook; the packages declare their type hints."""

import math
from pathlib import Path

import numpy as np

from hopfield.result import RunResult
from simulations.checks.point import CheckResult, Point
from simulations.sweeps.sweep import SweepResult
from theory.formula import Formula, sym

ROOT = Path(__file__).resolve().parents[1]


def test_point_repr_shows_estimate_interval_theory_and_p():
    band = Point("m at N=100", theory=0.5, estimate=0.52, low=0.48, high=0.56, tolerance=0.01, p_value=0.25)
    assert repr(band) == "Point(m at N=100: 0.52 [0.48, 0.56] vs 0.5 +- 0.01, p = 0.25)"
    bound = Point("error", theory=1.0, estimate=0.3, low=0.3, high=0.3, kind="le")
    assert repr(bound) == "Point(error: 0.3 [0.3, 0.3] <= 1, p = -)"
    failed = Point("x", theory=0.0, estimate=1.0, low=0.9, high=1.1, p_value=1e-6, ok=False)
    assert repr(failed).endswith("p = 1e-06, FAIL)") and "FAIL" not in repr(band)
    shown = Point("y", theory=math.nan, estimate=2.0, low=1.0, high=3.0, kind="reported")
    assert repr(shown) == "Point(y: 2 [1, 3], reported)"


def test_check_result_repr_gives_verdict_points_and_seconds():
    p = Point("x", 0.5, 0.5, 0.4, 0.6)
    ok = CheckResult("toy", "t", "t", "t", "quick", 0, [p, p], True, 1.234)
    assert repr(ok) == "CheckResult(toy: PASS, 2 points, 1.23 s, quick size, seed 0)"
    assert "FAIL" in repr(CheckResult("toy", "t", "t", "t", "full", 3, [], False, 0.0))


def test_run_result_repr_gives_shapes_convergence_and_sweeps_not_arrays():
    B, N, P = 3, 50, 4
    r = RunResult(states=np.ones((B, N), np.int8), converged=np.array([True, False, True]),
                  sweeps=np.array([1, 4, 1]), cycled=np.zeros(B, bool), energies=np.zeros(B),
                  overlaps=np.zeros((B, P)))
    assert repr(r) == "RunResult(3 cues x N=50, P=4 patterns: converged 2/3, mean sweeps 2)"
    assert len(repr(r)) < 120  # the arrays are not printed


def test_sweep_result_repr():
    s = SweepResult(Path("st"), [{}, {}, {}], computed=2, reused=1, seconds=0.5, spec={"estimator": "exp-recovery"})
    assert repr(s) == "SweepResult(exp-recovery: 3 points, 2 computed, 1 reused, 0.50 s on local; store 'st')"


def test_formula_renders_as_latex():
    N, P = sym("N"), sym("P")
    f = Formula("ratio", P / N, (N, P), source="-", assumptions="-", definition="load")
    assert f._repr_latex_() == r"$\displaystyle \frac{P}{N}$"


def test_every_package_is_typed_and_ships_the_marker():
    text = (ROOT / "pyproject.toml").read_text()
    packages = ["amlab", "hopfield", "theory", "simulations", "figures"]
    assert all((ROOT / p / "py.typed").is_file() for p in packages), [p for p in packages
                                                                      if not (ROOT / p / "py.typed").is_file()]
    assert '"*" = ["py.typed"]' in text

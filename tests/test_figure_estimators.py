"""Every figure says where its points come from, and ``amlab sweep`` regenerates its simulated points.

A figure registered with ``points="simulated"`` names the estimators whose
evaluations give its points; ``points="recorded"`` figures plot recorded
training runs; ``points="theory"`` figures draw no simulation at all.
"""

import ast
import inspect
import textwrap

import pytest

import figures.catalog  # noqa: F401  (registers every figure)
from figures.registry import FIGURES, register_figure
from simulations.estimators import discover, get_estimator

#: Figures whose simulated points have no estimator (each would build its simulation itself, so ``amlab
#: sweep`` could not regenerate its points). Empty: every simulated figure declares its estimators.
GAPS: set = set()

#: Import prefixes that mean a figure runs a simulation.
SIMULATION_MODULES = ("hopfield", "simulations.estimators", "simulations.checks")


def simulation_imports(func):
    """The simulation modules a figure function imports in its body or uses from its module's imports."""
    func = inspect.unwrap(func)
    body = ast.parse(textwrap.dedent(inspect.getsource(func)))
    used = {n.id for n in ast.walk(body) if isinstance(n, ast.Name)}
    found = set()
    for node in ast.walk(body):  # imports inside the function
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    module = ast.parse(inspect.getsource(inspect.getmodule(func)))
    for node in module.body:  # module-level imports whose names the function uses
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                if bound in used:
                    found.add(getattr(node, "module", None) or a.name)
    return {m for m in found if m.startswith(SIMULATION_MODULES)}


def test_points_kinds_are_known_and_estimators_only_for_simulated_figures():
    for f in FIGURES.values():
        assert f.points in ("simulated", "theory", "recorded"), f.name
        if f.points != "simulated":
            assert f.estimators == (), f.name


def test_every_simulated_figure_names_an_estimator_or_is_a_listed_gap():
    bare = {f.name for f in FIGURES.values() if f.points == "simulated" and not f.estimators}
    assert bare == GAPS  # a new figure without estimators, or a gap closed but still listed, fails here


def test_recorded_figures_are_the_training_figures():
    # the training runs, and the large-N study of the retrieval transition (benchmarks/ags_large_n.py)
    recorded = {f.name for f in FIGURES.values() if f.points == "recorded"}
    assert recorded and all(n.startswith("train-") or n == "ags-finite-size-large" for n in recorded)
    for n in recorded:
        assert not simulation_imports(FIGURES[n].func), n


def test_every_declared_estimator_resolves():
    discover()
    names = {e for f in FIGURES.values() for e in f.estimators}
    assert len(names) >= 15
    for name in names:
        assert get_estimator(name).name == name


def test_theory_figures_import_no_simulation():
    for f in FIGURES.values():
        if f.points == "theory":
            assert not simulation_imports(f.func), f.name
    # and every simulated figure with estimators does import a simulation (so the check can see one)
    for f in FIGURES.values():
        if f.estimators:
            assert simulation_imports(f.func), f.name


def _fake_theory(out_dir, *, quick=True, seed=0):
    from hopfield.classical import ClassicalHopfield  # noqa: F401

    return []


def test_the_checks_fail_on_bad_registrations():
    # a theory figure that imports a simulator is seen by the import check
    assert simulation_imports(_fake_theory) == {"hopfield.classical"}
    # an unknown estimator does not resolve
    discover()
    with pytest.raises(Exception):
        get_estimator("no-such-estimator")
    # estimators on a non-simulated figure, an unknown kind, a bare string: refused at registration
    with pytest.raises(ValueError, match="names no estimator"):
        register_figure("x-bad-1", title="t", estimators=("classical-bit-error",), points="theory")
    with pytest.raises(ValueError, match="points"):
        register_figure("x-bad-2", title="t", points="made-up")
    with pytest.raises(TypeError, match="estimators"):
        register_figure("x-bad-3", title="t", estimators="classical-bit-error")
    assert not {"x-bad-1", "x-bad-2", "x-bad-3"} & set(FIGURES)


@pytest.mark.parametrize("figure, name, grid, params", [
    ("classical-bit-error", "classical-bit-error", "alpha=0.1,0.3", ["N=60"]),
    ("kv-accuracy-vs-M", "kv-recall-accuracy", "M=8,16", ["memory=delta", "d=8", "V=4", "n_mem=2"]),
])
def test_amlab_sweep_regenerates_a_declared_estimator(tmp_path, capsys, figure, name, grid, params):
    from tests.sweep_helpers import sweep_matches_evaluate

    assert name in FIGURES[figure].estimators
    sweep_matches_evaluate(tmp_path / "s", name, grid, params, seed=3)


def test_list_figures_shows_the_estimators(capsys):
    from amlab.cli import main

    assert main(["list", "figures"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.split()[:1] == ["kv-zipf-scaling"])
    assert line.endswith("(sweep: kv-zipf-error, kv-zipf-sample-error)")
    line = next(ln for ln in out.splitlines() if ln.split()[:1] == ["classical-basins"])
    assert line.endswith("(sweep: classical-basin-retrieval)")
    for gap in GAPS:
        line = next(ln for ln in out.splitlines() if ln.split()[:1] == [gap])
        assert "sweep:" not in line

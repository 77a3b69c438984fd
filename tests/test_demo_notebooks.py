"""Demo notebooks (``amlab demo NAME --notebook PATH``): written for every demo, and three of them run
top to bottom in a headless Jupyter kernel with their slider at its default value and once moved.

The moved slider is set through the widget (``panel.children[0].value = ...``), so the numbers come
from the ``interactive`` callback, and they must show what the slider teaches: retrieval lost past
``alpha_c``, one pattern at large ``beta`` and the mean of all at small ``beta``, a mixture escaped with
temperature. A notebook whose slider is not wired to its function fails the same assertions
(``test_probe_catches_an_unwired_slider``).
"""

import json
import os
from pathlib import Path

import pytest

from amlab.cli import main
from amlab.demos import DEMOS

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
PROBE = "AMLAB-PROBE "


def test_every_demo_has_a_valid_notebook(tmp_path, capsys):
    from amlab.notebooks import SLIDERS

    for name in DEMOS:
        path = tmp_path / f"{name}.ipynb"
        assert main(["demo", name, "--notebook", str(path), "--small", "--seed", "3"]) == 0
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert f"DEMOS[{name!r}].func(OUT, small=SMALL, seed=SEED)" in code
        assert "SMALL = True" in code and "SEED = 3" in code
        assert ("widgets.interactive" in code) == (name in SLIDERS)
        assert not [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]  # not executed
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.ipynb" for n in DEMOS)  # no temporaries
    assert set(SLIDERS) == {"capacity", "attention", "mixtures"}


@pytest.mark.parametrize("argv, message", [
    (["demo", "capacity", "--notebook", "capacity.txt"], "ending in .ipynb"),
    (["demo", "--notebook", "x.ipynb"], "needs a demo NAME"),
    (["demo", "no-such-demo", "--notebook", "x.ipynb"], "unknown demo"),
])
def test_notebook_misuse_is_a_usage_error(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_notebook_functions_refuse_bad_input(tmp_path):
    from amlab.notebooks import demo_notebook, write_notebook

    with pytest.raises(ValueError, match="name must be a demo"):
        demo_notebook("nope")
    with pytest.raises(ValueError, match="seed must be"):
        demo_notebook("capacity", seed=-1)
    with pytest.raises(ValueError, match="must end in .ipynb"):
        write_notebook("capacity", tmp_path / "x.json")


#: demo -> (the slider's new value, what its numbers must then show)
MOVED = {"capacity": 0.25, "attention": 0.01, "mixtures": 0.5}


def _assert_teaches(name, default, moved):
    """What each slider teaches, at its default value and at ``MOVED[name]`` (numbers from theory, not runs)."""
    if name == "capacity":  # alpha = 0.05 retrieves (theory m = 1 - 8e-6); 0.25 > alpha_c = 0.138 does not
        assert default["alpha"] == pytest.approx(0.05) and moved["alpha"] == pytest.approx(0.25)
        assert default["fraction_retrieved"] >= 0.9 and default["theory_m"] > 0.99
        assert moved["fraction_retrieved"] <= 0.3 and moved["theory_m"] is None
    elif name == "attention":  # beta = 4: one pattern; beta = 0.01: nearly uniform weights over all n
        n = len(default["weights"])
        assert default["beta"] == pytest.approx(4.0) and moved["beta"] == pytest.approx(0.01)
        assert default["top_weight"] > 0.99 and default["participation"] < 1.1
        assert moved["participation"] > 0.95 * n and moved["top_weight"] < 2.0 / n
    else:  # T = 0: the symmetric 3-mixture is a fixed point (overlaps 1/2); T = 0.5 (< 1): one pattern wins
        assert default["T"] == 0.0 and moved["T"] == pytest.approx(0.5)
        assert not default["escaped"] and all(abs(m - 0.5) < 0.15 for m in default["final"])
        assert moved["escaped"] and max(abs(m) for m in moved["final"]) > 0.8


def _execute(nb, cwd):
    """Run ``nb`` top to bottom in a fresh kernel, then move its slider; returns the probe's numbers."""
    from nbclient import NotebookClient

    probe = (f"import json\nbefore = panel.result\npanel.children[0].value = {{value!r}}\n"
             f"print({PROBE!r} + json.dumps({{{{'default': before, 'moved': panel.result}}}}))")
    name = nb.metadata["amlab"]["demo"]
    nb.cells.append(nbformat.v4.new_code_cell(probe.format(value=MOVED[name])))
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return json.loads(text.split(PROBE, 1)[1])


@pytest.fixture
def kernel_env(monkeypatch):
    """The kernel imports this checkout of amlab and draws with the inline backend."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("ipywidgets")
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + (os.pathsep + path if path else ""))
    monkeypatch.delenv("MPLBACKEND", raising=False)


@pytest.mark.slow  # a Jupyter kernel per notebook: about 10 s each on 2 cores
@pytest.mark.parametrize("name", sorted(MOVED))
def test_notebook_runs_with_its_slider(name, tmp_path, kernel_env):
    from amlab.notebooks import demo_notebook

    nb = demo_notebook(name, small=True)
    numbers = _execute(nb, tmp_path)
    _assert_teaches(name, numbers["default"], numbers["moved"])
    # the demo cell ran: its narrative printed and its images written and shown
    shown = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "display_data"]
    assert any("image/png" in o.data for o in shown)
    assert sorted(p.name for p in (tmp_path / "amlab-demos").iterdir())


@pytest.mark.slow
def test_probe_catches_an_unwired_slider(tmp_path, kernel_env):
    """The same run with a slider whose callback ignores its value: the moved numbers are the default's."""
    from amlab.notebooks import demo_notebook

    nb = demo_notebook("capacity", small=True)
    cell = next(c for c in nb.cells if "widgets.interactive" in c.source)
    cell.source = cell.source.replace("capacity.at_load(alpha,", "capacity.at_load(0.05,")
    numbers = _execute(nb, tmp_path)
    with pytest.raises(AssertionError):
        _assert_teaches("capacity", numbers["default"], numbers["moved"])

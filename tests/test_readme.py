"""The README's Python tour runs as written, and its printed claims hold."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def _run(code):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, "README.md", "exec"), {})
    return buf.getvalue()


def test_readme_has_python_tour():
    assert len(_blocks()) >= 3


def test_simulator_tour():
    out = _run(_blocks()[0]).splitlines()
    assert out[0].startswith("[1. 1.")  # every cue of 10% flipped bits recovered at alpha = 0.02
    assert out[1] == "[0 1 2 3 4]"  # each stored pattern is a fixed point of the n = 3 memory


def test_theory_tour():
    out = _run(_blocks()[1])
    assert "0.1379" in out and "0.9674" in out
    assert "361.9" in out


def test_amicl_tour():
    out = _run(_blocks()[2])
    vals = np.array([float(v) for v in re.findall(r"[0-9.]+", out.split("]")[0].split("[")[1])])
    assert vals.size == 9 and vals[0] == 0.0 and vals[-1] > 0.99

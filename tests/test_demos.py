"""Every demo runs at a reduced size through the CLI and through its function, prints a narrative and
writes readable images; the numbers each demo narrates are checked against what it claims to teach."""

import re

import numpy as np
import pytest
from PIL import Image

from amlab.cli import main
from amlab.demos import DEMOS
from figures import lint

NAMES = ["letters", "capacity", "mixtures", "dense-vs-classical", "attention", "amicl-switch", "induction"]


def test_registry_lists_the_demos(capsys):
    assert list(DEMOS) == NAMES
    assert main(["demo", "--list"]) == 0
    out = capsys.readouterr().out
    for n in NAMES:
        assert n in out


def test_unknown_demo_is_a_usage_error(capsys):
    assert main(["demo", "no-such-demo"]) == 2
    assert "unknown demo" in capsys.readouterr().err


#: Demos whose images pass figures.lint (legends clear of data, 8-pt text, colorbars, ...).
LINTED = {"letters", "capacity", "mixtures", "dense-vs-classical", "attention", "amicl-switch", "induction"}


@pytest.mark.parametrize("name", NAMES)
def test_demo_runs_small(tmp_path, capsys, name):
    with lint.collecting() as problems:
        assert main(["demo", name, "--small", "--out", str(tmp_path)]) == 0
    if name in LINTED:
        assert problems and all(v == [] for v in problems.values()), problems
    out = capsys.readouterr().out
    assert len(out.splitlines()) >= 3 and "Wrote" in out
    files = sorted(tmp_path.iterdir())
    assert files and not [f for f in files if f.name.startswith(".")]  # atomic: no temporaries left
    for f in files:
        img = Image.open(f)
        assert img.size[0] > 100
        if f.suffix == ".gif":
            assert getattr(img, "n_frames", 1) >= 2  # animated
        assert np.asarray(img.convert("L"), dtype=float).std() > 5  # not blank


def test_letters_energy_falls_and_letter_returns(tmp_path):
    lines = []
    DEMOS["letters"].func(tmp_path, small=True, seed=0, echo=lines.append)
    energy = [float(v) for v in next(l for l in lines if l.startswith("Energy")).split(":")[1].split(",")]
    assert all(b <= a + 1e-9 for a, b in zip(energy, energy[1:]))  # never increases
    overlaps = next(l for l in lines if l.startswith("Sweeps until")).split(":")[-1].split(",")
    assert float(overlaps[-1]) == pytest.approx(1.0)


def _dense_beats_classical(lines):
    classical = next(l for l in lines if l.startswith("classical:"))
    dense = next(l for l in lines if l.startswith("dense"))
    k_c = int(classical.split(":")[1].split("/")[0])
    k_d, total = (int(v) for v in dense.split(":")[1].split("cues")[0].split("/"))
    assert k_d == total and k_c < total


def test_dense_beats_classical(tmp_path):
    lines = []
    DEMOS["dense-vs-classical"].func(tmp_path, small=True, seed=0, echo=lines.append)
    _dense_beats_classical(lines)


def test_dense_demo_mutant_is_caught(tmp_path, monkeypatch):
    """Mutant: the 'dense' memory is secretly a classical network (n = 2); the claim must fail."""
    import hopfield.dense as hd

    real = hd.DenseAssociativeMemory
    monkeypatch.setattr(hd, "DenseAssociativeMemory", lambda xi, F="poly", n=3: real(xi, F=F, n=2))
    lines = []
    DEMOS["dense-vs-classical"].func(tmp_path, small=True, seed=0, echo=lines.append)
    with pytest.raises(AssertionError):
        _dense_beats_classical(lines)


def test_attention_equals_hopfield_update(tmp_path):
    lines = []
    DEMOS["attention"].func(tmp_path, small=True, seed=0, echo=lines.append)
    line = next(l for l in lines if "differ by at most" in l)
    assert float(line.split("at most")[1].split(":")[0]) < 1e-12


def test_amicl_switch_crosses_at_one(tmp_path):
    lines = []
    DEMOS["amicl-switch"].func(tmp_path, small=True, seed=0, echo=lines.append)
    rows = [l for l in lines if l.startswith("a = ")]
    a = np.array([float(r.split(":")[0][4:]) for r in rows])
    lab = np.array([float(r.split("label ")[1].split("%")[0]) for r in rows]) / 100
    assert np.all(lab[a < 0.8] < 0.1) and np.all(lab[a > 1.3] > 0.9)


@pytest.mark.parametrize("seed", [0, 1])
def test_induction_copies_the_in_context_successor(tmp_path, seed):
    lines = []
    DEMOS["induction"].func(tmp_path, small=True, seed=seed, echo=lines.append)
    step1 = next(l for l in lines if l.startswith("Step 1"))
    assert "(the previous one" in step1
    t, s = (int(v) for v in re.findall(r"position (\d+) attends to position (\d+)", step1)[0])
    assert s == t - 1
    step3 = next(l for l in lines if l.startswith("Step 3"))
    pred, succ = re.findall(r"prediction is ('.+?'); in-context successor ('.+?')", step3)[0]
    assert pred == succ

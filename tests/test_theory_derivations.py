"""Registered derivations: listed, rendered as text and LaTeX, through the CLI too."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import theory.catalog  # noqa: F401
from theory.derivation import DERIVATIONS

NAMES = ["classical-crosstalk", "mceliece", "ags", "dense-snr", "demircigil", "ramsauer-capacity", "kv-readout"]
ROOT = Path(__file__).resolve().parents[1]


def test_all_derivations_are_registered():
    assert set(NAMES) <= set(DERIVATIONS)


@pytest.mark.parametrize("name", NAMES)
def test_derivation_renders(name):
    der = DERIVATIONS[name]()
    assert der.name == name and len(der.steps) >= 4 and der.source
    text, tex = der.render(), der.render(latex=True)
    assert text.startswith(der.title) and "1. " in text
    assert "\\" in tex
    assert "True" not in text  # identities are shown as expressions, not collapsed booleans


def test_simplified_differences_in_derivations_are_zero():
    for name in ("ags", "demircigil"):
        text = DERIVATIONS[name]().render()
        assert "difference = 0" in text


def test_cli_derive_and_list(capsys):
    # in process (tests/test_cli.py starts the command line as a subprocess)
    from amlab.cli import main

    assert main(["derive", "dense-snr"]) == 0
    out = capsys.readouterr().out
    assert "Exact signal-to-noise ratio" in out and "9*N - 10" in out
    assert main(["list", "derivations"]) == 0
    listing = capsys.readouterr().out
    for name in NAMES:
        assert name in listing


def test_theory_imports_no_other_package():
    # theory stands on paper alone: importing all of it loads neither hopfield, simulations nor figures
    code = ("import sys, theory.catalog, theory.formula, theory.ags, theory.classical, theory.dense, "
            "theory.exponential, theory.modern, theory.kv_memory, theory.amicl; "
            "print([m for m in ('hopfield', 'simulations', 'figures') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

"""Registered derivations: listed, rendered as text and LaTeX, through the CLI too."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import theory.catalog  # noqa: F401
from theory.derivation import DERIVATIONS

NAMES = ["classical-crosstalk", "mceliece", "ags", "dense-snr", "demircigil", "ramsauer-capacity", "kv-readout",
         "kv-decay-mqar-accuracy", "kv-gated-delta-mqar-accuracy"]
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
    if name == "kv-decay-mqar-accuracy":  # its SymPy checks of the steps come out 0
        assert text.count("difference = 0") == 3 and "(0, 0)" in text


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


# ------------------------------------------------ the LaTeX of `amlab derive NAME --latex`

GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau phi chi psi "
         "omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega").split()
#: A Greek letter or a function written as a plain word (``xi(k)``, ``sum_s``): a symbol name SymPy did not read.
BARE_NAME = re.compile(r"(?<![\\A-Za-z])(" + "|".join(GREEK + ["sum", "log", "exp", "tanh", "inf", "oo"]) + r")(?![A-Za-z])")
SCRIPT = re.compile(r"[_^]\{([^{}]*)\}")


def latex_problems(tex: str) -> list:
    """The marks of a symbol name that SymPy split at every ``_`` and ``^`` (``p^{T W}_{t K1 p s}``,
    ``sum_{s omega s b s}``, ``d sigma^{2/dT}_{o}``): plain Greek or function words, words side by side
    in a sub- or superscript, a fraction or an unbalanced bracket inside one."""
    out = []
    plain = re.sub(r"\\(text|mathrm|operatorname)\{[^{}]*\}", "", tex)
    out += [f"plain word {m.group(0)!r}" for m in BARE_NAME.finditer(plain)]
    for m in SCRIPT.finditer(plain):
        c = m.group(1)
        # two names side by side (``T W``, ``t K1 p s``): a symbol name split at its spaces; a number times a
        # name (``2 t``, SymPy's product in an exponent such as lambda^(2 t)) is ordinary notation
        if len(re.findall(r"[A-Za-z]+", c)) >= 2 and " " in c.strip() and not set(c) & set("+-=<>,\\"):
            out.append(f"words side by side in {m.group(0)!r}")
        if "/" in c:
            out.append(f"a fraction in {m.group(0)!r}")
        out += [f"unbalanced {o}{cl} in {m.group(0)!r}" for o, cl in ("()", "[]") if c.count(o) != c.count(cl)]
    return out


def mathtext_pieces(tex: str) -> list:
    """``tex`` as expressions matplotlib's mathtext can parse: ``\\int\\limits`` as ``\\int`` and each
    environment (``matrix``, ``cases``) replaced by a placeholder, its cells parsed one by one."""
    tex = tex.replace(r"\limits", "")
    cells = []
    while r"\begin{" in tex:
        start = tex.index(r"\begin{")
        env_end = tex.index("}", start)
        end_tag = r"\end{" + tex[start + len(r"\begin{"):env_end] + "}"
        end = tex.index(end_tag, env_end)
        cells += [c for row in tex[env_end + 1:end].split(r"\\") for c in row.split("&") if c.strip()]
        tex = tex[:start] + "X" + tex[end + len(end_tag):]
    return [tex] + cells


def parse_mathtext(tex: str) -> None:
    """Raise when matplotlib's mathtext cannot parse ``$tex$`` (each piece of ``mathtext_pieces``)."""
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    for piece in mathtext_pieces(tex):
        parser.parse(f"${piece}$")


def latex_lines(name: str) -> list:
    """The LaTeX expressions `amlab derive NAME --latex` prints (its indented lines)."""
    text = DERIVATIONS[name]().render(latex=True)
    return [ln.strip() for ln in text.splitlines() if ln.startswith("    ") and ln.strip()]


def assert_latex_renders(name: str) -> None:
    lines = latex_lines(name)
    assert lines, name
    for tex in lines:
        assert not latex_problems(tex), (name, tex, latex_problems(tex))
        try:
            parse_mathtext(tex)
        except Exception as exc:  # pyparsing's errors: a LaTeX that does not compile
            raise AssertionError(f"{name}: mathtext cannot parse {tex!r}: {exc}") from None


# the derivations the issue showed garbled, and cheap ones; every derivation in the slow test below
@pytest.mark.parametrize("name", ["induction-logits", "dense-replica", "classical-fixed-points",
                                  "pseudo-inverse-step"])
def test_latex_compiles_and_names_read_right(name):
    assert_latex_renders(name)


@pytest.mark.slow  # every derivation: about 20 s of SymPy on a loaded 2-core machine
def test_latex_of_every_derivation_compiles():
    for name in DERIVATIONS:
        assert_latex_renders(name)


def test_latex_checks_catch_what_the_issue_showed():
    import sympy as sp

    # the names as they were: SymPy splits them at every _ and ^
    for old in ("p_t^T W_K1 p_s", "sum_s omega_s b_s", "d sigma_o^2/dT", "xi(k) - xi(g)", "E_M[(1 - p(M))^N]"):
        assert latex_problems(sp.latex(sp.Eq(sp.Symbol(old), 1))), old
    for seen in ("p^{T W}_{t K1 p s}", "sum_{s omega s b s}", "d sigma^{2/dT}_{o}"):
        assert latex_problems(seen), seen
    assert not latex_problems(r"\sigma^{2}_{o} = \frac{2}{d} + \frac{T + 1}{d^{2}}, \alpha^{2 n - 2}")
    with pytest.raises(Exception):
        parse_mathtext(r"\frac{1}{d")  # a LaTeX that does not compile fails the render
    parse_mathtext(r"\left[\begin{matrix}0 & 1\\2 & 3\end{matrix}\right] = \int\limits_{0}^{1} x\, dx")


def test_tuples_of_equations_print_one_a_line():
    text = DERIVATIONS["dense-replica"]().render()
    assert "a_2 = 16" in text and "c_5 = 105" in text and "alpha_c(3) = 0.084064" in text
    shown = [ln.strip() for ln in text.splitlines() if ln.startswith("    ")]
    assert not [ln for ln in shown if ln.startswith("((")]  # no bare tuple of tuples, as (( 16*L, ...


# ------------------------------------------------ the SymPy checks inside the MQAR derivations

def test_mqar_derivations_check_their_steps_and_the_checks_catch_a_wrong_formula():
    import sympy as sp

    from theory import forgetting as tf

    text = DERIVATIONS["kv-gated-delta-mqar-accuracy"]().render()  # the decay one renders in the test above
    assert text.count("difference = 0") == 2 and "Arora et al." in text
    assert set(tf._mqar_decay_differences().values()) == {0}
    lam, P = sp.Symbol("lam", positive=True), tf._mqar_symbols()[4]
    C = tf.mqar_crosstalk_weight().expr
    wrong = C.subs(lam ** (4 * P + 2 * tf._mqar_symbols()[3]), lam ** (2 * P + 2 * tf._mqar_symbols()[3]))
    assert wrong != C and tf._mqar_decay_differences(wrong)["sum"] != 0  # pairs one token apart, not two
    assert tf._mqar_decay_differences(C + lam**2 - 1)["limit"] == 0 != tf._mqar_decay_differences(C + 1)["limit"]
    assert tf._gd_mqar_difference("normalized") == 0 and tf._gd_mqar_difference("constant") == 0
    age_o = sp.Symbol("age_o", nonnegative=True)
    ww = {o: tf.gated_delta_write_weight(o).expr for o in ("newer", "older")}
    assert tf._gd_mqar_difference(weights={**ww, "newer": ww["newer"].subs(age_o, age_o + 1)}) != 0
    assert tf._gd_mqar_difference(weights={**ww, "older": ww["older"] * 2}) != 0
    assert tf._gaussian_win_difference() == 0 and tf._gaussian_win_difference(2) != 0

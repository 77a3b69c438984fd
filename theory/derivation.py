"""Derivations worth showing: sequences of named SymPy steps.

``amlab derive NAME`` prints one; ``amlab list derivations`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List

import sympy as sp


class Named(sp.Symbol):
    """A symbol standing for a compound quantity, printed as ``text`` in text and as ``latex`` in LaTeX.

    SymPy reads every ``_`` and ``^`` of a symbol's name as a sub- or
    superscript, so a name made of several factors (``p_t^T W_K1 p_s``) or
    holding an operator (``d sigma_o^2/dT``) comes out garbled in LaTeX
    (``p^{T W}_{t K1 p s}``). ``Named`` keeps the readable name for the text
    rendering and gives its LaTeX explicitly.

    Parameters
    ----------
    text : str
        The name in text renderings (``amlab derive NAME``).
    latex : str
        Its LaTeX, without ``$`` (``amlab derive NAME --latex``).
    **assumptions
        SymPy assumptions (``positive=True``, ...).

    Examples
    --------
    >>> x = Named("d sigma_o^2/dT", r"\\frac{d \\sigma_o^2}{dT}")
    >>> print(sp.latex(sp.Eq(x, 1)), "|", sp.pretty(x, use_unicode=False))
    \\frac{d \\sigma_o^2}{dT} = 1 | d sigma_o^2/dT
    """

    def __new__(cls, text: str, latex: str, **assumptions):
        obj = super().__new__(cls, text, **assumptions)  # SymPy caches symbols by name and assumptions
        known = obj.__dict__.get("latex_form")
        if known is not None and known != latex:
            raise ValueError(f"Named({text!r}) already has the LaTeX {known!r}, got {latex!r}")
        obj.latex_form = latex
        return obj

    def __getnewargs_ex__(self):
        return (self.name, self.latex_form), self.assumptions0

    def _latex(self, printer) -> str:
        return self.latex_form


def _pieces(expr) -> list:
    """A tuple of equations is shown one equation a line; anything else as one expression."""
    items = list(expr) if isinstance(expr, (tuple, list, sp.Tuple)) else None
    if items and all(isinstance(e, sp.Basic) and (e.is_Relational or isinstance(e, sp.Tuple)) for e in items):
        return [p for e in items for p in _pieces(e)]
    return [expr]


def format_expr(expr: sp.Basic, latex: bool = False) -> str:
    """One step's expression as text (SymPy's ASCII pretty form) or LaTeX (no ``$``), one equation a line.

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> print(format_expr(sp.Tuple(sp.Eq(x, 1), sp.Eq(y, 2)), latex=True))
    x = 1
    y = 2
    """
    out = [sp.latex(e) if latex else sp.pretty(e, use_unicode=False) for e in _pieces(expr)]
    return "\n".join(out)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a sentence and the expression it yields."""

    text: str
    expr: object  # a sympy expression, equation or tuple of them


@dataclass(frozen=True)
class Derivation:
    """A named derivation with its source and its steps."""

    name: str
    title: str
    source: str
    steps: List[Step] = field(default_factory=list)

    def render(self, latex: bool = False) -> str:
        """Text (pretty-printed) or LaTeX of the whole derivation."""
        lines = [self.title, f"Source: {self.source}", ""]
        for i, step in enumerate(self.steps, 1):
            lines.append(f"{i}. {step.text}")
            body = format_expr(step.expr, latex=latex)
            lines.extend("    " + ln for ln in body.splitlines())
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


DERIVATIONS: Dict[str, Callable[[], Derivation]] = {}


def register_derivation(name: str) -> Callable[[Callable[[], Derivation]], Callable[[], Derivation]]:
    """Decorator registering a zero-argument function that returns a ``Derivation``."""

    def deco(func):
        if name in DERIVATIONS:
            raise ValueError(f"derivation {name!r} is registered twice")
        DERIVATIONS[name] = func
        return func

    return deco

"""Derivations worth showing: sequences of named SymPy steps.

``amlab derive NAME`` prints one; ``amlab list derivations`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List

import sympy as sp


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
            body = sp.latex(step.expr) if latex else sp.pretty(step.expr, use_unicode=False)
            lines.extend("    " + ln for ln in body.splitlines())
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


DERIVATIONS: Dict[str, Callable[[], Derivation]] = {}


def register_derivation(name: str):
    """Decorator registering a zero-argument function that returns a ``Derivation``."""

    def deco(func):
        if name in DERIVATIONS:
            raise ValueError(f"derivation {name!r} is registered twice")
        DERIVATIONS[name] = func
        return func

    return deco

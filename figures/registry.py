"""The registry of named figures.

A figure is a function ``f(out_dir: pathlib.Path, *, quick: bool, seed: int) ->
list[pathlib.Path]`` that writes a PNG, a PDF and the JSON of the plotted data,
and returns their paths. A builder that cannot draw its figure (the recorded
results it reads are missing, say) raises :class:`FigureError` with the reason;
it never returns without writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, TypeVar

from simulations.core.errors import FigureError  # noqa: F401  (figures raise it as figures.registry.FigureError)


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    func: Callable


FIGURES: Dict[str, Figure] = {}

_F = TypeVar("_F", bound=Callable[..., Any])


def register_figure(name: str, *, title: str) -> Callable[[_F], _F]:
    """Decorator registering a figure builder under ``name``."""

    def deco(func):
        if name in FIGURES:
            raise ValueError(f"figure {name!r} is registered twice")
        FIGURES[name] = Figure(name, title, func)
        return func

    return deco

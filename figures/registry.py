"""The registry of named figures.

A figure is a function ``f(out_dir: pathlib.Path, *, quick: bool, seed: int) ->
list[pathlib.Path]`` that writes a PNG, a PDF and the JSON of the plotted data,
and returns their paths. A builder that cannot draw its figure (the recorded
results it reads are missing, say) raises :class:`FigureError` with the reason;
it never returns without writing.

Each figure also says where its points come from: ``points="simulated"``
figures name in ``estimators`` the registered estimators
(:mod:`simulations.estimators`) whose evaluations give their simulated points,
so that ``amlab sweep`` regenerates them; ``points="theory"`` figures draw
closed-form or numerically solved theory only; ``points="recorded"`` figures
plot recorded runs (training curves) read from disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Tuple, TypeVar

from simulations.core.errors import FigureError  # noqa: F401  (figures raise it as figures.registry.FigureError)


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    func: Callable
    estimators: Tuple[str, ...] = ()
    points: str = "simulated"


#: The kinds of points a figure draws.
POINTS = ("simulated", "theory", "recorded")

FIGURES: Dict[str, Figure] = {}

_F = TypeVar("_F", bound=Callable[..., Any])


def register_figure(name: str, *, title: str, estimators: Tuple[str, ...] = (),
                    points: str = "simulated") -> Callable[[_F], _F]:
    """Decorator registering a figure builder under ``name``.

    Parameters
    ----------
    name, title : str
        The figure's name (``amlab figure NAME``) and one-line title.
    estimators : tuple of str, optional
        Names of registered estimators whose evaluations give the figure's
        simulated points (``amlab sweep NAME``). Empty for figures that draw
        no simulation, and for simulated figures with no estimator yet.
    points : {"simulated", "theory", "recorded"}, optional
        Where the figure's points come from; a ``"theory"`` or ``"recorded"``
        figure names no estimator.
    """
    if points not in POINTS:
        raise ValueError(f"points must be one of {', '.join(POINTS)}, got {points!r}")
    if isinstance(estimators, str) or not all(isinstance(e, str) and e for e in estimators):
        raise TypeError(f"estimators must be a tuple of estimator names, got {estimators!r}")
    estimators = tuple(estimators)
    if estimators and points != "simulated":
        raise ValueError(f"a figure with points={points!r} names no estimator, got {estimators!r}")

    def deco(func):
        if name in FIGURES:
            raise ValueError(f"figure {name!r} is registered twice")
        FIGURES[name] = Figure(name, title, func, estimators, points)
        return func

    return deco

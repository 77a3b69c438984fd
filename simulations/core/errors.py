"""Errors shared across layers.

``FigureError`` is raised by figure builders (``figures``) and caught by the
runner that builds them (``simulations.checks.runner.build_figures``); it lives
on this floor so that the runner needs not import ``figures``, which stands
above ``simulations``. Figures import it as ``figures.registry.FigureError``.
"""


class FigureError(RuntimeError):
    """A figure could not be built; the message says why (``amlab figures`` exits 1 with it).

    Examples
    --------
    >>> str(FigureError("no recorded results"))
    'no recorded results'
    """

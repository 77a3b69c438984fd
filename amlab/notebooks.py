"""Every demo as a Jupyter notebook a teacher can open: ``amlab demo NAME --notebook PATH``.

A demo's notebook has a parameter cell (``SMALL``, ``SEED``, ``OUT``), a cell that runs
the scripted demo with amlab's own function and shows its images, and, where moving one
parameter teaches something, an ``ipywidgets`` slider over that parameter:

============  ===============  ===================================================
demo          slider           what moving it shows
============  ===============  ===================================================
capacity      ``alpha`` = P/N  retrieval collapses past ``alpha_c = 0.138``
attention     ``beta``         one pattern, then metastable averages, then the mean
mixtures      ``T``            thermal noise frees the state from a spurious mixture
============  ===============  ===================================================

The slider's panel is the variable ``panel`` (an ``ipywidgets.interactive``):
``panel.children[0]`` is the slider and ``panel.result`` the numbers of the last call
(the tests move the slider through it). The notebooks need ``nbformat`` to be written and
``ipywidgets`` and a Jupyter kernel to run (the ``docs`` extra); amlab itself does not.

References
----------
T. Kluyver et al., "Jupyter Notebooks - a publishing format for reproducible computational
workflows", ELPUB 2016, doi:10.3233/978-1-61499-649-1-87 (the notebook format, version 4).
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Union

__all__ = ["Slider", "SLIDERS", "demo_notebook", "write_notebook"]


@dataclass(frozen=True)
class Slider:
    """One parameter of a demo as a slider: the widget, the function it calls and what it teaches.

    Attributes
    ----------
    param : str
        The parameter's name (the argument of the slider's function), e.g. ``"alpha"``.
    widget : str
        Python source of the ``ipywidgets`` slider (``widgets`` is the module).
    compute : str
        Python source of the call that returns the numbers, a dict (``SMALL`` and ``SEED`` are
        the notebook's parameters).
    plot : str
        The module function that draws that dict and returns the figure.
    module : str
        The demo module (``amlab.demos.<module>``).
    lesson : str
        Markdown: what to try with the slider and what it shows.
    """

    param: str
    widget: str
    compute: str
    plot: str
    module: str
    lesson: str


#: The demos whose notebooks carry a slider, by demo name.
SLIDERS: Dict[str, Slider] = {
    "capacity": Slider(
        param="alpha",
        widget='widgets.FloatSlider(value=0.05, min=0.01, max=0.30, step=0.01, description="alpha", '
               'continuous_update=False)',
        compute="capacity.at_load(alpha, N=200 if SMALL else 400, seed=SEED)",
        plot="plot_at_load", module="capacity",
        lesson="Move the load `alpha = P/N`. Below `alpha_c = 0.138` (Amit, Gutfreund & Sompolinsky) almost "
               "every stored pattern is a fixed point with overlap near the theory's `m(alpha)` (dashed); past "
               "it the retrieval states vanish and the cued patterns drift to overlaps near 0.3."),
    "attention": Slider(
        param="beta",
        widget='widgets.FloatLogSlider(value=4.0, base=10, min=-2, max=1, step=0.1, description="beta", '
               'continuous_update=False)',
        compute="attention.at_beta(beta, small=SMALL, seed=SEED)",
        plot="plot_at_beta", module="attention",
        lesson="Lower the inverse temperature `beta`. At large `beta` the fixed point is one stored pattern "
               "(one bar); as `beta` falls it becomes a metastable average of several patterns, and at small "
               "`beta` the average of all of them (every bar equal). Transformers' attention uses "
               "`beta = 1/sqrt(d)`."),
    "mixtures": Slider(
        param="T",
        widget='widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="T", '
               'continuous_update=False)',
        compute="mixtures.at_temperature(T, small=SMALL, seed=SEED)",
        plot="plot_at_temperature", module="mixtures",
        lesson="Raise the temperature `T`. At `T = 0` the symmetric mixture of three patterns is a fixed point "
               "(a spurious memory: all three overlaps stay near 1/2); with enough thermal noise the state "
               "leaves it for one stored pattern, whose valley is deeper. Near `T = 1` and above, no pattern survives "
               "the noise (the paramagnetic phase)."),
}


def _source(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def demo_notebook(name: str, *, small: bool = False, seed: int = 0, out: Union[str, os.PathLike] = "amlab-demos") -> Dict[str, Any]:
    """The notebook of demo ``name`` (an ``nbformat`` version-4 notebook, not executed).

    Parameters
    ----------
    name : str
        A registered demo (``amlab demo --list``).
    small : bool, default False
        The value of the notebook's ``SMALL`` parameter (a reduced size, seconds).
    seed : int, default 0
        The value of its ``SEED`` parameter.
    out : str or path-like, default "amlab-demos"
        The folder the demo's images go to (the notebook's ``OUT``), relative to where it runs.

    Returns
    -------
    nbformat.NotebookNode
        (a ``dict``) Markdown cells (title, narrative, references, what to try) and code cells that call
        ``amlab.demos`` (the demo's ``run`` and, for the demos in :data:`SLIDERS`, the
        one-parameter function behind the slider).

    Raises
    ------
    ValueError
        If ``name`` is not a demo or ``seed`` is not a non-negative integer.
    ImportError
        If ``nbformat`` is not installed (the ``docs`` extra).

    Examples
    --------
    >>> nb = demo_notebook("capacity", small=True)  # doctest: +SKIP
    >>> [c.cell_type for c in nb.cells][:3]  # doctest: +SKIP
    ['markdown', 'code', 'code']
    """
    import importlib

    from amlab import __version__
    from amlab.demos import DEMOS

    if name not in DEMOS:
        raise ValueError(f"name must be a demo ({', '.join(DEMOS)}), got {name!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(small, bool):
        raise TypeError(f"small must be a bool, got {small!r}")
    try:
        import nbformat
    except ImportError:
        raise ImportError("writing a demo notebook needs nbformat (pip install 'amlab[docs]')") from None
    v4 = nbformat.v4
    demo = DEMOS[name]
    module = importlib.import_module(demo.func.__module__)
    about = _source(module.__doc__ or "")
    head, _, refs = about.partition("References\n----------")
    cells = [v4.new_markdown_cell(
        f"# amlab demo: {name}\n\n*{demo.title}*\n\n{head.strip()}\n\n"
        f"Written by `amlab demo {name} --notebook` (amlab {__version__}). Run the cells from the top; "
        "`SMALL = True` below makes every cell take seconds.")]
    cells.append(v4.new_code_cell(_source(f"""
        SMALL = {small!r}  # True: a reduced size (seconds)
        SEED = {seed!r}  # the same seed gives the same numbers and images
        OUT = {str(out)!r}  # where the demo writes its images
        """), metadata={"tags": ["parameters"]}))
    cells.append(v4.new_code_cell(_source(f"""
        from IPython.display import Image, display

        from amlab.demos import DEMOS

        %matplotlib inline
        paths = DEMOS[{name!r}].func(OUT, small=SMALL, seed=SEED)
        for path in paths:
            display(Image(filename=str(path)))
        """)))
    slider = SLIDERS.get(name)
    if slider is not None:
        cells.append(v4.new_markdown_cell(f"## Try it: move `{slider.param}`\n\n{slider.lesson}"))
        cells.append(v4.new_code_cell(_source(f"""
            import ipywidgets as widgets
            import matplotlib.pyplot as plt

            from amlab.demos import {slider.module}


            def show({slider.param}):
                result = {slider.compute}
                {slider.module}.{slider.plot}(result)
                plt.show()
                return result


            panel = widgets.interactive(show, {slider.param}={slider.widget})
            panel
            """)))
    if refs.strip():
        lines = [line.strip() for line in refs.strip().splitlines()]
        cells.append(v4.new_markdown_cell("## References\n\n" + "  \n".join(lines)))  # hard line breaks
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "amlab": {"demo": name, "version": __version__, "small": small, "seed": seed},
    })
    nbformat.validate(nb)
    return nb


def write_notebook(name: str, path: Union[str, os.PathLike], *, small: bool = False, seed: int = 0,
                   out: Union[str, os.PathLike] = "amlab-demos") -> Path:
    """Write the notebook of demo ``name`` to ``path`` (atomically); returns the path.

    Parameters
    ----------
    name : str
        A registered demo.
    path : str or path-like
        The notebook file; it must end in ``.ipynb``. Missing parent folders are created.
    small, seed, out
        As :func:`demo_notebook`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If ``path`` does not end in ``.ipynb`` or names a folder, or as :func:`demo_notebook`.

    Examples
    --------
    >>> write_notebook("capacity", "capacity.ipynb")  # doctest: +SKIP
    PosixPath('capacity.ipynb')
    """
    from simulations.core.io import atomic_write_text

    path = Path(path)
    if path.suffix != ".ipynb":
        raise ValueError(f"path must end in .ipynb, got {str(path)!r}")
    if path.is_dir():
        raise ValueError(f"path must be a notebook file, got the folder {str(path)!r}")
    nb = demo_notebook(name, small=small, seed=seed, out=out)
    path.parent.mkdir(parents=True, exist_ok=True)
    import nbformat

    return atomic_write_text(path, nbformat.writes(nb) + "\n")

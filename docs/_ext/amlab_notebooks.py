"""Sphinx extension: demo notebooks as downloads, and the tutorials as executed pages.

Two things happen at build time:

* every registered demo is written as a Jupyter notebook (``amlab.notebooks``, the same
  file ``amlab demo NAME --notebook`` writes) to ``notebooks/files/NAME.ipynb`` in the
  source folder, and the generated page ``notebooks/index`` offers each one as a download
  (``{download}``, so Sphinx copies it into the build); other pages may link the same
  files as ``{download}`/notebooks/files/NAME.ipynb```;
* the pages in :data:`EXECUTED` (getting-started and the tutorials, plain Markdown in the
  repository) are turned, while they are read, into MyST-NB text notebooks: each
  ```` ```python ```` block becomes a ``code-cell`` that a Jupyter kernel runs, so the outputs
  on the site are those of this version of amlab. Execution is cached (``jupyter-cache``,
  under ``<build>/../.jupyter_cache``): an unchanged page is not run again. The kernels run
  in a temporary folder (files the snippets write stay out of ``docs/``) and import the
  amlab of this source tree (its root is put first on ``PYTHONPATH``).

MyST-NB is set up here (it includes the MyST Markdown parser, so ``conf.py`` lists
``myst_nb`` rather than ``myst_parser``). Configuration values left at MyST-NB's defaults
are given the values above (``nb_execution_mode = "cache"``, a 600 s cell timeout, errors
fail the build); values set in ``conf.py`` win.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, List

#: Pages executed at build time (docnames, without ``.md``).
EXECUTED = ("getting-started", "tutorial-capacity", "tutorial-dense", "tutorial-modern", "tutorial-icl")

#: Where the demo notebooks and their page are generated, relative to the source folder.
FOLDER = "notebooks"

ROOT = Path(__file__).resolve().parents[2]  # the repository (docs/_ext/ -> root)

FRONT_MATTER = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
"""

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", flags=re.S | re.M)


def to_mystnb(text: str) -> str:
    """A Markdown page as a MyST-NB text notebook: its ``python`` blocks become code cells.

    Parameters
    ----------
    text : str
        The page; it must not have front matter of its own.

    Returns
    -------
    str
        ``text`` with MyST-NB front matter and every ```` ```python ```` fence turned into
        ```` ```{code-cell} ipython3 ````; other fences (``bash``, ``text``) stay as they are.

    Raises
    ------
    ValueError
        If ``text`` already starts with front matter or has no ``python`` block.

    Examples
    --------
    >>> print(to_mystnb("# T\\n\\n```python\\nprint(1)\\n```\\n").split("---\\n")[2])
    # T
    <BLANKLINE>
    ```{code-cell} ipython3
    print(1)
    ```
    <BLANKLINE>
    """
    if text.startswith("---"):
        raise ValueError("text must not have front matter of its own (it gets MyST-NB's)")
    body, n = _FENCE.subn(lambda m: "```{code-cell} ipython3\n" + m.group(1) + "```", text)
    if n == 0:
        raise ValueError("text has no ```python block to execute")
    return FRONT_MATTER + body


def notebooks_page(names: List[str], titles: Dict[str, str]) -> str:
    """The Markdown of the page offering each demo notebook as a download."""
    lines = ["---", "orphan: true", "---", "", "# Demo notebooks", "",
             "Every demo of `amlab demo` as a Jupyter notebook a class can open: a parameter cell, the "
             "scripted demo with its narrative and images, and, for `capacity`, `attention` and `mixtures`, a "
             "slider over the parameter that teaches (the load `alpha`, the inverse temperature `beta`, the "
             "temperature `T`). Running them needs amlab, Jupyter and `ipywidgets` "
             "(`pip install 'amlab[docs]'`); `amlab demo NAME --notebook NAME.ipynb` writes the same file.", ""]
    for name in names:
        lines.append(f"- {{download}}`{name}.ipynb <files/{name}.ipynb>`: {titles[name]}")
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` (atomically) unless ``path`` holds it already: unchanged sources are not re-read."""
    from simulations.core.io import atomic_write_text

    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)


def write_demo_notebooks(app: Any) -> None:
    """``builder-inited``: every demo's notebook and the page that offers them, in the source folder."""
    import nbformat

    from amlab.demos import DEMOS
    from amlab.notebooks import demo_notebook

    folder = Path(app.srcdir) / FOLDER
    for name in DEMOS:
        _write_if_changed(folder / "files" / f"{name}.ipynb", nbformat.writes(demo_notebook(name)) + "\n")
    _write_if_changed(folder / "index.md", notebooks_page(list(DEMOS), {n: d.title for n, d in DEMOS.items()}))


def execute_tutorials(app: Any, docname: str, source: List[str]) -> None:
    """``source-read``: the pages in :data:`EXECUTED` become MyST-NB notebooks (run by MyST-NB)."""
    if docname in EXECUTED:
        source[0] = to_mystnb(source[0])


#: MyST-NB's defaults this extension replaces (value left at the default -> the value here).
DEFAULTS = {"nb_execution_mode": ("auto", "cache"), "nb_execution_timeout": (30, 600),
            "nb_execution_in_temp": (False, True), "nb_execution_raise_on_error": (False, True),
            "nb_execution_show_tb": (False, True)}


def configure(app: Any, config: Any) -> None:
    """``config-inited``: execution settings, the cache folder, the generated files kept out of parsing."""
    for key, (default, value) in DEFAULTS.items():
        if getattr(config, key) == default:
            setattr(config, key, value)
    if not config.nb_execution_cache_path:
        config.nb_execution_cache_path = str(Path(app.outdir).parent / ".jupyter_cache")
    config.exclude_patterns = list(config.exclude_patterns) + [f"{FOLDER}/files/*"]
    path = os.environ.get("PYTHONPATH", "")
    if str(ROOT) not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")  # the kernels' amlab
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def setup(app: Any) -> Dict[str, Any]:
    """Register the extension (it sets up ``myst_nb``)."""
    from sphinx.errors import ExtensionError

    if "myst_parser" in app.extensions and "myst_nb" not in app.extensions:
        raise ExtensionError("amlab_notebooks needs myst_nb in place of myst_parser in conf.py's extensions "
                             "(myst_nb includes the MyST Markdown parser)")
    app.setup_extension("myst_nb")
    app.connect("config-inited", configure)
    app.connect("builder-inited", write_demo_notebooks)
    app.connect("source-read", execute_tutorials)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

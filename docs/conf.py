"""Sphinx configuration of amlab's documentation site.

Build it from the repository root with one command (warnings are errors)::

    python -m sphinx -W -b html docs docs/_build/html

``AMLAB_DOCS_QUICK=1`` builds at quick size (what CI does): the pages that
make or run something at build time (the gallery's missing images, the
executed tutorials) use their quick settings. Any other value than unset,
empty, ``0`` or ``1`` is refused before the build starts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The packages of this source tree come first, so the pages describe this checkout.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

from amlab_api import docs_quick  # noqa: E402  (docs/_ext, needs the path above)
from simulations.core.version import version_from_pyproject  # noqa: E402

#: True when ``AMLAB_DOCS_QUICK=1``: the build makes and runs things at quick size.
amlab_docs_quick = docs_quick(os.environ.get("AMLAB_DOCS_QUICK"))

project = "amlab"
author = "the amlab developers"
copyright = "the amlab developers; BSD-3-Clause"
release = version_from_pyproject(ROOT / "pyproject.toml")  # the version, read from its one place
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",  # MyST Markdown for the pages, and notebooks (.ipynb, or .md with a kernelspec)
    "amlab_api",  # Formula objects rendered as LaTeX in the API reference
]
# The generated parts of the site, each in a module of its own under docs/_ext; the site builds
# without them (the API reference and the Markdown pages alone).
# An extension that adds pages names them (docnames) in a module-level ``SITE_PAGES``; the site
# index lists them in its "Gallery and notebooks" toctree (the gallery's four index pages by default).
DEFAULT_SITE_PAGES = {"amlab_gallery": ["gallery/figures", "gallery/checks", "gallery/derivations", "gallery/demos"],
                      "amlab_notebooks": []}
site_pages = []
for _optional in ("amlab_gallery", "amlab_notebooks"):
    try:
        _module = __import__(_optional)
    except ImportError as _exc:
        if _exc.name != _optional:  # the module is there but something it needs is not
            raise
    else:
        extensions.append(_optional)
        site_pages += list(getattr(_module, "SITE_PAGES", DEFAULT_SITE_PAGES[_optional]))

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "jupyter_execute"]

# MyST: the pages' headings get anchors (links such as speed.md#the-numba-cache), $...$ math.
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
# MyST-NB: only text notebooks (a kernelspec in their front matter) execute; results are cached.
nb_execution_mode = "cache"
nb_execution_timeout = 600
nb_execution_raise_on_error = True

# API reference: one page per public module, generated from the docstrings.
autosummary_generate = True
autosummary_ignore_module_all = True  # list every submodule, also those a package's __all__ leaves out
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc's Parameters section carries the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"amlab {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_last_updated_fmt = None


def _index_toctree(app, docname, source):
    """Put the pages of the optional extensions into the index, where it says ``{amlab-site-pages}``."""
    if docname != root_doc:
        return
    if site_pages:
        toc = "```{toctree}\n:maxdepth: 1\n:caption: Gallery and notebooks\n\n" + "\n".join(site_pages) + "\n```"
    else:
        toc = ""
    source[0] = source[0].replace("{amlab-site-pages}", toc)


def setup(app):
    """Hooks of this configuration (the index's optional toctree)."""
    app.connect("source-read", _index_toctree)

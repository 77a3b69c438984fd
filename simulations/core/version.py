"""The version of amlab, in one place: ``version = "..."`` in pyproject.toml.

Installed, the version is read from the distribution's metadata
(``importlib.metadata``); in a source tree that is not installed, from the
``version`` line of the pyproject.toml beside the packages.
"""

from __future__ import annotations

import re
import os
from typing import Union
from importlib import metadata
from pathlib import Path

_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def version_from_pyproject(path: Union[str, os.PathLike] = _PYPROJECT) -> str:
    """The ``version = "..."`` of the ``[project]`` table of ``path``, else ``"0+unknown"``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return "0+unknown"
    project = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = re.search(r'^version\s*=\s*"([^"]+)"\s*$', project.group(1) if project else "", re.M)
    return found.group(1) if found else "0+unknown"


def amlab_version() -> str:
    """The installed distribution's version, else the source tree's (see the module docstring)."""
    try:
        return metadata.version("amlab")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        return version_from_pyproject(_PYPROJECT)


__version__ = amlab_version()

"""Find the modules of a registry's package by scanning it, so that a new module registers itself.

A registry (estimators, checks, figures) keeps no hand-written list of its
modules: :func:`import_modules` imports every public module of a package,
those named in ``first`` in that order, then the others by name. The order
fixes the order of registration, which is the order ``amlab list`` prints and
``amlab check`` runs in.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Iterable, List


def module_names(package: str, first: Iterable[str] = (), skip: Iterable[str] = ()) -> List[str]:
    """The public modules of ``package`` (no leading underscore, none in ``skip``): ``first``, then by name.

    Parameters
    ----------
    package : str
        Dotted name of an importable package.
    first : iterable of str
        Module names (without the package) that come first, in this order;
        each must exist in the package.
    skip : iterable of str
        Module names left out (infrastructure of the registry itself).

    Returns
    -------
    list of str
        Full dotted names, in import order.
    """
    pkg = importlib.import_module(package)
    skip = set(skip)
    found = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)
                   if not m.name.startswith("_") and m.name not in skip)
    first = list(dict.fromkeys(first))
    missing = [n for n in first if n not in found]
    if missing:
        raise ValueError(f"{package}: modules named in the order but not found: {', '.join(missing)}")
    return [f"{package}.{n}" for n in first + [n for n in found if n not in first]]


def import_modules(package: str, first: Iterable[str] = (), skip: Iterable[str] = ()) -> List[ModuleType]:
    """Import the modules :func:`module_names` lists (registering what they declare); returns them."""
    return [importlib.import_module(name) for name in module_names(package, first, skip)]

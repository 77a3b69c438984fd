"""Importing this module registers every derivation of ``theory``: its modules are found by a package scan.

A new module registers its derivations itself (no list to edit). ``ORDER``
fixes the order of the first modules, which is the order of ``amlab list
derivations``; any other module follows by name. ``theory`` imports nothing
above it, so the scan is done here rather than with ``simulations.core.discover``.
"""

import importlib
import pkgutil

#: Modules imported first, in this order; the rest follow by name.
ORDER = ("amicl", "derivations", "basins", "finite_t", "gardner", "sparse", "induction", "rem", "dense_replica",
         "sparse_rs")

#: Modules of ``theory`` that register nothing themselves (the registry, the formula machinery, this catalogue).
INFRASTRUCTURE = ("catalog", "derivation", "formula")


def module_names() -> list:
    """The modules to import, ``ORDER`` first and then the others by name (dotted names)."""
    import theory

    found = sorted(m.name for m in pkgutil.iter_modules(theory.__path__)
                   if not m.name.startswith("_") and m.name not in INFRASTRUCTURE)
    missing = [n for n in ORDER if n not in found]
    if missing:
        raise ValueError(f"theory: modules named in the order but not found: {', '.join(missing)}")
    return [f"theory.{n}" for n in ORDER + tuple(n for n in found if n not in ORDER)]


for _name in module_names():
    importlib.import_module(_name)

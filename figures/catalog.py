"""Importing this module registers every figure family: each module of ``figures`` is found by a package scan.

A new figure module registers itself (no list to edit). ``ORDER`` fixes the
order of the first modules, which is the order of ``amlab list figures`` and
of the report; any other module follows by name. ``INFRASTRUCTURE`` names
the modules that register no figures (the registry, the style, the linter).
"""

from simulations.core.discover import import_modules

#: Modules imported first, in this order; the rest follow by name.
ORDER = ("amicl", "capacity_extended", "attention", "induction", "classical", "ags", "dense", "modern", "train",
         "train_induction", "train_lm", "train_mqar", "rem", "storkey", "dense_replica", "sparse_rs")

#: Modules of ``figures`` that are not figure families.
INFRASTRUCTURE = ("catalog", "registry", "style", "lint")

import_modules("figures", ORDER, skip=INFRASTRUCTURE)

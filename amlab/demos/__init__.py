"""Scripted teaching demos: ``amlab demo [NAME] [--list] [--out DIR]``.

Each demo is a module with ``run(out_dir, *, small=False, seed=0, echo=print)``
that prints a short narrative, writes images (and an animated GIF where motion
teaches) into ``out_dir`` and returns their paths. ``small=True`` runs a
reduced size (the tests use it). Importing this package registers every demo
in ``DEMOS`` (in teaching order): the modules are found by a package
scan, ``ORDER`` first.
"""

from __future__ import annotations

from simulations.core.discover import import_modules

from amlab.demos.registry import DEMOS, Demo, register_demo  # noqa: F401  (the registry, used as amlab.demos.DEMOS)


#: Demos in teaching order (the order of ``amlab demo --list``); a module not named here follows by name.
ORDER = ("letters", "capacity", "mixtures", "dense_vs_classical", "attention", "amicl_switch", "induction", "forgetting")

import_modules(__name__, ORDER, skip=("registry",))

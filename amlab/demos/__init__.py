"""Scripted teaching demos: ``amlab demo [NAME] [--list] [--out DIR]``.

Each demo is a module with ``run(out_dir, *, small=False, seed=0, echo=print)``
that prints a short narrative, writes images (and an animated GIF where motion
teaches) into ``out_dir`` and returns their paths. ``small=True`` runs a
reduced size (the tests use it). Importing this package registers every demo
in ``DEMOS`` (in teaching order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict


@dataclass(frozen=True)
class Demo:
    name: str
    title: str
    func: Callable


DEMOS: Dict[str, Demo] = {}


def register_demo(name: str, *, title: str):
    """Decorator registering ``run(out_dir, *, small, seed, echo)`` under ``name``."""

    def deco(func):
        if name in DEMOS:
            raise ValueError(f"demo {name!r} is registered twice")
        DEMOS[name] = Demo(name, title, func)
        return func

    return deco


from amlab.demos import letters  # noqa: E402,F401
from amlab.demos import capacity  # noqa: E402,F401
from amlab.demos import mixtures  # noqa: E402,F401
from amlab.demos import dense_vs_classical  # noqa: E402,F401
from amlab.demos import attention  # noqa: E402,F401
from amlab.demos import amicl_switch  # noqa: E402,F401
from amlab.demos import induction  # noqa: E402,F401

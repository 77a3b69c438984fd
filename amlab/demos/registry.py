"""The registry of demos: ``Demo``, ``DEMOS`` and ``register_demo`` (each demo module registers itself)."""

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

"""The registry of demos: ``Demo``, ``DEMOS`` and ``register_demo`` (each demo module registers itself)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, TypeVar, Union


@dataclass(frozen=True)
class Demo:
    name: str
    title: str
    func: Callable


DEMOS: Dict[str, Demo] = {}

#: A demo's output folder, as ``run`` accepts it.
StrPath = Union[str, os.PathLike]
#: Where a demo prints its progress lines (``print`` by default).
Echo = Callable[[str], object]
_F = TypeVar("_F", bound=Callable[..., Any])


def register_demo(name: str, *, title: str) -> Callable[[_F], _F]:
    """Decorator registering ``run(out_dir, *, small, seed, echo)`` under ``name``."""

    def deco(func):
        if name in DEMOS:
            raise ValueError(f"demo {name!r} is registered twice")
        DEMOS[name] = Demo(name, title, func)
        return func

    return deco

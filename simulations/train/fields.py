"""The fields of a training configuration, declared as ``_amlab.params.Param`` and checked in one pass.

A configuration (``ICLConfig``, ``InductionConfig``) declares its scalar
fields as :class:`~_amlab.params.Param` and hands them to
:func:`check_fields`, which words a refusal as the configurations always
have (``K must be >= 1, got 0``, ``lr must be a finite number >= 0, got
-1``, ``optimizer must be one of ('sgd', 'adam'), got 'x'``). No JAX here.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence, Tuple

from _amlab.params import Param

__all__ = ["declare", "check_fields"]


def declare(config_class: type, ints: dict = {}, reals: dict = {}, flags: Sequence[str] = (),  # noqa: B006
            choices: dict = {}) -> Tuple[Param, ...]:  # noqa: B006
    """The ``Param`` of each named field of ``config_class``, its default taken from the dataclass.

    Parameters
    ----------
    config_class : dataclass type
        The configuration.
    ints : dict
        ``{field: minimum}`` for integer fields.
    reals : dict
        ``{field: (minimum, maximum, strict)}`` for real fields (``maximum`` may be ``None``).
    flags : sequence of str
        Boolean fields.
    choices : dict
        ``{field: allowed values}`` for string fields.
    """
    default = {f.name: f.default for f in dataclasses.fields(config_class)}
    doc = f"a field of {config_class.__name__}"
    return (*[Param(n, "int", default[n], doc, minimum=lo) for n, lo in ints.items()],
            *[Param(n, "float", default[n], doc, minimum=lo, maximum=hi, strict=strict)
              for n, (lo, hi, strict) in reals.items()],
            *[Param(n, "bool", default[n], doc) for n in flags],
            *[Param(n, "str", default[n], doc, choices=tuple(c)) for n, c in choices.items()])


def check_fields(config: Any, fields: Sequence[Param]) -> None:
    """Raise ``TypeError``/``ValueError`` naming the first of ``fields`` that ``config`` breaks.

    The order of the checks: every integer (type, then minimum), then the type,
    finiteness and sign of every real, then the reals' upper bounds, then
    their strict lower bounds (``lr > 0``), then booleans and choices.
    """
    values = [(p, getattr(config, p.name)) for p in fields]
    for p, val in values:
        if p.kind == "int" and p.fault(val, exact=True) is not None:
            if p.fault(val, exact=True) == "type":
                raise TypeError(f"{p.name} must be an integer, got {val!r}")
            raise ValueError(f"{p.name} must be >= {p.minimum}, got {val}")
    reals = [(p, val) for p, val in values if p.kind == "float"]
    for p, val in reals:
        fault = p.fault(val)
        if fault in ("type", "none"):
            raise TypeError(f"{p.name} must be a number, got {val!r}")
        if fault == "finite" or fault == "minimum" and val < p.minimum:
            raise ValueError(f"{p.name} must be a finite number >= {p.minimum}, got {val}")
    for p, val in reals:
        if p.fault(val) == "maximum":
            raise ValueError(f"{p.name} must be in [{p.minimum}, {p.maximum}], got {val}")
    for p, val in reals:
        if p.fault(val) == "minimum":
            raise ValueError(f"{p.name} must be > {p.minimum}, got {val}")
    for p, val in values:
        if p.kind == "bool" and (p.fault(val) is not None or not isinstance(val, bool)):  # not numpy.bool_: JSON
            raise TypeError(f"{p.name} must be True or False, got {val!r}")
        if p.kind == "str" and p.fault(val) is not None:
            raise ValueError(f"{p.name} must be one of {p.choices}, got {val!r}")

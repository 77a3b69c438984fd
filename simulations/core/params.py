"""Typed parameter declarations: one place that says what a parameter accepts.

A ``Param`` states a parameter's type, range, default and meaning. The same
declaration validates values (from Python or the command line), prints
``amlab list estimators`` and builds the parameter table of docs/cli.md, so
the three cannot disagree.

Integers: an exactly integral float (``1e3``, ``1000.0``) is accepted and
canonicalised to the int (``1000``), so ``N=1e3`` and ``N=1000`` are the same
point with the same seed; ``100.5`` is refused. Reals: an int is canonicalised
to the float (``alpha=1`` is ``alpha=1.0``); NaN and infinities are refused.
Booleans: only ``True``/``False`` (``true``/``false`` on the command line).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Optional, Tuple

_KINDS = ("int", "float", "bool", "str")


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    Parameters
    ----------
    name : str
        The parameter's name (the paper's symbol in ASCII where there is one).
    kind : {"int", "float", "bool", "str"}
        Its type.
    default : object
        Value used when the parameter is not given (``None``: "not given",
        allowed only when ``nullable``).
    doc : str
        One line saying what it is.
    minimum, maximum : float, optional
        Inclusive bounds (``minimum`` exclusive when ``strict``).
    strict : bool
        Whether ``minimum`` is excluded (``alpha > 0``).
    choices : tuple of str
        Allowed values of a ``str`` parameter.
    nullable : bool
        Whether ``None`` is allowed (parameters of a "give one of" group).

    Examples
    --------
    >>> Param("N", "int", 100, "neurons", minimum=1).coerce(1e3)
    1000
    >>> Param("alpha", "float", 0.1, "load", minimum=0, strict=True).describe()
    'float > 0'
    """

    name: str
    kind: str
    default: object
    doc: str
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    strict: bool = False
    choices: Tuple[str, ...] = ()
    nullable: bool = False

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"Param {self.name!r}: kind must be one of {_KINDS}, got {self.kind!r}")
        if self.default is not None or not self.nullable:
            self.coerce(self.default)  # a declaration whose default it refuses is a bug

    def describe(self) -> str:
        """The accepted values in words (``int >= 1``, ``one of poly, exp``, ...)."""
        if self.kind == "str" and self.choices:
            text = "one of " + ", ".join(self.choices)
        elif self.kind == "bool":
            text = "true or false"
        else:
            parts = []
            if self.minimum is not None:
                parts.append(f"{'>' if self.strict else '>='} {self.minimum:g}")
            if self.maximum is not None:
                parts.append(f"<= {self.maximum:g}")
            text = self.kind + (" " + " and ".join(parts) if parts else "")
        return text + (" or none" if self.nullable else "")

    def _bad(self, value, what=None):
        return ValueError(f"parameter {self.name}={value!r}: expected {what or self.describe()}")

    def coerce(self, value):
        """``value`` in canonical form, or ``ValueError`` naming the parameter, the value and what is expected."""
        if value is None:
            if self.nullable:
                return None
            raise self._bad(value)
        if self.kind == "bool":
            if isinstance(value, bool) or type(value).__name__ == "bool_":
                return bool(value)
            raise self._bad(value)
        if self.kind == "str":
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise self._bad(value)
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self._bad(value)
        x = float(value)
        if not math.isfinite(x):
            raise self._bad(value, f"a finite {self.describe()}")
        if self.kind == "int":
            if isinstance(value, numbers.Integral):
                x = int(value)
            elif x.is_integer():
                x = int(x)
            else:
                raise self._bad(value, f"an integer ({self.describe()})")
        if self.minimum is not None and (x <= self.minimum if self.strict else x < self.minimum):
            raise self._bad(value)
        if self.maximum is not None and x > self.maximum:
            raise self._bad(value)
        return x

"""Typed parameter declarations: one place that says what a parameter accepts.

A ``Param`` states a parameter's type, range, default and meaning. The same
declaration validates values (from Python or the command line), prints
``amlab list estimators`` and builds the parameter table of docs/cli.md, so
the three cannot disagree. The simulators (``hopfield``), the theory's
argument domains (``theory.formula.DOMAINS``), the estimators and the training
configurations all declare their scalar parameters with it.

One declaration, two wordings of a refusal, both naming the parameter, the
value and what is expected:

- :meth:`Param.coerce` (estimators, sweeps, the command line): lenient about
  the type and canonicalising. Integers: an exactly integral float (``1e3``,
  ``1000.0``) is accepted and canonicalised to the int (``1000``), so
  ``N=1e3`` and ``N=1000`` are the same point with the same seed; ``100.5``
  is refused. Reals: an int is canonicalised to the float (``alpha=1`` is
  ``alpha=1.0``); NaN and infinities are refused. Booleans: only
  ``True``/``False`` (``true``/``false`` on the command line). Message:
  ``parameter N=0: expected int >= 1``.
- :meth:`Param.check` (the library's functions): exact about the type (an
  integer parameter takes an integer, not ``1000.0``), ``TypeError`` for a
  wrong type and ``ValueError`` for a value out of range. Message:
  ``N must be >= 1, got 0``.

:meth:`Param.fault` says which rule a value breaks; both wordings (and any
caller with a wording of its own) are built on it. :func:`check_int`,
:func:`check_real` and :func:`check_choice` are :meth:`Param.check` for a
parameter declared on the spot.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Optional, Tuple

__all__ = ["Param", "check_int", "check_real", "check_choice"]

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
        Bounds, inclusive unless ``strict`` (for ``minimum``) or
        ``strict_max`` (for ``maximum``).
    strict : bool
        Whether ``minimum`` is excluded (``alpha > 0``).
    choices : tuple of str
        Allowed values of a ``str`` parameter.
    nullable : bool
        Whether ``None`` is allowed (parameters of a "give one of" group).
    strict_max : bool
        Whether ``maximum`` is excluded (``0 <= rho < 1/2``).
    text : str
        The range in words when the bounds' own words will not do (``"in
        [0, 1/2)"``); see :meth:`range_text`.

    Examples
    --------
    >>> Param("N", "int", 100, "neurons", minimum=1).coerce(1e3)
    1000
    >>> Param("alpha", "float", 0.1, "load", minimum=0, strict=True).describe()
    'float > 0'
    >>> Param("N", "int", 100, "neurons", minimum=1).check(0)
    Traceback (most recent call last):
    ...
    ValueError: N must be >= 1, got 0
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
    strict_max: bool = False
    text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Param {self.name!r}: kind must be one of {_KINDS}, got {self.kind!r}")
        if self.default is not None or not self.nullable:
            self.coerce(self.default)  # a declaration whose default it refuses is a bug

    # ------------------------------------------------------------------ words
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
                parts.append(f"{'<' if self.strict_max else '<='} {self.maximum:g}")
            text = self.kind + (" " + " and ".join(parts) if parts else "")
        return text + (" or none" if self.nullable else "")

    def range_text(self) -> str:
        """The numeric range in words, as ``check`` and the theory's domains say it.

        ``text`` when given; else ``>= 2``, ``> 0``, ``< 1``, ``in [0, 1]``,
        ``in the open interval (0, 0.5)``, ``in (0, 1]``, or ``finite`` when
        there is no bound.

        Examples
        --------
        >>> Param("p", "float", 0.1, "", minimum=0, maximum=1, strict=True, strict_max=True).range_text()
        'in the open interval (0, 1)'
        """
        if self.text:
            return self.text
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            if self.strict and self.strict_max:
                return f"in the open interval ({lo}, {hi})"
            return f"in {'(' if self.strict else '['}{lo}, {hi}{')' if self.strict_max else ']'}"
        if lo is not None:
            return f"{'>' if self.strict else '>='} {lo}"
        if hi is not None:
            return f"{'<' if self.strict_max else '<='} {hi}"
        return "finite"

    # ------------------------------------------------------------------ rules
    def below(self, x: Any) -> Any:
        """Whether number(s) ``x`` lie below the range (works elementwise on arrays)."""
        if self.minimum is None:
            return _false_like(x)
        return x <= self.minimum if self.strict else x < self.minimum

    def above(self, x: Any) -> Any:
        """Whether number(s) ``x`` lie above the range (works elementwise on arrays)."""
        if self.maximum is None:
            return _false_like(x)
        return x >= self.maximum if self.strict_max else x > self.maximum

    def fault(self, value: Any, exact: bool = False) -> Optional[str]:
        """The first rule ``value`` breaks, or ``None`` if it is accepted.

        Parameters
        ----------
        value : object
            A candidate value.
        exact : bool
            Whether an ``int`` parameter refuses an integral float (``1000.0``).

        Returns
        -------
        str or None
            ``"none"``, ``"type"``, ``"choice"``, ``"finite"``, ``"integer"``,
            ``"minimum"`` or ``"maximum"``.

        Examples
        --------
        >>> p = Param("N", "int", 100, "neurons", minimum=1)
        >>> p.fault(1000.0), p.fault(1000.0, exact=True), p.fault(0), p.fault(2.5)
        (None, 'type', 'minimum', 'integer')
        """
        if value is None:
            return None if self.nullable else "none"
        if self.kind == "bool":
            return None if isinstance(value, bool) or type(value).__name__ == "bool_" else "type"
        if self.kind == "str":
            if not isinstance(value, str):
                return "type"
            return "choice" if self.choices and value not in self.choices else None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return "type"
        if not isinstance(value, numbers.Integral):  # an integer is finite and integral (and may not fit a float)
            if exact and self.kind == "int":
                return "type"
            x = float(value)
            if not math.isfinite(x):
                return "finite"
            if self.kind == "int" and not x.is_integer():
                return "integer"
        x = self._number(value)
        if self.below(x):
            return "minimum"
        if self.above(x):
            return "maximum"
        return None

    def _number(self, value):
        if self.kind == "int":
            return int(value) if isinstance(value, numbers.Integral) else int(float(value))
        return float(value)

    # ------------------------------------------------------------------ wordings
    def _bad(self, value, what=None):
        return ValueError(f"parameter {self.name}={value!r}: expected {what or self.describe()}")

    def coerce(self, value: Any) -> Any:
        """``value`` in canonical form, or ``ValueError`` naming the parameter, the value and what is expected."""
        fault = self.fault(value)
        if fault == "finite":
            raise self._bad(value, f"a finite {self.describe()}")
        if fault == "integer":
            raise self._bad(value, f"an integer ({self.describe()})")
        if fault is not None:
            raise self._bad(value)
        if value is None or self.kind == "str":
            return value
        if self.kind == "bool":
            return bool(value)
        return self._number(value)

    def check(self, value: Any) -> Any:
        """``value`` in canonical form (exact types), or ``TypeError``/``ValueError`` saying what was expected.

        Messages: ``N must be an integer, got 1.5 (float)``, ``beta must be a
        real number, got 'x' (str)``, ``beta must be finite, got nan``, ``N
        must be >= 1, got 0``, ``count must be <= 10, got 11``, ``rule must be
        one of ['async', 'sync'], got 'x'`` (``TypeError`` when not a string),
        ``flag must be True or False, got 1``.
        """
        fault = self.fault(value, exact=True)
        if fault is None:
            if value is None or self.kind == "str":
                return value
            return bool(value) if self.kind == "bool" else self._number(value)
        name = self.name
        if self.kind == "str" or fault == "choice":
            err = TypeError if fault == "type" else ValueError
            raise err(f"{name} must be one of {sorted(self.choices)}, got {value!r}")
        if self.kind == "bool":
            raise TypeError(f"{name} must be True or False, got {value!r}")
        if fault in ("type", "none"):
            what = "an integer" if self.kind == "int" else "a real number"
            raise TypeError(f"{name} must be {what}, got {value!r} ({type(value).__name__})")
        if fault == "finite":
            raise ValueError(f"{name} must be finite, got {float(value)}")
        x = self._number(value)
        if fault == "minimum":
            raise ValueError(f"{name} must be {'>' if self.strict else '>='} {self.minimum}, got {x}")
        raise ValueError(f"{name} must be {'<' if self.strict_max else '<='} {self.maximum}, got {x}")


def _false_like(x):
    """``False`` shaped like ``x`` (a bool for a scalar, a bool array for an array)."""
    shape = getattr(x, "shape", None)
    if shape:
        import numpy as np

        return np.zeros(shape, dtype=bool)
    return False


@lru_cache(maxsize=512, typed=True)  # typed: a bound of 0 and of 0.0 print differently
def _declared(name, kind, minimum=None, maximum=None, strict=False, choices=()) -> Param:
    return Param(name, kind, None, "", minimum=minimum, maximum=maximum, strict=strict, choices=tuple(choices),
                 nullable=True)


def check_int(value: Any, name: str, minimum: Optional[int] = None, maximum: Optional[int] = None) -> int:
    """``value`` as a Python int, or ``TypeError``/``ValueError`` (see :meth:`Param.check`).

    Examples
    --------
    >>> check_int(3, "n", minimum=2)
    3
    >>> check_int(3.0, "n")
    Traceback (most recent call last):
    ...
    TypeError: n must be an integer, got 3.0 (float)
    """
    if value is None:
        raise TypeError(f"{name} must be an integer, got None (NoneType)")
    return _declared(name, "int", minimum, maximum).check(value)


def check_real(value: Any, name: str, minimum: Optional[float] = None, strict: bool = False) -> float:
    """``value`` as a finite float, or ``TypeError``/``ValueError`` (see :meth:`Param.check`).

    Examples
    --------
    >>> check_real(1, "beta", minimum=0, strict=True)
    1.0
    >>> check_real(0, "beta", minimum=0, strict=True)
    Traceback (most recent call last):
    ...
    ValueError: beta must be > 0, got 0.0
    """
    if value is None:
        raise TypeError(f"{name} must be a real number, got None (NoneType)")
    return _declared(name, "float", minimum, strict=strict).check(value)


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices``; ``TypeError`` if not a string, else ``ValueError``."""
    choices = tuple(choices)
    if value is None:
        raise TypeError(f"{name} must be one of {sorted(choices)}, got None")
    return _declared(name, "str", choices=choices).check(value)

"""The ``Formula`` object: a SymPy expression with its numeric evaluator and its provenance.

Every closed form in ``theory`` is returned as a :class:`Formula`. It carries

* ``expr``: the SymPy expression, built from symbols with assumptions
  (``N`` positive integer, ``beta`` positive, ...);
* ``symbols``: the ordered tuple of its arguments; ``evaluate`` takes them by
  keyword, and the positional order of the generated numeric function is this
  order;
* ``source``, ``assumptions`` and ``definition`` (which notion of capacity or
  error the formula expresses).

``evaluate(**values)`` broadcasts over NumPy arrays, so a whole grid is one call::

    >>> import numpy as np
    >>> from theory.classical import bit_error
    >>> f = bit_error()
    >>> f.evaluate(N=np.array([100, 1000])[:, None], P=np.array([5, 10, 20])).shape
    (2, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Dict, Iterable, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike
import scipy.special
import sympy as sp

from _amlab import params
from _amlab.params import Param

__all__ = ["Formula", "validate", "DOMAINS", "xlogy", "sym"]


class xlogy(sp.Function):
    """``x * log(y)`` with the convention ``0 * log(0) = 0`` (SciPy's ``xlogy``)."""

    @classmethod
    def eval(cls, x: sp.Expr, y: sp.Expr) -> Optional[sp.Expr]:
        if x.is_zero:
            return sp.S.Zero
        if x.is_Number and y.is_Number:
            return x * sp.log(y)
        return None

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return x * sp.log(y)

    def _eval_evalf(self, prec):
        x, y = self.args
        if x.is_zero:
            return sp.Float(0, prec)
        return (x * sp.log(y)).evalf(prec)

    def _latex(self, printer):
        from sympy.printing.precedence import PRECEDENCE

        x = printer.parenthesize(self.args[0], PRECEDENCE["Add"])
        y = printer._print(self.args[1])
        return rf"{x} \log{{\left({y} \right)}}"


#: Functions without a NumPy/SciPy namesake, handed to ``lambdify``.
EXTRA_MODULES: Dict[str, Callable] = {"xlogy": scipy.special.xlogy}


# --------------------------------------------------------------------------- domains
def _domain(name: str, doc: str, **bounds) -> Param:
    return Param(name, "float", None, doc, nullable=True, **bounds)


def _gt(name, lo, doc):
    return _domain(name, doc, minimum=lo, strict=True)


def _ge(name, lo, doc):
    return _domain(name, doc, minimum=lo)


def _open(name, lo, hi, doc):
    return _domain(name, doc, minimum=lo, maximum=hi, strict=True, strict_max=True)


#: Admissible values of the arguments, by symbol name: ``_amlab.params.Param`` declarations (the bounds;
#: whether a value must be an integer follows the symbol's assumptions, see ``Formula.evaluate``).
DOMAINS: Dict[str, Param] = {d.name: d for d in (
    _ge("N", 2, "neurons / stored patterns in the modern network"),
    _ge("P", 1, "stored patterns"),
    _ge("K", 1, "stored patterns of a dense memory"),
    _gt("M", 0, "stored patterns (real continuation)"),
    _ge("n", 2, "interaction order"),
    _ge("L", 0, "order of a term"),
    _ge("d", 2, "dimension"),
    _ge("V", 2, "vocabulary size"),
    _domain("rho", "fraction of cue bits flipped", minimum=0, maximum=0.5, strict_max=True, text="in [0, 1/2)"),
    _gt("beta", 0, "inverse temperature"),
    _ge("T", 0, "temperature"),
    _gt("alpha", 0, "load"),
    _open("p_err", 0, 0.5, "bit-error probability"),
    _open("threshold", 0, 0.5, "error threshold"),
    _open("q", 0, 1, "probability"),
    _open("p", 0, 1, "probability"),
    _domain("Delta", "gap (any finite value)"),
    _ge("dist", 0, "distance"),
    _gt("y", 0, "argument of a positive function"),
    _gt("alpha_zipf", 1, "Zipf exponent"),
)}


def validate(name: str, value: Any, integer: bool = False) -> np.ndarray:
    """Check one numeric argument against its domain; return it as a float64 array.

    Parameters
    ----------
    name : str
        Argument name; its domain is ``DOMAINS[name]`` (e.g. ``N >= 2``,
        ``0 <= rho < 1/2``, ``beta > 0``). Names without a domain only need to
        be finite real numbers.
    value : scalar or array_like
        The value(s); every entry must satisfy the domain.
    integer : bool
        Also require integer values (``n``, the exponent of a dense memory).

    Raises
    ------
    TypeError
        If ``value`` is not a real number or a real numeric array.
    ValueError
        If an entry is NaN, infinite or outside the domain; the message names
        the parameter, the offending value and what was expected.

    Examples
    --------
    >>> validate("rho", [0.0, 0.25]).tolist()
    [0.0, 0.25]
    >>> validate("N", 1)
    Traceback (most recent call last):
    ...
    ValueError: N must be >= 2, got 1
    """
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number or array, got {value!r} ({type(value).__name__})")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a real number or array, got {type(value).__name__}") from exc
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be a real number or array, got dtype {arr.dtype} ({value!r})")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0]
        raise ValueError(f"{name} must be finite, got {bad}")
    if integer and not np.all(arr == np.round(arr)):
        bad = arr[arr != np.round(arr)].ravel()[0]
        raise ValueError(f"{name} must be an integer, got {bad}")
    if name in DOMAINS:
        domain = DOMAINS[name]
        ok = ~np.asarray(domain.below(arr) | domain.above(arr))
        if not np.all(ok):
            bad = arr[~ok].ravel()[0]
            shown = int(bad) if bad == int(bad) else bad
            raise ValueError(f"{name} must be {domain.range_text()}, got {shown}")
    return arr


def check_int(value: Any, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as a Python int (for structural arguments such as ``n``), or raise (``_amlab.params``)."""
    return params.check_int(value, name, minimum)


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else ``ValueError`` naming the parameter (``_amlab.params``)."""
    try:
        return params.check_choice(value, name, choices)
    except TypeError as exc:  # not a string: theory says ValueError, as for any other refused choice
        raise ValueError(str(exc)) from None


# --------------------------------------------------------------------------- symbols
_ASSUMPTIONS = {
    "N": dict(integer=True, positive=True),
    "P": dict(integer=True, positive=True),
    "K": dict(integer=True, positive=True),
    "L": dict(integer=True, nonnegative=True),
    "n": dict(integer=True, positive=True),
    "d": dict(integer=True, positive=True),
    "M": dict(positive=True),
    "V": dict(integer=True, positive=True),
    "rho": dict(nonnegative=True),
    "beta": dict(positive=True),
    "alpha": dict(positive=True),
    "p_err": dict(positive=True),
    "threshold": dict(positive=True),
    "q": dict(positive=True),
    "p": dict(positive=True),
    "y": dict(positive=True),
    "Delta": dict(real=True),
    "dist": dict(nonnegative=True),
    "T": dict(nonnegative=True),
}


def sym(name: str, **assumptions) -> sp.Symbol:
    """The package's SymPy symbol ``name`` with its standard assumptions (``N``: positive integer...)."""
    kw = dict(_ASSUMPTIONS.get(name, dict(real=True)))
    kw.update(assumptions)
    return sp.Symbol(name, **kw)


def Phi(x: Union[sp.Expr, float]) -> sp.Expr:
    """Standard normal CDF as a SymPy expression, written with ``erfc`` (accurate in the lower tail)."""
    return sp.erfc(-x / sp.sqrt(2)) / 2


class erfcinv(sp.erfcinv):
    """SymPy's ``erfcinv`` with arbitrary-precision ``evalf`` (through ``mpmath.erfinv``).

    Printed and lambdified exactly like ``sympy.erfcinv`` (SciPy's ``erfcinv``).
    """

    def _eval_evalf(self, prec):
        import mpmath

        x = self.args[0].evalf(prec)
        if not x.is_Number:
            return None
        with mpmath.workprec(prec + 20):
            return sp.Float(mpmath.erfinv(1 - mpmath.mpf(str(x))), sp.core.evalf.prec_to_dps(prec))


def Phi_inv_upper(p: Union[sp.Expr, float]) -> sp.Expr:
    """``Phi^{-1}(1 - p)`` as a SymPy expression (``sqrt(2) erfcinv(2 p)``)."""
    return sp.sqrt(2) * erfcinv(2 * p)


# --------------------------------------------------------------------------- Formula
@dataclass(frozen=True)
class Formula:
    """A closed-form result: SymPy expression, numeric evaluator and provenance.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"classical.bit_error"``.
    expr : sympy.Expr
        The expression.
    symbols : tuple of sympy.Symbol
        Its arguments, in the order of the generated numeric function.
    source : str
        Paper and equation (or section) it comes from.
    assumptions : str
        Approximations and conditions under which it holds.
    definition : str
        What it measures: which notion of capacity or error.
    integer_args : tuple of str
        Arguments that must be integers when evaluated (checked by ``evaluate``).

    Examples
    --------
    >>> from theory.formula import Formula, sym
    >>> N, P = sym("N"), sym("P")
    >>> f = Formula("ratio", P / N, (N, P), source="-", assumptions="-", definition="load")
    >>> float(f.evaluate(N=100, P=14))
    0.14
    """

    name: str
    expr: sp.Expr
    symbols: Tuple[sp.Symbol, ...]
    source: str
    assumptions: str
    definition: str
    integer_args: Tuple[str, ...] = ()

    def __post_init__(self):
        free = {s.name for s in self.expr.free_symbols}
        names = [s.name for s in self.symbols]
        missing = free - set(names)
        if missing:
            raise ValueError(f"symbols of {self.name!r} omit free symbol(s) {sorted(missing)} of its expression")
        if len(set(names)) != len(names):
            raise ValueError(f"symbols of {self.name!r} repeat a name: {names}")

    @property
    def names(self) -> Tuple[str, ...]:
        """Argument names in order."""
        return tuple(s.name for s in self.symbols)

    def latex(self) -> str:
        """LaTeX of the expression."""
        return sp.latex(self.expr)

    def _repr_latex_(self) -> str:
        """The expression as display LaTeX (Jupyter renders a ``Formula`` with it)."""
        return f"$\\displaystyle {self.latex()}$"

    def __str__(self) -> str:
        args = ", ".join(self.names)
        return f"{self.name}({args}) = {sp.sstr(self.expr)}"

    @cached_property
    def numeric(self) -> Callable:
        """The lambdified function; positional arguments in the order of ``symbols``."""
        return sp.lambdify(self.symbols, self.expr, modules=[EXTRA_MODULES, "numpy", "scipy"])

    def evaluate(self, **values: ArrayLike) -> Union[float, np.ndarray]:
        """Evaluate numerically, broadcasting NumPy arrays.

        Parameters
        ----------
        **values : scalar or array_like
            One keyword per argument of ``symbols`` (see ``names`` for the
            order of the underlying positional function). Arrays broadcast
            against each other with NumPy rules.

        Returns
        -------
        float or ndarray of float64
            A float for scalar input, else an array of the broadcast shape.
            Results that are complex with zero imaginary part (Lambert W) are
            returned real.

        Raises
        ------
        TypeError
            On a missing or unknown argument, or a non-numeric value.
        ValueError
            On a value outside the argument's domain (see ``DOMAINS``), or a
            non-integral value of an integer symbol (``N=100.5`` for a symbol
            declared ``integer=True``, see ``sym``); use ``evaluate_continuous``
            for the formula's real continuation (root finding, smooth curves).
        """
        return self._evaluate(values, continuous=False)

    def evaluate_continuous(self, **values: ArrayLike) -> Union[float, np.ndarray]:
        """``evaluate`` with integer symbols taken as real (the formula's continuation between integers).

        For root finding and smooth curves, e.g. the real ``P`` at which a
        probability crosses 1/2. Arguments in ``integer_args`` must still be
        integers (the formula has no meaning between them).

        Examples
        --------
        >>> from theory.formula import Formula, sym
        >>> N, P = sym("N"), sym("P")
        >>> f = Formula("ratio", P / N, (N, P), source="-", assumptions="-", definition="load")
        >>> float(f.evaluate_continuous(N=100, P=14.5))
        0.145
        """
        return self._evaluate(values, continuous=True)

    def _evaluate(self, values: dict, continuous: bool):
        names = self.names
        unknown = sorted(set(values) - set(names))
        missing = [n for n in names if n not in values]
        if unknown or missing:
            parts = []
            if missing:
                parts.append(f"missing argument(s) {missing}")
            if unknown:
                parts.append(f"unknown argument(s) {unknown}")
            raise TypeError(f"{self.name}.evaluate({', '.join(names)}): " + "; ".join(parts))
        args = [validate(n, values[n], integer=n in self.integer_args or (not continuous and bool(s.is_integer)))
                for n, s in zip(names, self.symbols)]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = self.numeric(*args)
        out = np.asarray(out)
        if np.iscomplexobj(out):
            if np.all(np.abs(out.imag) <= 1e-12 * np.maximum(1.0, np.abs(out.real))):
                out = out.real
        shape = np.broadcast_shapes(*(a.shape for a in args)) if args else ()
        out = np.broadcast_to(out, shape).astype(out.dtype, copy=True) if out.shape != shape else out
        return float(out) if out.ndim == 0 and not np.iscomplexobj(out) else out

    def subs(self, **values) -> sp.Expr:
        """The expression with some or all arguments substituted exactly (SymPy numbers)."""
        table = {s: sp.nsimplify(values[s.name]) if isinstance(values[s.name], float) else values[s.name]
                 for s in self.symbols if s.name in values}
        return self.expr.subs(table)

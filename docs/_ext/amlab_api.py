"""Sphinx extension of amlab's API reference: Formula objects rendered as LaTeX.

A function of ``theory`` that returns a :class:`theory.formula.Formula` gets,
below its docstring, the formula it returns: its expression as display math
(``Formula.latex()``), its source, its definition and its assumptions. A
function whose arguments all have defaults is shown with the defaults; one that
needs an argument named in :data:`EXAMPLE_ARGS` is shown at that value (the
page says which); any other is left as its docstring alone.

The module also holds :func:`docs_quick`, the reading of ``AMLAB_DOCS_QUICK``
that ``docs/conf.py`` uses, so that the check of its value is tested.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, List, Optional

#: Values at which a formula with a required argument is shown (the order n = 3 of the dense
#: memory is Krotov & Hopfield's example; docs/dense.md).
EXAMPLE_ARGS: Dict[str, Any] = {"n": 3}

#: Values of ``AMLAB_DOCS_QUICK`` and what they mean.
_QUICK_VALUES = {None: False, "": False, "0": False, "1": True}


def docs_quick(value: Optional[str]) -> bool:
    """Read the value of the environment variable ``AMLAB_DOCS_QUICK``.

    Parameters
    ----------
    value : str or None
        The variable's value (``None`` when unset).

    Returns
    -------
    bool
        True for ``"1"`` (build at quick size), False when unset, empty or ``"0"``.

    Raises
    ------
    ValueError
        For any other value, naming the variable and the values it takes.

    Examples
    --------
    >>> docs_quick("1"), docs_quick(None)
    (True, False)
    """
    if value not in _QUICK_VALUES:
        raise ValueError(f"AMLAB_DOCS_QUICK must be unset, empty, '0' or '1' (got {value!r})")
    return _QUICK_VALUES[value]


def formula_call(func: Callable) -> Optional[Dict[str, Any]]:
    """The arguments with which to call ``func`` to show the Formula it returns, or None.

    Parameters
    ----------
    func : callable
        A function of ``theory`` (possibly wrapped, e.g. by ``functools.lru_cache``).

    Returns
    -------
    dict or None
        Keyword arguments (empty when every parameter has a default), or None
        when ``func`` is not annotated to return a ``Formula`` or needs an
        argument not in :data:`EXAMPLE_ARGS`.
    """
    inner = inspect.unwrap(func)
    if not inspect.isfunction(inner):
        return None
    returns = inner.__annotations__.get("return")
    name = returns if isinstance(returns, str) else getattr(returns, "__name__", "")
    if name != "Formula":
        return None
    kwargs = {}
    for param in inspect.signature(inner).parameters.values():
        if param.default is not inspect.Parameter.empty:
            continue
        if param.name not in EXAMPLE_ARGS or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            return None
        kwargs[param.name] = EXAMPLE_ARGS[param.name]
    return kwargs


def formula_lines(func: Callable) -> List[str]:
    """reStructuredText that shows the Formula ``func`` returns (empty if it returns none).

    Parameters
    ----------
    func : callable
        A function of ``theory``.

    Returns
    -------
    list of str
        The lines to append to its docstring: a rubric, the display math and
        the formula's source, definition and assumptions.

    Examples
    --------
    >>> from theory.classical import bit_error
    >>> lines = formula_lines(bit_error)
    >>> lines[0], ".. math::" in lines
    ('.. rubric:: Formula', True)
    """
    from theory.formula import Formula

    kwargs = formula_call(func)
    if kwargs is None:
        return []
    formula = func(**kwargs)
    if not isinstance(formula, Formula):
        raise TypeError(f"{func.__module__}.{func.__name__} is annotated to return a Formula "
                        f"but returned {type(formula).__name__}")
    shown = ", ".join(f"{k} = {v!r}" for k, v in kwargs.items())
    lines = ["", ".. rubric:: Formula", ""]
    if shown:
        lines += [f"Shown for {shown}.", ""]
    lines += [".. math::", ""]
    lines += ["   " + line for line in formula.latex().splitlines()]
    lines += [""]
    for field in ("source", "definition", "assumptions"):
        text = " ".join(str(getattr(formula, field)).split())
        if text:
            lines.append(f":{field.capitalize()}: {_escape(text)}")
    lines.append("")
    return lines[1:]


def _escape(text: str) -> str:
    """Text with the characters that reStructuredText reads as markup escaped."""
    for char in ("\\", "*", "`", "|", "_"):
        text = text.replace(char, "\\" + char)
    return text


def _append_formula(app, what, name, obj, options, lines):
    """``autodoc-process-docstring`` handler: append the Formula of a theory function."""
    if what != "function" or not name.startswith("theory."):
        return
    lines.extend([""] + formula_lines(obj))


def setup(app):
    """Register the config value ``amlab_docs_quick`` and the Formula rendering."""
    app.add_config_value("amlab_docs_quick", False, "env", types=[bool])
    # after numpydoc (priority 500), so the formula follows the docstring's sections
    app.connect("autodoc-process-docstring", _append_formula, priority=600)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

"""Named estimators: simulations that turn parameters and a seed into numbers.

An estimator is a function ``f(*, seed, **params) -> dict`` of plain numbers
(int, float, bool). ``amlab sweep ESTIMATOR`` runs one over a grid of
parameters; the checks call the same functions. Every estimator draws all its
randomness from ``seed`` (through ``numpy.random.SeedSequence`` and the
simulators' own seeds), so equal parameters and seed give equal numbers on any
machine, thread count or backend.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from _amlab.params import Param


@dataclass(frozen=True)
class Estimator:
    """A registered estimator (see ``register_estimator``).

    ``params`` declares each parameter (type, range, default, meaning);
    ``one_of`` lists groups of parameters of which at most one may be given
    (``("P", "alpha")``); ``check`` validates combinations of parameters
    (memory, derived sizes) and raises ``ValueError``. An estimator built with
    ``defaults`` alone (no declarations) only has its parameter names checked.
    """

    name: str
    title: str
    func: Callable[..., dict]
    defaults: Dict
    params: Tuple[Param, ...] = ()
    one_of: Tuple[Tuple[str, ...], ...] = ()
    check: Optional[Callable[[dict], None]] = None

    def validate(self, given: dict) -> dict:
        """The given parameters in canonical form (see ``_amlab.params``), or ``ValueError``.

        Only the parameters given are returned (defaults are not filled in),
        so the seed key of a point names what was asked for. In a ``one_of``
        group, giving one member drops the others' defaults; giving two is an
        error.
        """
        out = self.coerce(given)
        for group in self.one_of:
            named = [k for k in group if out.get(k) is not None]
            if len(named) > 1:
                raise ValueError(f"give one of {', '.join(group)}, not several "
                                 f"(got {', '.join(f'{k}={out[k]!r}' for k in named)})")
        full = self.resolve(out)
        if self.check is not None:
            self.check(full)
        return out

    def coerce(self, given: dict) -> dict:
        """Each given value in canonical form; unknown names and refused values raise ``ValueError``."""
        if not isinstance(given, dict):
            raise TypeError(f"parameters of estimator {self.name!r} must be a dict, got {type(given).__name__}")
        unknown = sorted(map(str, set(given) - set(self.defaults)))
        if unknown:
            raise ValueError(f"estimator {self.name} takes {', '.join(sorted(self.defaults))}; "
                             f"unknown: {', '.join(unknown)}")
        decl = {p.name: p for p in self.params}
        return {k: (decl[k].coerce(v) if k in decl else v) for k, v in given.items()}

    def resolve(self, given: dict) -> dict:
        """Every parameter: ``given`` over the defaults, ``one_of`` groups settled."""
        full = {**self.defaults, **given}
        for group in self.one_of:
            named = [k for k in group if given.get(k) is not None]
            if named:
                full.update({k: None for k in group if k not in named})
            elif all(full.get(k) is None for k in group):
                raise ValueError(f"give one of {', '.join(group)}")
        return full


ESTIMATORS: Dict[str, Estimator] = {}

#: Former names still accepted (old name -> name), with a deprecation notice on the command line.
ALIASES: Dict[str, str] = {}


def register_estimator(name: str, *, title: str, params: Sequence[Param] = (), defaults: Optional[dict] = None,
                       one_of: Sequence[Sequence[str]] = (), check: Optional[Callable[[dict], None]] = None,
                       aliases: Sequence[str] = ()) -> Callable[[Callable[..., dict]], Callable[..., dict]]:
    """Decorator registering ``func(*, seed, **params) -> dict`` under ``name``.

    Parameters
    ----------
    name : str
        Name used by ``amlab sweep``; the name of the check it serves where there is one.
    title : str
        One line saying what it estimates.
    params : sequence of Param
        One declaration per parameter (type, range, default, meaning); it
        drives validation, ``amlab list estimators`` and docs/cli.md.
    defaults : dict, optional
        Undeclared parameters with their defaults (names checked, values not).
    one_of : sequence of tuples of names
        Groups of which at most one may be given (``("P", "alpha")``).
    check : callable, optional
        ``check(full_params)`` raising ``ValueError`` on a bad combination.
    aliases : sequence of str
        Former names that still resolve to this estimator.
    """

    def deco(func):
        if name in ESTIMATORS or name in ALIASES:
            raise ValueError(f"estimator {name!r} is registered twice")
        full = {p.name: p.default for p in params}
        full.update(defaults or {})
        ESTIMATORS[name] = Estimator(name, title, func, full, tuple(params), tuple(tuple(g) for g in one_of), check)
        for old in aliases:
            ALIASES[old] = name
        return func

    return deco


#: Families imported first by :func:`discover`, in this order (the order of ``amlab list estimators``);
#: any other module of this package follows by name, so a new family needs no entry here.
ORDER = ("classical", "ags", "dense", "exponential", "modern", "basins", "finite_t", "pseudo_inverse", "sparse",
         "mixtures", "storkey", "rem", "dense_replica", "sparse_capacity", "induction", "amicl", "kv", "gardner")


def discover() -> Dict[str, Estimator]:
    """Import every family module of this package (registering its estimators); returns ``ESTIMATORS``.

    Modules whose name starts with an underscore hold shared helpers and are
    not scanned. Calling it again costs nothing.
    """
    from simulations.core.discover import import_modules

    import_modules(__name__, ORDER)
    _sort_by_family()
    return ESTIMATORS


def _sort_by_family():
    """Put ``ESTIMATORS`` in family order (``ORDER``, then module name), whatever order the modules were imported in.

    A check module may import a family module before :func:`discover` runs; the
    listing and docs/cli.md must not depend on that. Within a family the
    order is that of the source; estimators registered outside this package
    keep their order, after the families.
    """
    def rank(item):
        i, est = item
        module = getattr(est.func, "__module__", "") or ""
        family = module.rpartition(".")[2] if module.rpartition(".")[0] == __name__ else None
        if family is None:
            return (2, "", i)
        line = getattr(getattr(est.func, "__code__", None), "co_firstlineno", i)  # source order in a family
        return (0, f"{ORDER.index(family):04d}", line) if family in ORDER else (1, family, line)

    ordered = [est for _, est in sorted(enumerate(ESTIMATORS.values()), key=rank)]
    if [e.name for e in ordered] != list(ESTIMATORS):
        ESTIMATORS.clear()
        ESTIMATORS.update((e.name, e) for e in ordered)


def get_estimator(name: str) -> Estimator:
    """The estimator registered as ``name`` (or under a former name), else ``ValueError``."""
    if not isinstance(name, str):
        raise TypeError(f"estimator must be a registered name (str), got {type(name).__name__}")
    discover()
    name = ALIASES.get(name, name)
    if name not in ESTIMATORS:
        raise ValueError(f"unknown estimator {name!r}; known: {', '.join(sorted(ESTIMATORS))}")
    return ESTIMATORS[name]


def _plain(name, key, value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"estimator {name!r} returned {key}={value!r} ({type(value).__name__}); expected a plain number")


def evaluate(estimator: Union[str, Callable[..., dict]], params: dict, seed: int) -> dict:
    """Run ``estimator`` (a registered name or a function) at ``params`` with ``seed``.

    A registered estimator's parameters are validated against its
    declarations first (``ValueError`` naming the parameter); the result is
    checked to be a dict of plain numbers (numpy scalars are converted).
    """
    if isinstance(estimator, str):
        est = get_estimator(estimator)
        name, func, full = est.name, est.func, est.resolve(est.validate(params))
    else:
        name, func, full = getattr(estimator, "__name__", "estimator"), estimator, dict(params)
    out = func(seed=int(seed), **full)
    if not isinstance(out, dict):
        raise TypeError(f"estimator {name!r} must return a dict, got {type(out).__name__}")
    return {str(k): _plain(name, k, v) for k, v in out.items()}


def table_rows(estimator: Estimator) -> List[Tuple[str, str, str, str]]:
    """``(name, accepted values, default, meaning)`` for each parameter of ``estimator``."""
    decl = {p.name: p for p in estimator.params}
    rows = []
    for k, default in estimator.defaults.items():
        p = decl.get(k)
        if default is None:
            shown = "-"
        elif isinstance(default, bool):
            shown = str(default).lower()
        else:
            shown = str(default)
        rows.append((k, p.describe() if p else "any", shown, p.doc if p else ""))
    return rows


def describe(estimator: Estimator) -> str:
    """A few lines for ``amlab list estimators``: each parameter, its values and default."""
    lines = []
    for k, what, default, doc in table_rows(estimator):
        lines.append(f"      {k:14s} {what:28s} default {default:8s} {doc}")
    for g in estimator.one_of:
        lines.append(f"      (give at most one of {', '.join(g)})")
    return "\n".join(lines)


def markdown_table() -> str:
    """The Markdown table of every estimator's parameters (docs/cli.md holds a copy, checked by a test)."""
    discover()
    out = []
    for e in ESTIMATORS.values():
        out += [f"### `{e.name}`", "", e.title[:1].upper() + e.title[1:] + ".", ""]
        if e.one_of:
            out += ["Give at most one of " + "; ".join(", ".join(f"`{k}`" for k in g) for g in e.one_of) + ".", ""]
        out += ["| parameter | values | default | meaning |", "|---|---|---|---|"]
        out += [f"| `{k}` | {w} | {d} | {doc} |" for k, w, d, doc in table_rows(e)]
        out.append("")
    return "\n".join(out)

"""The registry of named checks: theory held against simulation.

A check is a function ``f(*, seed, **params) -> list[Point]`` registered with
``register_check``; it declares the theory it tests, the statistical test and
two sizes of parameters (``quick`` and ``full``). ``run_check`` times it and
applies the multiple-comparison correction (Holm) over its points.

Units of work. A check registered with ``split=True`` does no work itself: it
returns a ``Work``, a list of independent ``Unit`` s (a module-level function
and its keyword arguments, picklable, with a cost estimate) and a ``combine``
step that turns the units' outputs, in unit order, into the check's points.
Every unit draws its randomness from seeds derived from (check seed, its own
key), so the units can run in any order, in any process, and the points are
the same bit for bit. ``plan_check`` gives the units of any check (a check
that is not split is one unit), ``run_check`` runs them one after another
here and ``simulations.checks.runner.run_checks`` hands them to a backend; both end
in the same ``finish_check`` (combine, Holm, verdict).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from simulations.checks.point import CheckResult, Point
from simulations.checks.stats import holm

#: Family-wise error level of one check (over all its points, Holm-corrected).
FAMILY_ALPHA = 0.01

#: A check whose quick-size minimum detectable error exceeds this fraction of its key quantity is a smoke test.
SMOKE_FRACTION = 0.10

#: Checks whose quick-size MDE on their key quantity exceeded ``SMOKE_FRACTION`` of it at master seed 0
#: (benchmarks/false_alarms.py, benchmarks/results/false_alarms.json; table in docs/checks.md): smoke tests at
#: quick size. Kept here, beside the rule, so that the list is revised in one place when a check is sharpened;
#: ``register_check(smoke=...)`` adds to it.
SMOKE_QUICK = frozenset({
    "ags-critical", "ags-spin-glass", "amicl-switch", "amicl-vs-a", "classical-fixed-points", "dense-capacity",
    "dense-exact-one-step", "dense-random-starts", "exp-rem-threshold", "induction-ape-recall",
    "induction-deviation", "induction-flip", "induction-logits", "kv-argmax-accuracy",
    "kv-delta-one-pass", "kv-readout-moments", "kv-zipf-scaling", "mixture-stability", "pseudo-inverse",
    "sparse-capacity", "sparse-one-step", "storkey-capacity"})

#: A prediction smaller than this in magnitude counts as 0 when the key point is chosen (its relative MDE is
#: undefined).
ZERO = 1e-9


@dataclass(frozen=True)
class Check:
    """A registered check (see ``register_check``)."""

    name: str
    title: str
    theory: str
    test: str
    func: Callable[..., List[Point]]
    sizes: Dict[str, Dict]
    split: bool = False
    figures: Tuple[str, ...] = ()
    derivations: Tuple[str, ...] = ()
    #: Simulator families whose kernels the check uses (``amlab warm`` compiles them first); None: every family.
    families: Optional[Tuple[str, ...]] = None
    #: Expected single-thread seconds by size (``"quick"``, ``"full"``); see ``simulations.checks.schedule``.
    seconds: Dict[str, float] = field(default_factory=dict)
    #: Sizes at which the check is a smoke test (its minimum detectable error exceeds 10% of its key quantity).
    smoke: Tuple[str, ...] = ()
    #: A text in the label of the point that carries the check's key quantity; None: the tested point with the
    #: largest minimum detectable error relative to ``|theory|`` (``key_point``).
    key: Optional[str] = None


@dataclass(frozen=True)
class Unit:
    """One independent piece of a check's work: ``fn(**kwargs)``.

    ``fn`` is a module-level function and ``kwargs`` plain values, so a unit
    pickles by reference to another process. ``cost`` is a relative estimate
    of its run time (only the order of submission depends on it: the largest
    first); ``label`` names it in timings and records.
    """

    fn: Callable[..., Any]
    kwargs: Dict
    cost: float = 1.0
    label: str = "all"

    def run(self) -> Any:
        """``fn(**kwargs)``."""
        return self.fn(**self.kwargs)


@dataclass(frozen=True)
class Work:
    """What a split check returns: its units and ``combine(outputs) -> list[Point]`` (outputs in unit order)."""

    units: List[Unit]
    combine: Callable[[List], List[Point]]


def concat(outputs: Sequence) -> List[Point]:
    """The ``combine`` of checks whose units each return a list of points: all of them, in unit order."""
    return [p for out in outputs for p in out]


def per_case(fn: Callable, cases: Sequence[Dict], shared: Dict, cost: Callable[..., float] = None,
             label: Callable[..., str] = None, combine: Callable = concat) -> Work:
    """A ``Work`` of one unit ``fn(**shared, **case)`` per case (each unit returns a list of points).

    ``cost(**case)`` and ``label(**case)`` default to 1 and the case's ``k=v`` pairs.
    """
    units = []
    for case in cases:
        units.append(Unit(fn, {**shared, **case}, float(cost(**case)) if cost else 1.0,
                          label(**case) if label else ", ".join(f"{k}={v}" for k, v in case.items())))
    return Work(units, combine)


CHECKS: Dict[str, Check] = {}


def register_check(name: str, *, title: str, theory: str, test: str, quick: dict, full: dict,
                   split: bool = False, figures: Tuple[str, ...] = (), derivations: Tuple[str, ...] = (),
                   families: Optional[Tuple[str, ...]] = None, seconds: Optional[Dict[str, float]] = None,
                   huge: Optional[dict] = None, smoke: Union[bool, Tuple[str, ...]] = False,
                   key: Optional[str] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator registering ``func(*, seed, **params) -> list[Point]`` as a check.

    Parameters
    ----------
    name : str
        Short unique name, used on the command line (``amlab check NAME``).
    title : str
        One line saying what is compared.
    theory : str
        The prediction and its source (paper, equation).
    test : str
        The statistical test and the tolerance, with their justification.
    quick, full : dict
        Keyword parameters of the two sizes (``quick`` runs in seconds).
    huge : dict, optional
        Keyword parameters of a third size, for the few checks whose reach is set by N
        and that run on the GPU (``amlab check NAME --huge --device gpu``); never part of
        ``--quick``/``--full`` runs of all checks.
    split : bool
        ``func`` returns a ``Work`` (its units and their combine step) instead
        of the points; calling it must be cheap (it plans, the units work).
    figures : tuple of str
        Names of the registered figures (``figures.registry``) that show what
        the check compares; the report links the check to them.
    derivations : tuple of str
        Names of the registered derivations (``theory.derivation``) of the
        prediction under test; the report links the check to them. Both are
        plain names (``simulations`` does not import ``figures``); a test holds
        them against the registries.
    families : tuple of str, optional
        The simulator families whose compiled kernels the check uses (names
        of ``amlab.warm.FAMILIES``, held against it by a test); ``amlab
        check`` warms them in the background. ``None``: every family.
    seconds : dict, optional
        Expected single-thread seconds of the check at ``"quick"`` and
        ``"full"`` size; the runner starts the longest units first
        (``simulations.checks.schedule``). A size left out counts
        ``DEFAULT_SECONDS``.
    smoke : bool or tuple of str
        The check is a smoke test (``True``: at quick size; or the sizes named): its minimum detectable
        error there exceeds ``SMOKE_FRACTION`` of its key quantity, so a pass says little. ``amlab check``
        shows smoke checks apart.
    key : str, optional
        A text found in the label of the point that carries the check's key quantity (the one whose
        minimum detectable error the check reports). By default the tested point with the largest
        minimum detectable error relative to ``|theory|``.
    """

    groups = (("figures", figures), ("derivations", derivations)) + ((("families", families),) if families is not None
                                                                       else ())
    for what, names in groups:
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise TypeError(f"check {name!r}: {what} must be a tuple of names, got {names!r}")
    seconds = dict(seconds or {})
    for size, value in seconds.items():
        if size not in ("quick", "full", "huge"):
            raise ValueError(f"check {name!r}: seconds takes the sizes 'quick', 'full' and 'huge', got {size!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"check {name!r}: seconds[{size!r}] must be a number >= 0, got {value!r}")

    if smoke is True:
        smoke = ("quick",)
    elif smoke is False:
        smoke = ()
    if isinstance(smoke, str) or not all(z in ("quick", "full", "huge") for z in smoke):
        raise ValueError(f"check {name!r}: smoke must be a bool or a tuple of 'quick', 'full', 'huge', got {smoke!r}")
    if name in SMOKE_QUICK and "quick" not in smoke:
        smoke = ("quick",) + tuple(smoke)
    if key is not None and (not isinstance(key, str) or not key):
        raise TypeError(f"check {name!r}: key must be a non-empty text found in a point's label, got {key!r}")

    def deco(func):
        if name in CHECKS:
            raise ValueError(f"check {name!r} is registered twice")
        sizes = {"quick": dict(quick), "full": dict(full), **({"huge": dict(huge)} if huge is not None else {})}
        CHECKS[name] = Check(name, title, theory, test, func, sizes,
                             bool(split), tuple(figures), tuple(derivations),
                             None if families is None else tuple(families), {k: float(v) for k, v in seconds.items()},
                             tuple(smoke), key)
        return func

    return deco


def get_check(name: str) -> Check:
    """The check registered as ``name`` (every check module is imported first), else ``ValueError``.

    Figures and demos reach a check through this function, never through a
    module of ``simulations.checks.suite``.
    """
    if not isinstance(name, str):
        raise TypeError(f"check must be a registered name (str), got {type(name).__name__}")
    import simulations.checks.suite  # noqa: F401  (registers every check)

    if name not in CHECKS:
        raise ValueError(f"unknown check {name!r}; known: {', '.join(sorted(CHECKS))}")
    return CHECKS[name]


def _first(outputs):
    return list(outputs[0])


def check_params(check: Check, size: str = "quick", **overrides) -> dict:
    """The keyword parameters of ``check`` at ``size`` with ``overrides`` applied."""
    if size not in check.sizes:
        raise ValueError(f"size must be one of {sorted(check.sizes)}, got {size!r}")
    return {**check.sizes[size], **overrides}


def plan_check(check: Check, size: str = "quick", seed: int = 0, **overrides) -> Work:
    """The units of work of ``check`` at ``size`` and their combine step.

    A split check plans its own units; any other check is one unit, its
    function called with the seed and the parameters.

    Examples
    --------
    >>> import simulations.checks.suite  # registers the checks
    >>> work = plan_check(CHECKS["storkey-capacity"], "quick", seed=0)
    >>> [u.label for u in work.units]
    ['N=100, networks 0-9', 'N=100, networks 10-19', 'N=100, networks 20-29']
    >>> len(plan_check(CHECKS["modern-fixed-points"], "quick", seed=0).units)  # not split: one unit
    1
    """
    params = check_params(check, size, **overrides)
    if not check.split:
        return Work([Unit(check.func, {"seed": seed, **params})], _first)
    work = check.func(seed=seed, **params)
    if not isinstance(work, Work) or not work.units:
        raise TypeError(f"check {check.name!r} is registered with split=True but its function returned "
                        f"{type(work).__name__}, not a Work with at least one unit")
    labels = [u.label for u in work.units]
    if len(set(labels)) != len(labels):
        raise ValueError(f"check {check.name!r}: unit labels must be unique, got {labels}")
    return work


def run_work(work: Work) -> List[Point]:
    """The points of a ``Work``: its units run here, in order, then combined (no Holm, no verdict)."""
    return list(work.combine([u.run() for u in work.units]))


def finish_check(check: Check, size: str, seed: int, params: dict, work: Work, outputs: Sequence,
                 seconds: float, unit_seconds: Optional[Dict] = None) -> CheckResult:
    """Combine the units' ``outputs`` (in unit order) into points and judge them.

    The points with p-values are judged together with Holm's step-down
    correction at family level ``FAMILY_ALPHA``; deterministic points by their
    own ``ok``.
    """
    points = list(work.combine(list(outputs)))
    tested = [i for i, p in enumerate(points) if p.p_value is not None]
    reject = holm([points[i].p_value for i in tested], FAMILY_ALPHA)
    judged = list(points)
    for i, r in zip(tested, reject):
        p = points[i]
        judged[i] = Point(**{**p.__dict__, "ok": bool(p.ok and not r)})
    passed = bool(judged) and all(p.ok for p in judged)
    mde, label, rel = key_mde(judged, check.key)
    return CheckResult(check.name, check.title, check.theory, check.test, size, seed, judged, passed, seconds, params,
                       dict(unit_seconds or {}), mde, label, rel, size in check.smoke)


def key_point(points: Sequence[Point], key: Optional[str] = None) -> Optional[Point]:
    """The point that carries a check's key quantity, or ``None`` when no point is tested.

    With ``key``, the first tested point whose label contains it (else the
    default rule); by default the tested point with the largest minimum
    detectable error relative to ``|theory|``, points predicting 0
    (``|theory| <= ZERO``) coming after the others (ranked by absolute MDE among themselves).
    """
    tested = [p for p in points if p.tested]
    if key is not None:
        named = [p for p in tested if key in p.label]
        if named:
            return named[0]
    scored = [p for p in tested if p.mde == p.mde]
    if not scored:
        return None
    nonzero = [p for p in scored if abs(p.theory) > ZERO]
    if nonzero:
        return max(nonzero, key=lambda p: p.mde / abs(p.theory))
    return max(scored, key=lambda p: p.mde)


def key_mde(points: Sequence[Point], key: Optional[str] = None,
            alpha: float = None) -> Tuple[float, str, float]:
    """``(mde, label, mde / |theory|)`` of a check's key point (``key_point``), NaN and "" when none is tested.

    The MDE is that of the key point's own test at Holm's first step, level
    ``alpha / m`` for the ``m`` tested points (``alpha`` defaults to
    ``FAMILY_ALPHA``): the error the check detects with 80% power when that
    point alone is wrong.
    """
    alpha = FAMILY_ALPHA if alpha is None else alpha
    p = key_point(points, key)
    if p is None:
        return float("nan"), "", float("nan")
    m = sum(q.tested for q in points)
    mde = p.detectable(alpha / m)
    return mde, p.label, (mde / abs(p.theory) if abs(p.theory) > ZERO else float("nan"))


def run_check(check: Check, size: str = "quick", seed: int = 0, **overrides) -> CheckResult:
    """Run one check at ``size`` ("quick" or "full") here and return its verdict.

    Its units (``plan_check``) run one after another in this process, then
    ``finish_check`` combines and judges them (Holm's correction at family
    level ``FAMILY_ALPHA`` over the points with p-values).
    """
    params = check_params(check, size, **overrides)
    t0 = time.perf_counter()
    work = plan_check(check, size, seed, **overrides)
    outputs, unit_seconds = [], {}
    for u in work.units:
        t1 = time.perf_counter()
        outputs.append(u.run())
        unit_seconds[u.label] = time.perf_counter() - t1
    seconds = time.perf_counter() - t0
    return finish_check(check, size, seed, params, work, outputs, seconds, unit_seconds)

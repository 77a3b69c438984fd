"""The registry of named checks: theory held against simulation.

A check is a function ``f(*, seed, **params) -> list[Point]`` registered with
``register_check``; it declares the theory it tests, the statistical test and
two sizes of parameters (``quick`` and ``full``). ``run_check`` times it and
applies the multiple-comparison correction (Holm) over its points.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional

from simulations.stats import holm

#: Family-wise error level of one check (over all its points, Holm-corrected).
FAMILY_ALPHA = 0.01


@dataclass(frozen=True)
class Point:
    """One comparison of a simulated estimate with its prediction.

    ``low``/``high`` is the sampling interval of the estimate (at the level
    stated in the check's test); ``tolerance`` is the allowance for the known
    error of the approximation (Gaussian tail, finite N), kept separate from
    sampling error. ``p_value`` is the test of "the truth lies within
    ``theory +- tolerance``"; ``None`` for a deterministic comparison, whose
    verdict is ``ok``.
    """

    label: str
    theory: float
    estimate: float
    low: float
    high: float
    tolerance: float = 0.0
    p_value: Optional[float] = None
    ok: bool = True
    params: Dict = field(default_factory=dict)
    kind: str = "band"  # "band": theory +- tolerance; "le"/"ge": estimate <= or >= theory (a bound);
    #                     "reported": shown, not tested (its margin is NaN and it is always ok)

    @property
    def margin(self) -> float:
        """Distance from the prediction band to the far edge of the interval.

        Positive when theory +- tolerance overlaps the interval (the larger, the
        safer), negative by how much it misses. For a bound (``kind`` "le" or
        "ge") it is how far the estimate stays on the right side of the bound.
        """
        if self.kind == "reported":
            return float("nan")
        if self.kind == "le":
            return self.theory - self.high
        if self.kind == "ge":
            return self.low - self.theory
        lo_t, hi_t = self.theory - self.tolerance, self.theory + self.tolerance
        if hi_t < self.low:
            return hi_t - self.low
        if lo_t > self.high:
            return self.high - lo_t
        return min(hi_t - self.low, self.high - lo_t)


@dataclass
class CheckResult:
    """The outcome of one check: its points, verdict and timing."""

    name: str
    title: str
    theory: str
    test: str
    size: str
    seed: int
    points: List[Point]
    passed: bool
    seconds: float
    params: Dict = field(default_factory=dict)

    @property
    def margin(self) -> float:
        """The smallest margin over the tested points (see ``Point.margin``)."""
        return min((p.margin for p in self.points if p.kind != "reported"), default=float("nan"))

    def to_dict(self) -> dict:
        """A JSON-ready dict (NaN written as null)."""

        def clean(x):
            if isinstance(x, float) and x != x:
                return None
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            if isinstance(x, list):
                return [clean(v) for v in x]
            return x

        d = asdict(self)
        d["margin"] = self.margin
        for p, pd in zip(self.points, d["points"]):
            pd["margin"] = p.margin
        return clean(d)


@dataclass(frozen=True)
class Check:
    """A registered check (see ``register_check``)."""

    name: str
    title: str
    theory: str
    test: str
    func: Callable[..., List[Point]]
    sizes: Dict[str, Dict]


CHECKS: Dict[str, Check] = {}


def register_check(name: str, *, title: str, theory: str, test: str, quick: dict, full: dict):
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
    """

    def deco(func):
        if name in CHECKS:
            raise ValueError(f"check {name!r} is registered twice")
        CHECKS[name] = Check(name, title, theory, test, func, {"quick": dict(quick), "full": dict(full)})
        return func

    return deco


def run_check(check: Check, size: str = "quick", seed: int = 0, **overrides) -> CheckResult:
    """Run one check at ``size`` ("quick" or "full") and return its verdict.

    The points with p-values are judged together with Holm's step-down
    correction at family level ``FAMILY_ALPHA``; deterministic points by their
    own ``ok``.
    """
    if size not in check.sizes:
        raise ValueError(f"size must be one of {sorted(check.sizes)}, got {size!r}")
    params = {**check.sizes[size], **overrides}
    t0 = time.perf_counter()
    points = list(check.func(seed=seed, **params))
    seconds = time.perf_counter() - t0
    tested = [i for i, p in enumerate(points) if p.p_value is not None]
    reject = holm([points[i].p_value for i in tested], FAMILY_ALPHA)
    judged = list(points)
    for i, r in zip(tested, reject):
        p = points[i]
        judged[i] = Point(**{**p.__dict__, "ok": bool(p.ok and not r)})
    passed = bool(judged) and all(p.ok for p in judged)
    return CheckResult(check.name, check.title, check.theory, check.test, size, seed, judged, passed, seconds, params)

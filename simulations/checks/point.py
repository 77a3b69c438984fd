"""What a check produces: ``Point`` (one comparison of simulation with theory) and ``CheckResult``.

Kept apart from the registry and the statistics so that both can import it
(``stats`` builds points, the registry collects them) without importing each
other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional


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

    def __repr__(self) -> str:
        """``Point(label: estimate [low, high] vs theory +- tolerance, p = ...)`` (a bound: ``<=`` or ``>=``)."""
        head = f"{self.label}: {self.estimate:.6g} [{self.low:.6g}, {self.high:.6g}]"
        if self.kind == "reported":
            return f"Point({head}, reported)"
        if self.kind in ("le", "ge"):
            rel = f"{'<=' if self.kind == 'le' else '>='} {self.theory:.6g}"
        else:
            rel = f"vs {self.theory:.6g} +- {self.tolerance:.6g}"
        p = "-" if self.p_value is None else f"{self.p_value:.3g}"
        return f"Point({head} {rel}, p = {p}{'' if self.ok else ', FAIL'})"

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
    #: Seconds each unit of work took, by unit label (a check that is not split: one unit, "all").
    units: Dict = field(default_factory=dict)

    def __repr__(self) -> str:
        """``CheckResult(name: PASS|FAIL, n points, seconds)``."""
        return (f"CheckResult({self.name}: {'PASS' if self.passed else 'FAIL'}, {len(self.points)} points, "
                f"{self.seconds:.2f} s, {self.size} size, seed {self.seed})")

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

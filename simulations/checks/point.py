"""What a check produces: ``Point`` (one comparison of simulation with theory) and ``CheckResult``.

Kept apart from the registry and the statistics so that both can import it
(``stats`` builds points, the registry collects them) without importing each
other.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

#: Power at which a minimum detectable error is stated.
POWER = 0.80


@dataclass(frozen=True)
class Point:
    """One comparison of a simulated estimate with its prediction.

    ``low``/``high`` is the sampling interval of the estimate (at the level
    stated in the check's test); ``tolerance`` is the allowance for the known
    error of the approximation (Gaussian tail, finite N), kept separate from
    sampling error. ``p_value`` is the test of "the truth lies within
    ``theory +- tolerance``"; ``None`` for a deterministic comparison, whose
    verdict is ``ok``.

    ``se`` is the standard error the test used (for a binomial point, that of
    a proportion, ``n`` being its number of trials), ``dist`` the test's
    distribution (``"z"``, ``"t"`` with ``n - 1`` degrees of freedom, or
    ``"binomial"``); they give the point's minimum detectable error
    (``detectable``, ``mde``). A point built directly with a p-value but
    without ``se`` has it recovered from its interval, taken at 99%.
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
    se: Optional[float] = None
    n: Optional[int] = None
    dist: str = "z"

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


    @property
    def tested(self) -> bool:
        """Whether the point is judged by a p-value (neither reported nor a deterministic comparison)."""
        return self.kind != "reported" and self.p_value is not None

    @property
    def std_error(self) -> float:
        """The standard error of the estimate: ``se`` when stored, else half the interval over z_0.995."""
        if self.se is not None:
            return float(self.se)
        if not self.tested:
            return float("nan")
        return (self.high - self.low) / (2.0 * 2.5758293035489004)

    def detectable(self, alpha: float = 0.01, power: float = POWER) -> float:
        """Minimum detectable error: the distance of the truth from ``theory`` that the test finds with ``power``.

        For a band (the null "the truth lies in ``theory +- tolerance``", a
        two-sided test at level ``alpha``) it is ``tolerance + (z_{1-alpha/2}
        + z_power) se`` (normal approximation; Student's t quantiles for a
        t-test); for a bound ("le"/"ge" with a p-value) the one-sided form
        ``(z_{1-alpha} + z_power) se``. For a binomial point the standard
        error is a proportion's, at the band's edge under the null and at the
        alternative under the alternative (the larger of the two sides that
        stay inside [0, 1]); when the edge is 0 or 1 (any contrary trial
        rejects) it is exact: ``1 - (1 - power)^(1/n)`` beyond the edge. NaN
        for a point that is not tested (reported, deterministic, or without
        a standard error).

        Examples
        --------
        >>> p = Point("x", 0.5, 0.5, 0.4, 0.6, tolerance=0.02, p_value=1.0, se=0.01)
        >>> round(p.detectable(0.01), 4)   # 0.02 + (2.5758 + 0.8416) * 0.01
        0.0542
        """
        if not self.tested or not 0 < alpha < 1 or not 0 < power < 1:
            return float("nan")
        from scipy import stats

        one_sided = self.kind in ("le", "ge")
        q = 1 - alpha if one_sided else 1 - alpha / 2
        if self.dist == "binomial" and self.n:
            return _binomial_mde(self, stats.norm.ppf(q), stats.norm.ppf(power), int(self.n))
        se = self.std_error
        if not se == se:
            return float("nan")
        if self.dist == "t" and self.n and self.n > 1:
            za, zb = stats.t.ppf(q, self.n - 1), stats.t.ppf(power, self.n - 1)
        else:
            za, zb = stats.norm.ppf(q), stats.norm.ppf(power)
        return (0.0 if one_sided else float(self.tolerance)) + float(za + zb) * se

    @property
    def mde(self) -> float:
        """``detectable`` at level 1% and 80% power (the point judged alone, before Holm's correction)."""
        return self.detectable(0.01, POWER)


def _binomial_mde(p: Point, za: float, zb: float, n: int) -> float:
    """The binomial form of ``Point.detectable`` (see there)."""
    tol = 0.0 if p.kind in ("le", "ge") else float(p.tolerance)
    sides = {"le": (+1,), "ge": (-1,)}.get(p.kind, (+1, -1))
    best = []
    for sign in sides:
        edge = p.theory + sign * tol
        if not 0.0 <= edge <= 1.0:
            continue
        if edge in (0.0, 1.0):
            d = 1.0 - (1.0 - _phi(zb)) ** (1.0 / n)
        else:
            d = za * math.sqrt(edge * (1 - edge) / n)
            for _ in range(50):  # d = za se(edge) + zb se(edge + sign d), by fixed point
                alt = min(max(edge + sign * d, 0.0), 1.0)
                d_new = za * math.sqrt(edge * (1 - edge) / n) + zb * math.sqrt(alt * (1 - alt) / n)
                if abs(d_new - d) < 1e-12:
                    break
                d = d_new
        if 0.0 <= edge + sign * d <= 1.0:
            best.append(tol + d)
    return max(best) if best else float("nan")


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


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
    #: Minimum detectable error of the check's key quantity (``finish_check``): the deviation of that
    #: point's truth from its theory that makes the check fail with 80% power when that point alone is
    #: wrong (its test at Holm's first step, family level / number of tested points). NaN: none tested.
    mde: float = float("nan")
    #: The label of the key point, and ``mde / |theory|`` there (NaN where the theory is 0).
    mde_point: str = ""
    mde_relative: float = float("nan")
    #: The check is registered as a smoke test at this size (its MDE exceeds 10% of its key quantity).
    smoke: bool = False

    def __repr__(self) -> str:
        """``CheckResult(name: PASS|FAIL, n points, seconds)``."""
        return (f"CheckResult({self.name}: {'PASS' if self.passed else 'FAIL'}, {len(self.points)} points, "
                f"{self.seconds:.2f} s, {self.size} size, seed {self.seed})")

    @property
    def margin(self) -> float:
        """The smallest margin over the tested points (see ``Point.margin``)."""
        return min((p.margin for p in self.points if p.kind != "reported"), default=float("nan"))

    @property
    def p_check(self) -> float:
        """The check's own p-value: its smallest Holm-adjusted p-value, ``min(1, m min p)`` over its ``m`` tested
        points (the check fails at family level ``a`` exactly when this is <= ``a``); 0 when a deterministic
        point fails, 1 when nothing is tested."""
        if any(not p.ok for p in self.points if p.p_value is None and p.kind != "reported"):
            return 0.0
        ps = [float(p.p_value) for p in self.points if p.tested]
        return min(1.0, len(ps) * min(ps)) if ps else 1.0

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
        d["p_check"] = self.p_check
        for p, pd in zip(self.points, d["points"]):
            pd["margin"] = p.margin
            pd["mde"] = p.mde
        return clean(d)

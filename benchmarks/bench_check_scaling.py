"""Wall time of `amlab check` with its units of work on N worker processes.

Usage (from the repository root)::

    python benchmarks/bench_check_scaling.py --full --processes 16 --out results.json
    taskset -c 0,1 python benchmarks/bench_check_scaling.py --full --processes 2 --part 1/3 --out part1.json
    python benchmarks/bench_check_scaling.py --quick --processes 2 --checks basins-two-step,storkey-capacity

Writes JSON with the wall time, the seconds of every check (the sum of its
units) and of every unit, the largest unit (a lower bound of the wall time on
any number of cores), the load average before and after, the CPU count and
the provenance. ``--part K/N`` runs the K-th of N parts of the checks, so that
a slow baseline fits in N shorter runs (their wall times add up): the parts
are balanced by the single-thread seconds of each check at full size
(the checks' registered ``seconds["full"]``), largest first onto the lightest part. The run goes into a
fresh temporary folder (nothing is reused).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _load() -> list:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        return []


def weights() -> dict:
    """Seconds per check used to balance ``--part`` (each check's registered ``seconds["full"]``)."""
    import simulations.checks.suite  # noqa: F401  (registers the checks)
    from simulations.checks.registry import CHECKS

    return {c.name: c.seconds["full"] for c in CHECKS.values() if "full" in c.seconds}


def parts(checks, n: int):
    """``checks`` in ``n`` parts of balanced weight (largest first onto the lightest part), each in registry order."""
    w = weights()
    load, out = [0.0] * n, [[] for _ in range(n)]
    for c in sorted(checks, key=lambda c: -w.get(c.name, 30.0)):
        k = load.index(min(load))
        out[k].append(c.name)
        load[k] += w.get(c.name, 30.0)
    return [[c for c in checks if c.name in part] for part in out], load


def select(names, part):
    """The checks to run: ``names`` (all when empty), then the part ``part = (K, N)``."""
    import simulations.checks.suite  # noqa: F401
    from simulations.checks.registry import CHECKS

    if names:
        unknown = [n for n in names if n not in CHECKS]
        if unknown:
            raise SystemExit(f"unknown check(s): {', '.join(unknown)}")
        chosen = [CHECKS[n] for n in names]
    else:
        chosen = list(CHECKS.values())
    if part:
        chosen = parts(chosen, part[1])[0][part[0] - 1]
    return chosen


def _part(text: str):
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N such as 1/3, got {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, got {text!r}")
    return k, n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="size", action="store_const", const="quick")
    size.add_argument("--full", dest="size", action="store_const", const="full")
    ap.set_defaults(size="quick")
    ap.add_argument("--processes", type=int, default=None, help="worker processes (default: run in this process)")
    ap.add_argument("--checks", default="", help="comma-separated check names (default: all)")
    ap.add_argument("--part", type=_part, default=None, help="K/N: the K-th of N balanced parts of the checks")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="JSON file to write")
    args = ap.parse_args(argv)

    from simulations.core.io import atomic_write_json, provenance
    from simulations.checks.runner import run_checks

    checks = select([n for n in args.checks.split(",") if n], args.part)
    load_before = _load()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        results = run_checks(checks, size=args.size, seed=args.seed, out=Path(tmp), processes=args.processes,
                             echo=lambda *a: None)
    wall = time.perf_counter() - t0
    units = sorted(((r.name, label, s) for r in results for label, s in r.units.items()), key=lambda t: -t[2])
    work = sum(r.seconds for r in results)
    record = {
        "benchmark": "check_scaling",
        "size": args.size,
        "seed": args.seed,
        "processes": args.processes,
        "part": list(args.part) if args.part else None,
        "checks_run": [r.name for r in results],
        "wall_s": round(wall, 2),
        "sum_of_unit_s": round(work, 2),
        "parallel_efficiency": round(work / (wall * (args.processes or 1)), 3) if wall > 0 else None,
        "largest_unit": {"check": units[0][0], "unit": units[0][1], "seconds": round(units[0][2], 3)} if units else None,
        "passed": all(r.passed for r in results),
        "load_average_before": load_before,
        "load_average_after": _load(),
        "cpu_count": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "checks": {r.name: {"seconds": round(r.seconds, 3), "passed": r.passed, "units": len(r.units)}
                   for r in results},
        "units": [{"check": c, "unit": u, "seconds": round(s, 3)} for c, u, s in units],
        "provenance": provenance(),
        "note": "seconds of a check = the sum of its units' seconds (each unit timed in its worker); wall_s is "
                "the whole run, including starting the workers and their first imports",
    }
    atomic_write_json(Path(args.out), record)
    print(f"{args.size}, processes={args.processes}: {len(results)} checks in {wall:.1f} s wall "
          f"({work:.1f} s of units; largest unit {units[0][2]:.1f} s: {units[0][0]} {units[0][1]}); "
          f"{sum(r.passed for r in results)}/{len(results)} passed; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time every check at quick size (and at full size with --full); record in benchmarks/results/checks.json.

Usage (from the repository root)::

    python benchmarks/bench_checks.py            # quick sizes only
    python benchmarks/bench_checks.py --full     # quick, then full sizes (up to an hour)
    python benchmarks/bench_checks.py --from-report amlab-checks/checks.json
                                                 # record the timings of an `amlab check` run

The targets: all checks at quick size under 5 minutes on 2 cores, at full size
under an hour. The load average before and after each run is recorded, since
timings on a shared machine mean little without it. Entries of a size that is
not rerun are kept from the previous file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulations.core.io import atomic_write_json, provenance  # noqa: E402

TARGET_S = {"quick": 300.0, "full": 3600.0}


def _load() -> list:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        return []


def time_size(size: str, seed: int) -> dict:
    import numba

    import simulations.checks.suite  # noqa: F401
    from simulations.checks.registry import CHECKS
    from simulations.checks.runner import run_checks

    load_before = _load()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        results = run_checks(list(CHECKS.values()), size=size, seed=seed, out=Path(tmp), echo=lambda *a: None)
    total = time.perf_counter() - t0
    return {
        "size": size,
        "seed": seed,
        "total_s": round(total, 2),
        "target_s": TARGET_S[size],
        "within_target": total < TARGET_S[size],
        "numba_threads": numba.get_num_threads(),
        "load_average_before": load_before,
        "load_average_after": _load(),
        "checks": {r.name: {"seconds": round(r.seconds, 2), "passed": r.passed, "points": len(r.points)}
                   for r in results},
        "all_passed": all(r.passed for r in results),
    }


def from_report(path: Path) -> dict:
    """Timings recorded by ``amlab check`` in its ``checks.json``."""
    rep = json.loads(Path(path).read_text())
    size = rep["size"]
    return {
        "size": size,
        "seed": rep["seed"],
        "total_s": round(rep["seconds"], 2),
        "target_s": TARGET_S[size],
        "within_target": rep["seconds"] < TARGET_S[size],
        "source": f"amlab check --{size} report of {rep['provenance']['time']}",
        "checks": {c["name"]: {"seconds": round(c["seconds"], 2), "passed": c["passed"], "points": len(c["points"])}
                   for c in rep["checks"]},
        "all_passed": rep["passed"],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also time the full sizes (up to an hour)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "checks.json"))
    ap.add_argument("--from-report", default=None, help="record the timings of an `amlab check` checks.json")
    ap.add_argument("--note", default="", help="a note stored with the record (e.g. how loaded the machine was)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    old = json.loads(out.read_text()) if out.exists() else {}
    record = {"provenance": provenance(), "runs": dict(old.get("runs", {}))}
    if args.from_report:
        r = from_report(Path(args.from_report))
        r["note"] = args.note
        record["runs"][r["size"]] = r
        atomic_write_json(out, record)
        print(f"{r['size']}: {r['total_s']:.1f} s recorded from {args.from_report}; wrote {out}")
        return 0
    # Compile (and cache) the kernels first so that the timing is of the checks, not of Numba.
    warm = time_size("quick", args.seed)
    record["runs"]["quick_first_call_with_compilation"] = warm
    for size in ["quick"] + (["full"] if args.full else []):
        r = time_size(size, args.seed)
        r["note"] = args.note
        record["runs"][size] = r
        print(f"{size}: {r['total_s']:.1f} s (target {r['target_s']:.0f} s), load {r['load_average_before']} -> "
              f"{r['load_average_after']}, all passed: {r['all_passed']}")
        for name, c in r["checks"].items():
            print(f"  {name:26s} {c['seconds']:8.1f} s  {'PASS' if c['passed'] else 'FAIL'}")
    atomic_write_json(out, record)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""False-alarm rate of a whole ``amlab check`` run, measured over many master seeds.

Every selected check (all of them by default) runs at ``--size`` for each
master seed in turn, through the runner (``simulations.checks.runner.run_checks``,
its units in a pool of ``--processes`` worker processes). The code under test
is taken to be correct, so every failure is a false alarm. For each seed the
record keeps, per check, its verdict, its own p-value (``CheckResult.p_check``,
the smallest Holm-adjusted one), its minimum detectable error on its key
quantity and its time; and for the run, whether any check failed (the default
verdict) and the run-wide verdict (Holm at 5% over the checks' p-values,
``simulations.checks.runner.run_wide``).

Resumable twice over: a seed already in the results file is skipped, and an
interrupted seed resumes from the check records of its work folder
(``--work``/seed-S, the runner's own resumption). The results file is
rewritten atomically after every seed.

    PYTHONPATH=. nice python benchmarks/false_alarms.py --seeds 0-3 --processes 2
    PYTHONPATH=. python benchmarks/false_alarms.py --summary      # print the tally of the file
    PYTHONPATH=. python benchmarks/false_alarms.py --mde-table    # docs/checks.md's MDE table from seed 0

With ``n`` runs and no failure the one-sided 95% upper bound of the rate is
about ``3 / n``: at least 59 seeds are needed before a clean record shows a
rate below 5%, and about 150 to bound it when the rate is near 1-2%.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results" / "false_alarms.json"

#: Parameters that count independent samples (networks, trials, cues, ...): the full-size standard error is
#: the quick one times sqrt(quick count / full count) over those that change.
COUNTS = ("networks", "n_net", "n_trials", "trials", "n_mem", "n", "cues", "starts", "runs", "reps", "n_models", "samples")


def parse_seeds(text: str) -> list:
    """``"0-3,7"`` -> ``[0, 1, 2, 3, 7]``."""
    seeds = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            if int(b) < int(a):
                raise ValueError(f"--seeds: a range must not fall, got {part!r}")
            seeds += list(range(int(a), int(b) + 1))
        else:
            seeds.append(int(part))
    if not seeds or min(seeds) < 0:
        raise ValueError(f"--seeds must name seeds >= 0 (e.g. 0-9 or 0,3,5), got {text!r}")
    return seeds


def load(path: Path) -> dict:
    """The results file, or an empty record."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"seeds": {}}


def _num(x):
    return None if x is None or (isinstance(x, float) and x != x) else x


def run_seed(checks, size: str, seed: int, work: Path, processes) -> dict:
    """One whole run at master seed ``seed``: its record (see the module docstring)."""
    from simulations.checks.runner import run_checks, run_wide

    t0 = time.perf_counter()
    results = run_checks(checks, size=size, seed=seed, out=work / f"seed-{seed}", processes=processes,
                         echo=lambda s: None)
    wide = run_wide(results)
    return {"seconds": round(time.perf_counter() - t0, 2), "any_failure": not all(r.passed for r in results),
            "failed": [r.name for r in results if not r.passed], "run_wide": wide,
            "checks": {r.name: {"passed": r.passed, "p_check": r.p_check, "mde": _num(r.mde),
                                "mde_relative": _num(r.mde_relative), "mde_point": r.mde_point,
                                "key_tolerance": next((p.tolerance for p in r.points if p.label == r.mde_point
                                                       and p.tested), None),
                                "smoke": r.smoke, "seconds": round(r.seconds, 2)} for r in results}}


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple:
    """Two-sided exact interval of a proportion ``k / n``."""
    from scipy import stats

    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def summary(rec: dict) -> dict:
    """Runs, runs with any failure and with a run-wide failure (with 95% intervals), failures by check."""
    runs = list(rec.get("seeds", {}).values())
    n = len(runs)
    if not n:
        return {"runs": 0}
    k_any = sum(r["any_failure"] for r in runs)
    k_wide = sum(not r["run_wide"]["passed"] for r in runs)
    by_check = {}
    for r in runs:
        for name in r["failed"]:
            by_check[name] = by_check.get(name, 0) + 1
    return {"runs": n, "runs_with_any_failure": k_any, "any_failure_ci95": clopper_pearson(k_any, n),
            "runs_failing_run_wide": k_wide, "run_wide_ci95": clopper_pearson(k_wide, n),
            "failures_by_check": by_check, "seconds_per_run": sum(r["seconds"] for r in runs) / n}


def full_factor(check) -> float:
    """sqrt(quick count / full count) over the counting parameters (``COUNTS``) that differ between the sizes."""
    q, f = check.sizes["quick"], check.sizes["full"]
    factor = 1.0
    for name in COUNTS:
        a, b = q.get(name), f.get(name)
        if isinstance(a, list) and isinstance(b, list) and a and b:
            a, b = a[0], b[0]
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > 0 and b > 0 and a != b:
            factor *= math.sqrt(a / b)
    return factor


def mde_table(rec: dict, seed: str = "0") -> str:
    """A Markdown table of every check's quick MDE (measured at ``seed``) and full MDE (se scaled by ``full_factor``)."""
    import simulations.checks.suite  # noqa: F401  (registers the checks)
    from simulations.checks.registry import CHECKS, SMOKE_FRACTION

    run = rec["seeds"][seed]["checks"]
    lines = ["| check | key point (quick) | quick MDE | % of key | full MDE (scaled) | % of key | smoke |",
             "|---|---|---|---|---|---|---|"]
    for name, c in run.items():
        if c["mde"] is None:
            lines.append(f"| `{name}` | no tested point (deterministic) | - | - | - | - | no |")
            continue
        tol = c.get("key_tolerance") or 0.0
        k = full_factor(CHECKS[name])
        full = tol + (c["mde"] - tol) * k
        rel = c["mde_relative"]
        rel_full = None if rel is None else rel * full / c["mde"]
        smoke = rel is not None and rel > SMOKE_FRACTION
        lines.append(f"| `{name}` | {c['mde_point']} | {c['mde']:.3g} | {_pct(rel)} | {full:.3g} | {_pct(rel_full)} | "
                     f"{'**yes**' if smoke else 'no'} |")
    return "\n".join(lines)


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.3g}%"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="0", help="master seeds, e.g. 0-9 or 0,3,5 (default 0)")
    ap.add_argument("--size", choices=("quick", "full"), default="quick")
    ap.add_argument("--checks", nargs="*", default=None, help="check names (default: every check)")
    ap.add_argument("--processes", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--work", default="/tmp/amlab-false-alarms", help="work folder (check records per seed)")
    ap.add_argument("--out", default=str(OUT), help=f"results file (default {OUT})")
    ap.add_argument("--max-seconds", type=float, default=None, help="start no new seed after this many seconds")
    ap.add_argument("--summary", action="store_true", help="print the tally of the results file and stop")
    ap.add_argument("--mde-table", action="store_true", help="print the MDE table (seed 0) and stop")
    args = ap.parse_args(argv)
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError as exc:
        ap.error(str(exc))
    if args.processes < 1:
        ap.error(f"--processes must be >= 1, got {args.processes}")
    out = Path(args.out)
    rec = load(out)
    if args.summary:
        print(json.dumps(summary(rec), indent=1))
        return 0
    if args.mde_table:
        print(mde_table(rec))
        return 0

    import simulations.checks.suite  # noqa: F401
    from simulations.checks.registry import CHECKS
    from simulations.core.io import atomic_write_json, provenance

    names = args.checks or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        ap.error(f"unknown check(s): {', '.join(unknown)}")
    if rec.get("seeds") and (rec.get("size") != args.size or rec.get("checks") != names):
        ap.error(f"{out} holds runs of another size or set of checks; give another --out")
    rec.update({"size": args.size, "checks": names, "work": args.work})
    checks = [CHECKS[n] for n in names]
    t0 = time.perf_counter()
    for seed in seeds:
        if str(seed) in rec["seeds"]:
            print(f"seed {seed}: already recorded")
            continue
        if args.max_seconds is not None and time.perf_counter() - t0 > args.max_seconds:
            print(f"stopped by --max-seconds before seed {seed}; the same command resumes")
            break
        r = run_seed(checks, args.size, seed, Path(args.work), args.processes)
        rec["seeds"][str(seed)] = r
        rec["provenance"] = provenance()
        rec["summary"] = summary(rec)
        atomic_write_json(out, rec)
        print(f"seed {seed}: {'FAIL ' + ', '.join(r['failed']) if r['any_failure'] else 'all passed'}; run-wide "
              f"{'PASS' if r['run_wide']['passed'] else 'FAIL'}; {r['seconds']:.0f} s", flush=True)
    print(json.dumps(rec.get("summary", {}), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

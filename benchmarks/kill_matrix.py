"""The kill matrix: every mutant of ``tests/mutants.py`` against the checks it touches.

Runs each (mutant, check) pair, and each check unmutated, at the quick and/or
full size and at one or more seeds, in parallel worker processes (one Numba
thread each; results do not depend on it), writes the raw rows to
``--out`` (atomically, after every cell; a rerun with the same ``--out``
resumes: cells already there are not run again) and prints the Markdown table
used in ``docs/checks.md``.

    python benchmarks/kill_matrix.py --size quick --seeds 0 1 --processes 2 \
        --out benchmarks/results/kill_matrix_quick_2seeds.json
    python benchmarks/kill_matrix.py --markdown benchmarks/results/kill_matrix_quick_2seeds.json

Kill rule: a mutant is killed at a size when some check of its family fails
under it at every seed run while the same check passes unmutated at that seed
(a crash under the mutant is recorded as an error, not as a kill).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository root


def _job(args):
    from tests.mutants import run_row

    return run_row(*args)


def write_json(path, obj):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


def markdown(rows) -> str:
    """One table per size: a row per mutant, a column per check; K = killed (failed at every seed),
    k = killed at some seeds, s = survived, . = not a check the mutant touches; * = a target."""
    from tests.mutants import MUTANTS

    out = []
    for size in ("quick", "full"):
        rs = [r for r in rows if r["size"] == size]
        if not rs:
            continue
        checks = sorted({r["check"] for r in rs})
        seeds = sorted({r["seed"] for r in rs})
        out.append(f"\n**{size} size** (seeds {', '.join(map(str, seeds))}; K killed at every seed, k at some, "
                   "s survived, E error; * the check is a declared target at this size)\n")
        out.append("| mutant | " + " | ".join(checks) + " |")
        out.append("|---" * (len(checks) + 1) + "|")
        for name in ["none"] + list(MUTANTS):
            cells = []
            for c in checks:
                v = [r for r in rs if r["mutant"] == name and r["check"] == c]
                if not v:
                    cells.append(".")
                    continue
                fails = [r["verdict"] != "pass" for r in v]
                errs = any(r["verdict"].startswith("error") for r in v)
                cell = "E" if errs else ("K" if all(fails) else ("k" if any(fails) else "s"))
                if name == "none":
                    cell = "pass" if not any(fails) else ("FAIL" if all(fails) else "fail at some seeds")
                m = MUTANTS.get(name)  # "*" from the current catalogue (the rows record it at their run time)
                if m is not None and c in (m.targets if size == "full" else m.quick_targets):
                    cell += "*"
                cells.append(cell)
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def kills(rows, size):
    """Per mutant at ``size``: the checks that kill it (see the module's kill rule), those that fail it at some
    seeds only, and the errors; ``None`` when the mutant has no row at that size."""
    from tests.mutants import MUTANTS

    rs = [r for r in rows if r["size"] == size]
    seeds = sorted({r["seed"] for r in rs})
    base = {(r["check"], r["seed"]): r["verdict"] == "pass" for r in rs if r["mutant"] == "none"}
    out = {}
    for name in MUTANTS:
        mine = [r for r in rs if r["mutant"] == name]
        if not mine:
            continue
        killed, some, errors = [], [], []
        for c in sorted({r["check"] for r in mine}):
            v = {r["seed"]: r["verdict"] for r in mine if r["check"] == c}
            if any(x.startswith("error") for x in v.values()):
                errors.append(c)
            fails = [s for s in seeds if v.get(s) == "FAIL" and base.get((c, s), False)]
            if len(fails) == len(seeds) and set(v) == set(seeds):
                killed.append(c)
            elif fails:
                some.append(c)
        out[name] = {"killed_by": killed, "some_seeds": some, "errors": errors}
    return out


def summary(rows) -> str:
    """The kill fraction per size and each survivor, as Markdown lines."""
    out = []
    for size in ("quick", "full"):
        k = kills(rows, size)
        if not k:
            continue
        dead = [n for n, v in k.items() if v["killed_by"]]
        out.append(f"\n{size} size: {len(dead)} of {len(k)} mutants killed ({100 * len(dead) / len(k):.0f}%).")
        for n, v in k.items():
            if not v["killed_by"]:
                extra = (f" (fails at some seeds: {', '.join(v['some_seeds'])})" if v["some_seeds"] else "")
                extra += f" (error: {', '.join(v['errors'])})" if v["errors"] else ""
                out.append(f"- survives: {n}{extra}")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", nargs="+", choices=["quick", "full"], default=["quick"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--processes", "--workers", dest="workers", type=int, default=2,
                    help="worker processes (default 2)")
    ap.add_argument("--out", default="benchmarks/results/kill_matrix.json")
    ap.add_argument("--only", nargs="*", default=None, help="mutant names ('none': the baseline)")
    ap.add_argument("--checks", nargs="*", default=None, help="only these checks")
    ap.add_argument("--targets-only", action="store_true", help="only each mutant's declared targets at the size")
    ap.add_argument("--markdown", nargs="+", default=None,
                    help="print the table of existing JSON files (later rows replace earlier ones) and exit")
    args = ap.parse_args(argv)
    if args.markdown:
        merged = {}
        for path in args.markdown:
            with open(path) as f:
                for r in json.load(f)["rows"]:
                    merged[(r["mutant"], r["check"], r["size"], r["seed"])] = r
        print(markdown(list(merged.values())))
        print(summary(list(merged.values())))
        return 0
    from tests.mutants import matrix_rows

    from tests.mutants import MUTANTS

    def wanted(m, c, size):
        if args.checks and c not in args.checks:
            return False
        if args.targets_only and m is not None:
            return c in (MUTANTS[m].targets if size == "full" else MUTANTS[m].quick_targets)
        return True

    jobs = [(m, c, size, seed) for size in args.size for seed in args.seeds for m, c in matrix_rows(size, args.only)
            if wanted(m, c, size)]
    # longest first (full size, the expensive checks) so the pool stays busy
    heavy = ("ags-critical", "classical-fixed-points", "ags-overlap", "amicl", "exp-recovery")
    jobs.sort(key=lambda j: (j[2] != "full", not any(j[1].startswith(h) for h in heavy)))
    rows, t0, done_before = [], time.time(), 0.0
    if os.path.exists(args.out):  # resume: keep the recorded cells, run the others
        with open(args.out) as f:
            old = json.load(f)
        rows = old["rows"]
        done_before = old.get("meta", {}).get("elapsed_s", 0.0)
        have = {(r["mutant"], r["check"], r["size"], r["seed"]) for r in rows}
        jobs = [j for j in jobs if ((j[0] or "none"), j[1], j[2], j[3]) not in have]
        print(f"resuming {args.out}: {len(rows)} cells recorded, {len(jobs)} to run", flush=True)
    meta = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count(),
            "workers": args.workers, "sizes": args.size, "seeds": args.seeds,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with ProcessPoolExecutor(args.workers) as ex:
        futs = [ex.submit(_job, j) for j in jobs]
        for fu in as_completed(futs):
            r = fu.result()
            rows.append(r)
            print(f"{r['size']:5s} s{r['seed']} {r['mutant']:28s} {r['check']:24s} {r['verdict'][:60]:5s} "
                  f"{r['seconds']:7.1f}s", flush=True)
            write_json(args.out, {"meta": {**meta, "elapsed_s": round(done_before + time.time() - t0, 1)},
                                  "rows": rows})
    print(markdown(rows))
    print(summary(rows))
    return 0


if __name__ == "__main__":
    # one Numba thread per worker process, set here (not at import: importing this module, as the tests
    # do for kills(), must not change the importing process's environment)
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    raise SystemExit(main())

"""Cold start: compile times, the first ``amlab check --quick``, and a fresh capacity-scan process.

Every measurement runs in a fresh interpreter (``subprocess``) with its own
``NUMBA_CACHE_DIR``: "cold" is an empty cache directory, "warm" the same
directory after a cold run filled it. Cold and warm runs alternate (cold, warm,
cold, warm, ...; a new empty directory for every cold run), and so do amlab's and
hopfieldkit's capacity-scan processes.

(a) First call of each simulator entry point, cold (compile) and warm (cache load).
(b) ``python -m amlab check --quick``, cold against warm: per round a cold run
    with ``AMLAB_PREFETCH=1`` (kernels compiled in a background process while the
    checks run, see ``amlab.warm``), a warm run, and a cold run with
    ``AMLAB_PREFETCH=0`` (every kernel compiled by the check that first needs it).
(c) The capacity scan of ``bench_classical.py`` (N = 500, P = 25, 50, 75, 100, 50
    trials each, patterns generated per trial) as a whole process: amlab's
    ``capacity_scan`` cold and warm, the same scan as a user's loop over
    ``ClassicalHopfield`` cold and warm, and hopfieldkit's
    ``empirical_capacity_scan`` run by the Python of a separate environment that
    has it installed (``--peer-python``, default ``$AMLAB_PEER_PYTHON``;
    hopfieldkit is no dependency of amlab).

    PYTHONPATH=. python benchmarks/bench_coldstart.py [--quick] [--peer-python PATH | --peer-path DIR]
        [--skip-entry-points] [--skip-check] [--rounds R] [--check-rounds R] [--out FILE]

Writes ``benchmarks/results/coldstart.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulations.core.io import atomic_write_json, provenance  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "coldstart.json"

ENTRY_POINTS = {
    "dense_poly3": "from hopfield.dense import DenseAssociativeMemory as D; import numpy as np; "
                   "x = np.ones((3, 8), np.int8); D(x, 'poly', 3).run(x[:2], max_sweeps=2)",
    "dense_exp": "from hopfield.dense import DenseAssociativeMemory as D; import numpy as np; "
                 "x = np.ones((3, 8), np.int8); D(x, 'exp').run(x[:2], max_sweeps=2)",
    "classical_patterns": "from hopfield.classical import ClassicalHopfield as C; import numpy as np; "
                          "x = np.ones((2, 40), np.int8); C(x).run(x[:1])",
    "classical_weights": "from hopfield.classical import ClassicalHopfield as C; import numpy as np; "
                         "x = np.ones((2, 8), np.int8); C(x, backend='weights').run(x)",
    "amicl": "from hopfield.amicl import run_amicl; run_amicl(1.0, D=8, K=4, T=6, n_trials=4)",
}

SCAN_AMLAB = """
import time
t0 = time.perf_counter()
from hopfield.capacity import capacity_scan
scan = capacity_scan(500, [25, 50, 75, 100], {trials}, count=50, seed=10, max_sweeps=200)
print([float(r) for r in scan.success_rate], time.perf_counter() - t0)
"""

SCAN_AMLAB_LOOP = """
import time
t0 = time.perf_counter()
import numpy as np
from hopfield.classical import ClassicalHopfield
from hopfield.patterns import flip, random_binary
rng = np.random.default_rng(10)
rates = []
for P in (25, 50, 75, 100):
    ok = 0
    for t in range({trials}):
        xi = random_binary(P, 500, seed=rng)
        cue = flip(xi[0], count=50, seed=rng)
        res = ClassicalHopfield(xi).run(cue, max_sweeps=200, seed=int(rng.integers(2**62)))
        ok += int(res.overlaps[0, 0] == 1.0)
    rates.append(ok / {trials})
print(rates, time.perf_counter() - t0)
"""

SCAN_PEER = """
import time
t0 = time.perf_counter()
import hopfieldkit
r = hopfieldkit.empirical_capacity_scan(500, [25, 50, 75, 100], n_trials={trials}, flip_fraction=0.1, seed=0)
print([float(x) for x in r["success_rates"]], time.perf_counter() - t0)
"""


SRC = ROOT  # the source tree the child processes import (--src: e.g. an export of an older commit)


def run_process(code: str, cache: str | None, python: str = sys.executable, ok=(0,), extra_env=None) -> float:
    """Wall seconds of a fresh interpreter running ``code`` (start-up and imports included)."""
    env = dict(os.environ, PYTHONPATH=str(SRC), PYTHONDONTWRITEBYTECODE="1")
    env.update(extra_env or {})
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    t0 = time.perf_counter()
    proc = subprocess.run([python, "-c", code], env=env, cwd=SRC, capture_output=True, text=True)
    if proc.returncode not in ok:
        raise RuntimeError(f"child process failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def summary(v):
    return {"min_s": min(v), "median_s": float(np.median(v)), "all_s": v}


def entry_points(rounds: int) -> dict:
    out = {}
    for name, code in ENTRY_POINTS.items():
        cold, warm = [], []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as cache:
                cold.append(run_process(code, cache))
                warm.append(run_process(code, cache))
        out[name] = {"cold": summary(cold), "warm": summary(warm),
                     "compile_s_estimate": float(np.median(cold) - np.median(warm))}
    return out


def check_quick(rounds: int) -> dict:
    code = ("import sys, tempfile; from amlab.cli import main; d = tempfile.mkdtemp(); "
            "sys.exit(main(['check', '--quick', '--out', d]))")
    cold, warm, cold_off = [], [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as cache:
            # the background compile forced on (AMLAB_PREFETCH=1): left to itself it looks at the load average,
            # which the previous run of this benchmark still raises
            cold.append(run_process(code, cache, ok=(0, 1), extra_env={"AMLAB_PREFETCH": "1"}))  # 1: a check failed
            warm.append(run_process(code, cache, ok=(0, 1)))
        with tempfile.TemporaryDirectory() as cache:  # the same, without compiling in the background
            cold_off.append(run_process(code, cache, ok=(0, 1), extra_env={"AMLAB_PREFETCH": "0"}))
    return {"cold": summary(cold), "warm": summary(warm), "cold_no_prefetch": summary(cold_off),
            "ratio_cold_over_warm_median": float(np.median(cold) / np.median(warm)),
            "ratio_cold_over_warm_min": min(cold) / min(warm),
            "ratio_cold_no_prefetch_over_warm_median": float(np.median(cold_off) / np.median(warm)),
            "order": "per round: cold with AMLAB_PREFETCH=1 (background compile forced on), warm, cold with "
                     "AMLAB_PREFETCH=0",
            "target": "cold within 1.5x of warm"}


PEER_PATH = None  # --peer-path: a folder holding the hopfieldkit package, for a peer run by this same Python


def capacity_scan(rounds: int, trials: int, peer_python: str) -> dict:
    cold, warm, peer, loop_cold, loop_warm = [], [], [], [], []
    have_peer = bool(peer_python) and Path(peer_python).is_file()
    peer_env = None
    if PEER_PATH is not None:  # the peer package from a folder, imported by this Python (not amlab's tree)
        peer_python, have_peer, peer_env = sys.executable, True, {"PYTHONPATH": str(PEER_PATH)}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(run_process(SCAN_AMLAB.format(trials=trials), cache))
            if have_peer:
                peer.append(run_process(SCAN_PEER.format(trials=trials), None, peer_python, extra_env=peer_env))
            warm.append(run_process(SCAN_AMLAB.format(trials=trials), cache))
        with tempfile.TemporaryDirectory() as cache:
            loop_cold.append(run_process(SCAN_AMLAB_LOOP.format(trials=trials), cache))
            loop_warm.append(run_process(SCAN_AMLAB_LOOP.format(trials=trials), cache))
    out = {"N": 500, "P": [25, 50, 75, 100], "trials": trials, "amlab_cold": summary(cold),
           "amlab_warm": summary(warm), "amlab_loop_cold": summary(loop_cold), "amlab_loop_warm": summary(loop_warm),
           "what": "whole process: interpreter start, imports, compile or cache load, pattern generation, storage "
                   "and recall; amlab: hopfield.capacity.capacity_scan (amlab_loop: a loop of ClassicalHopfield "
                   "runs, one per trial)", "order": "per round: amlab cold, hopfieldkit, amlab warm, loop cold, "
                                                    "loop warm"}
    if have_peer:
        out["hopfieldkit"] = summary(peer)
        out["speedup_cold_median"] = float(np.median(peer) / np.median(cold))
        out["speedup_cold_min"] = min(peer) / min(cold)
        out["speedup_warm_median"] = float(np.median(peer) / np.median(warm))
        out["loop_speedup_cold_median"] = float(np.median(peer) / np.median(loop_cold))
        out["loop_speedup_warm_median"] = float(np.median(peer) / np.median(loop_warm))
        out["target"] = "amlab cold process >= 3x faster than hopfieldkit's"
    else:
        out["hopfieldkit"] = f"skipped: {peer_python} not found"
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one round each, no check --quick")
    ap.add_argument("--peer-python", default=os.environ.get("AMLAB_PEER_PYTHON", ""),
                    help="Python of an environment with hopfieldkit installed (default: $AMLAB_PEER_PYTHON)")
    ap.add_argument("--peer-path", type=Path, default=None,
                    help="a folder that holds the hopfieldkit package (e.g. a copy of another environment's "
                         "site-packages/hopfieldkit in peer/): the peer then runs with this Python")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--skip-check", action="store_true", help="skip (b)")
    ap.add_argument("--skip-entry-points", action="store_true", help="skip (a)")
    ap.add_argument("--rounds", type=int, default=2, help="cold/warm pairs per measurement")
    ap.add_argument("--check-rounds", type=int, default=None, help="rounds of (b) (default: --rounds)")
    ap.add_argument("--src", type=Path, default=ROOT, help="source tree to measure (default: this one)")
    args = ap.parse_args(argv)
    global SRC, PEER_PATH
    SRC = args.src.resolve()
    if args.peer_path is not None:
        if not (args.peer_path / "hopfieldkit").is_dir():
            ap.error(f"--peer-path must be a folder holding hopfieldkit/, got {str(args.peer_path)!r}")
        PEER_PATH = args.peer_path.resolve()
    load = os.getloadavg()
    rounds = 1 if args.quick else args.rounds
    result = {"benchmark": "coldstart", "provenance": provenance(), "source_tree": str(SRC),
              "notes": "Timed on a machine whose load is recorded with the results: absolute times are noisy; cold and "
                       "warm runs alternate, so their ratio is the measure."}
    if not args.skip_entry_points:
        result["entry_points"] = entry_points(rounds)
        for k, v in result["entry_points"].items():
            print(f"(a) {k}: cold {v['cold']['median_s']:.1f} s, warm {v['warm']['median_s']:.1f} s")
    result["capacity_scan_process"] = cs = capacity_scan(max(rounds, 2), 50, args.peer_python)
    print(f"(c) capacity scan process: amlab cold {cs['amlab_cold']['median_s']:.1f} s, warm "
          f"{cs['amlab_warm']['median_s']:.1f} s, hopfieldkit "
          f"{cs['hopfieldkit']['median_s'] if isinstance(cs['hopfieldkit'], dict) else float('nan'):.1f} s; loop cold "
          f"{cs['amlab_loop_cold']['median_s']:.1f} s, warm {cs['amlab_loop_warm']['median_s']:.1f} s")
    if not (args.quick or args.skip_check):
        result["check_quick"] = cq = check_quick(args.check_rounds or rounds)
        print(f"(b) check --quick: cold {cq['cold']['median_s']:.1f} s, warm {cq['warm']['median_s']:.1f} s "
              f"({cq['ratio_cold_over_warm_median']:.2f}x); without the background compile "
              f"{cq['cold_no_prefetch']['median_s']:.1f} s ({cq['ratio_cold_no_prefetch_over_warm_median']:.2f}x)")
    result["load_average_1_5_15min"] = {"before": list(load), "after": list(os.getloadavg())}
    atomic_write_json(args.out, result)
    print(json.dumps({k: v for k, v in result.items() if k == "load_average_1_5_15min"}))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

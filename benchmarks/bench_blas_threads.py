"""Time of one 60 x 300 ``ClassicalHopfield.fields`` call with the BLAS pool at its default size and at 1 thread.

``fields`` multiplies (60, 300) by (300, 60) and (60, 60) by (60, 300) in float64 through numpy's BLAS.
The command line sets ``OPENBLAS_NUM_THREADS=1`` (and the MKL/BLIS/vecLib equivalents) before numpy
loads, because amlab parallelises with Numba threads and Dask workers and a BLAS pool on top of them
oversubscribes the cores. Each side runs in its own subprocess (the variable acts only when numpy
loads its BLAS); the two sides alternate, ``ROUNDS`` times each, and each subprocess reports the
min and median of ``CALLS`` calls after a warm-up. Reported: min and median over rounds of those
per-round minima and medians, and their ratio. The machine is shared (other jobs load its cores),
so absolute times are noisy; the interleaving keeps the comparison fair.

Writes ``benchmarks/results/blas_threads.json``. Run: ``PYTHONPATH=. python benchmarks/bench_blas_threads.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from simulations.core.io import atomic_write_json, provenance

ROOT = Path(__file__).resolve().parents[1]
ROUNDS, CALLS = 7, 200
CHILD = f"""
import json, time
import numpy as np
from hopfield.classical import ClassicalHopfield
from hopfield.patterns import random_binary
xi = random_binary(60, 300, seed=0)
net = ClassicalHopfield(xi)
for _ in range(20):
    net.fields(xi)
ts = []
for _ in range({CALLS}):
    t0 = time.perf_counter(); net.fields(xi); ts.append(time.perf_counter() - t0)
ts.sort()
print(json.dumps({{"min": ts[0], "median": ts[len(ts) // 2]}}))
"""


def one(threads):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env["PYTHONPATH"] = str(ROOT)
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(threads)
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    sides = {"blas_default": None, "blas_1_thread": 1}
    runs = {k: [] for k in sides}
    for _ in range(ROUNDS):
        for name, threads in sides.items():  # alternate the sides
            runs[name].append(one(threads))
    summary = {}
    for name, rs in runs.items():
        mins, meds = [r["min"] for r in rs], [r["median"] for r in rs]
        summary[name] = {"min_s": min(mins), "median_of_medians_s": statistics.median(meds), "rounds": rs}
    ratio_min = summary["blas_default"]["min_s"] / summary["blas_1_thread"]["min_s"]
    ratio_med = summary["blas_default"]["median_of_medians_s"] / summary["blas_1_thread"]["median_of_medians_s"]
    result = {"what": "one ClassicalHopfield(random_binary(60, 300)).fields(xi) call", "rounds": ROUNDS,
              "calls_per_round": CALLS, "cpus": os.cpu_count(), "load_average": os.getloadavg(),
              "note": "shared machine (other jobs running): times are noisy; sides alternated in one run",
              "sides": summary, "ratio_default_over_1_thread_min": ratio_min,
              "ratio_default_over_1_thread_median": ratio_med, "provenance": provenance()}
    atomic_write_json(ROOT / "benchmarks" / "results" / "blas_threads.json", result)
    for name, s in summary.items():
        print(f"{name:14s} min {s['min_s'] * 1e3:.3f} ms  median {s['median_of_medians_s'] * 1e3:.3f} ms")
    print(f"ratio default / 1 thread: min {ratio_min:.2f}, median {ratio_med:.2f}")


if __name__ == "__main__":
    main()

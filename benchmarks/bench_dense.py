"""Speed of the dense associative memory kernel, and the Krotov-Hopfield appendix-B protocol.

Writes ``benchmarks/results/dense.json``. Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_dense.py [--quick]

A "pattern-neuron visit" is one (mu, i) term of the update (eq. 4 of Krotov &
Hopfield 2016): a neuron visit costs K of them, a sweep N K.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numba
import numpy as np
from scipy.stats import binomtest

from hopfield.dense import DenseAssociativeMemory
from simulations.core.io import atomic_write_json, provenance

OUT = Path(__file__).parent / "results" / "dense.json"


def pm1(rng, *shape):
    return np.where(rng.random(shape) < 0.5, -1, 1).astype(np.int8)


def time_best(fn, repeats):
    """Best wall time and best CPU time (all threads of this process) over ``repeats`` calls.

    On a shared machine the wall time includes time slices given to other
    processes; CPU time does not, so ``visits / cpu_seconds`` is the rate per
    busy core.
    """
    best_wall = best_cpu = np.inf
    out = None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, out


def independent_kernels():
    """The stand-alone kernels of ``benchmarks/independent_dense.py`` (imported by path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("independent_dense", Path(__file__).parent / "independent_dense.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return {"independent_int64": mod.run_int64, "independent_int32": mod.run_int32,
            "independent_int32_narrow": mod.run_int32_narrow}  # fmt: skip


def speed(N, K, n, B, seed, repeats):
    """amlab against the independent int8 kernels, 1 and 2 threads, interleaved.

    Every round runs each side once (amlab, then the three independent variants);
    rates are visits per second of wall time and per CPU second; min and median of
    the per-round times. Compile times are measured separately (first call).
    """
    rng = np.random.default_rng(seed)
    xi = pm1(rng, K, N)
    cues = pm1(rng, B, N)
    mem = DenseAssociativeMemory(xi, F="poly", n=n)
    xiT8 = np.ascontiguousarray(xi.T)
    peers = independent_kernels()
    compile_s = {}
    t0 = time.perf_counter()
    mem.run(cues[:2], max_sweeps=2)
    compile_s["amlab"] = time.perf_counter() - t0
    sw = np.zeros(B, np.int64)
    for k, fn in peers.items():
        t0 = time.perf_counter()
        fn(xiT8, cues[:2], 2, sw[:2])
        compile_s[k] = time.perf_counter() - t0
    sides = {"amlab": lambda: int(mem.run(cues, seed=seed, max_sweeps=100).sweeps.sum())}
    for k, fn in peers.items():
        sides[k] = (lambda fn=fn: (fn(xiT8, cues, 100, sw), int(sw.sum()))[1])
    rows = {}
    old = numba.get_num_threads()
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            walls = {k: [] for k in sides}
            cpus = {k: [] for k in sides}
            sweeps = {}
            for _ in range(repeats):
                for k, fn in sides.items():
                    c0, t0 = time.process_time(), time.perf_counter()
                    sweeps[k] = fn()
                    walls[k].append(time.perf_counter() - t0)
                    cpus[k].append(time.process_time() - c0)
            row = {}
            for k in sides:
                v = sweeps[k] * N * K
                row[k] = {"sweeps_total": sweeps[k], "pattern_neuron_visits": v,
                          "visits_per_second_best": v / min(walls[k]),
                          "visits_per_second_median": v / float(np.median(walls[k])),
                          "visits_per_cpu_second_best": v / min(cpus[k]),
                          "ns_per_visit_best": 1e9 * min(walls[k]) / v}  # fmt: skip
            for k in peers:
                row[f"ratio_amlab_over_{k}_best"] = row["amlab"]["visits_per_second_best"] / row[k]["visits_per_second_best"]
                row[f"ratio_amlab_over_{k}_median"] = (row["amlab"]["visits_per_second_median"]
                                                       / row[k]["visits_per_second_median"])  # fmt: skip
                row[f"ratio_amlab_over_{k}_cpu_best"] = (row["amlab"]["visits_per_cpu_second_best"]
                                                         / row[k]["visits_per_cpu_second_best"])  # fmt: skip
            rows[f"{threads}_thread"] = row
    finally:
        numba.set_num_threads(old)
    return {"N": N, "K": K, "n": n, "F": "poly", "arithmetic": mem.arithmetic, "trials": B,
            "schedule": "async (random order)", "timing": f"{repeats} interleaved rounds, best and median",
            "compile_or_cache_load_seconds": compile_s, "threads": rows,
            "target": "amlab >= 1.0x the independent int8 kernel on 1 and 2 threads"}  # fmt: skip


def scaling(K, Ns, n, B, seed, repeats):
    """Cost per pattern-neuron visit (1 thread) as N grows at fixed K: N x K from 2e5 to 3.2e6.

    amlab and the fastest independent variant interleaved; best and median of ``repeats``.
    """
    peers = independent_kernels()
    narrow = peers["independent_int32_narrow"]
    old = numba.get_num_threads()
    out = []
    try:
        numba.set_num_threads(1)
        for N in Ns:
            rng = np.random.default_rng(seed + N)
            xi = pm1(rng, K, N)
            cues = pm1(rng, B, N)
            mem = DenseAssociativeMemory(xi, F="poly", n=n)
            xiT8 = np.ascontiguousarray(xi.T)
            sw = np.zeros(B, np.int64)
            mem.run(cues[:1], max_sweeps=1)
            narrow(xiT8, cues[:1], 1, sw[:1])
            t_am, t_in = [], []
            for _ in range(repeats):
                t0 = time.perf_counter()
                res = mem.run(cues, seed=seed, max_sweeps=100)
                t_am.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                narrow(xiT8, cues, 100, sw)
                t_in.append(time.perf_counter() - t0)
            v_am = int(res.sweeps.sum()) * N * K
            v_in = int(sw.sum()) * N * K
            out.append({"N": N, "K": K, "NK": N * K, "trials": B, "patterns_bytes_int8": N * K,
                        "amlab_ns_per_visit_best": 1e9 * min(t_am) / v_am,
                        "amlab_ns_per_visit_median": 1e9 * float(np.median(t_am)) / v_am,
                        "independent_int32_narrow_ns_per_visit_best": 1e9 * min(t_in) / v_in,
                        "amlab_mean_sweeps": float(res.sweeps.mean())})  # fmt: skip
    finally:
        numba.set_num_threads(old)
    best = [r["amlab_ns_per_visit_best"] for r in out]
    return {"rows": out, "amlab_max_over_min_ns_per_visit": max(best) / min(best),
            "target": "flat within 1.5x from N x K = 2e5 to 3.2e6"}  # fmt: skip


def other_speeds(N, K, B, seed):
    """1-thread rates for the other interaction functions (information only)."""
    rng = np.random.default_rng(seed + 1)
    xi = pm1(rng, K, N)
    cues = pm1(rng, B, N)
    out = []
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        for F, n in (("poly", 2), ("poly", 4), ("poly", 5), ("rectified", 3), ("exp", 3)):
            mem = DenseAssociativeMemory(xi, F=F, n=n)
            mem.run(cues[:2], max_sweeps=2)
            t, cpu, res = time_best(lambda: mem.run(cues, seed=seed, max_sweeps=100), 2)
            v = int(res.sweeps.sum()) * N * K
            out.append({"F": F, "n": n, "arithmetic": mem.arithmetic,
                        "visits_per_second": v / t, "visits_per_cpu_second": v / cpu})  # fmt: skip
    finally:
        numba.set_num_threads(old)
    return out


def appendix_b(N, K, starts, seed, F="poly"):
    """Fraction of random starts that end exactly on a stored memory, n = 2..6.

    For even n, F(x) = x^n is even, so -xi^mu is a minimum exactly like xi^mu:
    a state counts as a memory when |m_mu| = 1 for some mu (``fraction_on_memory``);
    ``fraction_on_signed_memory`` counts m_mu = +1 only.
    """
    rng = np.random.default_rng(seed)
    xi = pm1(rng, K, N)
    cues = pm1(rng, starts, N)
    rows = []
    for n in range(2, 7):
        res = DenseAssociativeMemory(xi, F=F, n=n).run(cues, seed=seed, max_sweeps=200)
        on = np.abs(res.overlaps).max(axis=1) == 1.0 if n % 2 == 0 else res.best_overlap == 1.0
        hits = int(np.sum(on))
        ci = binomtest(hits, starts).proportion_ci(method="wilson", confidence_level=0.95)
        rows.append({
            "n": n,
            "fraction_on_memory": hits / starts,
            "wilson95": [ci.low, ci.high],
            "fraction_on_signed_memory": float(np.mean(res.best_overlap == 1.0)),
            "converged_fraction": float(np.mean(res.converged)),
            "mean_sweeps": float(np.mean(res.sweeps)),
        })  # fmt: skip
    return {
        "N": N, "K": K, "F": F, "random_starts": starts, "schedule": "async (random order)",
        "memory": "|m_mu| = 1 for even n (F even: -xi is a memory too), m_mu = 1 for odd n",
        "expected": "Krotov & Hopfield 2016 app. B: n=2,3 fail, n=4 at the edge, n>=5 always; "
                    "planning measurement 0, 0, 0.825, 1, 1 (Krotov & Hopfield 2016, appendix B; docs/references.md, dense)",
        "rows": rows,
    }  # fmt: skip


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer trials and starts")
    p.add_argument("--seed", type=int, default=2016)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    B = 16 if args.quick else 256
    load_before = os.getloadavg()
    result = {
        "benchmark": "dense",
        "provenance": provenance(),
        "notes": "Timed on a machine whose load is recorded with the results: absolute rates are noisy; the ratios come from "
                 "interleaved rounds in one process. Compile times are reported separately.",
        "speed": speed(100, 2000, 3, B, args.seed, 3 if args.quick else 7),
        "scaling_1_thread": scaling(2000, [100, 200, 400, 800, 1600], 3, 8 if args.quick else 32, args.seed,
                                    2 if args.quick else 5),
        "other_speeds_1_thread": other_speeds(100, 2000, B, args.seed),
        "appendix_b": appendix_b(100, 2000, 100 if args.quick else 1000, args.seed),
    }
    result["load_average_1_5_15min"] = {"before": list(load_before), "after": list(os.getloadavg())}
    atomic_write_json(args.out, result)
    s = result["speed"]
    print(f"n=3 N=100 K=2000 async, {B} trials; compile/load s: {s['compile_or_cache_load_seconds']}")
    for k, row in s["threads"].items():
        for side in ("amlab", "independent_int64", "independent_int32", "independent_int32_narrow"):
            r = row[side]
            print(f"  {k} {side}: {r['visits_per_second_best']:.3g} visits/s best, {r['visits_per_second_median']:.3g} median")
        print("  ratios (best, median):", {p: (round(row[f"ratio_amlab_over_{p}_best"], 2), round(row[f"ratio_amlab_over_{p}_median"], 2))
                                           for p in ("independent_int64", "independent_int32", "independent_int32_narrow")})
    for r in result["scaling_1_thread"]["rows"]:
        print(f"  N={r['N']} K={r['K']}: amlab {r['amlab_ns_per_visit_best']:.3f} ns/visit, "
              f"independent {r['independent_int32_narrow_ns_per_visit_best']:.3f}")
    for r in result["other_speeds_1_thread"]:
        print(f"  {r['F']} n={r['n']} ({r['arithmetic']}): {r['visits_per_second']:.3g} visits/s,"
              f" {r['visits_per_cpu_second']:.3g} per CPU second")  # fmt: skip
    print("appendix B, fraction of random starts ending on a memory:",
          {r["n"]: r["fraction_on_memory"] for r in result["appendix_b"]["rows"]})  # fmt: skip
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

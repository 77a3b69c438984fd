"""Speed of the classical Hopfield simulator, measured side by side in one run.

(a) Hebbian async, N=1000, P=100, 256 trials from 10%-flipped cues: neuron visits
    per second for amlab (patterns and weights backends) and for a plain numpy
    implementation of the same dynamics (one vectorised dot product per visit),
    timed on a subset of trials and scaled per visit.
(b) Capacity scan, N=500, P in {25, 50, 75, 100}, 50 trials per point, random-order
    async from cues with 10% of the bits flipped, success = exact recovery of the
    cued pattern (final overlap 1), against the ``hopfieldkit`` package when it is
    importable (its ``empirical_capacity_scan`` runs exactly this protocol).

Numba compile time is excluded: every kernel is run once on a small problem before
timing. Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_classical.py [--quick]

Writes ``benchmarks/results/classical.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numba
import numpy as np

from hopfield.classical import ClassicalHopfield, hebbian_weights
from hopfield.patterns import flip, random_binary
from simulations.io import atomic_write_json

OUT = Path(__file__).resolve().parent / "results" / "classical.json"


def _provenance() -> dict:
    try:  # the project's provenance needs sympy and amlab's metadata
        from simulations.io import provenance

        info = provenance()
    except Exception:  # a bare benchmark environment
        info = {"python": platform.python_version(), "machine": platform.machine(),
                "cpus": os.cpu_count(), "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        for pkg in ("numpy", "scipy", "numba"):
            try:
                info[pkg] = metadata.version(pkg)
            except metadata.PackageNotFoundError:
                pass
    info["numba_threads"] = numba.get_num_threads()
    info["load_average_1_5_15"] = list(os.getloadavg())
    info["python_executable"] = sys.executable
    return info


def numpy_async(W: np.ndarray, cue: np.ndarray, rng: np.random.Generator, max_sweeps: int):
    """Random-order asynchronous dynamics as a numpy user writes it; returns (state, sweeps)."""
    s = cue.astype(np.float64)
    N = s.shape[0]
    for sweep in range(max_sweeps):
        changed = False
        for i in rng.permutation(N):
            h = W[i] @ s
            if h != 0.0:  # a zero field keeps the state, as in amlab
                new = 1.0 if h > 0.0 else -1.0
                if new != s[i]:
                    s[i] = new
                    changed = True
        if not changed:
            return s, sweep + 1
    return s, max_sweeps


def bench_visits(quick: bool) -> dict:
    N, P, B = 1000, 100, 256
    n_numpy = 4 if quick else 16
    xi = random_binary(P, N, seed=1)
    cues = flip(xi[np.arange(B) % P], fraction=0.1, seed=2)
    out = {"N": N, "P": P, "trials": B, "cue_flip_fraction": 0.1, "schedule": "async", "order": "random"}
    threads = sorted({1, numba.get_num_threads()})
    out["numba_threads_measured"] = threads
    default = numba.get_num_threads()
    for n in threads:
        numba.set_num_threads(n)
        for backend in ("patterns", "weights"):
            net = ClassicalHopfield(xi, backend=backend)
            net.run(cues[:2], seed=0)  # warm-up: compile (or load) the kernels
            best, best_cpu = np.inf, np.inf
            for rep in range(5):
                t0, c0 = time.perf_counter(), time.process_time()
                res = net.run(cues, seed=3)
                best = min(best, time.perf_counter() - t0)
                best_cpu = min(best_cpu, time.process_time() - c0)
            visits = int(res.sweeps.sum()) * N
            hit = res.overlaps[np.arange(B), np.arange(B) % P] == 1.0
            out[f"amlab_{backend}_threads{n}"] = {
                "wall_seconds_best_of_5": best, "cpu_seconds_best_of_5": best_cpu, "visits": visits,
                "visits_per_second": visits / best, "visits_per_cpu_second": visits / best_cpu,
                "mean_sweeps": float(res.sweeps.mean()), "retrieved_fraction": float(hit.mean()),
            }
    numba.set_num_threads(default)
    W = hebbian_weights(xi) / N
    rng = np.random.default_rng(4)
    t0, c0 = time.perf_counter(), time.process_time()
    visits = 0
    ok = 0
    for b in range(n_numpy):
        s, sweeps = numpy_async(W, cues[b], rng, 100)
        visits += sweeps * N
        ok += int(np.array_equal(s, xi[b % P]))
    t, tc = time.perf_counter() - t0, time.process_time() - c0
    out["numpy"] = {"trials_timed": n_numpy, "wall_seconds": t, "cpu_seconds": tc, "visits": visits,
                    "visits_per_second": visits / t, "visits_per_cpu_second": visits / tc,
                    "retrieved_fraction": ok / n_numpy,
                    "method": "float64 W; per visit h_i = W[i] @ s, sign with a zero field keeping s_i; "
                              "rng.permutation(N) each sweep; timed on the first trials and scaled per visit"}
    for key in [k for k in out if k.startswith("amlab_")]:
        out[f"ratio_{key}_over_numpy"] = out[key]["visits_per_second"] / out["numpy"]["visits_per_second"]
        out[f"cpu_ratio_{key}_over_numpy"] = (out[key]["visits_per_cpu_second"]
                                              / out["numpy"]["visits_per_cpu_second"])
    return out


def bench_capacity(quick: bool) -> dict:
    N, Ps, trials, frac, max_sweeps = 500, [25, 50, 75, 100], 50, 0.1, 200
    n_flip = int(frac * N)  # 50 bits, as hopfieldkit computes it
    out = {"N": N, "P": Ps, "trials": trials, "flipped_bits": n_flip, "max_sweeps": max_sweeps,
           "protocol": "per trial: fresh random patterns, Hebbian storage (zero diagonal), cue = pattern 0 with "
                       f"{n_flip} distinct bits flipped, random-order asynchronous updates until a sweep changes "
                       "nothing (or max_sweeps), success = final state equals pattern 0 (overlap 1). Both timings "
                       "include pattern generation, storage and recall.",
           "differences": "hopfieldkit sets s_i = +1 on a zero field, amlab keeps s_i (ties occur only for even P); "
                          "each side draws its own random patterns, so success rates are compared statistically "
                          "(two-sided Fisher exact test per point)."}
    # amlab
    for backend in ("patterns", "weights"):  # warm-up: "auto" picks either, depending on P/N
        ClassicalHopfield(random_binary(5, 50, seed=0), backend=backend).run(random_binary(1, 50, seed=1))
    am = []
    rng = np.random.default_rng(10)
    for P in Ps:
        t0, c0 = time.perf_counter(), time.process_time()
        ok = 0
        for t in range(trials):
            xi = random_binary(P, N, seed=rng)
            cue = flip(xi[0], count=n_flip, seed=rng)
            res = ClassicalHopfield(xi).run(cue, max_sweeps=max_sweeps, seed=int(rng.integers(2**62)))
            ok += int(res.overlaps[0, 0] == 1.0)
        am.append({"P": P, "successes": ok, "success_rate": ok / trials, "seconds": time.perf_counter() - t0,
                   "cpu_seconds": time.process_time() - c0})
    out["amlab"] = am
    try:
        import hopfieldkit
    except ImportError:
        msg = ("hopfieldkit is not importable here; skipped. Install it in a separate environment: "
               "python3 -m venv /work/venv-bench && /work/venv-bench/bin/pip install numpy scipy numba tqdm "
               "hopfieldkit, then run this script with /work/venv-bench/bin/python")
        print(msg)
        out["hopfieldkit"] = {"skipped": msg}
        return out
    hk = []
    hk_trials = 10 if quick else trials
    for k, P in enumerate(Ps):
        t0, c0 = time.perf_counter(), time.process_time()
        r = hopfieldkit.empirical_capacity_scan(N, [P], n_trials=hk_trials, flip_fraction=frac, seed=100 + k)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        rate = float(r["success_rates"][0])
        hk.append({"P": P, "trials": hk_trials, "successes": int(round(rate * hk_trials)), "success_rate": rate,
                   "seconds": dt, "cpu_seconds": dc})
    out["hopfieldkit"] = {"version": getattr(hopfieldkit, "__version__", "?"), "points": hk,
                          "call": "hopfieldkit.empirical_capacity_scan(500, [P], n_trials, flip_fraction=0.1, seed)"}
    try:
        from scipy.stats import fisher_exact
    except ImportError:  # pragma: no cover
        fisher_exact = None
    cmp = []
    for a, h in zip(am, hk):
        row = {"P": a["P"],
               "speedup_per_trial": (h["seconds"] / h["trials"]) / (a["seconds"] / trials),
               "cpu_speedup_per_trial": (h["cpu_seconds"] / h["trials"]) / (a["cpu_seconds"] / trials),
               "amlab_rate": a["success_rate"], "hopfieldkit_rate": h["success_rate"]}
        if fisher_exact is not None:
            table = [[a["successes"], trials - a["successes"]], [h["successes"], h["trials"] - h["successes"]]]
            row["fisher_p"] = float(fisher_exact(table)[1])
        cmp.append(row)
    out["comparison"] = cmp
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer numpy and hopfieldkit trials")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    result = {
        "benchmark": "classical",
        "notes": "Numba compile time excluded (kernels warmed up before timing). Wall-clock and process CPU "
                 "time are both recorded: on a shared, loaded machine the CPU-time rates are the steadier "
                 "measure of the work done. Ratios come from the same run.",
        "quick": args.quick,
        "provenance": _provenance(),
    }
    result["visits"] = bench_visits(args.quick)
    v = result["visits"]
    print(f"(a) numpy: {v['numpy']['visits_per_second']:.3g} visits/s")
    for key in [k for k in v if k.startswith("amlab_")]:
        print(f"(a) {key}: {v[key]['visits_per_second']:.3g} visits/s, {v[f'ratio_{key}_over_numpy']:.0f}x numpy "
              f"(CPU time: {v[f'cpu_ratio_{key}_over_numpy']:.0f}x)")
    result["capacity_scan"] = bench_capacity(args.quick)
    for row in result["capacity_scan"].get("comparison", []):
        print(f"(b) P={row['P']}: amlab {row['amlab_rate']:.2f} vs hopfieldkit {row['hopfieldkit_rate']:.2f} "
              f"(Fisher p={row.get('fisher_p', float('nan')):.2f}), {row['speedup_per_trial']:.0f}x faster per trial "
              f"(CPU time: {row['cpu_speedup_per_trial']:.0f}x)")
    for a in result["capacity_scan"]["amlab"]:
        print(f"(b) amlab P={a['P']}: {a['success_rate']:.2f} in {a['seconds']:.3f} s")
    atomic_write_json(args.out, result)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

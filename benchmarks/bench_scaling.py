"""Cost per unit of work of each simulator as its sizes grow (the table of docs/speed.md).

* classical (Hebbian, patterns backend, async random order, 10% flipped cues): ns per
  neuron visit per stored pattern, as N and P = N/10 grow;
* classical, weights backend: ns per neuron visit per neuron (a flip costs O(N)), P = N/4;
* dense (poly n = 3): see ``bench_dense.py`` (``scaling_1_thread``), ns per pattern-neuron visit;
* modern (float32): ns per query-pattern-dimension term of one update, as N (patterns) and d grow;
* AMICL: microseconds per trial (sequence drawn and read out at one a), as D and T grow.

One thread for the Numba kernels and one for BLAS; best of ``repeats`` after a warm-up
(compile time excluded). The machine is shared: absolute numbers are noisy.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_scaling.py [--quick]

Writes ``benchmarks/results/scaling.json``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numba
import numpy as np

from hopfield.amicl import run_amicl
from hopfield.classical import ClassicalHopfield
from hopfield.modern import ModernHopfield
from hopfield.patterns import flip, random_binary
from simulations.core.io import atomic_write_json, provenance

OUT = Path(__file__).resolve().parent / "results" / "scaling.json"


def best(fn, repeats):
    fn()
    ts = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


def classical(Ns, backend, P_of_N, B, repeats):
    rows = []
    for N in Ns:
        P = P_of_N(N)
        xi = random_binary(P, N, seed=N)
        cues = flip(xi[np.arange(B) % P], fraction=0.1, seed=N + 1)
        net = ClassicalHopfield(xi, backend=backend)
        t, res = best(lambda: net.run(cues, seed=3), repeats)
        visits = int(res.sweeps.sum()) * N
        per = P if backend == "patterns" else N
        rows.append({"N": N, "P": P, "trials": B, "ns_per_visit": 1e9 * t / visits,
                     "ns_per_visit_per_unit": 1e9 * t / visits / per, "unit": "pattern" if per == P else "neuron",
                     "mean_sweeps": float(res.sweeps.mean())})
    return rows


def modern(shapes, B, repeats):
    rows = []
    for N, d in shapes:
        rng = np.random.default_rng(N + d)
        X = (rng.normal(size=(N, d)) / np.sqrt(d)).astype(np.float32)
        q = X[rng.integers(0, N, B)] + np.float32(0.1)
        net = ModernHopfield(X, 4.0)
        t, _ = best(lambda: net.update(q), repeats)
        rows.append({"N": N, "d": d, "B": B, "dtype": "float32", "ns_per_term": 1e9 * t / (B * N * d),
                     "seconds_per_update": t})
    return rows


def amicl(shapes, trials, repeats):
    rows = []
    for D, T in shapes:
        t, _ = best(lambda: run_amicl(2.0, D=D, T=T, K=512, n_trials=trials, seed=1), repeats)
        rows.append({"D": D, "T": T, "K": 512, "trials": trials, "us_per_trial": 1e6 * t / trials,
                     "ns_per_token_dim": 1e9 * t / trials / (T * D)})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    load = os.getloadavg()
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    reps = 2 if args.quick else 3
    try:
        result = {
            "benchmark": "scaling", "provenance": provenance(),
            "notes": "One Numba thread (and one BLAS thread when run as documented); best of a few runs after a "
                     "warm-up; on a machine whose load is recorded with the results: absolute numbers are noisy.",
            "classical_patterns": classical([250, 500, 1000, 2000], "patterns", lambda N: N // 10, 32, reps),
            "classical_weights": classical([250, 500, 1000, 2000], "weights", lambda N: N // 4, 32, reps),
            "modern_float32": modern([(1024, 64), (4096, 64), (4096, 256), (16384, 256)], 1024, reps),
            "amicl": amicl([(25, 20), (100, 20), (400, 20), (100, 80), (100, 320)], 2000, reps),
            "blas_threads_env": os.environ.get("OPENBLAS_NUM_THREADS"),
        }
    finally:
        numba.set_num_threads(old)
    result["load_average_1_5_15min"] = {"before": list(load), "after": list(os.getloadavg())}
    atomic_write_json(args.out, result)
    for k in ("classical_patterns", "classical_weights", "modern_float32", "amicl"):
        print(k)
        for r in result[k]:
            print("  ", {a: (round(b, 4) if isinstance(b, float) else b) for a, b in r.items()})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

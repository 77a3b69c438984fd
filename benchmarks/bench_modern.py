"""Speed and memory of one ModernHopfield update against the two matrix products it consists of.

One update of B queries (d) over N patterns is ``softmax(beta Q X^T) X``: two
matrix products of 2 B N d flops each plus the softmax. Timed side by side,
interleaved (update, products, the previous implementation, repeated), in one
process; minimum and median reported. Sizes: B = 10**4, d = 256, N = 4096, float32
and float64.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_modern.py [--quick]

(one BLAS thread: on the shared, overloaded 2-core machine a two-thread BLAS
spends most of its time waiting for its second core, and both sides use BLAS;
``OPENBLAS_NUM_THREADS=2`` measures the two-thread case.) The update is also
timed with its softmax on one thread (``update_serial_softmax``) to show what
the row-block threads of the softmax bring.

Writes ``benchmarks/results/modern.json``.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy.special import softmax

from hopfield.modern import ModernHopfield
from simulations.core.io import atomic_write_json, provenance

OUT = Path(__file__).resolve().parent / "results" / "modern.json"


def previous_update(X, beta, q):
    """The update as amlab computed it before (scipy softmax of a full ``beta * S``, float64)."""
    X64, q64 = X.astype(np.float64), q.astype(np.float64)
    return softmax(beta * (q64 @ X64.T), axis=1) @ X64


def measure(B, d, N, dtype, repeats, seed=0):
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(N, d)) / np.sqrt(d)).astype(dtype)
    q = (X[rng.integers(0, N, B)] + 0.5 * rng.normal(size=(B, d)) / np.sqrt(d)).astype(dtype)
    beta = 8.0
    net = ModernHopfield(X, beta)
    import hopfield.modern as hm

    def serial_softmax_update():  # the update with the softmax on the calling thread only
        threaded = hm._softmax_threads
        hm._softmax_threads = hm.softmax_rows_inplace
        try:
            return net.update(q)
        finally:
            hm._softmax_threads = threaded

    sides = {
        "update": lambda: net.update(q),
        "update_serial_softmax": serial_softmax_update,
        "two_products": lambda: (q @ X.T) @ X,
        "previous_float64_update": lambda: previous_update(X, beta, q),
    }
    times = {k: [] for k in sides}
    for _ in range(repeats):  # interleaved: every side once per round
        for k, fn in sides.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    tracemalloc.start()
    out = net.update(q)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    row = {"B": B, "d": d, "N": N, "dtype": np.dtype(dtype).name, "beta": beta, "repeats": repeats,
           "output_dtype": out.dtype.name, "update_peak_bytes": peak,
           "full_score_matrix_bytes": B * N * np.dtype(dtype).itemsize}
    for k, v in times.items():
        row[k] = {"min_s": min(v), "median_s": float(np.median(v))}
    row["serial_softmax_bit_identical"] = bool(np.array_equal(out, serial_softmax_update()))
    for k in ("update", "update_serial_softmax", "previous_float64_update"):
        row[f"ratio_{k}_over_two_products_min"] = row[k]["min_s"] / row["two_products"]["min_s"]
        row[f"ratio_{k}_over_two_products_median"] = row[k]["median_s"] / row["two_products"]["median_s"]
    return row


def _reference_output(B, dtype, seed=0):
    """One update of the benchmark's inputs, to compare bits across chunk sizes."""
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(4096, 256)) / np.sqrt(256)).astype(dtype)
    q = (X[rng.integers(0, 4096, B)] + 0.5 * rng.normal(size=(B, 256)) / np.sqrt(256)).astype(dtype)
    return ModernHopfield(X, 8.0).update(q)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--chunk-mib", default=None,
                    help="comma-separated chunk sizes in MiB to time in turn (default: hopfield.modern.CHUNK_BYTES)")
    ap.add_argument("--repeats", type=int, default=None, help="rounds per size (default 7, or 3 with --quick)")
    args = ap.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        ap.error(f"--repeats must be a positive integer, got {args.repeats}")
    repeats = args.repeats or (3 if args.quick else 7)
    import hopfield.modern as hm

    default_chunk = hm.CHUNK_BYTES
    chunks = [default_chunk] if args.chunk_mib is None else [int(float(c) * 2**20) for c in args.chunk_mib.split(",")]
    if any(c <= 0 for c in chunks):
        ap.error(f"--chunk-mib must be positive sizes, got {args.chunk_mib!r}")
    load = os.getloadavg()
    B = 2000 if args.quick else 10**4
    rows, first = [], {}
    try:
        for c in chunks:
            hm.CHUNK_BYTES = c
            for dt in (np.float32, np.float64):
                row = measure(B, 256, 4096, dt, repeats)
                row["chunk_bytes"] = c
                out = _reference_output(B, dt)
                key = np.dtype(dt).name
                first.setdefault(key, out)
                row["bit_identical_to_first_chunk_size"] = bool(np.array_equal(out, first[key]))
                rows.append(row)
    finally:
        hm.CHUNK_BYTES = default_chunk
    result = {"benchmark": "modern", "provenance": provenance(), "rows": rows, "target": "update <= 1.3x two products",
              "notes": "Timed on a machine whose load is recorded with the results: absolute times are noisy, the "
                       "interleaved ratios are what counts. BLAS threads: numpy's default.",
              "blas_threads_env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
              "numba_threads_softmax": __import__("numba").get_num_threads(),
              "load_average_1_5_15min": {"before": list(load), "after": list(os.getloadavg())}}
    atomic_write_json(args.out, result)
    for r in rows:
        print(f"{r['dtype']} chunk {r['chunk_bytes'] / 2**20:g} MiB: update {r['update']['min_s']:.3f} s, two products {r['two_products']['min_s']:.3f} s "
              f"-> {r['ratio_update_over_two_products_min']:.2f}x (median {r['ratio_update_over_two_products_median']:.2f}x); "
              f"serial softmax {r['ratio_update_serial_softmax_over_two_products_min']:.2f}x; "
              f"previous {r['ratio_previous_float64_update_over_two_products_min']:.2f}x; peak "
              f"{r['update_peak_bytes'] / 2**20:.1f} MiB of {r['full_score_matrix_bytes'] / 2**20:.0f} MiB scores")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed of the MinOver kernel (hopfield.perceptron) against a vectorised numpy MinOver.

Writes ``benchmarks/results/perceptron.json``. Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_perceptron.py [--quick]

Both sides run the same integer algorithm (same updates, checked); the numpy
side recomputes nothing but keeps the fields with one vectorised column add per
update, as a careful numpy user would. Sides are interleaved (A, B, A, B, ...)
and the min and median over repeats are reported; the first (compiling) call of
the kernel is timed separately. Timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from hopfield.perceptron import learn
from simulations.core.io import atomic_write_json, provenance

OUT = Path(__file__).parent / "results" / "perceptron.json"


def numpy_minover(xi, y, kappa, max_updates):
    """MinOver with numpy: fields kept through the overlap matrix, argmin per update."""
    X = xi.astype(np.int64) * y.astype(np.int64)[:, None]
    C = X @ X.T
    P, N = X.shape
    h = np.zeros(P, np.int64)
    counts = np.zeros(P, np.int64)
    J2 = 0
    for u in range(max_updates + 1):
        mu = int(np.argmin(h))
        hmin = int(h[mu])
        if u > 0 and hmin > 0 and float(hmin) ** 2 >= kappa * kappa * float(J2):
            return counts, True, u
        if u == max_updates:
            return counts, False, u
        J2 += 2 * hmin + N
        h += C[:, mu]
        counts[mu] += 1


def main(quick: bool) -> dict:
    rng = np.random.default_rng(0)
    N, P, kappa, budget = (100, 80, 0.8, 20000) if quick else (200, 160, 0.8, 100000)
    xi = np.where(rng.random((P, N)) < 0.5, -1, 1).astype(np.int8)
    y = np.where(rng.random(P) < 0.5, -1, 1).astype(np.int8)
    t0 = time.perf_counter()
    first = learn(xi, y, kappa, budget)
    compile_s = time.perf_counter() - t0
    counts, ok, upd = numpy_minover(xi, y, kappa, budget)
    assert np.array_equal(counts, first.counts[0]) and ok == bool(first.converged[0]) and upd == first.updates[0]
    repeats = 5 if quick else 15
    ta, tb = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        learn(xi, y, kappa, budget)
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        numpy_minover(xi, y, kappa, budget)
        tb.append(time.perf_counter() - t)
    res = {
        "problem": {"N": N, "P": P, "kappa": kappa, "max_updates": budget, "updates": int(upd), "converged": bool(ok)},
        "kernel_first_call_s": compile_s,
        "kernel_s": {"min": min(ta), "median": float(np.median(ta))},
        "numpy_s": {"min": min(tb), "median": float(np.median(tb))},
        "ratio_numpy_over_kernel": {"min": min(tb) / min(ta), "median": float(np.median(tb) / np.median(ta))},
        "repeats": repeats, "interleaved": True,
        "note": "shared 2-core machine with other jobs running: timings are noisy; both sides do the same "
                "integer updates (checked); the kernel time includes building the (P, P) overlap matrix",
        "provenance": provenance(),
    }
    atomic_write_json(OUT, res)
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    r = main(ap.parse_args().quick)
    print({k: r[k] for k in ("problem", "kernel_first_call_s", "kernel_s", "numpy_s", "ratio_numpy_over_kernel")})

"""Speed of the Storkey learning kernel (hopfield.kernels.storkey) against a vectorised numpy version.

Writes ``benchmarks/results/storkey.json``. Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_storkey.py [--quick]

The numpy side is the vectorised rule amlab used before the kernel (one BLAS
matrix-vector product and a few N x N temporaries per pattern); both sides give
the same weights (checked to 1e-9). Sides are interleaved (A, B, A, B, ...) and
the min and median over repeats are reported; the first (compiling or
cache-loading) call of the kernel is timed separately. Timings on a shared
machine are noisy.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from hopfield.kernels.storkey import storkey_learn
from simulations.core.io import atomic_write_json, provenance

OUT = Path(__file__).parent / "results" / "storkey.json"


def numpy_storkey(patterns):
    """Storkey's rule with numpy: per pattern, h_ij from W x and elementwise N x N work."""
    P, N = patterns.shape
    W = np.zeros((N, N))
    for x in patterns.astype(np.float64):
        g = W @ x  # (N,)
        wx = np.diag(W) * x  # (N,)
        Hm = g[:, None] - wx[:, None] - W * x[None, :]  # (N, N) h_ij
        Hm[np.diag_indices(N)] += wx
        W += (np.outer(x, x) - x[:, None] * Hm.T - Hm * x[None, :]) / N
    return W


def main(quick: bool) -> dict:
    rng = np.random.default_rng(0)
    N, P = (200, 40) if quick else (600, 120)
    xi = np.where(rng.random((P, N)) < 0.5, -1.0, 1.0)
    t0 = time.perf_counter()
    first = storkey_learn(xi, np.zeros((N, N)))
    first_s = time.perf_counter() - t0
    assert np.allclose(first, numpy_storkey(xi), rtol=0, atol=1e-9)
    repeats = 3 if quick else 9
    ta, tb = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        storkey_learn(xi, np.zeros((N, N)))
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        numpy_storkey(xi)
        tb.append(time.perf_counter() - t)
    res = {
        "problem": {"N": N, "P": P},
        "kernel_first_call_s": first_s,
        "kernel_s": {"min": min(ta), "median": float(np.median(ta))},
        "numpy_s": {"min": min(tb), "median": float(np.median(tb))},
        "ratio_numpy_over_kernel": {"min": min(tb) / min(ta), "median": float(np.median(tb) / np.median(ta))},
        "repeats": repeats, "interleaved": True,
        "note": "shared 2-core machine with other jobs running: timings are noisy; same weights on both sides "
                "(checked to 1e-9); the kernel is single-threaded, numpy's matrix-vector product may use BLAS threads",
        "provenance": provenance(),
    }
    atomic_write_json(OUT, res)
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    r = main(ap.parse_args().quick)
    print({k: r[k] for k in ("problem", "kernel_first_call_s", "kernel_s", "numpy_s", "ratio_numpy_over_kernel")})

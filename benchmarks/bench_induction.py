"""Speed of the induction-model forward pass: 512 sequences of length 256 at d = 256 (V = 64).

Timed side by side in one run, interleaved, ``REPEATS`` rounds (min and median reported):

* ``forward64`` / ``forward32``: ``hopfield.induction.forward`` in float64 / float32 (table-gathered
  layer-1 scores, rank-V memories applied through their factors, batched BLAS products);
* ``dense64``: a plain dense forward pass of the same model (every memory as a d x d matrix, every
  product a numpy matmul), the obvious implementation, timed on ``DENSE_N`` sequences and scaled to 512;
* ``matmul64`` / ``matmul32``: one plain numpy batched matmul of shape (n, T, T) @ (n, T, d), the
  largest product of the forward pass, as the attainable BLAS rate for these shapes.

GFLOP/s = (multiply-adds x 2 of the products the method performs) / seconds; the forward pass's
gathers and softmaxes are not counted as flops but are in its time. The model build (random draws)
is outside the timings. Numpy's BLAS thread count is whatever the environment sets (run with
``OPENBLAS_NUM_THREADS=2`` pinned to 2 cores for the "2 cores" figure). Timings on a machine shared
with other work are noisy: compare the sides of one run, not runs with each other.

Writes ``benchmarks/results/induction.json``. Run: ``PYTHONPATH=. python benchmarks/bench_induction.py``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from hopfield.bigram import synthetic_bigram
from hopfield.induction import _softmax_causal, build_induction_model, forward
from hopfield.induction_data import trigger_sequences
from simulations.io import atomic_write_json, provenance

N, T, D, V, REPEATS = 512, 256, 256, 64, 3
#: The plain dense pass is timed on this many sequences and scaled to N (it is linear in n).
DENSE_N = 64


def dense_forward(m, z):
    """The plain forward pass: dense d x d memories, full matmuls (float64)."""
    x = m.w_E[z] + m.P[None, :T]
    S1 = m.beta1 * (x @ m.K1.dense()) @ x.transpose(0, 2, 1)
    A1 = _softmax_causal(S1)
    h1 = x + A1 @ (x @ m.W_OV1.T)
    S2 = m.beta2 * (h1 @ m.K2.dense()) @ h1.transpose(0, 2, 1)
    A2 = _softmax_causal(S2)
    h2 = h1 + m.beta_O * (A2 @ (h1 @ (m.O2.dense() @ m.W_V2).T))
    return (h2 + m.gamma * h1 @ m.F.dense().T) @ m.w_U.T


def flops_forward(n, T, d, V):
    return 2 * (n * T * T * d + 2 * n * T * T * V + 5 * n * T * d * V + 2 * n * T * V * V)


def flops_dense(n, T, d, V):
    return 2 * (5 * n * T * d * d + 4 * n * T * T * d + n * T * d * V)


def main(out=Path(__file__).parent / "results" / "induction.json"):
    bg = synthetic_bigram(V, seed=0)
    z, _ = trigger_sequences(bg, N, T, K=5, seed=0)
    m = build_induction_model(bg, D, T, seed=0)
    rng = np.random.default_rng(0)
    A64, X64 = rng.random((N, T, T)), rng.random((N, T, D))
    A32, X32 = A64.astype(np.float32), X64.astype(np.float32)
    sides = {
        "forward64": (lambda: forward(m, z), flops_forward(N, T, D, V)),
        "forward32": (lambda: forward(m, z, dtype=np.float32), flops_forward(N, T, D, V)),
        "dense64": (lambda: dense_forward(m, z[:DENSE_N]), flops_dense(DENSE_N, T, D, V)),
        "matmul64": (lambda: A64 @ X64, 2 * N * T * T * D),
        "matmul32": (lambda: A32 @ X32, 2 * N * T * T * D),
    }
    # agreement of the fast and the plain forward pass
    ref = dense_forward(m, z[:8])
    agree = float(np.max(np.abs(forward(m, z[:8]).logits - ref)))
    agree32 = float(np.max(np.abs(forward(m, z[:8], dtype=np.float32).logits - ref)))
    times = {k: [] for k in sides}
    for r in range(REPEATS):
        for k, (f, _) in sides.items():
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
        print(f"round {r + 1}/{REPEATS}", {k: round(v[-1], 3) for k, v in times.items()}, file=sys.stderr)
    res = {}
    times["dense64"] = [t * N / DENSE_N for t in times["dense64"]]  # scaled to N sequences
    sides["dense64"] = (None, flops_dense(N, T, D, V))
    for k, (f, fl) in sides.items():
        tmin, tmed = float(np.min(times[k])), float(np.median(times[k]))
        res[k] = {"seconds_min": tmin, "seconds_median": tmed, "gflop": fl / 1e9, "gflops_at_min": fl / tmin / 1e9,
                  "gflops_at_median": fl / tmed / 1e9, "all_seconds": times[k]}
    doc = {
        "setting": dict(n=N, T=T, d=D, V=V, repeats=REPEATS, pe="ape", dense_timed_on=DENSE_N),
        "threads": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_1_5_15": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "target": "forward pass well under 1 s on 2 cores",
        "results": res,
        "ratio_dense_over_forward64_min": res["dense64"]["seconds_min"] / res["forward64"]["seconds_min"],
        "forward64_gflops_over_matmul64_gflops": res["forward64"]["gflops_at_min"] / res["matmul64"]["gflops_at_min"],
        "forward32_gflops_over_matmul32_gflops": res["forward32"]["gflops_at_min"] / res["matmul32"]["gflops_at_min"],
        "max_abs_logit_difference_vs_dense": {"float64": agree, "float32": agree32},
        "compile_seconds": 0.0,
        "note": "no Numba kernel: batched numpy matmul was the right tool (no compile time); timings noisy if the "
                "machine is shared",
        "provenance": provenance(),
    }
    atomic_write_json(out, doc)
    return doc


if __name__ == "__main__":
    import json

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results" / "induction.json"
    print(json.dumps({k: v for k, v in main(target).items() if k not in ("provenance", "results")}, indent=1,
                     default=str))

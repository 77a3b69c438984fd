"""Speed of the induction-model forward pass: 512 sequences of length 256 at d = 256 (V = 64).

Timed side by side in one run, interleaved (each round runs every side once, in turn), ``--repeats``
rounds; min and median reported:

* ``forward64`` / ``forward32``: ``hopfield.induction.forward`` in float64 / float32, with both
  attention maps returned (``A1``, ``A2`` of shape (512, 256, 256) and the logits (512, 256, 64));
* ``pool64`` / ``pool32``: the same with ``workers=2`` (blocks of sequences on a pool of two
  threads; meant for a single-threaded BLAS);
* ``logits64`` / ``logits32``: the same pass with ``maps=False`` (logits at every position only;
  the maps are computed block by block but not kept);
* ``previous64`` / ``previous32``: the forward pass as it was before the reassociation (the layer-1
  output formed in d dimensions by a full batched ``A1 @ (W_OV^1 x)``, numpy softmaxes over the
  whole T x T square, every read of ``h1`` by one product with the stacked factors), kept here as
  the baseline;
* ``dense64``: the plain dense forward pass (every memory a d x d matrix, every product a numpy
  matmul), timed on ``DENSE_N`` sequences and scaled to 512;
* ``matmul64`` / ``matmul32``: one plain numpy batched matmul (512, 256, 256) @ (512, 256, 256),
  the largest product of the plain pass (``A1 @ Y1``), as the BLAS rate for these shapes;
* ``peak64`` / ``peak32``: one square 2048 x 2048 matmul, this machine's BLAS peak.

GFLOP/s = 2 x (the multiply-adds of the matrix products the method performs) / seconds; the gathers,
exponentials and sums of the softmax kernels are in the time but not counted as flops. The model
build is outside the timings; the Numba compile time (first call of each dtype minus a warm call) is
reported separately. Numpy's BLAS and Numba use as many threads as the environment allows: for the
"2 cores" figure run pinned to two idle cores, e.g.
``OPENBLAS_NUM_THREADS=2 NUMBA_NUM_THREADS=2 taskset -c 0,1 python benchmarks/bench_induction.py --out DIR``
(the ``forward`` sides then use BLAS threads, the ``pool`` sides two threads over blocks on top of them),
and once more with ``OPENBLAS_NUM_THREADS=1`` (the ``pool`` sides then use exactly two threads).
On a loaded machine, a threaded BLAS called many times on small products can stall badly (threads
spinning while waiting for a core): the recorded local run uses ``OPENBLAS_NUM_THREADS=1``.
Timings on a machine shared with other work are noisy: compare the sides of one run, not runs with
each other (the load average is recorded with the results).

``--clock cpu`` times the process's CPU seconds instead (all threads together): run with one thread
(``OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1``) it measures the work of each side, which a machine
shared with other jobs disturbs much less than wall time (cache and memory contention remain).

Writes ``benchmarks/results/induction.json`` (``induction_cpu.json`` with ``--clock cpu``; in ``DIR``
with ``--out DIR``).
Run: ``PYTHONPATH=. python benchmarks/bench_induction.py [--out DIR] [--repeats R] [--quick] [--clock cpu]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numba
import numpy as np

from hopfield.bigram import synthetic_bigram
from hopfield.induction import TILE, build_induction_model, forward
from hopfield.induction_data import trigger_sequences
from simulations.core.io import atomic_write_json, provenance

N, T, D, V = 512, 256, 256, 64
#: The plain dense pass is timed on this many sequences and scaled to N (it is linear in n).
DENSE_N = 64


def softmax_causal(S):
    """Row softmax over ``s <= t`` of scores ``S`` (n, T, T), in place, in numpy."""
    T = S.shape[-1]
    S += np.triu(np.full((T, T), -np.inf, dtype=S.dtype), 1)
    S -= S.max(axis=-1, keepdims=True)
    np.exp(S, out=S)
    S /= S.sum(axis=-1, keepdims=True)
    return S


def dense_forward(m, z):
    """The plain forward pass: dense d x d memories, full matmuls (float64); logits (n, T, V)."""
    T = z.shape[1]
    x = m.w_E[z] + m.P[None, :T]
    A1 = softmax_causal(m.beta1 * (x @ m.K1.dense()) @ x.transpose(0, 2, 1))
    h1 = x + A1 @ (x @ m.W_OV1.T)
    A2 = softmax_causal(m.beta2 * (h1 @ m.K2.dense()) @ h1.transpose(0, 2, 1))
    h2 = h1 + m.beta_O * (A2 @ (h1 @ (m.O2.dense() @ m.W_V2).T))
    return (h2 + m.gamma * h1 @ m.F.dense().T) @ m.w_U.T


def previous_forward(m, z, dtype=np.float64, block=16):
    """The forward pass before the reassociation (APE), in blocks of ``block`` sequences: A1, A2, logits."""
    n, T = z.shape
    A1o, A2o, lgo = np.empty((n, T, T), dtype), np.empty((n, T, T), dtype), np.empty((n, T, V), dtype)
    c = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
    E, P, L, R = m.w_E, m.P[:T], m.K1.left, m.K1.right
    EL, ER, PL, PR = E @ L.T, E @ R.T, P @ L.T, P @ R.T
    tEE, tEP, tPE, tPP = (m.beta1 * X @ Y.T for X, Y in ((EL, ER), (EL, PR), (PL, ER), (PL, PR)))
    r2, rO = m.K2.rank, m.O2.rank
    Rst = c(np.concatenate([m.K2.left, m.K2.right, m.O2.right @ m.W_V2, m.w_U, m.F.right]).T)
    for b0 in range(0, n, block):
        zb = z[b0:b0 + block]
        S = tEE[zb[:, :, None], zb[:, None, :]]
        S += tEP[zb][:, :, :T]
        S += tPE[:, zb].transpose(1, 0, 2)
        S += tPP[None]
        A1 = softmax_causal(S.astype(dtype, copy=False))
        h1 = c(E)[zb] + c(P)[None] + A1 @ (c(E @ m.W_OV1.T)[zb] + c(P @ m.W_OV1.T)[None])
        H = h1 @ Rst
        q2, k2, vO = H[..., :r2], H[..., r2:2 * r2], H[..., 2 * r2:2 * r2 + rO]
        lg = H[..., 2 * r2 + rO:2 * r2 + rO + V] + H[..., 2 * r2 + rO + V:] @ c(m.gamma * m.F.left @ m.w_U.T)
        A2 = softmax_causal((m.beta2 * q2) @ k2.transpose(0, 2, 1))
        lg += (A2 @ vO) @ c(m.beta_O * m.O2.left @ m.w_U.T)
        A1o[b0:b0 + block], A2o[b0:b0 + block], lgo[b0:b0 + block] = A1, A2, lg
    return A1o, A2o, lgo


def _tiled(T):
    """sum over query tiles of (tile rows x keys below the tile's end): the causal products' row-key pairs."""
    return sum((min(T, r0 + TILE) - r0) * min(T, r0 + TILE) for r0 in range(0, T, TILE))


def flops_forward(n, T, d, V, r=None):
    """2 x multiply-adds of the products in ``forward`` (APE, rank-V memories, 2 r + 2 V <= d)."""
    r = V if r is None else r
    c = 2 * r + 2 * V
    return 2 * n * (T * V * c + _tiled(T) * c + _tiled(T) * (r + V))


def flops_previous(n, T, d, V):
    return 2 * (n * T * T * d + 2 * n * T * T * V + 5 * n * T * d * V + 2 * n * T * V * V)


def flops_dense(n, T, d, V):
    return 2 * (5 * n * T * d * d + 4 * n * T * T * d + n * T * d * V)


def main(out: Path, repeats: int = 3, quick: bool = False, clock: str = "wall"):
    n, T_, dense_n = (64, 128, 8) if quick else (N, T, DENSE_N)
    d = 128 if quick else D
    bg = synthetic_bigram(V, seed=0)
    z, _ = trigger_sequences(bg, n, T_, K=5, seed=0)
    m = build_induction_model(bg, d, T_, seed=0)
    rng = np.random.default_rng(0)
    A64, X64 = rng.random((n, T_, T_)), rng.random((n, T_, d))
    A32, X32 = A64.astype(np.float32), X64.astype(np.float32)
    G64 = rng.random((2048, 2048))
    G32 = G64.astype(np.float32)
    compile_s = {}
    for dt in (np.float64, np.float32):  # first call compiles (or loads the cache); then a warm call
        t0 = time.perf_counter()
        forward(m, z[:2], dtype=dt)
        t1 = time.perf_counter()
        forward(m, z[:2], dtype=dt)
        compile_s[np.dtype(dt).name] = (t1 - t0) - (time.perf_counter() - t1)
    sides = {
        "forward64": (lambda: forward(m, z), flops_forward(n, T_, d, V)),
        "forward32": (lambda: forward(m, z, dtype=np.float32), flops_forward(n, T_, d, V)),
        "pool64": (lambda: forward(m, z, workers=2), flops_forward(n, T_, d, V)),
        "pool32": (lambda: forward(m, z, dtype=np.float32, workers=2), flops_forward(n, T_, d, V)),
        "logits64": (lambda: forward(m, z, maps=False), flops_forward(n, T_, d, V)),
        "logits32": (lambda: forward(m, z, dtype=np.float32, maps=False), flops_forward(n, T_, d, V)),
        "previous64": (lambda: previous_forward(m, z), flops_previous(n, T_, d, V)),
        "previous32": (lambda: previous_forward(m, z, np.float32), flops_previous(n, T_, d, V)),
        "dense64": (lambda: dense_forward(m, z[:dense_n]), flops_dense(dense_n, T_, d, V)),
        "matmul64": (lambda: A64 @ X64, 2 * n * T_ * T_ * d),
        "matmul32": (lambda: A32 @ X32, 2 * n * T_ * T_ * d),
        "peak64": (lambda: G64 @ G64, 2 * 2048 ** 3),
        "peak32": (lambda: G32 @ G32, 2 * 2048 ** 3),
    }
    # agreement with the plain dense pass (float64) on 8 sequences
    ref = dense_forward(m, z[:8])
    agree = {k: float(np.max(np.abs(forward(m, z[:8], dtype=dt).logits - ref)))
             for k, dt in (("float64", np.float64), ("float32", np.float32))}
    agree["previous_float64"] = float(np.max(np.abs(previous_forward(m, z[:8])[2] - ref)))
    agree["logit_scale_max_abs"] = float(np.max(np.abs(ref)))
    now = time.perf_counter if clock == "wall" else time.process_time
    times = {k: [] for k in sides}
    for r in range(repeats):
        for k, (f, _) in sides.items():
            t0 = now()
            f()
            times[k].append(now() - t0)
        print(f"round {r + 1}/{repeats}", {k: round(v[-1], 3) for k, v in times.items()}, file=sys.stderr)
    times["dense64"] = [t * n / dense_n for t in times["dense64"]]  # scaled to n sequences
    sides["dense64"] = (None, flops_dense(n, T_, d, V))
    res = {}
    for k, (f, fl) in sides.items():
        tmin, tmed = float(np.min(times[k])), float(np.median(times[k]))
        res[k] = {"seconds_min": tmin, "seconds_median": tmed, "gflop": fl / 1e9, "gflops_at_min": fl / tmin / 1e9,
                  "gflops_at_median": fl / tmed / 1e9, "all_seconds": times[k]}

    def ratio(a, b, stat="seconds_min"):
        return res[a][stat] / res[b][stat]

    doc = {
        "setting": dict(n=n, T=T_, d=d, V=V, repeats=repeats, pe="ape", dense_timed_on=dense_n, tile=TILE,
                        quick=quick, clock=clock),
        "threads": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                   "NUMBA_NUM_THREADS")},
        "numba_threads": numba.get_num_threads(),
        "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_1_5_15": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "target": "forward pass (512 x 256 tokens, d = 256, both attention maps and all logits) well under 1 s "
                  "on 2 cores",
        "results": res,
        "speedup_previous64_over_forward64_min": ratio("previous64", "forward64"),
        "speedup_previous32_over_forward32_min": ratio("previous32", "forward32"),
        "speedup_previous64_over_forward64_median": ratio("previous64", "forward64", "seconds_median"),
        "speedup_dense64_over_forward64_min": ratio("dense64", "forward64"),
        "speedup_previous64_over_pool64_min": ratio("previous64", "pool64"),
        "speedup_previous32_over_pool32_min": ratio("previous32", "pool32"),
        "forward64_seconds_over_matmul64_seconds_min": ratio("forward64", "matmul64"),
        "forward32_seconds_over_matmul32_seconds_min": ratio("forward32", "matmul32"),
        "forward64_gflops_over_matmul64_gflops": res["forward64"]["gflops_at_min"] / res["matmul64"]["gflops_at_min"],
        "forward32_gflops_over_matmul32_gflops": res["forward32"]["gflops_at_min"] / res["matmul32"]["gflops_at_min"],
        "max_abs_logit_difference_vs_dense": agree,
        "compile_seconds": compile_s,
        "note": "GFLOP/s count only matrix-product multiply-adds; the forward pass performs "
                f"{flops_forward(n, T_, d, V) / 1e9:.1f} GFLOP against {flops_previous(n, T_, d, V) / 1e9:.1f} for "
                f"the previous pass and {2 * n * T_ * T_ * d / 1e9:.1f} for the single matmul of the same shapes; "
                "timings are noisy when the machine is shared (see load_average)",
        "provenance": provenance(),
    }
    atomic_write_json(out, doc)
    return doc


if __name__ == "__main__":
    import json

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="folder for induction.json (default benchmarks/results)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="a reduced size (n = 64, T = 128, d = 128) to try it out")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="wall-clock seconds (default) or the process's CPU seconds (all its threads; with one "
                         "thread, a measure of work that a loaded machine disturbs less)")
    a = ap.parse_args()
    name = "induction.json" if a.clock == "wall" else "induction_cpu.json"
    target = (a.out if a.out is not None else Path(__file__).parent / "results") / name
    target.parent.mkdir(parents=True, exist_ok=True)
    doc = main(target, a.repeats, a.quick, a.clock)
    print(json.dumps({k: v for k, v in doc.items() if k not in ("provenance", "results")}, indent=1, default=str))
    print(json.dumps({k: (round(v["seconds_min"], 3), round(v["seconds_median"], 3), round(v["gflops_at_min"], 1))
                      for k, v in doc["results"].items()}))

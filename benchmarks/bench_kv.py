"""Speed of the key-value memories: batched softmax read and causal streaming.

1. Softmax read of B = 10^4 queries at d = 256 over P = 4096 stored pairs
   (``hopfield.kv.SoftmaxMemory.read``: chunked, in place, dtype-preserving) against
   the two matrix products it consists of (``Q K^T`` and ``S V``, numpy matmul of the
   same shapes and dtype), float32 and float64. Sides alternate within each repeat;
   min and median of ``REPEATS`` runs; GFLOP/s counts ``4 B P d`` (the two products).
2. Causal streaming over S = 256 sequences of length L = 1024 at d = 64: the Numba
   kernel (``hopfield.kv.stream``, rule "linear") against the masked-matmul form
   (``hopfield.kv.causal_attention``, run in blocks of 16 sequences to bound memory)
   and a per-step numpy loop (timed on ``LOOP_SEQS`` sequences, scaled to S).
   GFLOP/s: ``4 S L d^2`` for the recurrent form, ``4 S L^2 d`` for the masked form
   (half of which the mask discards).

Numba compile time is measured separately (first call of a fresh signature minus a
warm call). The machine is shared by several users at once: timings are noisy; the
ratios come from interleaved runs.

Writes ``benchmarks/results/kv.json``. Run: ``PYTHONPATH=. python benchmarks/bench_kv.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numba
import numpy as np

from hopfield import kv
from simulations.core.io import atomic_write_json, provenance

B, D, P = 10_000, 256, 4096
S, L, DS = 256, 1024, 64
REPEATS = 5
LOOP_SEQS = 4
BLOCK = 16


def two_matmuls(Q, K, V):
    """The two products of one softmax read, with nothing in between."""
    A = Q @ K.T
    return A @ V


def masked(K, V, Q):
    out = np.empty((K.shape[0], K.shape[1], V.shape[2]), dtype=K.dtype)
    for s in range(0, K.shape[0], BLOCK):
        out[s:s + BLOCK] = kv.causal_attention(K[s:s + BLOCK], V[s:s + BLOCK], Q[s:s + BLOCK])
    return out


def numpy_loop(K, V, Q):
    out = np.empty((K.shape[0], K.shape[1], V.shape[2]), dtype=K.dtype)
    for s in range(K.shape[0]):
        W = np.zeros((V.shape[2], K.shape[2]), dtype=K.dtype)
        for t in range(K.shape[1]):
            W += np.outer(V[s, t], K[s, t])
            out[s, t] = W @ Q[s, t]
    return out


def _timed(f, *a):
    t0 = time.perf_counter()
    r = f(*a)
    return time.perf_counter() - t0, r


def _stats(ts):
    return {"min": float(np.min(ts)), "median": float(np.median(ts)), "all": [float(t) for t in ts]}


def bench_softmax():
    res = {}
    rng = np.random.default_rng(0)
    flops = 4.0 * B * P * D
    for dt in ("float32", "float64"):
        Q = (rng.standard_normal((B, D)) / np.sqrt(D)).astype(dt)
        K = (rng.standard_normal((P, D)) / np.sqrt(D)).astype(dt)
        V = (rng.standard_normal((P, D)) / np.sqrt(D)).astype(dt)
        mem = kv.SoftmaxMemory(D, beta=1.0, dtype=dt).write(K, V)
        mem.read(Q[:100])
        t_read, t_mm = [], []
        for _ in range(REPEATS):
            t, out = _timed(mem.read, Q)
            t_read.append(t)
            t, _ = _timed(two_matmuls, Q, K, V)
            t_mm.append(t)
        assert out.dtype == np.dtype(dt)
        res[dt] = {"read_s": _stats(t_read), "two_matmuls_s": _stats(t_mm),
                   "ratio_read_over_matmuls_min": min(t_read) / min(t_mm),
                   "ratio_read_over_matmuls_median": float(np.median(t_read) / np.median(t_mm)),
                   "gflops_read_best": flops / min(t_read) / 1e9, "gflops_matmuls_best": flops / min(t_mm) / 1e9,
                   "output_dtype": str(out.dtype)}
        print(f"softmax read {dt}: read {min(t_read):.3f} s, two matmuls {min(t_mm):.3f} s, ratio "
              f"{min(t_read) / min(t_mm):.2f} (min) {np.median(t_read) / np.median(t_mm):.2f} (median); "
              f"{flops / min(t_read) / 1e9:.0f} vs {flops / min(t_mm) / 1e9:.0f} GFLOP/s")
    return {"setting": {"B": B, "d": D, "P": P, "chunk": 1024, "repeats": REPEATS}, **res}


def bench_stream():
    rng = np.random.default_rng(1)
    K, V, Q = ((rng.standard_normal((S, L, DS)) / np.sqrt(DS)) for _ in range(3))
    small = [x[:2, :8].astype(np.float32) for x in (K, V, Q)]
    t_first, _ = _timed(kv.stream, *small)  # float32 signature, likely compiled here (or read from the cache)
    t_warm, _ = _timed(kv.stream, *small)
    kv.stream(K[:2, :8], V[:2, :8], Q[:2, :8])
    t_k, t_m, t_l = [], [], []
    for _ in range(3):
        t, a = _timed(kv.stream, K, V, Q)
        t_k.append(t)
        t, b = _timed(masked, K, V, Q)
        t_m.append(t)
        t, c = _timed(numpy_loop, K[:LOOP_SEQS], V[:LOOP_SEQS], Q[:LOOP_SEQS])
        t_l.append(t * S / LOOP_SEQS)
    err_masked = float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
    err_loop = float(np.max(np.abs(a[:LOOP_SEQS] - c)) / np.max(np.abs(c)))
    fl_rec, fl_mask = 4.0 * S * L * DS * DS, 4.0 * S * L * L * DS
    out = {
        "setting": {"S": S, "L": L, "d": DS, "rule": "linear", "dtype": "float64", "loop_sequences_timed": LOOP_SEQS,
                    "masked_block": BLOCK, "numba_threads": numba.get_num_threads()},
        "stream_kernel_s": _stats(t_k), "masked_matmul_s": _stats(t_m), "numpy_loop_scaled_s": _stats(t_l),
        "ratio_masked_over_kernel_min": min(t_m) / min(t_k), "ratio_loop_over_kernel_min": min(t_l) / min(t_k),
        "gflops_kernel": fl_rec / min(t_k) / 1e9, "gflops_masked": fl_mask / min(t_m) / 1e9,
        "relative_difference_kernel_vs_masked": err_masked, "relative_difference_kernel_vs_loop": err_loop,
        "compile_first_call_s": t_first, "warm_call_s": t_warm,
    }
    print(f"stream: kernel {min(t_k):.3f} s, masked matmul {min(t_m):.3f} s, numpy loop (scaled) {min(t_l):.1f} s; "
          f"{fl_rec / min(t_k) / 1e9:.1f} GFLOP/s (recurrent) vs {fl_mask / min(t_m) / 1e9:.1f} (masked)")
    return out


def main(out=Path(__file__).parent / "results" / "kv.json"):
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    res = {"provenance": provenance(),
           "note": "shared machine (2 cores, several users at once): timings are noisy; sides alternate within each "
                   "repeat and min and median are reported",
           "softmax_read": bench_softmax(), "causal_stream": bench_stream(),
           "target": "softmax read within 2x of its two matmuls (float32 and float64)"}
    atomic_write_json(out, res)
    return res


if __name__ == "__main__":
    main()

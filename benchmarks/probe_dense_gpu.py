"""Probe: the dense memory's generic GPU kernel against the word-wide kernel, kernel time only.

Poly n = 3, N = 100, K = 2000 (one thread block of 32 threads per cue), cues
drawn as stored patterns with 30% of their bits flipped; 512 and 8192 cues;
sequential and random order. Each kernel is launched once untimed (compile and
warm-up), then ``--repeats`` times between two CUDA events on the default
stream; the minimum is reported. The rate counts pattern-neuron visits, ``N K``
per sweep of a cue, summed over the cues' sweeps. Both kernels' states,
overlaps, sweep counts and flags are compared (they must be identical).

    python benchmarks/probe_dense_gpu.py            # prints one JSON object

Needs a CUDA GPU and the ``gpu`` extra; about 20 s on an H100.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np


def _case(B, N, K, seed=2024):
    from hopfield.dense import DenseAssociativeMemory

    rng = np.random.default_rng(seed)
    xi = np.where(rng.random((K, N)) < 0.5, -1, 1).astype(np.int8)
    cues = xi[rng.integers(0, K, B)].copy()
    cues[rng.random(cues.shape) < 0.3] *= -1
    return DenseAssociativeMemory(xi, F="poly", n=3), cues


def probe(B, N, K, sequential, repeats, max_sweeps=100, threads=32):
    """Time both kernels on one case; returns a dict of times, rates, their ratio and the identity check."""
    from numba import cuda

    from hopfield.kernels.cuda import dense as G_
    from hopfield.kernels.cuda import dense_words as W_
    from hopfield.kernels.rng import trial_states

    mem, cues = _case(B, N, K)
    xiT, rowsum, c = mem._xiT, mem._rowsum, mem._c
    d = cuda.to_device
    common = dict(rowsum=d(rowsum), cues=d(cues), rng=d(trial_states(11, B)), c=d(c), e0=d(np.zeros(B)))
    use32 = K * N * N <= G_.INT32_PARTIALS_MAX
    form = W_.word_form(mem._mode, c, mem._n_even, mem._rect, N, K)
    assert form == W_.FORM_CUBIC, "the probe's case must take the word path"
    xw = W_.pack_words(xiT, threads)
    args = {}

    def outputs():
        return (cuda.device_array((B, N), np.int8), cuda.device_array((B, K), np.int32), cuda.device_array(B, np.int8),
                cuda.device_array(B, np.int64), cuda.to_device(np.full((1, 1), np.nan)))

    dx, dw = d(np.ascontiguousarray(xiT)), d(xw)
    table, cf = d(G_.exp_table(G_.EXP_WINDOW)), d(c.astype(np.float64))
    args["generic"] = outputs()
    args["words"] = outputs()

    def generic():
        s, a, f, sw, tr = args["generic"]
        G_.dense_kernel[B, threads, 0, G_.shared_bytes(N, K, threads)](
            dx, common["rowsum"], common["cues"], common["rng"], 0, common["c"], cf, False, False, True, use32, False,
            sequential, max_sweeps, False, common["e0"], table, s, a, f, sw, tr)

    def words():
        s, a, f, sw, tr = args["words"]
        W_.dense_words_kernel[B, threads, 0, W_.shared_bytes_words(N, xw.shape[1], threads)](
            dw, K, common["rowsum"], common["cues"], common["rng"], form, common["c"], False, sequential, max_sweeps,
            False, common["e0"], s, a, f, sw, tr)

    out = {"cues": B, "N": N, "K": K, "order": "sequential" if sequential else "random", "threads": threads}
    for name, launch in (("generic", generic), ("words", words)):
        launch()  # compile and warm up
        cuda.synchronize()
        start, stop = cuda.event(), cuda.event()
        times = []
        for _ in range(repeats):
            start.record()
            launch()
            stop.record()
            stop.synchronize()
            times.append(start.elapsed_time(stop) / 1e3)  # ms to s
        out[f"{name}_s"] = min(times)
    host = {k: [x.copy_to_host() for x in v[:4]] for k, v in args.items()}
    out["identical"] = all(np.array_equal(g, w) for g, w in zip(host["generic"], host["words"]))
    visits = float(host["words"][3].sum()) * N * K
    out["mean_sweeps"] = float(host["words"][3].mean())
    ok = out["generic_s"] > 0 and out["words_s"] > 0  # the simulator's events read 0
    out["generic_visits_per_s"] = visits / out["generic_s"] if ok else None
    out["words_visits_per_s"] = visits / out["words_s"] if ok else None
    out["speedup"] = out["generic_s"] / out["words_s"] if ok else None
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed launches per kernel and case (>= 1)")
    ap.add_argument("--cues", type=int, nargs="+", default=[512, 8192], help="numbers of cues (each >= 1)")
    ns = ap.parse_args(argv)
    if ns.repeats < 1 or min(ns.cues) < 1:
        ap.error("--repeats and every --cues must be >= 1")
    from hopfield import _device

    try:
        cuda = _device.cuda()
    except _device.DeviceUnavailableError as exc:
        print(f"probe_dense_gpu: {exc}", file=sys.stderr)
        return 2
    if _device.simulated():
        print("probe_dense_gpu: times under the CUDA simulator mean nothing; unset NUMBA_ENABLE_CUDASIM",
              file=sys.stderr)
        return 2
    rows = [probe(B, 100, 2000, seq, ns.repeats) for B in ns.cues for seq in (True, False)]
    name = cuda.get_current_device().name
    print(json.dumps({"device": name.decode() if isinstance(name, bytes) else str(name), "cases": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The GPU path against amlab's own CPU kernels on all cores of the same machine, interleaved.

Each case runs the same call with ``device="cpu"`` (Numba, every core: ``NUMBA_NUM_THREADS``)
and ``device="gpu"`` (Numba's CUDA target, or CuPy for the float memories) on the same
inputs, alternating the two sides ``--repeats`` times after one untimed warm-up each whose
time is reported apart (the compile), and reports the minimum and the median of each side,
their ratio, the rate of the case's unit of work, and whether the results are identical
(integer-exact simulators) or within the stated tolerance (float memories). The CPU side
may run fewer trials than the GPU side (``cpu_fraction``): its rate is then per trial.

    python benchmarks/bench_gpu.py --out benchmarks/results/gpu/bench_gpu.json

Run it on a machine with a CUDA GPU and the ``gpu`` extra; ``--cases`` picks cases.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from typing import Callable, Dict

import numpy as np

from simulations.core.io import atomic_write_json


def _sync():
    try:
        from numba import cuda

        cuda.synchronize()
    except Exception:
        pass
    try:
        import cupy

        cupy.cuda.Device().synchronize()
    except Exception:
        pass


def interleaved(cpu: Callable[[], object], gpu: Callable[[], object], repeats: int) -> dict:
    """Warm-up (compile) of each side, then ``repeats`` alternating timed calls; seconds per side."""
    out = {}
    t0 = time.perf_counter()
    rc = cpu()
    out["cpu_first_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rg = gpu()
    _sync()
    out["gpu_first_s"] = time.perf_counter() - t0
    tc, tg = [], []
    for r in range(repeats):
        for side in (("cpu", "gpu") if r % 2 == 0 else ("gpu", "cpu")):
            t0 = time.perf_counter()
            if side == "cpu":
                rc = cpu()
                tc.append(time.perf_counter() - t0)
            else:
                rg = gpu()
                _sync()
                tg.append(time.perf_counter() - t0)
    out.update({"cpu_min_s": min(tc), "cpu_median_s": statistics.median(tc), "gpu_min_s": min(tg),
                "gpu_median_s": statistics.median(tg)})
    return out, rc, rg


def case_capacity(repeats: int, N: int = 5000, Ps=(600, 700, 750), trials: int = 128, cpu_trials: int = 32,
                  fraction: float = 0.1) -> dict:
    """The capacity scan (``hopfield.capacity.capacity_scan``): draw, store, corrupt 10%, recall."""
    from hopfield.capacity import capacity_scan

    def run(device, t):
        return capacity_scan(N, list(Ps), t, fraction=fraction, seed=5, device=device)

    t, rc, rg = interleaved(lambda: run("cpu", cpu_trials), lambda: run("gpu", trials), repeats)
    same = (np.array_equal(rc.overlap, rg.overlap[:, :cpu_trials]) and np.array_equal(rc.sweeps, rg.sweeps[:, :cpu_trials])
            and np.array_equal(rc.converged, rg.converged[:, :cpu_trials]))
    visits_g = float(N) * float(rg.sweeps.sum())
    visits_c = float(N) * float(rc.sweeps.sum())
    t.update({"what": f"capacity scan N={N}, P={list(Ps)}, {trials} trials per P on the GPU, {cpu_trials} on the "
                      f"CPU, {fraction:.0%} of the cue flipped", "identical": bool(same),
              "gpu_visits_per_s": visits_g / t["gpu_min_s"], "cpu_visits_per_s": visits_c / t["cpu_min_s"]})
    t["speedup_min"] = t["gpu_visits_per_s"] / t["cpu_visits_per_s"]
    return t


def case_capacity_large(repeats: int, N: int = 20000, P: int = 2800, trials: int = 264, cpu_trials: int = 16) -> dict:
    """The large-N study's unit: runs from the pattern (no flip) at N = 20 000, alpha = 0.14."""
    from hopfield.capacity import capacity_scan

    def run(device, t):
        return capacity_scan(N, [P], t, count=0, seed=7, device=device)

    t, rc, rg = interleaved(lambda: run("cpu", cpu_trials), lambda: run("gpu", trials), repeats)
    same = np.array_equal(rc.overlap, rg.overlap[:, :cpu_trials]) and np.array_equal(rc.sweeps, rg.sweeps[:, :cpu_trials])
    t.update({"what": f"capacity scan from the pattern, N={N}, P={P}, {trials} trials (GPU), {cpu_trials} (CPU)",
              "identical": bool(same),
              "gpu_visits_per_s": float(N) * float(rg.sweeps.sum()) / t["gpu_min_s"],
              "cpu_visits_per_s": float(N) * float(rc.sweeps.sum()) / t["cpu_min_s"]})
    t["speedup_min"] = t["gpu_visits_per_s"] / t["cpu_visits_per_s"]
    return t


def case_dense(repeats: int, cues: int = 8192, N: int = 100, K: int = 2000, n: int = 3, cpu_cues: int = 2048) -> dict:
    """Dense memory, poly n = 3, N = 100, K = 2000, 20% of each cue flipped, random order."""
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import flip, random_binary

    xi = random_binary(K, N, seed=1)
    net = DenseAssociativeMemory(xi, F="poly", n=n)
    idx = np.arange(cues) % K
    C = np.stack([flip(xi[i], fraction=0.2, seed=int(j)) for j, i in enumerate(idx)])

    def run(device, c):
        return net.run(C[:c], order="random", seed=3, device=device)

    t, rc, rg = interleaved(lambda: run("cpu", cpu_cues), lambda: run("gpu", cues), repeats)
    same = (np.array_equal(rc.states, rg.states[:cpu_cues]) and np.array_equal(rc.sweeps, rg.sweeps[:cpu_cues]))
    vg = float(N) * float(K) * float(rg.sweeps.sum())
    vc = float(N) * float(K) * float(rc.sweeps.sum())
    t.update({"what": f"dense poly n={n}, N={N}, K={K}, {cues} cues (GPU), {cpu_cues} (CPU), 20% flipped",
              "identical": bool(same), "gpu_visits_per_s": vg / t["gpu_min_s"],
              "cpu_visits_per_s": vc / t["cpu_min_s"], "unit": "pattern-neuron visits"})
    t["speedup_min"] = t["gpu_visits_per_s"] / t["cpu_visits_per_s"]
    return t


def case_classical(repeats: int, N: int = 20000, P: int = 2000, cues: int = 264, cpu_cues: int = 32) -> dict:
    """Classical network, Hebbian, patterns backend, async random order, exact: 10% flipped cues."""
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import flip, random_binary

    xi = random_binary(P, N, seed=2)
    net = ClassicalHopfield(xi, backend="patterns")
    C = np.stack([flip(xi[j % P], fraction=0.1, seed=j) for j in range(cues)])

    def run(device, c):
        return net.run(C[:c], schedule="async", order="random", seed=4, device=device)

    t, rc, rg = interleaved(lambda: run("cpu", cpu_cues), lambda: run("gpu", cues), repeats)
    same = (np.array_equal(rc.states, rg.states[:cpu_cues]) and np.array_equal(rc.sweeps, rg.sweeps[:cpu_cues])
            and np.array_equal(rc.energies, rg.energies[:cpu_cues]))
    t.update({"what": f"classical async exact, N={N}, P={P}, {cues} cues (GPU), {cpu_cues} (CPU), 10% flipped",
              "identical": bool(same), "gpu_visits_per_s": float(N) * float(rg.sweeps.sum()) / t["gpu_min_s"],
              "cpu_visits_per_s": float(N) * float(rc.sweeps.sum()) / t["cpu_min_s"], "unit": "spin visits"})
    t["speedup_min"] = t["gpu_visits_per_s"] / t["cpu_visits_per_s"]
    return t


def _matmul_seconds(shapes, repeats: int, dtype="float32") -> float:
    """The GPU's own matrix products of the given (m, k, n) shapes, back to back (CuPy), min over repeats."""
    import cupy

    mats = [(cupy.random.standard_normal((m, k), dtype=dtype), cupy.random.standard_normal((k, n), dtype=dtype))
            for m, k, n in shapes]
    best = float("inf")
    for _ in range(repeats + 1):
        cupy.cuda.Device().synchronize()
        t0 = time.perf_counter()
        for a, b in mats:
            a @ b
        cupy.cuda.Device().synchronize()
        best = min(best, time.perf_counter() - t0)
    return best


def case_modern(repeats: int, d: int = 256, K: int = 65536, B: int = 8192, beta: float = 8.0) -> dict:
    """Modern Hopfield update at d = 256: softmax(beta Q X^T) X for B queries, K patterns."""
    from hopfield.modern import ModernHopfield

    rng = np.random.default_rng(0)
    X = rng.standard_normal((K, d)).astype(np.float32) / np.sqrt(d)
    Q = rng.standard_normal((B, d)).astype(np.float32) / np.sqrt(d)
    net = ModernHopfield(X, beta=beta, dtype="float32")
    t, rc, rg = interleaved(lambda: net.update(Q, device="cpu"), lambda: net.update(Q, device="gpu"), repeats)
    err = float(np.max(np.abs(rc - rg)))
    mm = _matmul_seconds([(B, d, K), (B, K, d)], repeats)
    t.update({"what": f"modern update float32, d={d}, K={K} patterns, B={B} queries", "max_abs_diff": err,
              "gpu_matmul_s": mm, "gpu_over_matmul": t["gpu_min_s"] / mm,
              "speedup_min": t["cpu_min_s"] / t["gpu_min_s"]})
    return t


def case_kv_stream(repeats: int, d: int = 256, S: int = 64, L: int = 1024, rule: str = "linear") -> dict:
    """Key-value stream at d = 256 (causal linear attention, recurrent form), S sequences of L positions."""
    from hopfield.kv import stream

    rng = np.random.default_rng(1)
    K = rng.standard_normal((S, L, d)).astype(np.float32) / np.sqrt(d)
    V = rng.standard_normal((S, L, d)).astype(np.float32)
    Q = rng.standard_normal((S, L, d)).astype(np.float32) / np.sqrt(d)
    t, rc, rg = interleaved(lambda: stream(K, V, Q, rule, device="cpu"), lambda: stream(K, V, Q, rule, device="gpu"),
                            repeats)
    err = float(np.max(np.abs(rc - rg)) / max(1.0, float(np.max(np.abs(rc)))))
    C = 64  # the GPU's chunk: per chunk Q K^T (C x d x C), (C x C x d), and the state products (C x d x d) twice
    n = S * (L // C)
    mm = _matmul_seconds([(n * C, d, C), (n * C, C, d), (n * C, d, d), (n * d, C, d)], repeats)
    t.update({"what": f"kv stream rule={rule} float32, d={d}, {S} sequences x {L} positions", "max_rel_diff": err,
              "gpu_matmul_s": mm, "gpu_over_matmul": t["gpu_min_s"] / mm,
              "speedup_min": t["cpu_min_s"] / t["gpu_min_s"]})
    return t


CASES: Dict[str, Callable[..., dict]] = {
    "classical": case_classical,
    "modern": case_modern,
    "kv-stream": case_kv_stream,
    "capacity": case_capacity,
    "capacity-large": case_capacity_large,
    "dense-512": lambda r: case_dense(r, cues=512, cpu_cues=512),
    "dense-8192": lambda r: case_dense(r, cues=8192, cpu_cues=2048),
}


def device_info() -> dict:
    info = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count()}
    try:
        import numba
        from numba import cuda

        info["numba"] = numba.__version__
        dev = cuda.get_current_device()
        info["gpu"] = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)
        info["sms"] = int(dev.MULTIPROCESSOR_COUNT)
        info["numba_threads"] = numba.get_num_threads()
    except Exception as exc:  # noqa: BLE001 - the record says what was missing
        info["gpu_error"] = str(exc)
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default="benchmarks/results/gpu/bench_gpu.json")
    args = ap.parse_args(argv)
    from hopfield import _device

    _device.cuda()  # fail at once without a GPU
    rec = {"meta": {**device_info(), "repeats": args.repeats,
                    "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, "cases": {}}
    if os.path.exists(args.out):
        import json

        with open(args.out) as fh:
            old = json.load(fh)
        rec["cases"] = old.get("cases", {})
    for name in args.cases:
        try:
            r = CASES[name](args.repeats)
        except Exception as exc:  # noqa: BLE001 - one failing case must not lose the others
            r = {"error": f"{type(exc).__name__}: {exc}"}
        rec["cases"][name] = r
        atomic_write_json(args.out, rec)
        print(name, {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

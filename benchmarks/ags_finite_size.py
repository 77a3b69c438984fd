"""Finite-size data of the T = 0 retrieval transition: final overlaps of runs started at a pattern.

For every (seed, N, alpha) of a grid, runs the same simulation as the
``ags-critical`` check (``simulations.estimators.ags.ags_overlap``: one network per
run, asynchronous T = 0 dynamics from its first pattern, the same derived
seeds, so the check's own data are a subset) and records how many runs end
with an overlap above each of several thresholds. The counts are what
``ags-critical``'s finite-size ansatz was chosen on (``docs/checks.md``).

    python benchmarks/ags_finite_size.py --seeds 0 1 --workers 16 --out benchmarks/results/ags_finite_size.json
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from simulations.core.io import atomic_write_json

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _job(args):
    seed, N, a, networks = args
    import numpy as np

    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary
    from simulations.estimators._common import _child_seed, _n_patterns, _streams
    from simulations.core.seeds import derive_seed

    t0 = time.perf_counter()
    s = derive_seed(seed, {"N": N, "alpha": a, "kd": False})  # the check's key (simulations/checks/suite/ags.py)
    P = _n_patterns(N, None, a)
    ms = []
    for rng in _streams(s, networks):  # as estimators.ags_overlap with cues=1
        xi = random_binary(P, N, seed=rng)
        res = ClassicalHopfield(xi).run(xi[:1], schedule="async", max_sweeps=200, seed=_child_seed(rng))
        ms.append(float(res.overlaps[0, 0]))
    m = np.asarray(ms)
    return {"seed": seed, "N": N, "alpha": a, "P": P, "trials": int(m.size),
            "kept": {str(t): int(np.count_nonzero(m > t)) for t in THRESHOLDS},
            "m_kept_mean": float(m[m > 0.8].mean()) if np.any(m > 0.8) else None,
            "seconds": round(time.perf_counter() - t0, 2)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--Ns", nargs="+", type=int, default=[250, 500, 1000, 2000, 5000])
    ap.add_argument("--alphas", nargs="+", type=float,
                    default=[round(0.12 + 0.005 * i, 3) for i in range(19)])
    ap.add_argument("--networks", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="benchmarks/results/ags_finite_size.json")
    args = ap.parse_args(argv)
    jobs = [(s, N, a, args.networks) for s in args.seeds for N in args.Ns for a in args.alphas]
    jobs.sort(key=lambda j: -j[1])  # largest N first keeps the pool busy
    meta = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count(),
            "workers": args.workers, "networks": args.networks, "thresholds": THRESHOLDS,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    rows, t0 = [], time.time()
    with ProcessPoolExecutor(args.workers) as ex:
        futs = [ex.submit(_job, j) for j in jobs]
        for k, fu in enumerate(as_completed(futs)):
            rows.append(fu.result())
            if k % 20 == 0 or k == len(jobs) - 1:
                print(f"{k + 1}/{len(jobs)} {time.time() - t0:.0f}s", flush=True)
                atomic_write_json(args.out, {"meta": {**meta, "elapsed_s": round(time.time() - t0, 1)}, "rows": rows})
    atomic_write_json(args.out, {"meta": {**meta, "elapsed_s": round(time.time() - t0, 1)}, "rows": rows})
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one thread per worker process; not at import
    raise SystemExit(main())

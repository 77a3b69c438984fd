"""Finite-size data of the sparse-pattern retrieval transition (the ``sparse-capacity`` check's simulation).

For every (seed, a, theta, N, load) of a grid, runs ``kept_fraction`` of
``simulations.checks.suite.sparse_capacity`` (parallel T = 0 dynamics of the 0/1
covariance rule from a stored pattern, one network per run, new patterns each)
at the load ``load x alpha_c(a, theta)`` of the RS theory, and fits, per
(seed, a, theta, N), the logistic 50% crossing of the kept fraction. The
crossings, in units of the RS ``alpha_c(a, theta)``, are what the check's
finite-size tolerance was chosen on.

    python benchmarks/sparse_finite_size.py --Ns 1000 2000 4000 8000 --networks 60 --workers 16 \\
        --out benchmarks/results/sparse_finite_size.json
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from simulations.core.io import atomic_write_json

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

CASES = ((0.1, 0.45), (0.05, 0.5))
LOADS = (0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.45)


def _job(args):
    seed, a, theta, N, load, networks = args
    from simulations.estimators.sparse_capacity import kept_fraction
    from simulations.core.seeds import derive_seed
    from theory.sparse_rs import critical_alpha

    t0 = time.perf_counter()
    ac = critical_alpha(a, theta)["alpha_c"]
    r = kept_fraction(seed=derive_seed(seed, {"bench": "sparse-finite-size", "N": N, "a": a, "theta": theta,
                                              "load": load}), N=N, a=a, alpha=load * ac, theta=theta,
                      networks=networks)
    return {"seed": seed, "a": a, "theta": theta, "N": N, "load": load, "alpha_c": ac, **r,
            "seconds": round(time.perf_counter() - t0, 2)}


def crossings(rows):
    """Per (seed, a, theta, N): the logistic 50% crossing in units of alpha_c and its standard error."""
    import numpy as np

    from simulations.core.fits import logistic_crossing

    out = []
    keys = sorted({(r["seed"], r["a"], r["theta"], r["N"]) for r in rows})
    for key in keys:
        rs = sorted((r for r in rows if (r["seed"], r["a"], r["theta"], r["N"]) == key), key=lambda r: r["load"])
        x = np.array([r["P"] / r["N"] / r["alpha_c"] for r in rs])
        k = np.array([r["kept"] for r in rs])
        n = np.array([r["trials"] for r in rs])
        xc, se = logistic_crossing(x, k, n) if 0 < k.sum() < n.sum() else (float("nan"), float("nan"))
        out.append({"seed": key[0], "a": key[1], "theta": key[2], "N": key[3], "crossing_over_alpha_c": xc,
                    "se": se, "kept": k.tolist(), "trials": n.tolist(), "load": x.tolist()})
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--Ns", type=int, nargs="+", default=[1000, 2000])
    p.add_argument("--loads", type=float, nargs="+", default=list(LOADS))
    p.add_argument("--networks", type=int, default=30)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    jobs = [(s, a, th, N, f, args.networks) for s in args.seeds for a, th in CASES for N in args.Ns
            for f in args.loads]
    t0 = time.perf_counter()
    rows = []
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as ex:
            for fut in as_completed([ex.submit(_job, j) for j in jobs]):
                rows.append(fut.result())
    else:
        rows = [_job(j) for j in jobs]
    rows.sort(key=lambda r: (r["seed"], r["a"], r["N"], r["load"]))
    result = {"what": "sparse-capacity finite-size crossings (kept fraction 1/2) in units of the RS alpha_c(a, theta)",
              "args": vars(args), "python": sys.version.split()[0], "machine": platform.platform(),
              "seconds": round(time.perf_counter() - t0, 1), "crossings": crossings(rows), "rows": rows}
    atomic_write_json(args.out, result)
    for c in result["crossings"]:
        print(f"seed {c['seed']} a={c['a']} theta={c['theta']} N={c['N']}: crossing "
              f"{c['crossing_over_alpha_c']:.3f} +- {c['se']:.3f} alpha_c  kept {c['kept']}/{c['trials'][0]}")


if __name__ == "__main__":
    main()

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
    python benchmarks/sparse_finite_size.py --analyse RECORD [RECORD ...] --out ANALYSIS.json
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

from simulations.core.io import atomic_write_json


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


def _job_gpu(args):
    """As :func:`_job` on the GPU, with the patterns drawn on the device (CuPy's generator, seeded from the
    same derived seed): the same law (each bit 1 with probability a, independently) from another stream."""
    seed, a, theta, N, load, networks = args
    from hopfield._device import array_module
    from simulations.core.seeds import derive_seed
    from simulations.estimators.sparse_capacity import KEPT, retrieval_run_exact
    from theory.sparse_rs import critical_alpha

    xp = array_module("gpu")  # CuPy; numpy under Numba's CUDA simulator (the tests)
    t0 = time.perf_counter()
    ac = critical_alpha(a, theta)["alpha_c"]
    P = max(1, int(round(load * ac * N)))
    s = derive_seed(seed, {"bench": "sparse-finite-size", "N": N, "a": a, "theta": theta, "load": load})
    res = []
    for k, ss in enumerate(np.random.SeedSequence(int(s)).spawn(int(networks))):
        rng = xp.random.default_rng(int(ss.generate_state(1)[0]))
        xi = (rng.random((P, N), dtype=xp.float32) < a).astype(xp.int8)
        res.append(retrieval_run_exact(xi, a, theta, 50, xp=xp))
        del xi
    res = np.array(res, dtype=float)
    kept = (res[:, 0] > KEPT) & (res[:, 3] == 0)
    return {"seed": seed, "a": a, "theta": theta, "N": N, "load": load, "alpha_c": ac, "kept": int(kept.sum()),
            "trials": int(networks), "P": P, "M_kept": float(res[kept, 0].mean()) if kept.any() else float("nan"),
            "q_kept": float(res[kept, 1].mean()) if kept.any() else float("nan"),
            "steps_mean": float(res[:, 2].mean()), "device": "gpu" if xp is not np else "cpu (the numpy twin)", "seconds": round(time.perf_counter() - t0, 2)}


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
        xc, se = float("nan"), float("nan")
        if len(rs) >= 2 and 0 < k.sum() < n.sum():
            try:
                xc, se = logistic_crossing(x, k, n)
            except np.linalg.LinAlgError:  # a grid that does not bracket the crossing yet
                pass
        out.append({"seed": key[0], "a": key[1], "theta": key[2], "N": key[3], "crossing_over_alpha_c": xc,
                    "se": se, "kept": k.tolist(), "trials": n.tolist(), "load": x.tolist()})
    return out


def analyse(paths: Sequence[str], min_N: float = 1000.0) -> dict:
    """Crossings of several records pooled per (a, theta, N) and extrapolated to N -> infinity per (a, theta).

    The rows of every record are pooled (a later record's row replaces an earlier one with the same seed,
    case, size and load); the crossing of each (a, theta, N) is the logistic 50% point of all its rows
    (every seed together), in units of the RS ``alpha_c(a, theta)``. Each coding level's crossings are
    extrapolated by the ansaetze of :func:`simulations.core.fits.extrapolations` (sizes ``N >= min_N``),
    the midpoint of the accepted fits with their spread as the systematic error, and two reference
    values are given beside them: 1 (RS with the reaction term, ``theory.sparse_rs.critical_alpha``) and
    the RS value without the threshold shift Gamma/2 (the ``sparse-rs-no-gamma-shift`` reading).
    """
    import json

    from simulations.core.fits import extrapolations

    merged = {}
    for path in paths:
        with open(path) as fh:
            for r in json.load(fh).get("rows", []):
                merged[(r["seed"], r["a"], r["theta"], r["N"], r["load"])] = r
    rows = list(merged.values())
    pooled = []
    for key in sorted({(r["a"], r["theta"], r["N"]) for r in rows}):
        rs = [dict(r, seed=0) for r in rows if (r["a"], r["theta"], r["N"]) == key]
        by_load = {}
        for r in rs:  # pool the seeds of a load: one binomial count
            b = by_load.setdefault(r["load"], dict(r, kept=0, trials=0))
            b["kept"] += r["kept"]
            b["trials"] += r["trials"]
        pooled.extend(crossings(list(by_load.values())))
    out = {"sources": list(paths), "crossings": pooled, "extrapolations": {}}
    for a, th in sorted({(c["a"], c["theta"]) for c in pooled}):
        cs = [c for c in pooled if (c["a"], c["theta"]) == (a, th) and np.isfinite(c["crossing_over_alpha_c"])]
        N = [c["N"] for c in cs]
        y = [c["crossing_over_alpha_c"] for c in cs]
        se = [c["se"] for c in cs]
        ex = extrapolations(N, y, se, min_N=min_N)
        out["extrapolations"][f"a={a}, theta={th}"] = {
            "N": N, "crossing": y, "se": se, "estimate": ex["estimate"], "systematic": ex["systematic"],
            "statistical": ex["statistical"], "total": ex["total"], "accepted": ex["accepted"],
            "fits": {k: {kk: v[kk] for kk in ("y_inf", "se_inf", "p_fit", "dof", "accepted", "error") if kk in v}
                     for k, v in ex["fits"].items()},
            "no_gamma_shift_over_alpha_c": _no_shift_ratio(a, th)}
    return out


def _no_shift_ratio(a: float, theta: float) -> float:
    """``alpha_c`` of the RS equations without the threshold shift Gamma/2, in units of the full RS ``alpha_c``."""
    from theory import sparse_rs

    full = sparse_rs.critical_alpha(a, theta)["alpha_c"]
    orig = sparse_rs.from_yu

    def no_shift(a_, y, u, lo=0, reaction=True):
        r = dict(orig(a_, y, u, lo, reaction))
        r["theta"] = -u * r["s"]
        return r

    sparse_rs.from_yu = no_shift
    try:
        return float(sparse_rs.critical_alpha(a, theta)["alpha_c"] / full)
    finally:
        sparse_rs.from_yu = orig


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--Ns", type=int, nargs="+", default=[1000, 2000])
    p.add_argument("--loads", type=float, nargs="+", default=list(LOADS))
    p.add_argument("--networks", type=int, default=30)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--out", required=True)
    p.add_argument("--device", choices=("cpu", "gpu"), default="cpu",
                   help="gpu: patterns drawn and runs made on the GPU (CuPy), one job at a time")
    p.add_argument("--budget-s", type=float, default=float("inf"), help="start no job after this many seconds")
    p.add_argument("--analyse", nargs="+", default=None, metavar="RECORD",
                   help="pool these records, extrapolate the crossings, write the analysis to --out and stop")
    args = p.parse_args(argv)
    if args.analyse:
        res = analyse(args.analyse)
        atomic_write_json(args.out, res)
        for k, v in res["extrapolations"].items():
            print(k, [(n, round(c, 4), round(e, 4)) for n, c, e in zip(v["N"], v["crossing"], v["se"])])
            print(f"  N -> oo: {v['estimate']:.4f} +- {v['total']:.4f} (sys {v['systematic']:.4f}, stat "
                  f"{v['statistical']:.4f}); accepted {v['accepted']}; RS without Gamma/2: "
                  f"{v['no_gamma_shift_over_alpha_c']:.4f}")
        return
    jobs = [(s, a, th, N, f, args.networks) for s in args.seeds for a, th in CASES for N in args.Ns
            for f in args.loads]
    t0 = time.perf_counter()
    rows = []
    old = {}
    if os.path.exists(args.out):  # resume: the finished jobs of an earlier call are kept, not redone
        import json

        with open(args.out) as fh:
            for r in json.load(fh).get("rows", []):
                old[(r["seed"], r["a"], r["theta"], r["N"], r["load"], r["trials"])] = r
    rows = [old[(j[0], j[1], j[2], j[3], j[4], j[5])] for j in jobs if (j[0], j[1], j[2], j[3], j[4], j[5]) in old]
    jobs = [j for j in jobs if (j[0], j[1], j[2], j[3], j[4], j[5]) not in old]

    def save():
        rows.sort(key=lambda r: (r["seed"], r["a"], r["N"], r["load"]))
        atomic_write_json(args.out, {"what": "sparse-capacity finite-size crossings (kept fraction 1/2) in units of "
                                             "the RS alpha_c(a, theta)", "args": vars(args),
                                     "python": sys.version.split()[0], "machine": platform.platform(),
                                     "seconds": round(time.perf_counter() - t0, 1),
                                     "crossings": crossings(rows) if rows else [], "rows": rows})

    if args.device == "gpu":
        for j in sorted(jobs, key=lambda j: (j[3], j[0])):  # small N first: a budget cut keeps whole sizes
            if time.perf_counter() - t0 > args.budget_s:
                print(f"budget spent; {len(jobs)} jobs left", flush=True)
                break
            rows.append(_job_gpu(j))
            print(rows[-1]["N"], rows[-1]["a"], rows[-1]["load"], rows[-1]["kept"], rows[-1]["seconds"], flush=True)
            save()
        save()
        return
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as ex:
            for fut in as_completed([ex.submit(_job, j) for j in jobs]):
                rows.append(fut.result())
    else:
        rows.extend(_job(j) for j in jobs)
    rows.sort(key=lambda r: (r["seed"], r["a"], r["N"], r["load"]))
    result = {"what": "sparse-capacity finite-size crossings (kept fraction 1/2) in units of the RS alpha_c(a, theta)",
              "args": vars(args), "python": sys.version.split()[0], "machine": platform.platform(),
              "seconds": round(time.perf_counter() - t0, 1), "crossings": crossings(rows), "rows": rows}
    atomic_write_json(args.out, result)
    for c in result["crossings"]:
        print(f"seed {c['seed']} a={c['a']} theta={c['theta']} N={c['N']}: crossing "
              f"{c['crossing_over_alpha_c']:.3f} +- {c['se']:.3f} alpha_c  kept {c['kept']}/{c['trials'][0]}")


if __name__ == "__main__":
    # one BLAS thread per worker process (set here, not at import: importing this module must not change
    # the importing process's environment)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()

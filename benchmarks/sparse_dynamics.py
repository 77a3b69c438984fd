"""Parallel against asynchronous T = 0 dynamics of the sparse 0/1 covariance network, on the same networks.

The ``sparse-capacity`` check runs parallel dynamics from a stored pattern, and its 50% crossings
sit 7-12% above the replica-symmetric alpha_c(a, theta) with no trend in N up to 8000
(``sparse_finite_size.py``). Both dynamics have the same fixed points (``V_i = 1`` iff
``h_i > theta`` for every i) but may reach different ones from the same start. This script
runs, for every network, both dynamics from pattern 0 of the same patterns (a paired
comparison) and records whether each keeps the pattern (overlap M > 1/2 and activity below
3a, as the check counts), so the crossing of each dynamics can be compared with alpha_c.

Asynchronous dynamics: random order (a fresh permutation every sweep), overlaps
``m = (xi - a) V`` kept up to date, the field of neuron i
``h_i = c ((xi_i - a) . m) - W_ii V_i``, ``c = 1 / (N a (1 - a))``, until a sweep changes nothing.

    python benchmarks/sparse_dynamics.py --Ns 1000 2000 --networks 60 --out benchmarks/results/sparse_dynamics.json
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

from simulations.core.io import atomic_write_json

CASES = ((0.1, 0.45), (0.05, 0.5))
LOADS = (0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.3)


def async_run(xi: np.ndarray, a: float, theta: float, rng: np.random.Generator, max_sweeps: int = 100):
    """Random-order asynchronous T = 0 dynamics from pattern 0; returns ``(M, activity, sweeps, lost)``."""
    from simulations.estimators.sparse_capacity import KEPT, LOST_ACTIVITY

    P, N = xi.shape
    X = np.ascontiguousarray((xi - a).T, dtype=np.float64)  # (N, P): row i is (xi_i - a)
    c = 1.0 / (N * a * (1.0 - a))
    wii = c * np.einsum("ij,ij->i", X, X)
    V = xi[0].astype(np.float64)
    m = X.T @ V  # (P,)
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):
        changed = 0
        for i in rng.permutation(N):
            h = c * float(X[i] @ m) - wii[i] * V[i]
            v = 1.0 if h > theta else 0.0
            if v != V[i]:
                m += (v - V[i]) * X[i]
                V[i] = v
                changed += 1
        M = c * float(m[0])
        if changed == 0 or M < KEPT or V.mean() > LOST_ACTIVITY * a:
            break
    M = c * float(m[0])
    lost = bool(M < KEPT or V.mean() > LOST_ACTIVITY * a)
    return M, float(V.mean()), sweeps, lost


def job(seed: int, a: float, theta: float, N: int, load: float, networks: int) -> dict:
    from hopfield.patterns import biased_binary
    from simulations.core.seeds import derive_seed
    from simulations.estimators.sparse_capacity import KEPT, retrieval_run
    from theory.sparse_rs import critical_alpha

    ac = critical_alpha(a, theta)["alpha_c"]
    P = max(1, int(round(load * ac * N)))
    s = derive_seed(seed, {"bench": "sparse-dynamics", "N": N, "a": a, "theta": theta, "load": load})
    par, asy = [], []
    t0 = time.perf_counter()
    for ss in np.random.SeedSequence(int(s)).spawn(int(networks)):
        rng = np.random.default_rng(ss)
        xi = (biased_binary(P, N, 2.0 * a - 1.0, seed=rng) + 1) // 2
        M, q, t, lost = retrieval_run(xi, a, theta, 50)
        par.append(bool(M > KEPT and not lost))
        M2, q2, t2, lost2 = async_run(xi, a, theta, rng)
        asy.append(bool(M2 > KEPT and not lost2))
    par, asy = np.array(par), np.array(asy)
    return {"seed": seed, "a": a, "theta": theta, "N": N, "load": load, "alpha_c": ac, "P": P, "trials": int(networks),
            "kept_parallel": int(par.sum()), "kept_async": int(asy.sum()),
            "both": int((par & asy).sum()), "parallel_only": int((par & ~asy).sum()),
            "async_only": int((~par & asy).sum()), "seconds": round(time.perf_counter() - t0, 2)}


def crossings(rows):
    """Per (a, theta, N, dynamics): the logistic 50% crossing in units of alpha_c (NaN if not bracketed)."""
    from simulations.core.fits import logistic_crossing

    out = []
    for key in sorted({(r["a"], r["theta"], r["N"]) for r in rows}):
        rs = sorted((r for r in rows if (r["a"], r["theta"], r["N"]) == key), key=lambda r: r["load"])
        x = np.array([r["P"] / r["N"] / r["alpha_c"] for r in rs])
        n = np.array([r["trials"] for r in rs])
        for dyn in ("parallel", "async"):
            k = np.array([r[f"kept_{dyn}"] for r in rs])
            xc = se = float("nan")
            if len(rs) >= 2 and 0 < k.sum() < n.sum():
                try:
                    xc, se = logistic_crossing(x, k, n)
                except np.linalg.LinAlgError:
                    pass
            out.append({"a": key[0], "theta": key[1], "N": key[2], "dynamics": dyn, "crossing_over_alpha_c": xc,
                        "se": se, "kept": k.tolist(), "trials": n.tolist(), "load": x.tolist()})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--Ns", nargs="+", type=int, default=[1000, 2000])
    ap.add_argument("--loads", nargs="+", type=float, default=list(LOADS))
    ap.add_argument("--networks", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget-s", type=float, default=float("inf"))
    ap.add_argument("--out", default="benchmarks/results/sparse_dynamics.json")
    args = ap.parse_args(argv)
    rows = []
    if os.path.exists(args.out):
        import json

        with open(args.out) as fh:
            rows = json.load(fh).get("rows", [])
    done = {(r["a"], r["theta"], r["N"], r["load"], r["trials"]) for r in rows}
    t0 = time.perf_counter()
    for N in args.Ns:
        for a, theta in CASES:
            for load in args.loads:
                if (a, theta, N, load, args.networks) in done:
                    continue
                if time.perf_counter() - t0 > args.budget_s:
                    print("budget spent", flush=True)
                    return 0
                rows.append(job(args.seed, a, theta, N, load, args.networks))
                r = rows[-1]
                print(N, a, load, r["kept_parallel"], r["kept_async"], r["seconds"], flush=True)
                atomic_write_json(args.out, {"what": __doc__.splitlines()[0], "args": vars(args),
                                             "python": sys.version.split()[0], "machine": platform.platform(),
                                             "crossings": crossings(rows), "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

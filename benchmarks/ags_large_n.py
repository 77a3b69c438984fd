"""The T = 0 retrieval transition of the classical network at N up to 10^5: data and extrapolation.

Every run stores P random +-1 patterns of N neurons with the Hebbian rule (zero
diagonal), starts asynchronous T = 0 dynamics in random order at pattern 0 and
records the final overlap: the dynamics of the ``ags-critical`` check, run through
:func:`hopfield.capacity.capacity_scan` with ``count=0`` (the patterns are drawn
inside the kernel from each run's own SplitMix64 stream, so a run needs no
N x P array and N = 10^5 fits on one GPU; ``--device gpu``).

The data of a size N come in chunks of ``--trials`` runs at every load of its grid;
chunk ``c`` draws from ``derive_seed(seed, {"N": N, "chunk": c})``, so a second call
with a larger ``--chunks`` adds runs without redoing any, and an interrupted call
resumes where it stopped (the results file is rewritten atomically after every
chunk). For each N the record keeps, per load, the number of runs whose final
overlap exceeds each of several thresholds, a histogram of the final overlaps,
and the sweeps used.

``--analyse`` reads a results file and prints the crossings (the load at which half
the runs keep m > threshold, by a logistic fit, for each threshold; and the load at
which the mean final overlap falls through the midpoint of the retrieval and
spin-glass branches) and their extrapolations to N -> infinity by several ansaetze
(:func:`simulations.core.fits.extrapolations`), and writes them beside the data.

    python benchmarks/ags_large_n.py --device gpu --Ns 20000 50000 100000 --chunks 4 \\
        --out benchmarks/results/gpu/ags_large_n.json
    python benchmarks/ags_large_n.py --analyse --out benchmarks/results/gpu/ags_large_n.json
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np

from simulations.core.io import atomic_write_json

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
#: Histogram of the final overlaps: 40 bins of width 0.05 on [-1, 1].
BINS = np.linspace(-1.0, 1.0, 41)
#: The overlap that separates the two branches in the "mean overlap" definition of the
#: crossing: runs that keep the pattern end at m ~ 0.97-1, runs that lose it near m ~ 0.3.
MEAN_MIDPOINT = 0.65


def default_grid(N: int) -> List[float]:
    """Nine loads spanning the transition of size ``N``, one 10-90% width either side of its expected centre.

    The crossing of the CPU record (``benchmarks/results/ags_finite_size.json``, N = 500-10 000)
    follows 0.1431 + 1.95 N^(-2/3) within its errors, and a first GPU pass put N = 20 000 and
    50 000 at 0.145 and 0.144 (same law); the 10-90% width of the transition is about
    1.5 N^(-1/2) (0.011 at N = 20 000). Loads far above the transition cost the most (lost runs
    drift for up to 200 sweeps) and inform the fit the least, so the grid stays within a width.
    """
    centre = 0.1431 + 1.95 * N ** (-2.0 / 3.0)
    half = max(1.5 * N ** -0.5, 0.003)
    return [round(float(x), 5) for x in np.linspace(centre - half, centre + half, 9)]


def _row_key(N: int, chunk: int) -> str:
    return f"{N}:{chunk}"


def run_chunk(N: int, alphas: Sequence[float], trials: int, seed: int, chunk: int, device: str,
              max_sweeps: int = 200) -> dict:
    """One chunk of runs at every load of the grid of ``N`` (a results row)."""
    from hopfield.capacity import capacity_scan
    from simulations.core.seeds import derive_seed

    Ps = sorted({max(1, int(round(a * N))) for a in alphas})
    t0 = time.perf_counter()
    kw = {} if device == "cpu" else {"device": device}
    scan = capacity_scan(N, Ps, trials, count=0, seed=derive_seed(seed, {"N": N, "chunk": chunk}),
                         max_sweeps=max_sweeps, **kw)
    seconds = time.perf_counter() - t0
    points = []
    for j, P in enumerate(Ps):
        m = scan.overlap[j]
        points.append({"P": P, "alpha": P / N, "trials": int(m.size),
                       "kept": {str(t): int(np.count_nonzero(m > t)) for t in THRESHOLDS},
                       "mean_m": float(m.mean()), "sum_m2": float(np.sum(m * m)),
                       "hist": np.histogram(m, BINS)[0].tolist(),
                       "sweeps_mean": float(scan.sweeps[j].mean()), "sweeps_max": int(scan.sweeps[j].max()),
                       "unconverged": int(np.count_nonzero(~scan.converged[j]))})
    updates = float(N) * float(scan.sweeps.sum())
    return {"N": N, "chunk": chunk, "seed": seed, "device": device, "trials": trials, "max_sweeps": max_sweeps,
            "seconds": round(seconds, 3), "spin_visits_per_s": updates / max(seconds, 1e-9), "points": points}


def pooled(rows: Sequence[dict]) -> Dict[int, Dict[int, dict]]:
    """Per N and P: the runs of every chunk added up (kept counts, overlap sums, trials)."""
    out: Dict[int, Dict[int, dict]] = {}
    for r in rows:
        for p in r["points"]:
            d = out.setdefault(r["N"], {}).setdefault(p["P"], {"trials": 0, "kept": {}, "sum_m": 0.0,
                                                               "sum_m2": 0.0})
            d["trials"] += p["trials"]
            d["sum_m"] += p["mean_m"] * p["trials"]
            d["sum_m2"] += p["sum_m2"]
            for t, k in p["kept"].items():
                d["kept"][t] = d["kept"].get(t, 0) + k
    return out


def mean_crossing(x: np.ndarray, mean: np.ndarray, se: np.ndarray, level: float = MEAN_MIDPOINT):
    """Where the mean final overlap falls through ``level``: a straight line through the two
    loads around the first downward crossing, with the delta-method standard error; None if
    the grid does not bracket it."""
    idx = np.nonzero((mean[:-1] >= level) & (mean[1:] < level))[0]
    if idx.size == 0:
        return None
    i = int(idx[0])
    x0, x1, y0, y1 = x[i], x[i + 1], mean[i], mean[i + 1]
    xc = x0 + (level - y0) * (x1 - x0) / (y1 - y0)
    # d xc / d y0 and d xc / d y1
    g0 = (x1 - x0) * (level - y1) / (y1 - y0) ** 2
    g1 = -(x1 - x0) * (level - y0) / (y1 - y0) ** 2
    return float(xc), float(np.hypot(g0 * se[i], g1 * se[i + 1]))


def crossings(rows: Sequence[dict]) -> dict:
    """Per definition of alpha_c(N): the sizes, crossings and standard errors."""
    from simulations.core.fits import logistic_crossing

    data = pooled(rows)
    out: dict = {}
    for N in sorted(data):
        Ps = sorted(data[N])
        x = np.array(Ps, float) / N
        n = np.array([data[N][P]["trials"] for P in Ps], float)
        for t in THRESHOLDS:
            k = np.array([data[N][P]["kept"][str(t)] for P in Ps], float)
            if not (k[0] / n[0] > 0.5 > k[-1] / n[-1]):
                continue
            xc, se = logistic_crossing(x, k, n)
            out.setdefault(f"P(m > {t}) = 1/2", {"N": [], "x": [], "se": []})
            for key, v in (("N", N), ("x", xc), ("se", se)):
                out[f"P(m > {t}) = 1/2"][key].append(v)
        mean = np.array([data[N][P]["sum_m"] / data[N][P]["trials"] for P in Ps])
        var = np.array([data[N][P]["sum_m2"] / data[N][P]["trials"] for P in Ps]) - mean ** 2
        mc = mean_crossing(x, mean, np.sqrt(np.maximum(var, 0.0) / n))
        if mc is not None:
            d = out.setdefault(f"mean m = {MEAN_MIDPOINT}", {"N": [], "x": [], "se": []})
            d["N"].append(N)
            d["x"].append(mc[0])
            d["se"].append(mc[1])
    return out


def analyse(rows: Sequence[dict], extra: Optional[dict] = None, min_Ns=(0, 1000, 5000)) -> dict:
    """Crossings of every definition and their extrapolations (for each smallest size kept)."""
    from simulations.core.fits import extrapolations

    cross = crossings(rows)
    if extra:  # crossings of smaller sizes from another record, same definitions
        for name, d in extra.items():
            if name in cross:
                for N, x, se in zip(d["N"], d["x"], d["se"]):
                    if N not in cross[name]["N"]:
                        cross[name]["N"].append(N)
                        cross[name]["x"].append(x)
                        cross[name]["se"].append(se)
                order = np.argsort(cross[name]["N"])
                for key in ("N", "x", "se"):
                    cross[name][key] = [cross[name][key][i] for i in order]
    result = {"crossings": cross, "extrapolations": {}}
    for name, d in cross.items():
        for mn in min_Ns:
            if sum(1 for N in d["N"] if N >= mn) < 3:
                continue
            try:
                result["extrapolations"][f"{name}; N >= {mn}"] = extrapolations(d["N"], d["x"], d["se"], min_N=mn)
            except ValueError as exc:
                result["extrapolations"][f"{name}; N >= {mn}"] = {"error": str(exc)}
    return result


def small_n_crossings(path: str = "benchmarks/results/ags_finite_size.json") -> dict:
    """The crossings of the CPU record (N = 250-10 000, all seeds pooled), in this script's definitions."""
    import json

    with open(path) as fh:
        d = json.load(fh)
    rows: Dict[int, dict] = {}
    for r in d["rows"]:
        row = rows.setdefault(r["N"], {"N": r["N"], "points": {}})
        p = row["points"].setdefault(r["P"], {"P": r["P"], "trials": 0, "kept": {}, "mean_m": 0.0,
                                              "sum_m2": 0.0})
        p["trials"] += r["trials"]
        for t, k in r["kept"].items():
            p["kept"][t] = p["kept"].get(t, 0) + k
    rows2 = [{"N": N, "points": list(v["points"].values())} for N, v in rows.items()]
    cross = crossings(rows2)
    return {k: v for k, v in cross.items() if not k.startswith("mean")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--Ns", nargs="+", type=int, default=[20000, 50000, 100000])
    ap.add_argument("--alphas", nargs="+", type=float, default=None, help="loads (default: default_grid(N))")
    ap.add_argument("--trials", type=int, nargs="+", default=[64],
                    help="runs per load per chunk: one number, or one per size of --Ns (a GPU keeps each run's "
                         "block busy for its whole length, so large chunks fill it)")
    ap.add_argument("--chunks", type=int, default=4, help="chunks per size (more adds runs)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    ap.add_argument("--max-sweeps", type=int, default=200)
    ap.add_argument("--budget-s", type=float, default=float("inf"), help="start no chunk after this many seconds")
    ap.add_argument("--out", default="benchmarks/results/gpu/ags_large_n.json")
    ap.add_argument("--analyse", action="store_true", help="analyse the record at --out and write the analysis")
    ap.add_argument("--figure-data", default=None,
                    help="with --analyse: also write the analysis the figure draws (figures/data/ags_large_n.json)")
    ap.add_argument("--main-min-N", type=int, default=1000,
                    help="with --analyse: the smallest size of the main extrapolation the figure and docs quote")
    args = ap.parse_args(argv)
    import json

    record = {"meta": {}, "rows": []}
    if os.path.exists(args.out):
        with open(args.out) as fh:
            record = json.load(fh)
    if args.analyse:
        extra = small_n_crossings() if os.path.exists("benchmarks/results/ags_finite_size.json") else None
        record["analysis"] = analyse(record["rows"], extra)
        atomic_write_json(args.out, record)
        if args.figure_data:
            fig = dict(record["analysis"])
            fig["main_extrapolation"] = [f"P(m > 0.8) = 1/2; N >= {args.main_min_N}"]
            fig["meta"] = {k: record["meta"].get(k) for k in ("producer", "device", "elapsed_s", "thresholds")}
            fig["meta"]["runs"] = {str(N): sum(p["trials"] for r in record["rows"] if r["N"] == N for p in r["points"])
                                   for N in sorted({r["N"] for r in record["rows"]})}
            atomic_write_json(args.figure_data, fig)
        for k, v in record["analysis"]["crossings"].items():
            print(k, [(N, round(x, 5), round(s, 5)) for N, x, s in zip(v["N"], v["x"], v["se"])])
        for k, v in record["analysis"]["extrapolations"].items():
            if "error" in v:
                print(k, v["error"])
                continue
            print(f"{k}: {v['estimate']:.5f} +- {v['total']:.5f} (sys {v['systematic']:.5f}, stat "
                  f"{v['statistical']:.5f}); accepted {v['accepted']}")
        return 0
    if len(args.trials) not in (1, len(args.Ns)):
        ap.error(f"--trials takes one number or one per size ({len(args.Ns)}), got {len(args.trials)}")
    trials = dict(zip(args.Ns, args.trials * len(args.Ns) if len(args.trials) == 1 else args.trials))
    done = {_row_key(r["N"], r["chunk"]) for r in record["rows"]}
    record["meta"].update({"producer": "benchmarks/ags_large_n.py", "python": sys.version.split()[0],
                           "machine": platform.machine(), "cpus": os.cpu_count(), "device": args.device,
                           "thresholds": list(THRESHOLDS)})
    t0 = time.time()
    for chunk in range(args.chunks):  # one chunk of every size before the next: a budget cut keeps the sizes even
        for N in args.Ns:
            if _row_key(N, chunk) in done:
                continue
            if time.time() - t0 > args.budget_s:
                print(f"budget of {args.budget_s:.0f} s spent; stopping before N={N} chunk {chunk}", flush=True)
                return 0
            alphas = args.alphas or default_grid(N)
            row = run_chunk(N, alphas, trials[N], args.seed, chunk, args.device, args.max_sweeps)
            row["alphas"] = list(alphas)
            record["rows"].append(row)
            record["meta"]["elapsed_s"] = round(record["meta"].get("elapsed_s", 0.0) + row["seconds"], 1)
            atomic_write_json(args.out, record)
            kept = [p["kept"]["0.8"] / p["trials"] for p in row["points"]]
            print(f"N={N} chunk {chunk}: {row['seconds']:.1f} s, {row['spin_visits_per_s']:.3g} visits/s, "
                  f"kept {np.round(kept, 2).tolist()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

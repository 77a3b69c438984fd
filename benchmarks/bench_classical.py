"""Speed of the classical Hopfield simulator, measured side by side in one run.

(a) Hebbian async, N=1000, P=100, 256 trials from 10%-flipped cues: neuron visits
    per second for amlab (patterns and weights backends) and for a plain numpy
    implementation of the same dynamics (one vectorised dot product per visit),
    timed on a subset of trials and scaled per visit.
(b) Capacity scan, N=500, P in {25, 50, 75, 100}, 50 trials per point, random-order
    async from cues with 10% of the bits flipped, success = exact recovery of the
    cued pattern (final overlap 1), against the ``hopfieldkit`` package when it is
    importable (its ``empirical_capacity_scan`` runs exactly this protocol).
    amlab runs it two ways: ``hopfield.capacity.capacity_scan`` (the library's scan,
    like hopfieldkit's: one call per point, every trial in one kernel call) and a
    user's loop over trials (``random_binary``, ``flip``, ``ClassicalHopfield.run``).

Numba compile time is excluded: every kernel is run once on a small problem before
timing. Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_classical.py [--quick]

Writes ``benchmarks/results/classical.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numba
import numpy as np

from hopfield.capacity import capacity_scan
from hopfield.classical import ClassicalHopfield, hebbian_weights
from hopfield.patterns import flip, random_binary
from simulations.core.io import atomic_write_json

OUT = Path(__file__).resolve().parent / "results" / "classical.json"


def _provenance() -> dict:
    try:  # the project's provenance needs sympy and amlab's metadata
        from simulations.core.io import provenance

        info = provenance()
    except Exception:  # a bare benchmark environment
        info = {"python": platform.python_version(), "machine": platform.machine(),
                "cpus": os.cpu_count(), "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        for pkg in ("numpy", "scipy", "numba"):
            try:
                info[pkg] = metadata.version(pkg)
            except metadata.PackageNotFoundError:
                pass
    info["numba_threads"] = numba.get_num_threads()
    info["load_average_1_5_15"] = list(os.getloadavg())
    info["python_executable"] = sys.executable
    return info


def numpy_async(W: np.ndarray, cue: np.ndarray, rng: np.random.Generator, max_sweeps: int):
    """Random-order asynchronous dynamics as a numpy user writes it; returns (state, sweeps)."""
    s = cue.astype(np.float64)
    N = s.shape[0]
    for sweep in range(max_sweeps):
        changed = False
        for i in rng.permutation(N):
            h = W[i] @ s
            if h != 0.0:  # a zero field keeps the state, as in amlab
                new = 1.0 if h > 0.0 else -1.0
                if new != s[i]:
                    s[i] = new
                    changed = True
        if not changed:
            return s, sweep + 1
    return s, max_sweeps


def bench_visits(quick: bool) -> dict:
    N, P, B = 1000, 100, 256
    n_numpy = 4 if quick else 16
    xi = random_binary(P, N, seed=1)
    cues = flip(xi[np.arange(B) % P], fraction=0.1, seed=2)
    out = {"N": N, "P": P, "trials": B, "cue_flip_fraction": 0.1, "schedule": "async", "order": "random"}
    threads = sorted({1, numba.get_num_threads()})
    out["numba_threads_measured"] = threads
    default = numba.get_num_threads()
    for n in threads:
        numba.set_num_threads(n)
        for backend in ("patterns", "weights"):
            net = ClassicalHopfield(xi, backend=backend)
            net.run(cues[:2], seed=0)  # warm-up: compile (or load) the kernels
            best, best_cpu = np.inf, np.inf
            for rep in range(5):
                t0, c0 = time.perf_counter(), time.process_time()
                res = net.run(cues, seed=3)
                best = min(best, time.perf_counter() - t0)
                best_cpu = min(best_cpu, time.process_time() - c0)
            visits = int(res.sweeps.sum()) * N
            hit = res.overlaps[np.arange(B), np.arange(B) % P] == 1.0
            out[f"amlab_{backend}_threads{n}"] = {
                "wall_seconds_best_of_5": best, "cpu_seconds_best_of_5": best_cpu, "visits": visits,
                "visits_per_second": visits / best, "visits_per_cpu_second": visits / best_cpu,
                "mean_sweeps": float(res.sweeps.mean()), "retrieved_fraction": float(hit.mean()),
            }
    numba.set_num_threads(default)
    W = hebbian_weights(xi) / N
    rng = np.random.default_rng(4)
    t0, c0 = time.perf_counter(), time.process_time()
    visits = 0
    ok = 0
    for b in range(n_numpy):
        s, sweeps = numpy_async(W, cues[b], rng, 100)
        visits += sweeps * N
        ok += int(np.array_equal(s, xi[b % P]))
    t, tc = time.perf_counter() - t0, time.process_time() - c0
    out["numpy"] = {"trials_timed": n_numpy, "wall_seconds": t, "cpu_seconds": tc, "visits": visits,
                    "visits_per_second": visits / t, "visits_per_cpu_second": visits / tc,
                    "retrieved_fraction": ok / n_numpy,
                    "method": "float64 W; per visit h_i = W[i] @ s, sign with a zero field keeping s_i; "
                              "rng.permutation(N) each sweep; timed on the first trials and scaled per visit"}
    for key in [k for k in out if k.startswith("amlab_")]:
        out[f"ratio_{key}_over_numpy"] = out[key]["visits_per_second"] / out["numpy"]["visits_per_second"]
        out[f"cpu_ratio_{key}_over_numpy"] = (out[key]["visits_per_cpu_second"]
                                              / out["numpy"]["visits_per_cpu_second"])
    return out


def _import_peer(peer_path):
    """hopfieldkit, from this environment or from ``peer_path`` (another environment's site-packages).

    It is appended to ``sys.path`` (after this environment's packages), so the peer runs on the
    same numpy in the same process; it is never a dependency of amlab.
    """
    try:
        import hopfieldkit

        return hopfieldkit
    except ImportError:
        if peer_path and Path(peer_path).is_dir():
            sys.path.append(str(peer_path))
            try:
                import hopfieldkit

                return hopfieldkit
            except ImportError:
                return None
        return None


def amlab_scan_point(N, P, trials, n_flip, max_sweeps, rng) -> int:
    """Successes of ``trials`` capacity trials at one P (patterns drawn per trial, as hopfieldkit does)."""
    ok = 0
    for t in range(trials):
        xi = random_binary(P, N, seed=rng)
        cue = flip(xi[0], count=n_flip, seed=rng)
        res = ClassicalHopfield(xi).run(cue, max_sweeps=max_sweeps, seed=int(rng.integers(2**62)))
        ok += int(res.overlaps[0, 0] == 1.0)
    return ok


def overhead_split(N, P, trials, n_flip, max_sweeps) -> dict:
    """Per-trial time of amlab's scan split into the kernel and everything else (Python)."""
    from hopfield.kernels import classical as kc

    spent = [0.0]
    kernel = kc.patterns_range

    def timed(*args):
        t0 = time.perf_counter()
        kernel(*args)
        spent[0] += time.perf_counter() - t0

    kc.patterns_range = timed
    try:
        rng = np.random.default_rng(11)
        amlab_scan_point(N, P, 5, n_flip, max_sweeps, rng)  # warm-up
        spent[0] = 0.0
        t0 = time.perf_counter()
        amlab_scan_point(N, P, trials, n_flip, max_sweeps, rng)
        total = time.perf_counter() - t0
    finally:
        kc.patterns_range = kernel
    return {"P": P, "trials": trials, "total_us_per_trial": 1e6 * total / trials,
            "kernel_us_per_trial": 1e6 * spent[0] / trials,
            "python_us_per_trial": 1e6 * (total - spent[0]) / trials,
            "python_over_kernel": (total - spent[0]) / spent[0]}


def overhead_split_scan(N, P, trials, n_flip, max_sweeps) -> dict:
    """Per-trial time of ``capacity_scan`` split into the kernel call and everything else (Python)."""
    import hopfield.capacity as hc

    spent = [0.0]
    run_trials = hc.run_trials

    def timed(*args):
        t0 = time.perf_counter()
        run_trials(*args)
        spent[0] += time.perf_counter() - t0

    hc.run_trials = timed
    try:
        capacity_scan(N, P, 5, count=n_flip, seed=1, max_sweeps=max_sweeps)  # warm-up
        best = None
        for rep in range(3):
            spent[0] = 0.0
            t0 = time.perf_counter()
            capacity_scan(N, P, trials, count=n_flip, seed=2 + rep, max_sweeps=max_sweeps)
            total = time.perf_counter() - t0
            if best is None or total < best[0]:
                best = (total, spent[0])
    finally:
        hc.run_trials = run_trials
    total, kernel = best
    return {"P": P, "trials": trials, "total_us_per_trial": 1e6 * total / trials,
            "kernel_us_per_trial": 1e6 * kernel / trials, "python_us_per_trial": 1e6 * (total - kernel) / trials,
            "python_over_kernel": (total - kernel) / kernel, "best_of": 3}


def bench_capacity(quick: bool, peer_path=None) -> dict:
    """Capacity scan, amlab and hopfieldkit interleaved point by point and round by round, in one process."""
    N, Ps, trials, frac, max_sweeps = 500, [25, 50, 75, 100], 50, 0.1, 200
    n_flip = int(frac * N)  # 50 bits, as hopfieldkit computes it
    rounds = 2 if quick else 5
    hk_trials = 10 if quick else trials
    out = {"N": N, "P": Ps, "trials": trials, "flipped_bits": n_flip, "max_sweeps": max_sweeps, "rounds": rounds,
           "protocol": "per trial: fresh random patterns, Hebbian storage (zero diagonal), cue = pattern 0 with "
                       f"{n_flip} distinct bits flipped, random-order asynchronous updates until a sweep changes "
                       "nothing (or max_sweeps), success = final state equals pattern 0 (overlap 1). All timings "
                       "include pattern generation, storage and recall. Interleaved: in every round, each point "
                       "is timed for amlab's capacity_scan, amlab's loop and then hopfieldkit; min and median over "
                       "rounds, per trial. capacity_scan runs on one Numba thread (like the single-threaded "
                       "hopfieldkit) and again on all threads.",
           "differences": "hopfieldkit sets s_i = +1 on a zero field, amlab keeps s_i (ties occur only for even P); "
                          "each side draws its own random patterns, so success rates are compared statistically "
                          "(two-sided Fisher exact test per point, first round)."}
    for backend in ("patterns", "weights"):  # warm-up: "auto" picks either, depending on P/N
        ClassicalHopfield(random_binary(5, 50, seed=0), backend=backend).run(random_binary(1, 50, seed=1))
    hk = _import_peer(peer_path)
    if hk is None:
        out["hopfieldkit"] = {"skipped": "hopfieldkit is not importable (give --peer-path, the site-packages of an "
                                         "environment where `pip install hopfieldkit` ran)"}
    else:
        out["hopfieldkit_version"] = getattr(hk, "__version__", "?")
        hk.empirical_capacity_scan(N, [Ps[0]], n_trials=1, flip_fraction=frac, seed=0)  # warm-up
    rng = np.random.default_rng(10)
    t_am = {P: [] for P in Ps}
    t_hk = {P: [] for P in Ps}
    t_sc = {P: [] for P in Ps}
    t_sc_all = {P: [] for P in Ps}
    ok_am, rate_hk, ok_sc = {}, {}, {}
    threads = numba.get_num_threads()
    out["numba_threads_all"] = threads
    capacity_scan(N, Ps, 2, count=n_flip, seed=0, max_sweeps=max_sweeps)  # warm-up
    for r in range(rounds):
        for k, P in enumerate(Ps):
            numba.set_num_threads(1)
            t0 = time.perf_counter()
            scan = capacity_scan(N, P, trials, count=n_flip, seed=1000 + 10 * r + k, max_sweeps=max_sweeps)
            t_sc[P].append((time.perf_counter() - t0) / trials)
            numba.set_num_threads(threads)
            ok_sc.setdefault(P, int(scan.success.sum()))
            t0 = time.perf_counter()
            capacity_scan(N, P, trials, count=n_flip, seed=2000 + 10 * r + k, max_sweeps=max_sweeps)
            t_sc_all[P].append((time.perf_counter() - t0) / trials)
            t0 = time.perf_counter()
            ok = amlab_scan_point(N, P, trials, n_flip, max_sweeps, rng)
            t_am[P].append((time.perf_counter() - t0) / trials)
            ok_am.setdefault(P, ok)
            if hk is not None:
                t0 = time.perf_counter()
                res = hk.empirical_capacity_scan(N, [P], n_trials=hk_trials, flip_fraction=frac, seed=100 * r + k)
                t_hk[P].append((time.perf_counter() - t0) / hk_trials)
                rate_hk.setdefault(P, float(res["success_rates"][0]))
    try:
        from scipy.stats import fisher_exact
    except ImportError:  # pragma: no cover
        fisher_exact = None
    rows = []
    for P in Ps:
        row = {"P": P, "amlab_s_per_trial_min": min(t_am[P]), "amlab_s_per_trial_median": float(np.median(t_am[P])),
               "amlab_rate": ok_am[P] / trials,
               "scan_s_per_trial_min": min(t_sc[P]), "scan_s_per_trial_median": float(np.median(t_sc[P])),
               "scan_all_threads_s_per_trial_min": min(t_sc_all[P]),
               "scan_all_threads_s_per_trial_median": float(np.median(t_sc_all[P])),
               "scan_rate": ok_sc[P] / trials}
        if hk is not None:
            row.update({"hopfieldkit_s_per_trial_min": min(t_hk[P]),
                        "hopfieldkit_s_per_trial_median": float(np.median(t_hk[P])),
                        "hopfieldkit_trials": hk_trials, "hopfieldkit_rate": rate_hk[P],
                        "speedup_min": min(t_hk[P]) / min(t_am[P]),
                        "speedup_median": float(np.median(t_hk[P]) / np.median(t_am[P])),
                        "scan_speedup_min": min(t_hk[P]) / min(t_sc[P]),
                        "scan_speedup_median": float(np.median(t_hk[P]) / np.median(t_sc[P])),
                        "scan_all_threads_speedup_min": min(t_hk[P]) / min(t_sc_all[P]),
                        "scan_all_threads_speedup_median": float(np.median(t_hk[P]) / np.median(t_sc_all[P]))})
            if fisher_exact is not None:
                hits = int(round(rate_hk[P] * hk_trials))
                table = [[ok_am[P], trials - ok_am[P]], [hits, hk_trials - hits]]
                row["fisher_p"] = float(fisher_exact(table)[1])
                table = [[ok_sc[P], trials - ok_sc[P]], [hits, hk_trials - hits]]
                row["scan_fisher_p"] = float(fisher_exact(table)[1])
        rows.append(row)
    out["points"] = rows
    out["overhead_split"] = [overhead_split(N, P, 100 if quick else 300, n_flip, max_sweeps) for P in Ps]
    numba.set_num_threads(1)
    try:
        out["overhead_split_scan"] = [overhead_split_scan(N, P, 100 if quick else 300, n_flip, max_sweeps)
                                      for P in Ps]
    finally:
        numba.set_num_threads(threads)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer numpy and hopfieldkit trials")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--peer-path", default=os.environ.get("AMLAB_PEER_SITE_PACKAGES", ""),
                    help="site-packages of an environment with hopfieldkit installed "
                         "(default: $AMLAB_PEER_SITE_PACKAGES)")
    ap.add_argument("--skip-visits", action="store_true", help="only the capacity scan (b)")
    args = ap.parse_args(argv)
    result = {
        "benchmark": "classical",
        "notes": "Timed on a machine whose load is recorded with the results: absolute times are noisy; the peer comparison "
                 "is interleaved in one process (rounds alternate the sides). "
                 "Numba compile time excluded (kernels warmed up before timing). Wall-clock and process CPU "
                 "time are both recorded: on a shared, loaded machine the CPU-time rates are the steadier "
                 "measure of the work done. Ratios come from the same run.",
        "quick": args.quick,
        "provenance": _provenance(),
    }
    if not args.skip_visits:
        result["visits"] = bench_visits(args.quick)
        v = result["visits"]
        print(f"(a) numpy: {v['numpy']['visits_per_second']:.3g} visits/s")
        for key in [k for k in v if k.startswith("amlab_")]:
            print(f"(a) {key}: {v[key]['visits_per_second']:.3g} visits/s, {v[f'ratio_{key}_over_numpy']:.0f}x numpy "
                  f"(CPU time: {v[f'cpu_ratio_{key}_over_numpy']:.0f}x)")
    result["capacity_scan"] = cs = bench_capacity(args.quick, args.peer_path)
    for row in cs["points"]:
        print(f"(b) P={row['P']}: amlab {row['amlab_rate']:.2f} in {1e3 * row['amlab_s_per_trial_min']:.2f} ms/trial; "
              + (f"hopfieldkit {row['hopfieldkit_rate']:.2f} (Fisher p={row.get('fisher_p', float('nan')):.2f}); "
                 f"{row['speedup_min']:.0f}x (min), {row['speedup_median']:.0f}x (median)" if "speedup_min" in row else ""))
    for row in cs["points"]:
        if "scan_speedup_min" in row:
            print(f"(b) P={row['P']}: capacity_scan {row['scan_rate']:.2f} in {1e3 * row['scan_s_per_trial_min']:.3f} "
                  f"ms/trial (1 thread; Fisher p={row.get('scan_fisher_p', float('nan')):.2f}): "
                  f"{row['scan_speedup_min']:.0f}x (min), {row['scan_speedup_median']:.0f}x (median); all threads "
                  f"{row['scan_all_threads_speedup_min']:.0f}x / {row['scan_all_threads_speedup_median']:.0f}x")
    for r in cs["overhead_split"]:
        print(f"(b) loop P={r['P']}: {r['kernel_us_per_trial']:.0f} us kernel + {r['python_us_per_trial']:.0f} us Python per trial")
    for r in cs["overhead_split_scan"]:
        print(f"(b) capacity_scan P={r['P']}: {r['kernel_us_per_trial']:.1f} us kernel + "
              f"{r['python_us_per_trial']:.1f} us Python per trial")
    atomic_write_json(args.out, result)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

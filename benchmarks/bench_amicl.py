"""Speed of the AMICL sweep: 100 values of a, 1000 trials each, D = 100, T = 20, K = 512.

Like for like first: the paper's per-trial procedure (Burns, Fukai & Earls, arXiv:2412.15113),
re-implemented in numpy from its description (per trial: all K class vectors and K label
vectors drawn from N(0, I/D), ten exemplar-label pairs of classes drawn at random, the query
class drawn from the context, the final label masked, h_t = (a z_{t-1} + z_t)/(a + 1), the
query's own key replaced by noise, one hard-attention step, correct iff the retrieved token is
the query's label), against ``run_amicl`` with fresh trials per point: both draw independent
trials for every point. Interleaved point by point (amlab, then the paper's procedure, on the
same points, in two rounds), the paper's procedure timed on ``PAPER_TRIALS`` trials of each of
``NUMPY_POINTS`` points and scaled to 1000 trials. Then the other ways, timed side by side in one run (Numba compilation excluded by a
warm-up, and reported separately):

* ``fast_crn``: ``sweep_amicl`` (one sequence per trial, read out at all 100 a: common random numbers);
* ``fast_independent``: 100 calls of ``run_amicl`` with fresh trials per point (seed = point index);
* ``numpy_loop``: a plain per-trial numpy loop (a Generator per trial, matrix products per trial), timed
  on ``NUMPY_POINTS`` points and scaled to 100;
* ``numpy_crn``: the same loop with common random numbers like ``fast_crn`` (one sequence per trial,
  all 100 a at once with numpy broadcasting), timed on ``NUMPY_CRN_TRIALS`` trials and scaled to 1000.

Writes ``benchmarks/results/amicl.json``. Run: ``PYTHONPATH=. python benchmarks/bench_amicl.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numba
import numpy as np

from hopfield.amicl import run_amicl, sweep_amicl
from simulations.core.io import atomic_write_json, provenance

D, T, K, EPS, TRIALS, POINTS = 100, 20, 512, 0.1, 1000, 100
NUMPY_POINTS = 4
NUMPY_CRN_TRIALS = 200
PAPER_TRIALS = 200  # trials per timed point of the paper's procedure, scaled to TRIALS
A = np.linspace(0.0, 2.5, POINTS)


def numpy_sequence(rng: np.random.Generator):
    """One trial's tokens (T, D), pair classes (T/2,) and noise key (D,)."""
    C = T // 2 - 1
    cls = rng.integers(0, K, C)
    qc = cls[rng.integers(0, C)]
    classes = np.append(cls, qc)
    mu = {c: rng.standard_normal(D) / np.sqrt(D) for c in np.unique(cls)}
    lab = {c: rng.standard_normal(D) / np.sqrt(D) for c in np.unique(cls)}
    z = np.zeros((T, D))
    for j, c in enumerate(classes):
        z[2 * j] = (mu[c] + EPS * rng.standard_normal(D) / np.sqrt(D)) / np.sqrt(1 + EPS**2)
        if j < C:
            z[2 * j + 1] = lab[c]
    return z, classes, rng.standard_normal(D) / np.sqrt(D)


def paper_trial(rng: np.random.Generator, a: float) -> bool:
    """One trial of the paper's procedure (see the module docstring), plainly in numpy."""
    mu = rng.standard_normal((K, D)) / np.sqrt(D)  # every class vector, drawn per trial
    lab = rng.standard_normal((K, D)) / np.sqrt(D)  # every label vector
    n = T // 2
    cls = rng.integers(0, K, n - 1)
    classes = np.append(cls, cls[rng.integers(0, n - 1)])  # query class from the context
    x = (mu[classes] + EPS * rng.standard_normal((n, D)) / np.sqrt(D)) / np.sqrt(1 + EPS**2)  # (n, D)
    z = np.zeros((T, D))
    z[0::2] = x
    z[1::2] = lab[classes]
    z[-1] = 0.0  # the query's label is masked
    prev = np.vstack([np.zeros((1, D)), z[:-1]])
    h = (a * prev + z) / (a + 1)
    keys = h.copy()
    keys[-1] = rng.standard_normal(D) / np.sqrt(D)  # the query cannot match itself
    t = int(np.argmax(keys @ h[-1]))
    return bool(np.array_equal(z[t], lab[classes[-1]]))


def numpy_trial(rng: np.random.Generator, a: float) -> bool:
    """One trial, plainly: draw the sequence, mix, score by dot product, argmax."""
    z, classes, noise = numpy_sequence(rng)
    prev = np.vstack([np.zeros((1, D)), z[:-1]])
    h = (a * prev + z) / (a + 1)
    keys = h.copy()
    keys[-1] = noise
    t = int(np.argmax(keys @ h[-1]))
    return t % 2 == 1 and t < T - 1 and classes[t // 2] == classes[-1]


def numpy_trial_all_a(rng: np.random.Generator, a: np.ndarray) -> np.ndarray:
    """One sequence read out at every a (G,) with broadcasting: correct flags (G,)."""
    z, classes, noise = numpy_sequence(rng)
    prev = np.vstack([np.zeros((1, D)), z[:-1]])
    h = (a[:, None, None] * prev + z) / (a[:, None, None] + 1)  # (G, T, D)
    h_q = h[:, -1].copy()
    h[:, -1] = noise
    t = np.argmax(np.einsum("gtd,gd->gt", h, h_q), axis=1)
    return (t % 2 == 1) & (t < T - 1) & (classes[t // 2] == classes[-1])


def main(out=Path(__file__).parent / "results" / "amicl.json"):
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(threads)
    compile_s = {}
    t0 = time.perf_counter()
    sweep_amicl(A[:2], D=D, T=T, K=K, n_trials=10)  # compile (or load from the cache)
    run_amicl(1.0, D=D, T=T, K=K, n_trials=10)
    compile_s["first_calls"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sweep_amicl(A[:2], D=D, T=T, K=K, n_trials=10, seed=99)
    compile_s["sweep_amicl_after_warmup"] = time.perf_counter() - t0

    # like for like: independent trials per point, amlab and the paper's procedure interleaved
    idx = np.linspace(0, POINTS - 1, NUMPY_POINTS).round().astype(int)
    t_am, t_pp, acc_pp, acc_am = [], [], {}, {}
    for rnd in range(2):
        for i in idx:
            t0 = time.perf_counter()
            acc_am[int(i)] = run_amicl(float(A[i]), D=D, T=T, K=K, eps=EPS, n_trials=TRIALS, seed=int(i)).accuracy
            t_am.append(time.perf_counter() - t0)
            rngs = [np.random.default_rng(s) for s in np.random.SeedSequence([2, rnd, int(i)]).spawn(PAPER_TRIALS)]
            t0 = time.perf_counter()
            acc_pp[int(i)] = float(np.mean([paper_trial(r, float(A[i])) for r in rngs]))
            t_pp.append((time.perf_counter() - t0) * TRIALS / PAPER_TRIALS)
    like = {"amlab_run_amicl_s_per_point_min": min(t_am), "amlab_run_amicl_s_per_point_median": float(np.median(t_am)),
            "paper_procedure_s_per_point_min": min(t_pp),
            "paper_procedure_s_per_point_median": float(np.median(t_pp)),
            "ratio_min": min(t_pp) / min(t_am), "ratio_median": float(np.median(t_pp) / np.median(t_am)),
            "points_timed": idx.tolist(), "rounds": 2, "trials_per_point": TRIALS,
            "paper_procedure_trials_timed_per_point": PAPER_TRIALS, "scaled_to": TRIALS,
            "accuracy": {"a": A[idx].tolist(), "paper_procedure": [acc_pp[int(i)] for i in idx],
                         "amlab": [acc_am[int(i)] for i in idx]}}

    t0 = time.perf_counter()
    sw = sweep_amicl(A, D=D, T=T, K=K, eps=EPS, n_trials=TRIALS, seed=0)
    t_crn = time.perf_counter() - t0

    t0 = time.perf_counter()
    acc_ind = [run_amicl(float(a), D=D, T=T, K=K, eps=EPS, n_trials=TRIALS, seed=i).accuracy for i, a in enumerate(A)]
    t_ind = time.perf_counter() - t0

    t0 = time.perf_counter()
    acc_np = []
    for i in idx:
        rngs = [np.random.default_rng(s) for s in np.random.SeedSequence([0, int(i)]).spawn(TRIALS)]
        acc_np.append(np.mean([numpy_trial(r, float(A[i])) for r in rngs]))
    t_np = (time.perf_counter() - t0) * POINTS / NUMPY_POINTS

    t0 = time.perf_counter()
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(1).spawn(NUMPY_CRN_TRIALS)]
    acc_np_crn = np.mean([numpy_trial_all_a(r, A) for r in rngs], axis=0)
    t_np_crn = (time.perf_counter() - t0) * TRIALS / NUMPY_CRN_TRIALS

    res = {
        "like_for_like_paper_procedure_vs_run_amicl": like,
        "compile_or_cache_load_s": compile_s,
        "notes": "Timed on a machine whose load is recorded with the results: absolute times are noisy; the like-for-like "
                 "ratio comes from interleaved runs. The rest is timed once each, side by side in one process.",
        "provenance": provenance(),
        "numba_threads": threads,
        "setting": dict(D=D, T=T, K=K, eps=EPS, trials_per_point=TRIALS, points=POINTS, a=[0.0, 2.5]),
        "seconds": {"fast_crn": t_crn, "fast_independent": t_ind, "numpy_loop_scaled": t_np,
                    "numpy_crn_scaled": t_np_crn},
        "numpy_points_timed": NUMPY_POINTS,
        "numpy_crn_trials_timed": NUMPY_CRN_TRIALS,
        "ratio_numpy_over_fast_independent": t_np / t_ind,
        "ratio_numpy_over_fast_crn": t_np / t_crn,
        "ratio_numpy_crn_over_fast_crn": t_np_crn / t_crn,
        "target": "fast < 3 s on 2 cores; ratio >= 50",
        "agreement": {
            "a": A[idx].tolist(),
            "numpy_loop": acc_np,
            "fast_independent": [acc_ind[i] for i in idx],
            "fast_crn": sw.accuracy[idx, 0, 0, 0].tolist(),
            f"numpy_crn ({NUMPY_CRN_TRIALS} trials)": acc_np_crn[idx].tolist(),
        },
    }
    atomic_write_json(out, res)
    print(f"like for like (independent trials per point): paper's procedure {like['paper_procedure_s_per_point_min']:.2f} s "
          f"per point, run_amicl {like['amlab_run_amicl_s_per_point_min'] * 1e3:.1f} ms: {like['ratio_min']:.0f}x (min), "
          f"{like['ratio_median']:.0f}x (median); accuracies {like['accuracy']}")
    print(f"fast (common random numbers): {t_crn:.3f} s; fast (independent trials): {t_ind:.3f} s; "
          f"numpy loop (scaled): {t_np:.1f} s; numpy with common random numbers (scaled): {t_np_crn:.2f} s; "
          f"ratios {t_np / t_ind:.0f}x / {t_np / t_crn:.0f}x / like for like {t_np_crn / t_crn:.0f}x")
    return res


if __name__ == "__main__":
    main()

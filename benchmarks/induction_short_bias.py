"""Measure the O(1/d) bias of the short-prompt point of ``induction-logits``.

The point (``SHORT`` of ``simulations.checks.suite.induction``: t = 4, n_q = 1, c = 1, cbar = 0,
beta2 = 1, beta_O = 4, gamma = 0.5; the prompt is ``f q k q``) is built so that the layer-2
normaliser ``e^beta2 n_q + t - n_q`` has few terms: the current position's weight is one of its
four and ``t - n_q`` is 3, so the normaliser's slips move the in-context term by 13-21%. Its closed
form is first order in the crosstalk of N(0, I/d) embeddings; the mean of the deviation (simulated
minus closed-form logit statistic) would be the second order, ``O(1/d)``, but it is not: measured,
it falls like ``d^-1/2`` at d = 64-128 (mean x sqrt(d) = 1.53, 1.57, 1.52 for ``xi(k) - mean``) and
bends towards ``1/d`` above. The check uses the law ``a d^-1/2 + b / d``.

This script simulates many trials at d = 64..256 (seeds ``SEED + 1000 j``, apart from the check's,
which runs at d = 256), and fits the mean deviation of each statistic (``xi(k) - xi(g)`` and
``xi(k) - mean_j xi(j)``) by weighted least squares as ``a d^-1/2 + b / d`` over all d (with its
chi^2) and, for comparison, as ``a d^-1/2`` and as ``B / d`` alone. Results:
``benchmarks/results/induction_short_bias.json``.

Usage: ``python benchmarks/induction_short_bias.py [--small]`` (about 4 minutes on one idle core;
``--small`` is a trial of the script).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simulations.core.io import atomic_write_json
from simulations.estimators.induction import bigram, gap_stats, predicted_logits, simulate_prompt_logits

SEED = 910000
CONFIG = dict(t=4, n_q=1, c_qk=1, cbar_k=0, beta2=1.0, beta_O=4.0, gamma=0.5)
PLAN = [(64, 6000), (96, 6000), (128, 6000), (192, 4000), (256, 3000)]
STATS = ("xi(k)-xi(g)", "xi(k)-mean")


def deviations(d: int, n: int, seed: int) -> np.ndarray:
    """Simulated minus closed-form statistics, shape (2, n): the gap k - g and k - mean."""
    c = CONFIG
    lg, p = simulate_prompt_logits(bigram(), d, n, seed, c["t"], c["n_q"], c["c_qk"], c["cbar_k"], c["beta2"],
                                   c["beta_O"], c["gamma"])
    pr = predicted_logits(bigram(), p, c["beta2"], c["beta_O"], c["gamma"])
    return np.array([s - q for s, q in zip(gap_stats(lg, p), gap_stats(pr, p))])


def fit(d: np.ndarray, m: np.ndarray, se: np.ndarray, powers) -> tuple:
    """WLS of ``m`` on ``d^-p`` for p in ``powers`` (no intercept): coefficients, their se, chi^2."""
    X = np.column_stack([d ** -float(p) for p in powers])
    w = 1.0 / se**2
    A = (X * w[:, None]).T @ X
    cov = np.linalg.inv(A)
    coef = cov @ ((X * w[:, None]).T @ m)
    chi2 = float(np.sum(w * (m - X @ coef) ** 2))
    return coef.tolist(), np.sqrt(np.diag(cov)).tolist(), chi2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="a few trials (a trial of the script)")
    args = ap.parse_args()
    plan = [(d, max(40, n // 50)) for d, n in PLAN] if args.small else PLAN
    rows = []
    t0 = time.time()
    for j, (d, n) in enumerate(plan):
        dev = deviations(d, n, SEED + 1000 * j)
        row = dict(d=d, n=n)
        for s, x in zip(STATS, dev):
            row[s] = dict(mean=float(x.mean()), se=float(x.std(ddof=1) / np.sqrt(n)), sd=float(x.std(ddof=1)))
        rows.append(row)
        print(d, n, {s: (round(row[s]["mean"], 4), round(row[s]["se"], 4), round(row[s]["sd"], 3)) for s in STATS},
              f"{time.time() - t0:.0f} s", flush=True)
    d = np.array([r["d"] for r in rows], float)
    fits = {}
    for s in STATS:
        m = np.array([r[s]["mean"] for r in rows])
        se = np.array([r[s]["se"] for r in rows])
        X = np.column_stack([d**-0.5, 1.0 / d])
        w = 1.0 / se**2
        cov = np.linalg.inv((X * w[:, None]).T @ X)
        coef = cov @ ((X * w[:, None]).T @ m)
        chi2 = float(np.sum(w * (m - X @ coef) ** 2))
        half, one = fit(d, m, se, [0.5]), fit(d, m, se, [1])
        fits[s] = dict(a=float(coef[0]), b=float(coef[1]), cov=cov.tolist(), chi2=chi2, dof=len(d) - 2,
                       sqrt_only=dict(a=half[0][0], a_se=half[1][0], chi2=half[2], dof=len(d) - 1),
                       one_over_d_only=dict(B=one[0][0], B_se=one[1][0], chi2=one[2], dof=len(d) - 1))
        print(s, fits[s])
    out = dict(config=CONFIG, seed=SEED, plan=plan, rows=rows, fits=fits, seconds=round(time.time() - t0, 1),
               small=bool(args.small))
    path = Path(__file__).parent / "results" / ("induction_short_bias_small.json" if args.small
                                                 else "induction_short_bias.json")
    atomic_write_json(path, out)
    print("wrote", path)


if __name__ == "__main__":
    main()

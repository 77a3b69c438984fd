"""Measure the O(1/d) coefficient D of the RMS deviation of ``induction-deviation``.

The deviation (simulated minus closed-form logit gap ``xi(k) - xi(g)``, the
check's configuration ``n_q = 4, c = 2, cbar = 2, t = 32``) has standard
deviation ``a / sqrt(d) + a2 / d + O(d^-3/2)`` and mean ``O(1/d)``, so

    RMS(d) = C d^(-1/2) + D / d + O(d^(-3/2)),   i.e.   RMS sqrt(d) = C + D d^(-1/2) + O(1/d).

This script simulates many trials at dimensions 32..512 (seeds ``SEED + 1000 j``, apart from the
check's ``seed + 1000 j`` for master seeds below 900000), fits ``RMS sqrt(d)`` linearly in
``d^(-1/2)`` by weighted least squares (weights from a bootstrap over trials), and gives C and D
with bootstrap standard errors, over d >= 64 and, as a check of the neglected order, with an extra
term ``E / d``. Results: ``benchmarks/results/induction_deviation_coefficient.json``.

Usage: ``python benchmarks/induction_deviation_coefficient.py [--small]`` (about 4 minutes on
one core; ``--small`` is a 20-second trial of the script).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simulations.core.io import atomic_write_json
from simulations.estimators.induction import bigram, gap_stats, predicted_logits, simulate_prompt_logits

SEED = 900000
CONFIG = dict(t=32, n_q=4, c_qk=2, cbar_k=2, beta2=2.0, beta_O=4.0, gamma=0.5)
PLAN = [(32, 3000), (48, 3000), (64, 3000), (96, 3000), (128, 3000), (192, 2000), (256, 2000), (384, 1500),
        (512, 1000)]
BOOT = 400


def deviations(d: int, n: int, seed: int) -> np.ndarray:
    """Simulated minus closed-form gap ``xi(k) - xi(g)`` of ``n`` trials at dimension ``d``."""
    c = CONFIG
    lg, p = simulate_prompt_logits(bigram(), d, n, seed, c["t"], c["n_q"], c["c_qk"], c["cbar_k"], c["beta2"],
                                   c["beta_O"], c["gamma"])
    return gap_stats(lg, p)[0] - gap_stats(predicted_logits(bigram(), p, c["beta2"], c["beta_O"], c["gamma"]), p)[0]


def wls(X: np.ndarray, y: np.ndarray, se: np.ndarray) -> np.ndarray:
    w = 1.0 / se**2
    return np.linalg.solve((X * w[:, None]).T @ X, (X * w[:, None]).T @ y)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="a few trials (a trial of the script)")
    args = ap.parse_args()
    plan = [(d, max(40, n // 50)) for d, n in PLAN] if args.small else PLAN
    rng = np.random.default_rng(SEED)
    rows, devs = [], []
    t0 = time.time()
    for j, (d, n) in enumerate(plan):
        dev = deviations(d, n, SEED + 1000 * j)
        devs.append(dev)
        boot = np.array([np.sqrt(np.mean(dev[rng.integers(0, n, n)] ** 2)) for _ in range(BOOT)])
        rms = float(np.sqrt(np.mean(dev**2)))
        rows.append(dict(d=d, trials=n, rms=rms, rms_se=float(boot.std(ddof=1)), mean=float(dev.mean()),
                         sd=float(dev.std(ddof=1)), y=rms * np.sqrt(d), y_se=float(boot.std(ddof=1) * np.sqrt(d))))
        print(f"d={d:5d} n={n:5d} RMS={rms:.4f} RMS sqrt(d)={rms * np.sqrt(d):.3f} +- {rows[-1]['y_se']:.3f} "
              f"mean={dev.mean():+.4f} ({time.time() - t0:.0f} s)", flush=True)

    d = np.array([r["d"] for r in rows], float)
    fits = {}
    for name, dmin, order in (("C+D/sqrt(d), d>=64", 64, 2), ("C+D/sqrt(d)+E/d, d>=64", 64, 3),
                              ("C+D/sqrt(d), d>=32", 32, 2)):
        keep = d >= dmin
        X = np.column_stack([np.ones(keep.sum()), d[keep] ** -0.5, 1.0 / d[keep]][:order])
        se = np.array([r["y_se"] for r in rows])[keep]
        idx = np.flatnonzero(keep)

        def ys(resample):
            out = []
            for i in idx:
                dev = devs[i]
                if resample:
                    dev = dev[rng.integers(0, len(dev), len(dev))]
                out.append(np.sqrt(np.mean(dev**2)) * np.sqrt(d[i]))
            return np.array(out)

        coef = wls(X, ys(False), se)
        boot = np.array([wls(X, ys(True), se) for _ in range(BOOT)])
        resid = ys(False) - X @ coef
        fits[name] = dict(coef=coef.tolist(), se=boot.std(axis=0, ddof=1).tolist(),
                          chi2=float(np.sum((resid / se) ** 2)), dof=int(keep.sum() - order))
        print(name, "coef", np.round(coef, 3), "se", np.round(fits[name]["se"], 3),
              "chi2/dof", round(fits[name]["chi2"], 2), "/", fits[name]["dof"])
    out = Path(__file__).resolve().parent / "results" / ("induction_deviation_coefficient" +
                                                         ("_small" if args.small else "") + ".json")
    atomic_write_json(out, dict(config=CONFIG, seed=SEED, boot=BOOT, rows=rows, fits=fits,
                                seconds=round(time.time() - t0, 1)))
    print("wrote", out)


if __name__ == "__main__":
    main()

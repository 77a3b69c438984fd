"""Estimators for the sweep and backend tests (importable by subprocesses and Dask workers)."""

import os
import time

import numpy as np

from simulations.core.seeds import canonical


def toy(*, seed, a, b=1.0):
    """A deterministic function of (seed, a, b): a normal draw shifted by a * b."""
    rng = np.random.default_rng(seed)
    return {"x": float(rng.standard_normal() + a * b), "k": int(rng.integers(0, 1000))}


def slow_logged(*, seed, a, log, delay):
    """``toy`` that sleeps ``delay`` seconds and appends its parameters to the file ``log`` first."""
    with open(log, "a") as fh:
        fh.write(canonical({"a": a}) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    time.sleep(delay)
    return toy(seed=seed, a=a)


def main(store, log, n, delay):
    from simulations.sweeps.sweep import sweep

    sweep(slow_logged, {"a": list(range(int(n)))}, store, params={"log": log, "delay": float(delay)}, seed=7,
          progress=False)



def sweep_matches_evaluate(out, name, grid, params=(), seed=3, points=2):
    """Run ``amlab sweep NAME --grid GRID [--param P ...]`` into ``out`` and assert that it wrote ``points``
    records, each equal to ``evaluate`` of the estimator at the record's parameters and seed."""
    from amlab.cli import main
    from simulations.estimators import evaluate
    from simulations.sweeps.sweep import load_records

    args = ["sweep", name, "--grid", grid, "--out", str(out), "--seed", str(seed)]
    for p in params:
        args += ["--param", p]
    assert main(args) == 0
    records = load_records(out)
    assert len(records) == points
    for rec in records:
        assert rec["result"] == evaluate(name, rec["params"], seed=rec["seed"])

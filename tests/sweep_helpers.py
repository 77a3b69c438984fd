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


"""Fill the Numba cache: compile (or load) every simulator kernel once, on tiny inputs.

The kernels are compiled on first use and cached on disk (``cache=True``), in
``NUMBA_CACHE_DIR`` when it is set, else in a ``__pycache__`` folder next to
each kernel module (``hopfield/kernels/__pycache__``; Numba falls back to a
user cache folder when that one is not writable). Warming once after
installing (or after upgrading Python, Numba or amlab) makes the first real
run as fast as later ones::

    python -c "import amlab.warm; amlab.warm.warm_cache()"

Examples
--------
>>> from amlab.warm import warm_cache
>>> sorted(warm_cache(["classical"]))
['classical']
"""

from __future__ import annotations

import time

import numpy as np


def _dense():
    from hopfield.dense import DenseAssociativeMemory

    xi = np.array([[1, -1, 1, 1], [-1, -1, 1, -1], [1, 1, -1, -1]], dtype=np.int8)
    for F in ("poly", "exp"):  # poly and rectified share one kernel; exp as well
        DenseAssociativeMemory(xi, F=F, n=3).run(xi[:2], max_sweeps=2)


def _classical():
    from hopfield.classical import ClassicalHopfield

    xi = np.array([[1, -1, 1, 1, -1, 1, -1, -1], [-1, -1, 1, -1, 1, 1, 1, -1]], dtype=np.int8)
    ClassicalHopfield(xi, backend="patterns").run(xi[:1], max_sweeps=2)
    ClassicalHopfield(xi, backend="weights").run(xi[:1], max_sweeps=2)
    ClassicalHopfield(xi, rule="storkey").run(xi[:1], max_sweeps=2)


def _amicl():
    from hopfield.amicl import run_amicl

    run_amicl(1.0, D=4, K=3, T=6, n_trials=2)


def _capacity():
    from hopfield.capacity import capacity_scan

    capacity_scan(8, [2], 2, count=1, max_sweeps=2)


#: Simulator families and the kernels each warms.
FAMILIES = {"dense": _dense, "classical": _classical, "amicl": _amicl, "capacity": _capacity}


def warm_cache(families=None) -> dict:
    """Compile or load the kernels of the given simulator families (default: all).

    Parameters
    ----------
    families : iterable of str, optional
        Names from ``FAMILIES`` (``"dense"``, ``"classical"``, ``"amicl"``,
        ``"capacity"``).

    Returns
    -------
    dict
        Seconds spent per family (compiling when the cache was empty, loading otherwise).
    """
    names = list(FAMILIES) if families is None else list(families)
    for name in names:
        if name not in FAMILIES:
            raise ValueError(f"families must be names from {sorted(FAMILIES)}, got {name!r}")
    spent = {}
    for name in names:
        t0 = time.perf_counter()
        FAMILIES[name]()
        spent[name] = time.perf_counter() - t0
    return spent

"""Fill the Numba cache: compile (or load) the simulator kernels once, on tiny inputs.

The kernels are compiled on first use and cached on disk (``cache=True``), in
``NUMBA_CACHE_DIR`` when it is set, else in a ``__pycache__`` folder next to
each kernel module (``hopfield/kernels/__pycache__``; Numba falls back to a
user cache folder when that one is not writable). :func:`cache_location` says
which folder this process uses. Warming once after installing (or after
upgrading Python, Numba or amlab) makes the first real run as fast as later
ones::

    amlab warm                      # every family, two processes at a time
    amlab warm classical dense      # only these families

``amlab check`` does this by itself when the cache is cold: it starts a
background process that compiles, in the order the selected checks first need
them, the kernels of the families those checks use (:func:`prefetch`), while
the checks run; a check that reaches a kernel finds it in the cache, or
compiles it itself if the background process has not got there yet. The
results do not depend on it (compiling changes no arithmetic).

Examples
--------
>>> from amlab.warm import warm_cache
>>> sorted(warm_cache(["capacity"]))
['capacity']
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np


def _classical():
    from hopfield.classical import ClassicalHopfield

    xi = np.array([[1, -1, 1, 1, -1, 1, -1, -1], [-1, -1, 1, -1, 1, 1, 1, -1]], dtype=np.int8)
    ClassicalHopfield(xi, backend="patterns").run(xi[:1], max_sweeps=2)
    ClassicalHopfield(xi, backend="weights").run(xi[:1], max_sweeps=2)
    ClassicalHopfield(xi, rule="storkey").run(xi[:1], max_sweeps=2)


def _dense():
    from hopfield.dense import DenseAssociativeMemory

    xi = np.array([[1, -1, 1, 1], [-1, -1, 1, -1], [1, 1, -1, -1]], dtype=np.int8)
    for F in ("poly", "exp"):  # poly and rectified share one kernel; exp as well
        m = DenseAssociativeMemory(xi, F=F, n=3)
        m.run(xi[:2], max_sweeps=2)
        m.energy(xi[:2])


def _amicl():
    from hopfield.amicl import make_sequences, run_amicl, sweep_amicl

    run_amicl(1.0, D=4, K=3, T=6, n_trials=2)
    sweep_amicl([1.0, 2.0], D=4, K=3, T=6, n_trials=2)
    make_sequences(2, D=4, K=3, T=6)


def _perceptron():
    from hopfield.perceptron import capacity_trials

    capacity_trials(8, 4, 0.0, trials=2, max_updates=50)


def _kv():
    from hopfield.kv import DeltaMemory, stream

    rng = np.random.default_rng(0)
    K, V = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    DeltaMemory(4, 2).write(K, V)
    for rule in ("linear", "delta"):  # "normalized" is "linear" with a flag: the same kernel
        stream(K, V, K, rule)
    # the forgetting rules: "decay" and "gla" share the gated kernel, "longhorn" the gated-delta one
    for rule in ("decay", "gated-delta", "titans"):
        stream(K, V, K, rule, decay=0.9, **({"eta": 0.1} if rule == "titans" else {}))


def _palimpsest():
    from hopfield.palimpsest import simulate

    for dt in ("float64", "float32"):
        from hopfield.palimpsest import stream_weights
        from hopfield.patterns import random_binary

        stream_weights(random_binary(3, 4, seed=0), lam=0.5, dtype=dt)
    simulate(8, [0, 1], eps=2.0, seed=0)
    simulate(8, [0, 1], "bounded", A=0.5, seed=0)


def _induction():
    from hopfield.bigram import synthetic_bigram
    from hopfield.induction import build_induction_model, forward

    bg = synthetic_bigram(4, seed=0)
    tokens = np.array([[0, 1, 2, 0, 1, 2]])
    for pe in ("ape", "rpe"):
        forward(build_induction_model(bg, 16, 6, seed=0, pe=pe), tokens)


def _capacity():
    from hopfield.capacity import capacity_scan

    capacity_scan(8, [2], 2, count=1, max_sweeps=2)


#: Simulator families and the function that warms each (tiny inputs, the dtypes the library uses by default).
FAMILIES = {"classical": _classical, "dense": _dense, "amicl": _amicl, "perceptron": _perceptron, "kv": _kv,
            "induction": _induction, "capacity": _capacity,
            "palimpsest": _palimpsest}

#: Kernels no family warms, and why (``tests/test_warm.py`` requires every other entry kernel to be warmed).
NOT_WARMED = {"hopfield.kernels.capacity.recall": "the capacity trial's dynamics alone, used to test them against "
                                                  "the classical simulator; trials_range has them inline"}

#: One kernel per family whose cache index tells whether the family is cached (see :func:`is_cached`).
_PROBES = {"classical": ("hopfield.kernels.classical", "patterns_range"),
           "dense": ("hopfield.kernels.dense", "dense_range"),
           "amicl": ("hopfield.kernels.amicl", "trials_range"),
           "perceptron": ("hopfield.kernels.perceptron", "minover_batch"),
           "kv": ("hopfield.kernels.kv", "stream_hebbian"),
           "induction": ("hopfield.kernels.induction", "layer1_softmax"),
           "capacity": ("hopfield.kernels.capacity", "trials_range"),
           "palimpsest": ("hopfield.kernels.palimpsest", "write_rows")}


def _as_families(families) -> list:
    if families is None:
        return list(FAMILIES)
    if isinstance(families, str):
        families = [families]
    names = list(dict.fromkeys(families))
    for name in names:
        if name not in FAMILIES:
            raise ValueError(f"families must be names from {sorted(FAMILIES)}, got {name!r}")
    return names


def families_for(checks: Iterable[object]) -> list:
    """The families the given checks use, in the order the checks first need them.

    Each check declares its families where it is registered
    (``register_check(..., families=(...))``); a check that declares none
    (``None``) is taken to use every family.

    Parameters
    ----------
    checks : iterable of simulations.checks.registry.Check
        Checks in the order they will run.

    Returns
    -------
    list of str
        Names from ``FAMILIES``, each once.
    """
    out = []
    for c in checks:
        families = getattr(c, "families", None)
        out.extend(tuple(FAMILIES) if families is None else families)
    return list(dict.fromkeys(out))


def warm_cache(families: Iterable[str] | None = None, workers: int = 1) -> dict:
    """Compile or load the kernels of the given simulator families (default: all).

    Parameters
    ----------
    families : iterable of str, optional
        Names from ``FAMILIES`` (``"classical"``, ``"dense"``, ``"amicl"``,
        ``"perceptron"``, ``"kv"``, ``"induction"``, ``"capacity"``).
    workers : int
        With more than one, the families are shared among that many fresh
        Python processes, which compile at the same time and fill the one
        cache on disk (Numba writes each entry atomically).

    Returns
    -------
    dict
        Seconds spent per family (compiling when the cache was empty, loading
        otherwise); with ``workers > 1``, the wall seconds of each worker's
        share, keyed by its families joined with ``+``.
    """
    names = _as_families(families)
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if workers > 1 and len(names) > 1:
        shares = [names[k::workers] for k in range(min(workers, len(names)))]
        t0 = time.perf_counter()
        procs = [prefetch(share) for share in shares]
        spent = {}
        for share, proc in zip(shares, procs):
            if proc.wait() != 0:
                raise RuntimeError(f"warming {share} failed (exit status {proc.returncode})")
            spent["+".join(share)] = time.perf_counter() - t0
        return spent
    spent = {}
    for name in names:
        t0 = time.perf_counter()
        FAMILIES[name]()
        spent[name] = time.perf_counter() - t0
    return spent


def _dispatcher(family):
    import importlib

    module, name = _PROBES[family]
    return getattr(importlib.import_module(module), name)


def cache_location() -> Path:
    """The folder that holds this process's cached kernels (``NUMBA_CACHE_DIR`` or ``__pycache__``).

    Examples
    --------
    >>> cache_location().is_absolute()
    True
    """
    try:
        return Path(_dispatcher("capacity")._cache._cache_path)
    except AttributeError:  # the JIT is off (NUMBA_DISABLE_JIT=1): nothing is cached
        import numba

        return Path(numba.config.CACHE_DIR) if numba.config.CACHE_DIR else Path(__file__).parents[1] / "hopfield" \
            / "kernels" / "__pycache__"


def is_cached(family: str) -> bool:
    """Whether the cache holds a compiled entry of ``family``'s main kernel for its current source.

    A cheap test (Numba's index of the kernel is read, nothing is loaded); an
    index written for an older source of the kernel does not count.
    """
    (name,) = _as_families([family])
    try:
        return bool(_dispatcher(name)._cache._cache_file._load_index())
    except Exception:  # the JIT is off, or a Numba whose cache is laid out differently: assume cold
        return False


def prefetch(families: Iterable[str], env: Mapping[str, str] | None = None) -> subprocess.Popen:
    """Start a background Python process that warms ``families`` in order; returns it (``wait()`` to join).

    The child imports amlab from the same place as this process and writes
    into the same cache (it inherits ``NUMBA_CACHE_DIR``); its output is
    discarded.
    """
    names = _as_families(families)
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join([root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.Popen([sys.executable, "-m", "amlab.warm", *names], env=env, cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def idle_cores() -> float:
    """Cores this process may use (its CPU affinity) minus the 1-minute load average, minus one for itself."""
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        usable = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    return usable - load - 1


def prefetch_for_checks(checks: Iterable[object], workers: int | None = None) -> list[subprocess.Popen] | None:
    """Start :func:`prefetch` for the families ``checks`` use that are not cached; ``None`` if all are.

    ``workers`` background processes share the families (default: one when
    :func:`idle_cores` finds a core left over besides the one the checks run
    on, else none: on a busy machine a second compiling process only takes
    time from the checks and repeats the compiles they get to first).
    ``AMLAB_PREFETCH=0`` in the environment switches it off, ``AMLAB_PREFETCH=1``
    on whatever the load (one process unless ``workers`` says otherwise). Returns the list of started processes
    (``stop_prefetch`` ends them).
    """
    switch = os.environ.get("AMLAB_PREFETCH", "").strip()
    if switch == "0":  # switched off by the user
        return None
    if workers is None:
        workers = 1 if switch == "1" or idle_cores() >= 1 else 0
    if workers < 1 or os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        return None
    todo = [f for f in families_for(checks) if not is_cached(f)]
    if not todo:
        return None
    return [prefetch(todo[k::workers]) for k in range(min(workers, len(todo)))]


def stop_prefetch(procs: Iterable[subprocess.Popen] | None) -> None:
    """End the background processes of :func:`prefetch_for_checks` (if still running)."""
    for proc in procs or ():
        if proc.poll() is None:
            proc.terminate()
        proc.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m amlab.warm [FAMILY...]``: warm the families in order, print the seconds of each."""
    names = sys.argv[1:] if argv is None else list(argv)
    for name, seconds in warm_cache(names or None).items():
        print(f"{name:12s} {seconds:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

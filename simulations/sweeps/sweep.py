"""Parameter sweeps that survive interruption: a grid, a backend, a store.

A sweep runs an estimator (``simulations.estimators``) at every point of a
grid and keeps one record per point in a store directory::

    STORE/spec.json          what the sweep is (estimator, grid, fixed parameters, seed)
    STORE/points/<hash>.json one record per finished point, named by a hash of its parameters

Why one file per point rather than an append-only JSONL log: each record is
written to a temporary file, flushed, fsync'ed and renamed over its final name
(``os.replace``, atomic on POSIX), so a process killed at any instant leaves
every point either complete or absent, never torn, and no reader has to repair
a half-written last line. The file name is the point's identity, so resuming
is a directory listing, two workers can never interleave bytes in one file,
and a finished point is never recomputed. The cost, one small file per point,
is immaterial for grids of up to a few hundred thousand points.

Only one process writes a store at a time: ``sweep`` holds an exclusive
``fcntl.flock`` on ``STORE/.lock`` while it runs (the OS releases it when the
process ends, even by ``kill -9``), and a second writer gets
``StoreLockedError`` at once. Every argument is validated before the store is
created or touched, and a store that holds a spec but no finished point (a
run that failed at once) is taken over by the next sweep, so a corrected
command into the same folder works.

Each point's seed is derived from (master seed, canonical parameters), not
from its position in the grid, so reordering, subsetting or resuming a grid
gives the same numbers, and so does any backend.
"""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import itertools
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from simulations.sweeps.backends import LocalBackend
from simulations.estimators import evaluate, get_estimator
from simulations.core.io import atomic_write_json, atomic_write_text
from simulations.core.seeds import canonical, derive_seed, key_hash

STORE_FORMAT = 1
_SCALARS = (str, int, float, bool, type(None))


class SpecMismatchError(ValueError):
    """The store belongs to a different sweep (estimator, grid, parameters or seed)."""


class StoreLockedError(RuntimeError):
    """Another process is writing the store (it holds the store's lock)."""


def expand_grid(grid: Union[Dict[str, Sequence], Sequence[Dict]]) -> List[dict]:
    """The list of points of ``grid``.

    Parameters
    ----------
    grid : dict of lists, or list of dicts
        A dict ``{name: [v1, v2, ...]}`` gives the cartesian product of its
        lists (in the dict's order, last name varying fastest); a list of
        dicts is taken as the points themselves. Values must be JSON scalars.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> expand_grid({"N": [10, 20], "alpha": [0.1]})
    [{'N': 10, 'alpha': 0.1}, {'N': 20, 'alpha': 0.1}]
    """
    if isinstance(grid, dict):
        for k, v in grid.items():
            if not isinstance(k, str):
                raise TypeError(f"grid keys must be parameter names (str), got {k!r}")
            if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
                raise TypeError(f"grid[{k!r}] must be a list of values, got {v!r}")
        keys = list(grid)
        lists = [list(grid[k]) for k in keys]
        for k, vals in zip(keys, lists):
            if not vals:
                raise ValueError(f"grid[{k!r}] is empty; expected at least one value")
        points = [dict(zip(keys, combo)) for combo in itertools.product(*lists)]
    elif isinstance(grid, (list, tuple)):
        points = [dict(p) for p in grid]
        if not all(isinstance(p, dict) for p in grid):
            raise TypeError("a grid given as a list must hold dicts of parameters")
    else:
        raise TypeError(f"grid must be a dict of lists or a list of dicts, got {type(grid).__name__}")
    if not points:
        raise ValueError("grid has no points")
    seen = set()
    for p in points:
        for k, v in p.items():
            if not isinstance(v, _SCALARS):
                raise TypeError(f"grid value {k}={v!r} must be a number, string, bool or None")
        c = canonical(p)
        if c in seen:
            raise ValueError(f"grid holds the point {c} twice")
        seen.add(c)
    return points


@dataclass
class SweepResult:
    """Records of every grid point (grid order) and what this call did."""

    store: Path
    records: List[dict]
    computed: int
    reused: int
    seconds: float
    backend: str = "local"
    spec: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        """The estimator, the number of points (computed and reused), the time, the store."""
        est = self.spec.get("estimator", "?") if isinstance(self.spec, dict) else "?"
        return (f"SweepResult({est}: {len(self.records)} points, {self.computed} computed, {self.reused} reused, "
                f"{self.seconds:.2f} s on {self.backend}; store {str(self.store)!r})")


def _estimator_id(estimator) -> str:
    if isinstance(estimator, str):
        return estimator
    return f"{getattr(estimator, '__module__', '?')}.{getattr(estimator, '__qualname__', repr(estimator))}"


def run_point(estimator: Union[str, Callable[..., dict]], params: dict, seed: int) -> Tuple[dict, float]:
    """Evaluate one point (the task a backend runs): ``(result, wall seconds)``."""
    t0 = time.perf_counter()
    result = evaluate(estimator, params, seed)
    return result, time.perf_counter() - t0


def point_path(store: Path, params: dict) -> Path:
    return Path(store) / "points" / f"{key_hash(params)[:32]}.json"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _check_spec(store: Path, spec: dict) -> None:
    path = store / "spec.json"
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except ValueError:
            old = {"spec.json": "unreadable"}
        if canonical(old) != canonical(spec) and not any((store / "points").glob("*.json")):
            atomic_write_json(path, spec)  # no finished point: the store is taken over by this sweep
        elif canonical(old) != canonical(spec):
            diff = sorted(k for k in set(old) | set(spec) if canonical(old.get(k)) != canonical(spec.get(k)))
            raise SpecMismatchError(
                f"store {store} holds a different sweep (differs in: {', '.join(diff)}); "
                f"resume with the same estimator, grid, parameters and seed, or choose another --out")
    else:
        atomic_write_json(path, spec)


class _StoreLock:
    """An exclusive, non-blocking ``fcntl.flock`` on ``STORE/.lock`` (released by the OS if the process dies)."""

    def __init__(self, store: Path):
        self.path = Path(store) / ".lock"
        self.fh = None

    def __enter__(self):
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            fh.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise StoreLockedError(f"store {self.path.parent} is being written by another sweep (process "
                                       f"{holder}); wait for it to finish or choose another --out") from None
            raise
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self.fh = fh
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        self.fh.close()


def plan(estimator: Union[str, Callable[..., dict]], grid: Union[Dict[str, Sequence], Sequence[dict]], *, params: Optional[dict] = None,
         seed: int = 0) -> Tuple[dict, List[dict]]:
    """Validate a sweep without touching the disk: ``(spec, points)``.

    ``points`` are the full parameter dicts (fixed values and grid values) in
    grid order, in canonical form (``N=1e3`` becomes ``N=1000``, see
    ``_amlab.params``). Raises ``ValueError``/``TypeError`` naming the
    parameter and value for anything a registered estimator's declarations
    refuse, a name in both ``params`` and ``grid``, a repeated point, or a
    bad seed.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    est = get_estimator(estimator) if isinstance(estimator, str) else None
    if params is not None and not isinstance(params, dict):
        raise TypeError(f"params must be a dict of fixed parameters, got {type(params).__name__}")
    fixed = dict(params or {})
    if est is not None:
        fixed = est.coerce(fixed)
        if isinstance(grid, dict):
            for k, v in grid.items():
                if isinstance(k, str) and not isinstance(v, (str, bytes)) and hasattr(v, "__iter__"):
                    grid = {**grid, k: [est.coerce({k: x})[k] for x in v]}
        elif isinstance(grid, (list, tuple)) and all(isinstance(p, dict) for p in grid):
            grid = [est.coerce(p) for p in grid]
    points = expand_grid(grid)
    both = sorted(set(fixed) & set().union(*points))
    if both:
        raise ValueError(f"{', '.join(both)} given both as fixed parameter (--param) and in the grid (--grid); "
                         f"expected each name once")
    full = [{**fixed, **p} for p in points]
    if est is not None:
        full = [est.validate(p) for p in full]
    spec = {"format": STORE_FORMAT, "estimator": est.name if est else _estimator_id(estimator), "grid": points,
            "params": fixed, "seed": int(seed)}
    return spec, full


def load_records(store: Union[str, os.PathLike]) -> List[dict]:
    """Every finished record in ``store`` (any order)."""
    d = Path(store) / "points"
    if not d.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(d.glob("*.json"))]


def sweep(estimator: Union[str, Callable[..., dict]], grid: Union[Dict[str, Sequence], Sequence[dict]], store: Union[str, os.PathLike], *,
          params: Optional[dict] = None, seed: int = 0, backend: Optional[Any] = None,
          progress: bool = True) -> SweepResult:
    """Run ``estimator`` at every point of ``grid``, resuming whatever ``store`` already holds.

    Parameters
    ----------
    estimator : str or callable
        A name registered in ``simulations.estimators`` or a function
        ``f(*, seed, **params) -> dict`` (importable by workers for Dask).
    grid : dict of lists or list of dicts
        See ``expand_grid``.
    store : path
        Store directory (created if missing).
    params : dict, optional
        Parameters fixed for every point; naming a parameter both here and
        in the grid is an error.
    seed : int
        Master seed; point seeds are ``derive_seed(seed, point parameters)``.
    backend : LocalBackend or DaskBackend, optional
        Where points run (default: in this process).
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    SweepResult

    Raises
    ------
    ValueError, TypeError
        For any argument the estimator's declarations refuse (see ``plan``);
        raised before the store is created or written.
    SpecMismatchError
        If ``store`` holds a sweep with another spec.
    StoreLockedError
        If another process is writing ``store``.
    """
    from simulations.core.version import __version__

    spec, full = plan(estimator, grid, params=params, seed=seed)
    store = Path(store)
    (store / "points").mkdir(parents=True, exist_ok=True)
    with _StoreLock(store):
        return _run(estimator, spec, full, store, seed, backend, progress, __version__)


def _run(estimator, spec, full, store, seed, backend, progress, version) -> SweepResult:
    _check_spec(store, spec)
    for stale in (store / "points").glob(".*.tmp"):  # debris of a write killed before its rename
        stale.unlink(missing_ok=True)

    backend = backend or LocalBackend()
    todo = [i for i, p in enumerate(full) if not point_path(store, p).exists()]
    reused = len(full) - len(todo)
    seeds = [derive_seed(seed, p) for p in full]
    t0 = time.perf_counter()
    bar = None
    if progress:
        from simulations.core.progress import bar as make_bar

        bar = make_bar(len(full), f"sweep {spec['estimator']}", unit="point", initial=reused)
    try:
        tasks = [(estimator, full[i], seeds[i]) for i in todo]
        for j, (result, wall) in backend.map_unordered(run_point, tasks):
            i = todo[j]
            record = {"estimator": spec["estimator"], "params": full[i], "seed": seeds[i], "amlab": version,
                      "wall_s": wall, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      "result": result}
            atomic_write_json(point_path(store, full[i]), record)
            _fsync_dir(store / "points")
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    by_key = {canonical(r["params"]): r for r in load_records(store)}
    records = [by_key[canonical(p)] for p in full]
    return SweepResult(store, records, len(todo), reused, time.perf_counter() - t0,
                       getattr(backend, "name", "local"), spec)


def records_table(records: List[dict]) -> List[dict]:
    """Flat rows: parameters, then ``seed`` and ``wall_s``, then result fields."""
    rows = []
    for r in records:
        row = dict(r["params"])
        row["seed"] = r["seed"]
        row["wall_s"] = r["wall_s"]
        row.update({k: v for k, v in r["result"].items() if k not in row})
        rows.append(row)
    return rows


def export(records: List[dict], out_dir: Union[str, os.PathLike]) -> List[Path]:
    """Write ``records.json`` and ``records.csv`` into ``out_dir`` (atomically)."""
    out_dir = Path(out_dir)
    rows = records_table(records)
    cols = list(dict.fromkeys(k for row in rows for k in row))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return [atomic_write_json(out_dir / "records.json", records), atomic_write_text(out_dir / "records.csv", buf.getvalue())]

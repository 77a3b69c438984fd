"""Where sweep points and checks run: in this process, or on a Dask cluster.

``LocalBackend`` (the default) runs tasks one after another in this process;
each task may use Numba's threads inside. ``DaskBackend`` sends them to a
``dask.distributed`` cluster: an existing one (``scheduler="tcp://host:port"``)
or a ``LocalCluster`` it starts (``workers=N``). Tasks are plain functions of
their arguments (their randomness comes from seeds they are given), so a task
gives the same result on any backend.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Optional, Sequence, Tuple

DISTRIBUTED_HINT = (
    "the Dask backend needs dask and distributed: install them from the amlab source folder with "
    "`pip install \".[distributed]\"` (or run without --workers/--scheduler)"
)

#: Seconds to wait for an existing scheduler before giving up (``--timeout``).
DEFAULT_TIMEOUT = 10.0


class MissingExtraError(ImportError):
    """dask/distributed are not installed (the ``distributed`` extra)."""


class BackendError(RuntimeError):
    """A Dask scheduler address is malformed or cannot be reached in time."""


class LocalBackend:
    """Run tasks in this process, in order."""

    name = "local"

    def map_unordered(self, fn: Callable, args: Sequence[tuple]) -> Iterator[Tuple[int, object]]:
        """Yield ``(i, fn(*args[i]))`` as each task finishes."""
        for i, a in enumerate(args):
            yield i, fn(*a)

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "local (in-process)"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _import_distributed():
    try:
        import distributed  # noqa: F401
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise MissingExtraError(DISTRIBUTED_HINT) from exc
    return Client, LocalCluster, as_completed


class DaskBackend:
    """Run tasks on a ``dask.distributed`` cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:port``); the cluster is
        used as it is and left running.
    workers : int, optional
        Start a ``LocalCluster(n_workers=workers, threads_per_worker=1,
        processes=True)`` for this backend's lifetime instead.
    timeout : float, optional
        Seconds to wait for the scheduler (default ``DEFAULT_TIMEOUT``); a
        malformed or unreachable address raises ``BackendError``.
    """

    name = "dask"

    def __init__(self, scheduler: Optional[str] = None, workers: Optional[int] = None,
                 timeout: Optional[float] = None):
        if (scheduler is None) == (workers is None):
            raise ValueError("give exactly one of scheduler (an address) or workers (a count)")
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
            raise ValueError(f"workers must be a positive integer, got {workers!r}")
        timeout = DEFAULT_TIMEOUT if timeout is None else check_timeout(timeout)
        if scheduler is not None and (not isinstance(scheduler, str) or not scheduler):
            raise ValueError(f"scheduler must be an address such as tcp://host:8786, got {scheduler!r}")
        Client, LocalCluster, self._as_completed = _import_distributed()
        self._cluster = None
        if scheduler is not None:
            check_address(scheduler)
            try:
                self.client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise BackendError(f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s "
                                   f"({type(exc).__name__}); is it running? (--timeout sets the wait)") from None
        else:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
        self.address = self.client.scheduler.address

    def map_unordered(self, fn: Callable, args: Sequence[tuple]) -> Iterator[Tuple[int, object]]:
        """Submit every task, then yield ``(i, result)`` in order of completion."""
        futures = {}
        for i, a in enumerate(args):
            futures[self.client.submit(fn, *a, pure=False)] = i
        try:
            for fut in self._as_completed(list(futures)):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.release()

    def describe(self) -> str:
        n = len(self.client.scheduler_info().get("workers", {}))
        return f"dask ({self.address}, {n} workers)"

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_timeout(timeout) -> float:
    """``timeout`` as a positive finite float, else ``ValueError`` naming it."""
    import math
    import numbers

    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not math.isfinite(timeout) \
            or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


def check_address(address: str) -> str:
    """``address`` if it is a Dask scheduler address (``tcp://host:port``), else ``BackendError``."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    try:
        scheme, loc = parse_address(address, strict=False)
        if scheme not in backends:
            raise ValueError(f"unknown protocol {scheme!r}")
        if scheme != "inproc":
            parse_host_port(loc)
    except (ValueError, TypeError) as exc:
        raise BackendError(f"--scheduler {address!r} is not a scheduler address ({exc}); "
                           f"expected e.g. tcp://host:8786") from None
    return address


def get_backend(workers: Optional[int] = None, scheduler: Optional[str] = None, timeout: Optional[float] = None):
    """The backend the command-line options ask for (local when neither is given)."""
    if workers is not None and scheduler is not None:
        raise ValueError("give --workers or --scheduler, not both")
    if workers is None and scheduler is None:
        return LocalBackend()
    return DaskBackend(scheduler=scheduler, workers=workers, timeout=timeout)


def run_all(backend, fn: Callable, args: Iterable[tuple]):
    """Run every task and return the results in task order."""
    args = list(args)
    out = [None] * len(args)
    for i, r in backend.map_unordered(fn, args):
        out[i] = r
    return out

"""Where sweep points and checks run: in this process, in a pool of processes, or on a Dask cluster.

``LocalBackend`` (the default) runs tasks one after another in this process;
each task may use Numba's threads inside. ``ProcessBackend`` runs them in a
pool of ``processes`` worker processes of the standard library (no extra
dependency), each with one Numba thread and one BLAS thread. ``DaskBackend``
sends them to a ``dask.distributed`` cluster: an existing one
(``scheduler="tcp://host:port"``) or a ``LocalCluster`` it starts
(``workers=N``). Tasks are plain functions of their arguments (their
randomness comes from seeds they are given), so a task gives the same result
on any backend.

With the GPU as the device (``amlab ... --device gpu``, which sets
``$AMLAB_DEVICE``), worker ``k`` of a process pool or of a Dask cluster the
backend starts sees one GPU, ``CUDA_VISIBLE_DEVICES=<gpus[k mod n]>``
(:func:`gpu_for_worker`), so the units of a check or sweep spread over the
machine's GPUs; with one GPU every worker shares it.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Tuple, Union

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


#: Thread-pool variables a worker process of ``ProcessBackend`` starts with: one Numba thread (also the
#: thread count of ``hopfield.kernels.threads``), one OpenMP and one BLAS thread. They act when the
#: worker first imports numba and numpy, so they are set before the worker starts.
WORKER_THREAD_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                           "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextlib.contextmanager
def _worker_environment():
    """Set ``WORKER_THREAD_VARIABLES`` to 1 while worker processes are started, then restore them.

    A spawned process copies this process's environment when it starts; the
    variables are back to their old values before this process compiles
    anything (Numba rereads its configuration when it compiles).
    """
    old = {k: os.environ.get(k) for k in WORKER_THREAD_VARIABLES}
    os.environ.update({k: "1" for k in WORKER_THREAD_VARIABLES})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _worker_threads() -> dict:
    """In a worker: its process id and thread settings (numba's thread count, the pinned variables)."""
    import numba

    return {"pid": os.getpid(), "numba_threads": numba.get_num_threads(),
            **{k: os.environ.get(k) for k in WORKER_THREAD_VARIABLES}}


def visible_gpus() -> list:
    """The GPUs this process may use, as ``CUDA_VISIBLE_DEVICES`` entries.

    ``$CUDA_VISIBLE_DEVICES`` when it is set (its comma-separated entries, ids
    or UUIDs, an empty value meaning none), else ``0 .. n-1`` for the ``n``
    devices ``numba.cuda.gpus`` lists (none when Numba's CUDA target cannot
    load).
    """
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        return [g.strip() for g in env.split(",") if g.strip()]
    try:
        from hopfield._device import cuda

        return [str(i) for i in range(len(cuda().gpus))]
    except Exception:  # no driver, no numba-cuda: no GPU to share out
        return []


def gpu_for_worker(k: int, gpus: Sequence[str]) -> str:
    """The ``CUDA_VISIBLE_DEVICES`` of worker ``k`` (0-based): ``gpus[k mod len(gpus)]``.

    Examples
    --------
    >>> [gpu_for_worker(k, ["0", "1"]) for k in range(4)]
    ['0', '1', '0', '1']
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be a worker index (an integer >= 0), got {k!r}")
    if len(gpus) == 0:
        raise ValueError("gpus must list at least one GPU to share out, got none")
    return str(gpus[k % len(gpus)])


def _gpu_plan() -> Optional[list]:
    """The GPUs to share out among workers when the device is the GPU (``$AMLAB_DEVICE``), else None."""
    from hopfield._device import resolve

    if resolve(None) != "gpu":
        return None
    return visible_gpus() or None


def _take_gpu(counter, gpus) -> None:
    """Worker initializer: take the next worker index from ``counter`` and see only its GPU.

    Runs before the worker's first task, so before CUDA is initialised in it
    (the driver reads ``CUDA_VISIBLE_DEVICES`` once, when it starts).
    """
    with counter.get_lock():
        k = counter.value
        counter.value += 1
    os.environ["CUDA_VISIBLE_DEVICES"] = gpu_for_worker(k, gpus)


def _see_gpu(gpu: str) -> str:
    """On a Dask worker: see only ``gpu`` (before any task initialises CUDA there)."""
    os.environ["CUDA_VISIBLE_DEVICES"] = gpu
    return gpu


def check_processes(processes: Any) -> int:
    """``processes`` as a positive int, else ``ValueError`` naming it."""
    if isinstance(processes, bool) or not isinstance(processes, int) or processes < 1:
        raise ValueError(f"processes must be a positive integer (worker processes), got {processes!r}")
    return int(processes)


class ProcessBackend:
    """Run tasks in a pool of ``processes`` worker processes (``concurrent.futures``, spawn start method).

    Workers are started with ``spawn`` (a fresh interpreter, never ``fork``:
    a forked child would inherit the parent's Numba and BLAS thread pools and
    locks) and with one Numba, OpenMP and BLAS thread each
    (``WORKER_THREAD_VARIABLES``), so ``processes`` workers keep ``processes``
    cores busy. All of them are started at once, before the first task. Tasks
    start in the order they are submitted. When the device is the GPU
    (``$AMLAB_DEVICE=gpu``), worker ``k`` sees GPU ``gpu_for_worker(k, visible_gpus())``.

    Parameters
    ----------
    processes : int
        Number of worker processes (at least 1).
    """

    name = "processes"

    def __init__(self, processes: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.processes = check_processes(processes)
        ctx = multiprocessing.get_context("spawn")
        self.gpus = _gpu_plan()
        extra = {} if self.gpus is None else {"initializer": _take_gpu, "initargs": (ctx.Value("i", 0), self.gpus)}
        with _worker_environment():
            self._pool = ProcessPoolExecutor(max_workers=self.processes, mp_context=ctx, **extra)
            futures = [self._pool.submit(_worker_threads) for _ in range(self.processes)]
        try:
            self.workers = [f.result() for f in futures]
        except BaseException:
            self._pool.shutdown(wait=False, cancel_futures=True)
            raise

    def map_unordered(self, fn: Callable, args: Sequence[tuple]) -> Iterator[Tuple[int, object]]:
        """Submit every task (in order), then yield ``(i, result)`` in order of completion."""
        from concurrent.futures import as_completed

        with _worker_environment():  # a worker started late (none should be) is pinned too
            futures = {self._pool.submit(fn, *a): i for i, a in enumerate(args)}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def describe(self) -> str:
        gpus = "" if self.gpus is None else f", GPUs {','.join(self.gpus)} shared out"
        return f"processes ({self.processes} workers, 1 thread each{gpus})"

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

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
                 timeout: Optional[float] = None) -> None:
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
            gpus = _gpu_plan()
            if gpus is not None:  # worker k (in address order) sees one GPU, before any task
                self.client.wait_for_workers(workers)
                for k, addr in enumerate(sorted(self.client.scheduler_info()["workers"])):
                    self.client.run(_see_gpu, gpu_for_worker(k, gpus), workers=[addr])
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


def check_timeout(timeout: Any) -> float:
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


def check_backend_options(workers: Optional[int] = None, scheduler: Optional[str] = None,
                          processes: Optional[int] = None) -> None:
    """``ValueError`` naming the options when more than one backend is asked for, or ``processes`` is bad."""
    if workers is not None and scheduler is not None:
        raise ValueError("give --workers or --scheduler, not both")
    if processes is not None:
        if workers is not None or scheduler is not None:
            given = f"--workers {workers!r}" if workers is not None else f"--scheduler {scheduler!r}"
            raise ValueError(f"give --processes or {given.split()[0]}, not both (got --processes {processes!r} and "
                             f"{given}: --processes runs a local process pool, --workers/--scheduler use Dask)")
        check_processes(processes)


def get_backend(workers: Optional[int] = None, scheduler: Optional[str] = None, timeout: Optional[float] = None,
                processes: Optional[int] = None) -> Union[LocalBackend, ProcessBackend, DaskBackend]:
    """The backend the command-line options ask for (local when none is given)."""
    check_backend_options(workers, scheduler, processes)
    if processes is not None:
        return ProcessBackend(processes)
    if workers is None and scheduler is None:
        return LocalBackend()
    return DaskBackend(scheduler=scheduler, workers=workers, timeout=timeout)


def run_all(backend: Union[LocalBackend, ProcessBackend, DaskBackend], fn: Callable, args: Iterable[tuple]) -> list:
    """Run every task and return the results in task order."""
    args = list(args)
    out = [None] * len(args)
    for i, r in backend.map_unordered(fn, args):
        out[i] = r
    return out

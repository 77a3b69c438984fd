"""The trials of a batch spread over threads, with one compiled kernel for every thread count.

A batch kernel is written once, serially, over a range of trials
``kernel(b0, b1, *args)`` and compiled with ``nogil=True``; :func:`run_trials`
calls it on contiguous ranges from a small thread pool, as many threads at a
time as ``numba.get_num_threads()`` allows (``numba.set_num_threads`` and
``NUMBA_NUM_THREADS`` keep their meaning). Compared with a ``prange`` twin
this compiles one function instead of two (the serial one for small batches
and the parallel one), and no parallel region is compiled at all. Every trial
draws from its own stream of ``(seed, trial index)``, so results do not depend
on how the batch is cut.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numba

#: Ranges per thread: trials of one batch differ in length (sweeps to converge),
#: so a few ranges per thread balance the load.
RANGES_PER_THREAD = 4

_pools: dict = {}
_lock = threading.Lock()


def _pool(n: int) -> ThreadPoolExecutor:
    with _lock:
        pool = _pools.get(n)
        if pool is None:
            pool = _pools[n] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="amlab-trials")
        return pool


def run_trials(kernel: Callable[..., None], B: int, *args: object) -> None:
    """Run ``kernel(b0, b1, *args)`` over ``[0, B)`` cut into contiguous ranges.

    Parameters
    ----------
    kernel : callable
        A kernel over trials ``b0 <= b < b1`` that releases the GIL.
    B : int
        Number of trials.
    *args
        The kernel's other arguments, shared by all ranges (each range writes
        only its own rows of the output arrays).
    """
    threads = max(1, min(numba.get_num_threads(), B))
    if threads == 1:
        kernel(0, B, *args)
        return
    n = min(B, RANGES_PER_THREAD * threads)
    bounds = [B * k // n for k in range(n + 1)]
    futures = [_pool(threads).submit(kernel, bounds[k], bounds[k + 1], *args) for k in range(n)]
    for f in futures:
        f.result()

"""The GPU kernels' batched Fisher-Yates swaps (hopfield.kernels.cuda.rng.apply_swaps) are the serial loop's.

Runs through Numba's CUDA simulator (tests/conftest.py) unless AMLAB_REAL_GPU=1 on a GPU machine.
"""

import numpy as np
import pytest

from hopfield import _device
from hopfield.kernels import rng

cuda = _device.cuda()  # the simulator here, a GPU with AMLAB_REAL_GPU=1; a module-level name, as kernels need

from hopfield.kernels.cuda import rng as g  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the simulator's uint64 wrap-around


@cuda.jit
def _swaps(od, draws, ns, ascending, bt, stale):
    r = cuda.grid(1)
    if r < od.shape[0]:
        n = ns[r]
        if ascending:
            g.apply_swaps(od[r], draws[r], n, 0, 1, bt, stale)
        else:
            g.apply_swaps(od[r], draws[r], n - 1, n - 1, -1, bt, stale)


@cuda.jit
def _shuffles(od, draws, states, N, sweeps, after):
    b = cuda.blockIdx.x
    st = states[b]
    for _ in range(sweeps):
        st = g.shuffle_parallel(od[b], draws[b], st, N, cuda.threadIdx.x, cuda.blockDim.x)
        cuda.syncthreads()  # as in the kernels: a barrier between two calls (see shuffle_parallel)
    if cuda.threadIdx.x == 0:
        after[b] = st


def serial(od, draws, n, ascending):
    """The serial loop, written from the definition: swap k exchanges i_k with draws[k]."""
    od = od.copy()
    for k in range(n if ascending else n - 1):
        i = k if ascending else n - 1 - k
        j = draws[k]
        od[i], od[j] = od[j], od[i]
    return od


def draws_table(ascending, width, seeds_per_n, n_max):
    """Rows of Fisher-Yates draws for n = 2..n_max: random ones and ones built to alias inside a batch."""
    gen = np.random.default_rng(2024)
    ns, rows = [], []
    for n in range(2, n_max + 1):
        for c in range(seeds_per_n):
            d = np.zeros(width, np.int32)
            for k in range(n if ascending else n - 1):
                lo, hi = (k, n - 1) if ascending else (0, n - 1 - k)  # j_k on the unvisited side of i_k
                if c == 0:
                    d[k] = lo if not ascending else hi  # every swap hits the same far end: aliases everywhere
                elif c == 1:
                    d[k] = hi if not ascending else lo  # self swaps
                else:
                    d[k] = gen.integers(lo, hi + 1)
            ns.append(n)
            rows.append(d)
    return np.array(ns, np.int64), np.array(rows)


def run_swaps(ns, draws, ascending, bt, stale):
    width = draws.shape[1]
    od = np.tile(np.arange(width, dtype=np.int32), (ns.size, 1)) * 3 + 1  # values unlike their positions
    want = np.array([serial(od[r], draws[r], ns[r], ascending) for r in range(ns.size)])
    # one thread per block, as in the kernels (thread 0 alone applies the swaps); the simulator runs the blocks
    # one after another and swaps the module's `cuda` name per call, which concurrent callers would race on
    _swaps[ns.size, 1](od, draws, ns, 1 if ascending else 0, bt, 1 if stale else 0)
    return od, want


@pytest.mark.parametrize("ascending", [False, True])
def test_batched_swaps_equal_the_serial_loop(ascending):
    """Batches that do and do not divide the swap count, N = 2..40, swaps built to alias within a batch.

    The wrong alias rule (each swap reads memory as the batch loaded it, not the batch's own latest value)
    runs on the same rows: it must change some permutation for every batch size above 1, and none for a
    batch of 1, where nothing is loaded before an earlier swap of the batch wrote it.
    """
    ns, draws = draws_table(ascending, 40, 6, 40)
    for bt in (1, 3, 7, 16, g.SWAP_BATCH, g.MAX_SWAP_BATCH):
        got, want = run_swaps(ns, draws, ascending, bt, stale=False)
        np.testing.assert_array_equal(got, want, err_msg=f"batch {bt}")
        bad, _ = run_swaps(ns, draws, ascending, bt, stale=True)
        wrong_rows = int(np.sum(np.any(bad != want, axis=1)))
        if bt == 1:
            assert wrong_rows == 0
        else:
            assert wrong_rows > 0, f"batch {bt}: the stale alias rule went unnoticed"
        # every row is still a permutation of the values (an alias bug could duplicate one)
        np.testing.assert_array_equal(np.sort(got, axis=1), np.sort(want, axis=1))


@pytest.mark.parametrize("N,threads", [(2, 4), (5, 4), (17, 4), (40, 8)])
def test_block_shuffle_is_the_cpu_permutation(N, threads):
    """shuffle_parallel (parallel draws, batched swaps) gives rng.shuffle_inplace's permutations, sweep after
    sweep from the same stream, and leaves the stream where the CPU's is."""
    states = rng.trial_states(7, 3)
    sweeps = 3
    od = np.tile(np.arange(N, dtype=np.int32), (states.size, 1))
    draws = np.zeros((states.size, N), np.int32)
    after = np.zeros_like(states)
    _shuffles[states.size, threads](od, draws, states, N, sweeps, after)
    for b in range(states.size):
        st = states[b:b + 1].copy()
        perm = np.arange(N, dtype=np.int64)
        for _ in range(sweeps):
            rng.shuffle_inplace(perm, st)
        np.testing.assert_array_equal(od[b], perm)
        assert after[b] == st[0]

"""hopfield.kernels.threads: every trial of a batch is run exactly once, for any thread count."""

import numba
import numpy as np
import pytest

from hopfield.kernels import threads


def _cover(B, n_threads):
    seen = np.zeros(B, np.int64)
    ranges = []

    def kernel(b0, b1, out):
        ranges.append((b0, b1))
        out[b0:b1] += 1

    old = numba.get_num_threads()
    numba.set_num_threads(n_threads)
    try:
        threads.run_trials(kernel, B, seen)
    finally:
        numba.set_num_threads(old)
    return seen, ranges


@pytest.mark.parametrize("B", [1, 2, 3, 7, 64, 1001])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_every_trial_once(B, n_threads):
    if n_threads > numba.config.NUMBA_NUM_THREADS:
        pytest.skip("fewer threads available")
    seen, ranges = _cover(B, n_threads)
    assert np.all(seen == 1)
    assert len(ranges) == (1 if n_threads == 1 else min(B, threads.RANGES_PER_THREAD * n_threads))


def test_dropped_last_range_is_caught(monkeypatch):
    # a cut that loses the last trial (B * k // n with n + 1 bounds, minus one) is seen
    orig = threads.run_trials

    def lossy(kernel, B, *args):
        orig(kernel, B - 1, *args) if B > 1 else orig(kernel, B, *args)

    monkeypatch.setattr(threads, "run_trials", lossy)
    with pytest.raises(AssertionError):
        test_every_trial_once(7, 1)

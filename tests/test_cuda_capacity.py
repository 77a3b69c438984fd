"""capacity_scan(device="gpu") equals the CPU scan bit for bit (hopfield.kernels.cuda.capacity).

Runs through Numba's CUDA simulator (tests/conftest.py) unless AMLAB_REAL_GPU=1 on a GPU machine; the
simulator runs every GPU thread as a Python thread, so the sizes here are tiny and the blocks small.
"""

import warnings

import numpy as np
import pytest

from hopfield import _device
from hopfield.capacity import capacity_scan, point_seeds
from hopfield.kernels.rng import GAMMA, _mix64_py

cuda = _device.cuda()

from hopfield.kernels.cuda import capacity as gk  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the simulator's uint64 wrap-around


def same(a, b):
    return (np.array_equal(a.overlap, b.overlap) and np.array_equal(a.sweeps, b.sweeps)
            and np.array_equal(a.converged, b.converged))


def gpu_raw(N, Ps, trials, count, seed, max_sweeps=200, **kw):
    Pb = np.repeat(np.asarray(Ps, np.int64), trials)
    seeds = np.concatenate([point_seeds(seed, p, trials) for p in Ps])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return gk.scan(N, Pb, seeds, count, max_sweeps, **kw)


@pytest.mark.parametrize("N, Ps, count", [
    (8, [1, 5], 0),     # P = 1 and P > N / 2, the cue is pattern 0 itself
    (13, [2, 7], 3),    # odd N, P > N / 2, flipped neurons drawn after the patterns
    (20, [1, 3, 12], 6),
])
def test_gpu_scan_equals_cpu_scan(N, Ps, count):
    cpu = capacity_scan(N, Ps, 2, count=count, seed=3, device="cpu")
    gpu = capacity_scan(N, Ps, 2, count=count, seed=3, device="gpu")
    assert same(cpu, gpu)
    # the comparison sees a difference: another seed gives other trials (with these sizes, other overlaps)
    other = capacity_scan(N, Ps, 2, count=count, seed=4, device="cpu")
    assert not same(cpu, other)


def test_speculation_width_and_launch_cuts_do_not_change_results():
    """Candidates per step (1 to 4), trials per launch, overlaps in shared or device memory: the same trajectory."""
    N, Ps, count = 12, [2, 7], 4
    want = capacity_scan(N, Ps, 1, count=count, seed=9, device="cpu")
    for threads, lanes, slots, shared in [(4, 4, None, True), (4, 1, 1, False)]:
        ov, sw, cv = gpu_raw(N, Ps, 1, count, 9, threads=threads, lanes=lanes, slots=slots, use_shared=shared)
        np.testing.assert_array_equal(ov.reshape(2, 1), (want.overlap * N).astype(np.int64))
        np.testing.assert_array_equal(sw.reshape(2, 1), want.sweeps)
        np.testing.assert_array_equal(cv.reshape(2, 1), want.converged)


def test_applying_every_flip_of_the_candidates_is_caught():
    """The first-flip rule is what makes the speculation exact: the 'apply all flips found' rule differs."""
    N, Ps, count = 20, [3, 8], 6
    want = capacity_scan(N, Ps, 2, count=count, seed=5, device="cpu")
    ov, sw, cv = gpu_raw(N, Ps, 2, count, 5, threads=8, lanes=1)
    assert np.array_equal(ov.reshape(2, 2), (want.overlap * N).astype(np.int64))
    assert np.array_equal(sw.reshape(2, 2), want.sweeps)
    bad = gpu_raw(N, Ps, 2, count, 5, threads=8, lanes=1, all_flips=True)
    assert not (np.array_equal(bad[0].reshape(2, 2), (want.overlap * N).astype(np.int64))
                and np.array_equal(bad[1].reshape(2, 2), want.sweeps))


def test_bit_table_holds_the_cpu_patterns():
    """The table filled one stream word at a time (atomic OR) holds the CPU's draws, entry for entry."""
    N, P, seed = 13, 7, 2
    s0 = point_seeds(seed, P, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        W = (P + 31) // 32
        bits = cuda.device_array((1, N, W), np.uint32)
        args = (cuda.device_array((1, N), np.int8), cuda.device_array((1, N), np.int32),
                cuda.device_array((1, N), np.int32), cuda.device_array((1, 32 * W), np.int32))
        outs = [cuda.device_array(1, np.int64), cuda.device_array(1, np.int64), cuda.device_array(1, np.bool_)]
        gk.trials_kernel[1, 4, 0, 0](0, N, cuda.to_device(np.array([P])), cuda.to_device(s0), 0, 0, 2, 0, False,
                                     bits, *args, *outs)
        table = bits.copy_to_host()[0]
    got = np.array([[1 if table[i, mu % W] >> (mu // W) & 1 else -1 for i in range(N)] for mu in range(P)])
    # the CPU's rule, written out: bit k % 64 of word k // 64 of the trial's SplitMix64 stream, k = mu N + i
    st, words = int(s0[0]), []
    for _ in range((P * N + 63) // 64):
        st = (st + int(GAMMA)) % 2**64
        words.append(_mix64_py(st))
    want = np.array([[1 if words[(mu * N + i) // 64] >> ((mu * N + i) % 64) & 1 else -1 for i in range(N)]
                     for mu in range(P)])
    assert np.array_equal(got, want)
    assert not np.array_equal(got, np.roll(want, 1, axis=1))  # the check sees a shifted table


def test_bad_device_is_refused_before_work():
    with pytest.raises(ValueError, match="device must be one of"):
        capacity_scan(10, 2, 1, count=0, device="tpu")
    with pytest.raises(ValueError, match="threads must be a multiple of lanes"):
        gpu_raw(8, [1], 1, 0, 0, threads=6, lanes=4)


@pytest.mark.gpu
def test_gpu_scan_equals_cpu_scan_at_realistic_size():
    kw = dict(N=2000, P=[200, 280, 300], trials=64, fraction=0.1, seed=11)
    cpu = capacity_scan(**kw, device="cpu")
    gpu = capacity_scan(**kw, device="gpu")
    assert same(cpu, gpu)
    assert 0 < cpu.success_rate[1] < 1 or cpu.success_rate[0] > cpu.success_rate[2]  # a non-trivial point

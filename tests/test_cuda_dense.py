"""The dense memory on the GPU (hopfield.kernels.cuda.dense) equals the CPU kernel bit for bit.

Runs through Numba's CUDA simulator (tests/conftest.py) at tiny sizes with 4 threads per cue, unless
AMLAB_REAL_GPU=1 on a GPU machine; the ``gpu``-marked test repeats the comparison at N = 100, K = 2000.
"""

import warnings

import numpy as np
import pytest

from hopfield import _device
from hopfield.dense import DenseAssociativeMemory
from hopfield.kernels.dense import max_abs_difference

cuda = _device.cuda()  # the simulator here, a GPU with AMLAB_REAL_GPU=1

from hopfield.kernels.cuda import dense as G_  # noqa: E402

FIELDS = ("states", "converged", "sweeps", "cycled", "energies", "overlaps")
SCHEDULES = [("async", "random"), ("async", "sequential"), ("sync", "random")]
EPS = np.finfo(np.float64).eps


def pm1(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1, 1).astype(np.int8)


def run_both(mem, cues, schedule, order, seed=5, threads=4, gpu_seed=None, **kw):
    cpu = mem.run(cues, schedule=schedule, order=order, seed=seed, record_energy=True, device="cpu", **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the simulator's uint64 wrap-around
        gpu = mem.run(cues, schedule=schedule, order=order, seed=seed if gpu_seed is None else gpu_seed,
                      record_energy=True, device="gpu", threads_per_cue=threads, **kw)
    return cpu, gpu


def identical(cpu, gpu):
    """Every output the same bits (the trace with its NaN padding)."""
    return all(np.array_equal(getattr(cpu, f), getattr(gpu, f)) for f in FIELDS) and np.array_equal(
        cpu.energy_trace, gpu.energy_trace, equal_nan=True)


def assert_identical(cpu, gpu):
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(gpu, f), getattr(cpu, f), err_msg=f)
    np.testing.assert_array_equal(gpu.energy_trace, cpu.energy_trace, err_msg="energy_trace")


# every F the CPU has, and each branch of its integer field: n = 3 (the a^2 identity), n = 2 (the linear
# form), n = 4 (fused pass, even), rectified, n = 11 (the long Horner loop)
INT_CASES = [("poly", 3), ("poly", 2), ("poly", 4), ("rectified", 3), ("rectified", 4), ("poly", 11)]


@pytest.mark.parametrize("schedule,order", SCHEDULES)
@pytest.mark.parametrize("F,n", INT_CASES)
def test_integer_paths_equal_cpu_bit_for_bit(F, n, schedule, order):
    rng = np.random.default_rng(3)
    xi, cues = pm1(rng, (8, 10)), pm1(rng, (3, 10))
    mem = DenseAssociativeMemory(xi, F=F, n=n)
    assert mem.arithmetic == "int64"
    cpu, gpu = run_both(mem, cues, schedule, order)
    assert_identical(cpu, gpu)
    assert cpu.converged.any() and (cpu.sweeps > 1).any()  # the trials did move


def test_poly3_int64_partials_equal_cpu(monkeypatch):
    """The int64 branch of the n = 3 form (taken when K N^2 > 2**31 - 1), forced here at a tiny size."""
    monkeypatch.setattr(G_, "INT32_PARTIALS_MAX", 0)
    rng = np.random.default_rng(4)
    mem = DenseAssociativeMemory(pm1(rng, (8, 10)), F="poly", n=3)
    cpu, gpu = run_both(mem, pm1(rng, (3, 10)), "async", "random")
    assert_identical(cpu, gpu)


@pytest.mark.parametrize("schedule,order", SCHEDULES[:2])
def test_float_path_equals_cpu_while_exact(schedule, order):
    """MODE_FLOAT sums in another order; below 2**53 every float64 step is exact, so the bits agree."""
    rng = np.random.default_rng(6)
    mem = DenseAssociativeMemory(pm1(rng, (8, 10)), F="poly", n=5)
    assert 8 * max_abs_difference(10, 5) < 2**53  # every partial sum of the field is an exact float64
    cpu, gpu = run_both(mem, pm1(rng, (3, 10)), schedule, order, _force_float=True)
    assert_identical(cpu, gpu)


@pytest.mark.parametrize("schedule,order", SCHEDULES)
def test_exp_equals_cpu_within_derived_tolerance(schedule, order):
    """F = exp: exact counts and ties, H from the CPU's exp table: same states, sweeps, flags, energies.

    The trace is updated by the GPU's exp and log1p (each within 2 ulp, CUDA's documented bounds): each flip
    moves it by at most ~8 ulp of max(|e|, 1), and a trial flips at most N per sweep, which gives the tolerance.
    """
    rng = np.random.default_rng(7)
    N, max_sweeps = 8, 20
    mem = DenseAssociativeMemory(pm1(rng, (6, N)), F="exp")
    cpu, gpu = run_both(mem, pm1(rng, (2, N)), schedule, order, max_sweeps=max_sweeps)
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(gpu, f), getattr(cpu, f), err_msg=f)
    scale = np.nanmax(np.abs(cpu.energy_trace)) + 1.0
    tol = 8 * N * max_sweeps * EPS * scale
    np.testing.assert_allclose(gpu.energy_trace, cpu.energy_trace, rtol=0, atol=tol, equal_nan=True)


def test_mutants_are_caught():
    """The comparison fails for another seed (other random permutations) and for a perturbed pattern."""
    rng = np.random.default_rng(3)
    xi, cues = pm1(rng, (8, 10)), pm1(rng, (3, 10))
    mem = DenseAssociativeMemory(xi, F="poly", n=3)
    cpu, gpu = run_both(mem, cues, "async", "random", gpu_seed=6)
    assert not identical(cpu, gpu)
    bad = xi.copy()
    bad[0, 0] *= -1
    cpu_bad = DenseAssociativeMemory(bad, F="poly", n=3).run(cues, seed=5, record_energy=True, device="cpu")
    _, gpu = run_both(mem, cues, "async", "random")
    assert not identical(cpu_bad, gpu)


def twin_poly3_sequential(xi, cue, max_sweeps, cross=2):
    """Test-only Python twin of the GPU's n = 3 field, ``h = 6 (S - cross s_i A + R_i) + 2 R_i``; cross = 2 is right."""
    s = cue.astype(np.int64).copy()
    X = xi.astype(np.int64)
    for sweep in range(1, max_sweeps + 1):
        changed = 0
        for i in range(s.size):
            a = X @ s
            r = X[:, i]
            h = 6 * (int(r @ (a * a)) - cross * int(s[i]) * int(a.sum()) + int(r.sum())) + 2 * int(r.sum())
            sg = (h > 0) - (h < 0)
            if sg != 0 and sg != s[i]:
                s[i] = sg
                changed += 1
        if changed == 0:
            return s, sweep
    return s, max_sweeps


def test_gpu_n3_identity_matches_a_direct_twin_and_a_wrong_cross_term_fails():
    rng = np.random.default_rng(11)
    xi, cues = pm1(rng, (10, 12)), pm1(rng, (4, 12))
    mem = DenseAssociativeMemory(xi, F="poly", n=3)
    _, gpu = run_both(mem, cues, "async", "sequential")
    right = [twin_poly3_sequential(xi, c, 100) for c in cues]
    wrong = [twin_poly3_sequential(xi, c, 100, cross=0) for c in cues]
    for b, (s, sw) in enumerate(right):
        np.testing.assert_array_equal(gpu.states[b], s)
        assert gpu.sweeps[b] == sw
    assert any(not np.array_equal(gpu.states[b], s) or gpu.sweeps[b] != sw for b, (s, sw) in enumerate(wrong))


def test_bad_input_is_refused_before_work():
    rng = np.random.default_rng(0)
    mem = DenseAssociativeMemory(pm1(rng, (4, 6)), F="poly", n=3)
    with pytest.raises(ValueError, match="device must be one of"):
        mem.run(pm1(rng, 6), device="tpu")
    with pytest.raises(ValueError, match="threads_per_cue"):
        mem.run(pm1(rng, 6), device="gpu", threads_per_cue=0)
    big = DenseAssociativeMemory(pm1(rng, (G_.max_patterns(6) + 1, 6)), F="poly", n=3)
    with pytest.raises(ValueError, match="K must be at most"):
        big.run(pm1(rng, 6), device="gpu")


@pytest.mark.gpu
@pytest.mark.parametrize("schedule,order", SCHEDULES)
def test_realistic_size_equals_cpu_on_gpu(schedule, order):
    """N = 100, K = 2000, 512 cues with 30% of the bits of a stored pattern flipped, 32 threads per cue."""
    rng = np.random.default_rng(2024)
    xi = pm1(rng, (2000, 100))
    cues = xi[rng.integers(0, 2000, 512)].copy()
    cues[rng.random(cues.shape) < 0.3] *= -1
    mem = DenseAssociativeMemory(xi, F="poly", n=3)
    cpu, gpu = run_both(mem, cues, schedule, order, seed=9, threads=32, max_sweeps=50)
    assert_identical(cpu, gpu)

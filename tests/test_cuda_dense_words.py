"""The word-wide GPU kernel of the dense memory (hopfield.kernels.cuda.dense_words) equals the CPU bit for bit.

Through Numba's CUDA simulator at tiny sizes (tests/conftest.py). K is never a multiple of 4, and at K = 70
with 4 threads a thread owns 5 words: one group of four loads in flight and one word of the tail loop. Each
test first checks that the word kernel ran (``dense_kernel`` replaced by a stub that raises), then compares
every output; the mutant tests show the comparison fails for a wrong byte sign extension, a shuffle that does
not exchange, garbage in the padding and the padded K in the n = 2 correction.
"""

import warnings

import numpy as np
import pytest

from hopfield import _device
from hopfield.dense import DenseAssociativeMemory

cuda = _device.cuda()  # the simulator here, a GPU with AMLAB_REAL_GPU=1

from hopfield.kernels.cuda import dense as G_  # noqa: E402
from hopfield.kernels.cuda import dense_words as W_  # noqa: E402
from hopfield.kernels.dense import MODE_FLOAT, MODE_INT  # noqa: E402

FIELDS = ("states", "converged", "sweeps", "cycled", "energies", "overlaps")
SCHEDULES = [("async", "random"), ("async", "sequential"), ("sync", "random")]
MUTANT_SWEEPS = 4  # a mutant's trials may never converge: a few sweeps show the difference


def pm1(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1, 1).astype(np.int8)


def _no_generic(*args, **kwargs):
    raise AssertionError("dense_kernel ran: the word path was not taken")


class _Refuse:
    def __getitem__(self, config):
        return _no_generic


def gpu_run(mem, cues, schedule, order, threads, seed=5, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the simulator's uint64 wrap-around
        return mem.run(cues, schedule=schedule, order=order, seed=seed, record_energy=True, device="gpu",
                       threads_per_cue=threads, **kw)


def identical(cpu, gpu):
    return all(np.array_equal(getattr(cpu, f), getattr(gpu, f)) for f in FIELDS) and np.array_equal(
        cpu.energy_trace, gpu.energy_trace, equal_nan=True)


def case(n, K=70, N=10, B=2, seed=3):
    rng = np.random.default_rng(seed)
    mem = DenseAssociativeMemory(pm1(rng, (K, N)), F="poly", n=n)
    return mem, pm1(rng, (B, N))


@pytest.mark.parametrize("schedule,order", SCHEDULES)
@pytest.mark.parametrize("n", [3, 2])
def test_word_path_equals_cpu_bit_for_bit(n, schedule, order, monkeypatch):
    mem, cues = case(n)
    monkeypatch.setattr(G_, "dense_kernel", _Refuse())
    cpu = mem.run(cues, schedule=schedule, order=order, seed=5, record_energy=True, device="cpu")
    gpu = gpu_run(mem, cues, schedule, order, threads=4)
    assert identical(cpu, gpu)
    assert (cpu.converged | cpu.cycled).any() and (cpu.sweeps > 1).any()  # the trials did move and stop


@pytest.mark.parametrize("threads,K,N", [(6, 13, 10), (32, 40, 12)])
def test_block_sizes_equal_cpu(threads, K, N, monkeypatch):
    """6 threads: the shared-memory sum (not a power of two); 32: a full warp of shuffles (slow in the simulator)."""
    mem, cues = case(3, K=K, N=N, B=2, seed=8)
    monkeypatch.setattr(G_, "dense_kernel", _Refuse())
    cpu = mem.run(cues, order="random", seed=5, record_energy=True, device="cpu")
    assert identical(cpu, gpu_run(mem, cues, "async", "random", threads=threads))


@pytest.mark.parametrize("n", [3, 2])
def test_generic_kernel_still_equals_cpu_for_the_word_forms(n, monkeypatch):
    """``dense_kernel``'s own n = 3 (int32) and n = 2 branches, reached with the word path switched off."""
    mem, cues = case(n, K=10, N=8)
    monkeypatch.setattr(W_, "word_form", lambda *args: W_.FORM_NONE)
    cpu = mem.run(cues, order="random", seed=5, record_energy=True, device="cpu")
    assert identical(cpu, gpu_run(mem, cues, "async", "random", threads=4))


def _bad_cubic4(x, a, w, Wp):
    """A mutant: the bytes zero-extended (xi = -1 read as 255)."""
    u = np.uint32(x) if x >= 0 else np.uint32(int(x) + 2**32)
    p = 0
    for j in range(4):
        v = int(a[j * Wp + w])
        p += int((u >> np.uint32(8 * j)) & np.uint32(0xFF)) * v * v
    return np.int32(p)


def _no_exchange(self, mask, value, lane_mask):
    """A mutant shuffle: every lane gets its own value back."""
    return value


def test_sign_extension_and_shuffle_mutants_are_caught(monkeypatch):
    mem, cues = case(3)
    cpu = mem.run(cues, order="random", seed=5, record_energy=True, device="cpu", max_sweeps=MUTANT_SWEEPS)
    with monkeypatch.context() as m:
        m.setattr(W_, "_cubic4", _bad_cubic4)
        assert not identical(cpu, gpu_run(mem, cues, "async", "random", threads=4, max_sweeps=MUTANT_SWEEPS))
    from numba.cuda.simulator import kernelapi

    with monkeypatch.context() as m:
        m.setattr(kernelapi.FakeCUDAModule, "shfl_xor_sync", _no_exchange)
        assert not identical(cpu, gpu_run(mem, cues, "async", "random", threads=4, max_sweeps=MUTANT_SWEEPS))
    assert identical(cpu, gpu_run(mem, cues, "async", "random", threads=4, max_sweeps=MUTANT_SWEEPS))  # unpatched again


def test_padding_mutants_are_caught(monkeypatch):
    """Pad with +1 patterns instead of zeros (n = 3); pass the padded K to the n = 2 correction ``s_i K``."""
    mem, cues = case(3)
    cpu = mem.run(cues, order="random", seed=5, record_energy=True, device="cpu", max_sweeps=MUTANT_SWEEPS)
    real_pack = W_.pack_words

    def pack_ones(xiT, L):
        xw = real_pack(xiT, L).copy()
        xb = xw.view(np.int8)
        xb[:, xiT.shape[1]:] = 1
        return xw

    with monkeypatch.context() as m:
        m.setattr(W_, "pack_words", pack_ones)
        assert not identical(cpu, gpu_run(mem, cues, "async", "random", threads=4, max_sweeps=MUTANT_SWEEPS))
    mem2, cues2 = case(2)
    cpu2 = mem2.run(cues2, order="random", seed=5, record_energy=True, device="cpu", max_sweeps=MUTANT_SWEEPS)
    real_kernel = W_.dense_words_kernel

    class PaddedK:
        def __getitem__(self, config):
            launch = real_kernel[config]
            return lambda xw, K, *rest: launch(xw, 4 * xw.shape[1], *rest)

    with monkeypatch.context() as m:
        m.setattr(W_, "dense_words_kernel", PaddedK())
        assert not identical(cpu2, gpu_run(mem2, cues2, "async", "random", threads=4, max_sweeps=MUTANT_SWEEPS))
    assert identical(cpu2, gpu_run(mem2, cues2, "async", "random", threads=4, max_sweeps=MUTANT_SWEEPS))


@pytest.mark.parametrize("K,L", [(70, 4), (2000, 32), (1, 8), (16, 4)])
def test_pack_words_layout(K, L):
    """Byte j of word w is xi^(4w + j), sign-extended by two int32 shifts; the padding is zero, Wp a multiple of L."""
    rng = np.random.default_rng(K)
    xiT = pm1(rng, (5, K))
    xw = W_.pack_words(xiT, L)
    assert xw.dtype == np.int32 and xw.shape[1] % L == 0 and 4 * xw.shape[1] >= K
    assert 4 * xw.shape[1] < K + 4 * L  # no more padding than one row of the block
    x = xw.astype(np.int64)
    got = np.stack([(x << (56 - 8 * j)) >> 56 for j in range(4)], axis=2).reshape(5, -1)  # int64 shifts wrap
    np.testing.assert_array_equal(got[:, :K], xiT)
    assert not got[:, K:].any()
    swapped = np.stack([got[:, j::4] for j in (1, 0, 3, 2)], axis=2).reshape(5, -1)  # a wrong byte order
    assert not np.array_equal(swapped[:, :K], xiT)


def test_word_form_picks_only_exact_int32_forms():
    c3, c2 = np.array([2, 6]), np.array([4])
    assert W_.word_form(MODE_INT, c3, False, False, 100, 2000) == W_.FORM_CUBIC
    assert W_.word_form(MODE_INT, c3, False, False, 100, (2**31 - 1) // 10**4) == W_.FORM_CUBIC
    assert W_.word_form(MODE_INT, c3, False, False, 100, (2**31 - 1) // 10**4 + 1) == W_.FORM_NONE
    assert W_.word_form(MODE_INT, c2, True, False, 100, (2**31 - 1) // 100) == W_.FORM_LINEAR
    assert W_.word_form(MODE_INT, c2, True, False, 100, (2**31 - 1) // 100 + 1) == W_.FORM_NONE
    assert W_.word_form(MODE_INT, c3, False, True, 100, 2000) == W_.FORM_NONE  # rectified
    assert W_.word_form(MODE_INT, np.array([1, 2, 3]), False, False, 100, 2000) == W_.FORM_NONE  # n = 5
    assert W_.word_form(MODE_FLOAT, c3, False, False, 100, 2000) == W_.FORM_NONE
    assert W_.word_form(MODE_INT, c2, True, False, 2**15, 1) == W_.FORM_NONE  # int16 overlaps


@pytest.mark.gpu
@pytest.mark.parametrize("schedule,order", SCHEDULES)
def test_word_path_equals_cpu_at_realistic_size_on_gpu(schedule, order):
    """N = 100, K = 2001 (not a multiple of 4), 512 cues, 30% of a stored pattern flipped, 32 threads: every output."""
    rng = np.random.default_rng(2025)
    xi = pm1(rng, (2001, 100))
    cues = xi[rng.integers(0, 2001, 512)].copy()
    cues[rng.random(cues.shape) < 0.3] *= -1
    mem = DenseAssociativeMemory(xi, F="poly", n=3)
    cpu = mem.run(cues, schedule=schedule, order=order, seed=9, record_energy=True, max_sweeps=50, device="cpu")
    assert identical(cpu, gpu_run(mem, cues, schedule, order, threads=32, seed=9, max_sweeps=50))

"""The device SplitMix64 (hopfield.kernels.cuda.rng) draws the CPU streams word for word.

Runs through Numba's CUDA simulator (tests/conftest.py) unless AMLAB_REAL_GPU=1 on a GPU machine.
"""

import warnings

import numpy as np
import pytest

from hopfield import _device
from hopfield.kernels import rng


cuda = _device.cuda()  # the simulator here, a GPU with AMLAB_REAL_GPU=1; a module-level name, as kernels need

from hopfield.kernels.cuda import rng as g  # noqa: E402


@cuda.jit
def _draws(states, words, uniforms, perms):
    b = cuda.grid(1)
    if b < states.shape[0]:
        st = states[b:b + 1]
        for t in range(words.shape[1]):
            words[b, t] = g.next_u64(st)
            uniforms[b, t] = g.next_uniform(st)
        g.shuffle_inplace(perms[b], st)


@pytest.fixture(scope="module")
def kernel():
    def run(states, T, n):
        words = np.zeros((states.size, T), np.uint64)
        uniforms = np.zeros((states.size, T))
        perms = np.tile(np.arange(n), (states.size, 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the simulator's uint64 wrap-around
            _draws[1, states.size](states, words, uniforms, perms)
        return words, uniforms, perms

    return run


def cpu_draws(states, T, n):
    words = np.zeros((states.size, T), np.uint64)
    uniforms = np.zeros((states.size, T))
    perms = np.tile(np.arange(n), (states.size, 1))
    for b in range(states.size):
        st = states[b:b + 1]
        for t in range(T):
            words[b, t] = rng.next_u64(st)
            uniforms[b, t] = rng.next_uniform(st)
        rng.shuffle_inplace(perms[b], st)
    return words, uniforms, perms


@pytest.mark.parametrize("seed", [0, 12345])
def test_device_streams_equal_cpu_streams(kernel, seed):
    st = rng.trial_states(seed, 4, start=7)
    got = kernel(st.copy(), 5, 9)
    want = cpu_draws(st.copy(), 5, 9)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    # the comparison can fail: another trial's state gives other words and another shuffle
    other = cpu_draws(rng.trial_states(seed, 4, start=8), 5, 9)
    assert not np.array_equal(got[0], other[0]) and not np.array_equal(got[2], other[2])


def test_bad_device_names_the_parameter():
    with pytest.raises(ValueError, match="device must be one of"):
        _device.as_device("tpu")
    with pytest.raises(TypeError, match="device"):
        _device.as_device(3)

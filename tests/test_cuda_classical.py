"""ClassicalHopfield.run(device="gpu") equals the CPU run bit for bit (hopfield.kernels.cuda.classical).

Runs through Numba's CUDA simulator (tests/conftest.py) unless AMLAB_REAL_GPU=1 on a GPU machine; sizes tiny.
"""

import numpy as np
import pytest

from hopfield import _device
from hopfield.classical import ClassicalHopfield
from hopfield.kernels.rng import trial_states

cuda = _device.cuda()

from hopfield.kernels.cuda import classical as gk  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the simulator's uint64 wrap-around

FIELDS = ("states", "converged", "sweeps", "cycled", "energies", "overlaps", "energy_trace")


def same(a, b):
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in FIELDS)


def net_and_cues(N, P, flips, seed):
    rng = np.random.default_rng(seed)
    xi = rng.choice(np.array([-1, 1], np.int8), size=(P, N))
    cues = xi[: min(3, P)].copy()
    cues[:, :flips] *= -1
    return xi, cues


@pytest.mark.parametrize("keep_diagonal", [False, True])
@pytest.mark.parametrize("order", ["random", "sequential"])
@pytest.mark.parametrize("N, P, flips", [(13, 2, 4), (15, 8, 5)])
def test_gpu_run_equals_cpu_run(N, P, flips, order, keep_diagonal):
    xi, cues = net_and_cues(N, P, flips, 1)
    net = ClassicalHopfield(xi, keep_diagonal=keep_diagonal)
    cpu = net.run(cues, order=order, record_energy=True, seed=2, device="cpu")
    gpu = net.run(cues, order=order, record_energy=True, seed=2, device="gpu")
    assert same(cpu, gpu)
    if keep_diagonal and order == "random":  # glauber at T = 0 is the same deterministic rule
        assert np.array_equal(cpu.states, net.run(cues, seed=2, schedule="glauber", device="gpu").states)
    # the comparison sees a difference: another cue gives another start (its trace at least differs)
    other = net.run(np.roll(cues, 1, axis=1), order=order, record_energy=True, seed=2, device="cpu")
    assert not same(cpu, other)


def test_first_flip_rule_is_what_makes_it_exact():
    """The same kernel applying every flip found among its candidates leaves the serial trajectory."""
    xi, cues = net_and_cues(16, 9, 6, 3)
    N, P = 16, 9
    net = ClassicalHopfield(xi)
    want = net.run(cues, record_energy=True, seed=4, device="cpu")
    args = (np.ascontiguousarray(xi.T), P, 0, cues.astype(np.int8), trial_states(4, 3), 2.0 * N, 100, False, True)
    good = gk.run_async(*args, threads=8, lanes=1)
    assert np.array_equal(good[0], want.states) and np.array_equal(good[2], want.energy_trace, equal_nan=True)
    bad = gk.run_async(*args, threads=8, lanes=1, all_flips=True)
    assert not (np.array_equal(bad[0], want.states) and np.array_equal(bad[2], want.energy_trace, equal_nan=True))


def test_unsupported_gpu_runs_are_refused_before_work():
    xi, cues = net_and_cues(12, 2, 2, 0)
    net = ClassicalHopfield(xi)
    with pytest.raises(ValueError, match="device='gpu' supports"):
        net.run(cues, schedule="sync", device="gpu")
    with pytest.raises(ValueError, match="device='gpu' supports"):
        net.run(cues, schedule="glauber", T=0.5, device="gpu")
    with pytest.raises(ValueError, match="device must be one of"):
        net.run(cues, device="tpu")


@pytest.mark.gpu
@pytest.mark.parametrize("order", ["random", "sequential"])
def test_gpu_run_equals_cpu_run_at_realistic_size(order):
    xi, cues = net_and_cues(2000, 250, 200, 7)
    cues = np.repeat(cues, 20, axis=0)
    net = ClassicalHopfield(xi, backend="patterns")
    cpu = net.run(cues, order=order, record_energy=True, seed=8, device="cpu")
    gpu = net.run(cues, order=order, record_energy=True, seed=8, device="gpu")
    assert same(cpu, gpu)

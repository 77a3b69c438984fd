"""ClassicalHopfield.run(device="gpu") equals the CPU run bit for bit (hopfield.kernels.cuda.classical).

Runs through Numba's CUDA simulator (tests/conftest.py) unless AMLAB_REAL_GPU=1 on a GPU machine; sizes tiny.
"""

import numpy as np
import pytest

from hopfield import _device
from hopfield.classical import ClassicalHopfield, hebbian_weights
from hopfield.kernels import classical as _k
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
    args = (np.ascontiguousarray(xi.T), P, 0, cues.astype(np.int8), trial_states(4, 3), 0, 0.0, 1.0 / N, 2.0 * N,
            100, False, True)
    good = gk.run_patterns(*args, threads=8, lanes=1)
    assert np.array_equal(good[0], want.states) and np.array_equal(good[2], want.energy_trace, equal_nan=True)
    bad = gk.run_patterns(*args, threads=8, lanes=1, all_flips=True)
    assert not (np.array_equal(bad[0], want.states) and np.array_equal(bad[2], want.energy_trace, equal_nan=True))


def random_cues(N, B, seed):
    return np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), size=(B, N))


@pytest.mark.parametrize("keep_diagonal", [False, True])
def test_gpu_sync_equals_cpu_sync(keep_diagonal):
    """Synchronous Hebbian runs: converged and 2-cycled trials, states, sweeps, energies, traces bit for bit."""
    xi, _ = net_and_cues(14, 5, 0, 11)
    cues = np.concatenate([xi[:1] * np.where(np.arange(14) < 3, -1, 1).astype(np.int8), random_cues(14, 3, 12)])
    net = ClassicalHopfield(xi, keep_diagonal=keep_diagonal)
    cpu = net.run(cues, schedule="sync", record_energy=True, seed=2, device="cpu")
    gpu = net.run(cues, schedule="sync", record_energy=True, seed=2, device="gpu")
    assert same(cpu, gpu)
    assert cpu.converged.any()  # both endings are exercised
    if not keep_diagonal:
        assert cpu.cycled.any()
    # the comparison sees the schedule: the asynchronous run from the same cues is another run
    assert not same(cpu, net.run(cues, schedule="async", record_energy=True, seed=2, device="gpu"))


T_HOT = 0.6


@pytest.mark.parametrize("order", ["random", "sequential"])
def test_gpu_glauber_equals_cpu_glauber_under_the_simulator(order):
    """Heat-bath runs at T > 0: one uniform per visit, drawn by each speculative candidate; bit for bit here."""
    xi, cues = net_and_cues(10, 3, 3, 5)
    cues = cues[:2]
    net = ClassicalHopfield(xi)
    kw = dict(schedule="glauber", T=T_HOT, order=order, max_sweeps=4, record_energy=True, seed=6)
    cpu = net.run(cues, **kw, device="cpu")
    gpu = net.run(cues, **kw, device="gpu")
    assert same(cpu, gpu)
    assert not np.all(cpu.energy_trace == cpu.energy_trace[:, :1])  # the noise moves the state
    assert not same(cpu, net.run(cues, **dict(kw, seed=7), device="gpu"))  # another stream: another run


@pytest.mark.parametrize("rule", ["pseudo-inverse", "storkey"])
@pytest.mark.parametrize("schedule, order, T", [("async", "random", 0.0), ("async", "sequential", 0.0),
                                                ("sync", "random", 0.0), ("glauber", "random", T_HOT)])
def test_gpu_float_weights_equal_cpu(rule, schedule, order, T):
    """Float64 W: the same per-element operations in the same order, so the same bits (every schedule)."""
    xi, cues = net_and_cues(10, 3, 3, 8)
    cues = np.concatenate([cues[:2], random_cues(10, 1, 9)])
    net = ClassicalHopfield(xi, rule=rule)
    kw = dict(schedule=schedule, T=T, order=order, max_sweeps=3 if T > 0 else 30, record_energy=True, seed=3)
    cpu = net.run(cues, **kw, device="cpu")
    gpu = net.run(cues, **kw, device="gpu")
    assert same(cpu, gpu)
    # the comparison sees a relative change of 1e-12 in the weights (traces are float sums of W entries)
    net._W = net._W * (1.0 + 1e-12)
    assert not same(cpu, net.run(cues, **kw, device="gpu"))


def test_float_fields_are_summed_in_the_cpu_order():
    """h = W s on the weights kernel is the CPU's sequential sum over j, on weights where the order shows."""
    rng = np.random.default_rng(0)
    N = 12
    W = rng.standard_normal((N, N)) * 10.0 ** rng.integers(-8, 8, (N, N))
    W = 0.5 * (W + W.T)
    np.fill_diagonal(W, 0.0)
    S = random_cues(N, 2, 1)
    args = (np.diag(W).copy(), S, trial_states(0, 2), 0, 0.0, 1.0, 2.0, 1, True, False)
    out = gk.run_weights(W, *args, threads=4)
    H, tr = np.zeros((2, N)), np.zeros((2, 0))
    cv, sw, cy, en = np.zeros(2, bool), np.zeros(2, np.int64), np.zeros(2, bool), np.zeros(2)
    S2 = S.copy()
    _k.run_weights_serial(W, args[0], S2, *args[2:], H, tr, cv, sw, cy, en)
    assert np.array_equal(out[0], S2) and np.array_equal(out[1], H) and np.array_equal(out[6], en)

    def summed(order):  # h_i of the cue as a float64 sum in the given order of j
        h = np.zeros((2, N))
        for b in range(2):
            for i in range(N):
                acc = 0.0
                for j in order:
                    acc += W[i, j] if S[b, j] > 0 else -W[i, j]
                h[b, i] = acc
        return h

    assert not np.array_equal(summed(range(N)), summed(range(N - 1, -1, -1)))  # these weights see the order


@pytest.mark.parametrize("schedule, sequential", [(0, False), (1, False)])
def test_integer_weights_kernel_equals_cpu_weights_kernel(schedule, sequential):
    """The weights kernel on the integer Hebbian N W (int32, int64 fields), against the CPU's weights kernel."""
    xi, cues = net_and_cues(11, 3, 3, 14)
    cues = np.concatenate([cues, random_cues(11, 1, 15)])
    J = hebbian_weights(xi).astype(np.int32)
    B, N = cues.shape
    args = (np.diag(J).copy(), cues, trial_states(5, B), schedule, 0.0, 1.0 / N, 2.0 * N, 20, sequential, True)
    got = gk.run_weights(J, *args, threads=4)
    H, tr = np.zeros((B, N), np.int64), np.full((B, 21), np.nan)
    cv, sw, cy, en = np.zeros(B, bool), np.zeros(B, np.int64), np.zeros(B, bool), np.zeros(B)
    S = cues.copy()
    _k.run_weights_serial(J, args[0], S, *args[2:], H, tr, cv, sw, cy, en)
    want = (S, H, tr, cv, sw, cy, en)
    assert all(np.array_equal(g, w, equal_nan=True) for g, w in zip(got, want))
    other = gk.run_weights(J, args[0], cues, trial_states(6, B), *args[3:], threads=4)  # another stream
    assert schedule == 1 or not all(np.array_equal(g, w, equal_nan=True) for g, w in zip(other, want))


def test_bad_device_is_refused_before_work():
    xi, cues = net_and_cues(12, 2, 2, 0)
    net = ClassicalHopfield(xi)
    with pytest.raises(ValueError, match="device must be one of"):
        net.run(cues, device="tpu")
    with pytest.raises(ValueError, match="threads must be a multiple of lanes"):
        gk.run_patterns(np.ascontiguousarray(xi.T), 2, 0, cues, trial_states(0, 3), 0, 0.0, 0.1, 24.0, 5, False,
                        False, threads=6, lanes=4)


@pytest.mark.gpu
@pytest.mark.parametrize("order", ["random", "sequential"])
def test_gpu_run_equals_cpu_run_at_realistic_size(order):
    xi, cues = net_and_cues(2000, 250, 200, 7)
    cues = np.repeat(cues, 20, axis=0)
    net = ClassicalHopfield(xi, backend="patterns")
    cpu = net.run(cues, order=order, record_energy=True, seed=8, device="cpu")
    gpu = net.run(cues, order=order, record_energy=True, seed=8, device="gpu")
    assert same(cpu, gpu)


@pytest.mark.gpu
@pytest.mark.parametrize("rule", ["hebbian", "pseudo-inverse"])
@pytest.mark.parametrize("schedule, order", [("sync", "random"), ("async", "random"), ("async", "sequential")])
def test_gpu_schedules_and_rules_equal_cpu_at_realistic_size(rule, schedule, order):
    xi, cues = net_and_cues(2000, 200, 300, 9)
    cues = np.concatenate([np.repeat(cues, 4, axis=0), random_cues(2000, 4, 10)])
    net = ClassicalHopfield(xi, rule=rule)
    kw = dict(schedule=schedule, order=order, record_energy=True, seed=12)
    assert same(net.run(cues, **kw, device="cpu"), net.run(cues, **kw, device="gpu"))


@pytest.mark.gpu
def test_gpu_glauber_matches_cpu_statistically_at_realistic_size():
    """On a GPU, exp() may differ in the last ulp: compare retrieval rates of independent streams.

    Each cue's outcome "final overlap with pattern 0 above 1/2" is a Bernoulli
    variable; with B cues per device, the difference of the two rates has
    standard deviation ``sqrt(2 p (1 - p) / B)`` (pooled ``p``); the test
    allows 4 of them plus ``1 / B``, and the mean overlaps within 4 standard
    errors of their difference.
    """
    B = 256
    xi, cues = net_and_cues(2000, 200, 600, 13)
    cues = np.repeat(cues[:1], B, axis=0)
    net = ClassicalHopfield(xi)
    kw = dict(schedule="glauber", T=0.4, max_sweeps=20)
    a = net.run(cues, **kw, seed=1, device="cpu").overlaps[:, 0]
    b = net.run(cues, **kw, seed=2, device="gpu").overlaps[:, 0]
    ra, rb = np.mean(a > 0.5), np.mean(b > 0.5)
    p = 0.5 * (ra + rb)
    assert abs(ra - rb) <= 4 * np.sqrt(2 * p * (1 - p) / B) + 1 / B
    se = np.sqrt(a.var(ddof=1) / B + b.var(ddof=1) / B)
    assert abs(a.mean() - b.mean()) <= 4 * se + 1e-12
    # the bound is not vacuous: the T = 0 runs (another dynamics) fall outside it, or the rates are already tight
    c = net.run(cues, max_sweeps=20, seed=1, device="cpu").overlaps[:, 0]
    assert abs(c.mean() - b.mean()) > 4 * se or se < 1e-3

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hopfield import _validate
from hopfield.classical import ClassicalHopfield, hebbian_weights, pseudo_inverse_weights, storkey_weights
from hopfield.kernels import classical as kc
from hopfield.kernels.rng import trial_states
from hopfield.patterns import biased_binary, flip, random_binary
from tests import reference as ref

SCHEDULES = [("async", 0.0, False), ("async", 0.0, True), ("sync", 0.0, False),
             ("glauber", 0.0, False), ("glauber", 0.7, False), ("glauber", 2.0, True)]


def _compare_with_twin(res, twins, max_sweeps):
    """Kernel result == twin results exactly (states, flags, sweeps, energy trace)."""
    for b, (s, conv, sweeps, cyc, trace) in enumerate(twins):
        assert res.states[b].tolist() == s
        assert bool(res.converged[b]) == conv
        assert int(res.sweeps[b]) == sweeps
        assert bool(res.cycled[b]) == cyc
        assert res.energy_trace[b, : sweeps + 1].tolist() == trace
        assert np.all(np.isnan(res.energy_trace[b, sweeps + 1:]))
        assert res.energies[b] == trace[-1]
        assert res.energy_trace.shape == (len(twins), max_sweeps + 1)


@given(N=st.integers(2, 12), P=st.integers(1, 5), B=st.integers(1, 3), seed=st.integers(0, 2**40),
       sched=st.sampled_from(SCHEDULES), keep=st.booleans(), backend=st.sampled_from(["weights", "patterns"]))
def test_hebbian_kernels_equal_twin_exactly(N, P, B, seed, sched, keep, backend):
    schedule, T, sequential = sched
    xi = random_binary(P, N, seed=seed)
    cues = random_binary(B, N, seed=seed + 1)
    max_sweeps = 6
    net = ClassicalHopfield(xi, keep_diagonal=keep, backend=backend)
    res = net.run(cues, schedule=schedule, T=T, max_sweeps=max_sweeps,
                  order="sequential" if sequential else "random", seed=seed, record_energy=True)
    J = ref.hebbian_J(xi.tolist(), keep)
    starts = trial_states(seed, B)
    twins = [ref.classical_run(J, cues[b].tolist(), int(starts[b]), schedule, T, max_sweeps, sequential,
                               scale=1.0 / N, eden=2.0 * N) for b in range(B)]
    # Integer fields and energies: exact equality. At T > 0 the draw compares a uniform with
    # p = 1/(1+exp(-2h/T)) computed by the same expression from the same integer h on both sides.
    _compare_with_twin(res, twins, max_sweeps)


@given(N=st.integers(2, 10), B=st.integers(1, 3), seed=st.integers(0, 2**40), sched=st.sampled_from(SCHEDULES),
       keep=st.booleans())
def test_float_weight_kernel_equals_twin(N, B, seed, sched, keep):
    # The float path (pseudo-inverse, Storkey) on a random symmetric W with a non-negative diagonal.
    schedule, T, sequential = sched
    g = np.random.default_rng(seed)
    A = g.standard_normal((N, N))
    W = (A + A.T) / 2
    np.fill_diagonal(W, np.abs(np.diag(W)) if keep else 0.0)
    cues = random_binary(B, N, seed=g)
    max_sweeps = 6
    S = cues.copy()
    starts = trial_states(seed, B)
    trace = np.full((B, max_sweeps + 1), np.nan)
    conv, sw, cyc, en = np.zeros(B, bool), np.zeros(B, np.int64), np.zeros(B, bool), np.zeros(B)
    code = {"async": kc.ASYNC, "sync": kc.SYNC, "glauber": kc.GLAUBER}[schedule]
    kernel = kc.run_weights_serial if B == 1 else kc.run_weights
    kernel(W, np.diag(W).copy(), S, starts, code, T, 1.0, 2.0, max_sweeps, sequential, True,
           np.zeros((B, N)), trace, conv, sw, cyc, en)
    for b in range(B):
        s, c, n, y, tr = ref.classical_run(W.tolist(), cues[b].tolist(), int(starts[b]), schedule, T,
                                           max_sweeps, sequential)
        # Decisions are exact unless a field lies within rounding (~1e-15) of 0 or of the draw's
        # threshold, which has probability ~1e-15 for Gaussian weights. The kernel's energy is
        # accumulated from differences, the twin's recomputed: equal to 1e-9 relative.
        assert S[b].tolist() == s and (conv[b], sw[b], cyc[b]) == (c, n, y)
        np.testing.assert_allclose(trace[b, : n + 1], tr, rtol=1e-9, atol=1e-9)


def test_backends_follow_identical_trajectories():
    xi = random_binary(30, 400, seed=1)
    cues = flip(np.repeat(xi[:8], 2, axis=0), fraction=0.3, seed=2)
    for keep in (False, True):
        nw = ClassicalHopfield(xi, keep_diagonal=keep, backend="weights")
        npat = ClassicalHopfield(xi, keep_diagonal=keep, backend="patterns")
        for schedule, T, seq in SCHEDULES:
            kw = dict(schedule=schedule, T=T, max_sweeps=15, order="sequential" if seq else "random", seed=5,
                      record_energy=True)
            a, b = nw.run(cues, **kw), npat.run(cues, **kw)
            for f in ("states", "converged", "sweeps", "cycled", "energies", "overlaps"):
                assert np.array_equal(getattr(a, f), getattr(b, f)), (keep, schedule, f)
            assert np.array_equal(a.energy_trace, b.energy_trace, equal_nan=True)


def test_weight_rules_equal_direct_formulas():
    xi = random_binary(3, 7, seed=4)
    for keep in (False, True):
        assert np.array_equal(hebbian_weights(xi, keep), np.array(ref.hebbian_J(xi.tolist(), keep)))
    Wt = np.array(ref.storkey_W(xi.tolist()))
    # Vectorised vs element-by-element sums of a few O(1) terms: 1e-12 absolute is ample.
    np.testing.assert_allclose(storkey_weights(xi, keep_diagonal=True), Wt, rtol=0, atol=1e-12)
    Wz = Wt.copy()
    np.fill_diagonal(Wz, 0.0)
    np.testing.assert_allclose(storkey_weights(xi), Wz, rtol=0, atol=1e-12)
    # Projection onto the row space of xi, written independently with the Moore-Penrose inverse.
    np.testing.assert_allclose(pseudo_inverse_weights(xi, keep_diagonal=True),
                               np.linalg.pinv(xi.astype(float)) @ xi, atol=1e-12)
    net = ClassicalHopfield(xi, rule="storkey")
    s = random_binary(4, 7, seed=5).astype(float)
    np.testing.assert_allclose(net.fields(s), s @ Wz, atol=1e-12)
    np.testing.assert_allclose(net.energy(s), -0.5 * np.einsum("bi,ij,bj->b", s, Wz, s), atol=1e-12)


@pytest.mark.parametrize("keep", [False, True])
def test_hebbian_fields_energy_weights(keep):
    xi = random_binary(6, 50, seed=8)
    s = random_binary(3, 50, seed=9)
    W = np.array(ref.hebbian_J(xi.tolist(), keep)) / 50
    for backend in ("weights", "patterns"):
        net = ClassicalHopfield(xi, keep_diagonal=keep, backend=backend)
        np.testing.assert_allclose(net.weights, W, rtol=0, atol=1e-15)
        np.testing.assert_allclose(net.fields(s), s @ W, atol=1e-12)
        assert net.fields(s[0]).shape == (50,)
        e = net.energy(s)
        np.testing.assert_allclose(e, -0.5 * np.einsum("bi,ij,bj->b", s, W, s), atol=1e-12)
        assert isinstance(net.energy(s[0]), float)


@pytest.mark.parametrize("rule, keep, backend", [("hebbian", False, "weights"), ("hebbian", False, "patterns"),
                                                 ("hebbian", True, "patterns"), ("storkey", False, "weights"),
                                                 ("pseudo-inverse", False, "weights")])
def test_async_energy_never_increases(rule, keep, backend):
    xi = random_binary(40, 200, seed=3)  # alpha = 0.2: beyond Hebbian capacity, many flips
    net = ClassicalHopfield(xi, rule=rule, keep_diagonal=keep, backend=backend)
    res = net.run(random_binary(16, 200, seed=4), max_sweeps=50, seed=1, record_energy=True)
    d = np.diff(res.energy_trace, axis=1)
    d = d[~np.isnan(d)]
    assert d.size > 16 and np.any(d < 0)
    # Hebbian energies are multiples of 1/(2N) carried in integers: exact. Float rules: the
    # accumulated differences carry rounding of order 1e-13 at these sizes.
    assert np.all(d <= (0.0 if rule == "hebbian" else 1e-10))
    assert res.converged.all()
    np.testing.assert_allclose(res.energies, net.energy(res.states), rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("schedule", ["async", "sync", "glauber"])
@pytest.mark.parametrize("backend", ["weights", "patterns"])
def test_stored_patterns_are_fixed_points(schedule, backend):
    # P/N = 0.01: one-bit error probability Phi(-sqrt(499/4)) ~ 1e-28 (Hopfield 1982 signal-to-noise; docs/references.md, classical).
    xi = random_binary(5, 500, seed=12)
    res = ClassicalHopfield(xi, backend=backend).run(xi, schedule=schedule, seed=3)
    assert np.array_equal(res.states, xi)
    assert res.converged.all() and np.all(res.sweeps == 1) and not res.cycled.any()
    assert np.array_equal(res.best, np.arange(5)) and np.all(res.best_overlap == 1.0)


def test_retrieval_from_corrupted_cues():
    xi = random_binary(10, 500, seed=2)
    res = ClassicalHopfield(xi).run(flip(xi, fraction=0.1, seed=3), seed=4)
    assert np.array_equal(res.states, xi)


@pytest.mark.parametrize("backend", ["weights", "patterns"])
def test_hand_built_two_cycle_is_detected(backend):
    # One pattern (1, -1): W = [[0, -1/2], [-1/2, 0]]. From (1, 1) both fields are -1/2, so a
    # synchronous step gives (-1, -1), whose fields are +1/2, giving (1, 1) again: a 2-cycle.
    # E(1, 1) = E(-1, -1) = -1/2 * 2 * (-1/2) = 1/2.
    net = ClassicalHopfield(np.array([[1, -1]]), backend=backend)
    res = net.run(np.array([1, 1]), schedule="sync", record_energy=True, max_sweeps=10)
    assert res.cycled[0] and not res.converged[0]
    assert res.sweeps[0] == 2 and res.states[0].tolist() == [1, 1]
    assert res.energy_trace[0, :3].tolist() == [0.5, 0.5, 0.5]
    # Asynchronous updates break the symmetry and reach one of the two fixed points +-(1, -1).
    a = net.run(np.array([1, 1]), schedule="async", seed=0)
    assert a.converged[0] and not a.cycled[0] and abs(a.states[0].sum()) == 0


def test_glauber_zero_temperature_is_async_and_hot_runs_all_sweeps():
    xi = random_binary(20, 100, seed=6)
    cues = random_binary(6, 100, seed=7)
    net = ClassicalHopfield(xi)
    a = net.run(cues, schedule="async", seed=9, record_energy=True)
    g = net.run(cues, schedule="glauber", T=0.0, seed=9, record_energy=True)
    assert np.array_equal(a.states, g.states) and np.array_equal(a.sweeps, g.sweeps)
    h = net.run(cues, schedule="glauber", T=1.5, max_sweeps=7, seed=9)
    assert np.all(h.sweeps == 7) and not h.converged.any()


def test_same_seed_same_result_for_one_and_two_threads():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba was started with fewer than 2 threads")
    xi = random_binary(25, 300, seed=1)
    cues = flip(np.repeat(xi[:5], 8, axis=0), fraction=0.25, seed=2)
    out = []
    old = numba.get_num_threads()
    try:
        for n in (1, 2):
            numba.set_num_threads(n)
            for backend in ("weights", "patterns"):
                net = ClassicalHopfield(xi, backend=backend)
                for schedule, T in (("async", 0.0), ("glauber", 0.8), ("sync", 0.0)):
                    out.append(net.run(cues, schedule=schedule, T=T, max_sweeps=20, seed=42, record_energy=True))
    finally:
        numba.set_num_threads(old)
    half = len(out) // 2
    for r1, r2 in zip(out[:half], out[half:]):
        assert np.array_equal(r1.states, r2.states) and np.array_equal(r1.sweeps, r2.sweeps)
        assert np.array_equal(r1.energy_trace, r2.energy_trace, equal_nan=True)
    # Trial i depends on (seed, i) only: the first 3 cues alone give the same first 3 results.
    r = ClassicalHopfield(xi).run(cues[:3], schedule="glauber", T=0.8, max_sweeps=20, seed=42)
    assert np.array_equal(r.states, out[half + 4].states[:3])


def test_pseudo_inverse_stores_correlated_patterns_where_hebbian_fails():
    xi = biased_binary(20, 100, a=0.6, seed=3)  # pairwise overlaps ~ a^2 = 0.36
    heb = ClassicalHopfield(xi).run(xi, schedule="sync", max_sweeps=1)
    assert not np.array_equal(heb.states, xi)  # the crosstalk ~ (P-1) a^2 swamps the signal
    for keep in (False, True):
        pin = ClassicalHopfield(xi, rule="pseudo-inverse", keep_diagonal=keep).run(xi, schedule="sync")
        assert np.array_equal(pin.states, xi) and pin.converged.all() and np.all(pin.sweeps == 1)


def test_single_cue_gives_batch_of_one():
    xi = random_binary(3, 20, seed=0)
    res = ClassicalHopfield(xi).run(xi[1])
    assert res.states.shape == (1, 20) and res.overlaps.shape == (1, 3) and len(res) == 1
    assert res.energy_trace is None


def test_backend_choice_and_memory_limit(monkeypatch):
    xi = random_binary(5, 40, seed=0)
    assert ClassicalHopfield(xi).backend == "patterns"  # P <= N/8
    assert ClassicalHopfield(random_binary(6, 40, seed=0)).backend == "weights"  # P > N/8
    assert ClassicalHopfield(random_binary(30, 40, seed=0)).backend == "weights"
    assert ClassicalHopfield(xi, rule="storkey").backend == "weights"
    monkeypatch.setattr(_validate, "MEMORY_LIMIT_BYTES", 40 * 40 * 8 - 1)
    assert ClassicalHopfield(random_binary(30, 40, seed=0)).backend == "patterns"
    for kw in (dict(rule="storkey"), dict(rule="pseudo-inverse"), dict(backend="weights")):
        with pytest.raises(ValueError, match="weight matrix"):
            ClassicalHopfield(xi, **kw)
    with pytest.raises(ValueError, match="weight matrix"):
        ClassicalHopfield(xi).weights


@pytest.mark.parametrize(
    "make, exc, name",
    [
        (lambda: ClassicalHopfield(np.array([[1, 0, 1]])), ValueError, "patterns"),
        (lambda: ClassicalHopfield(np.array([[1.0, np.nan, 1.0]])), ValueError, "patterns"),
        (lambda: ClassicalHopfield(np.array([["a", "b"]])), TypeError, "patterns"),
        (lambda: ClassicalHopfield(np.array([[True, False]])), TypeError, "patterns"),
        (lambda: ClassicalHopfield(np.ones(5)), ValueError, "patterns"),
        (lambda: ClassicalHopfield(np.ones((0, 5))), ValueError, "patterns"),
        (lambda: ClassicalHopfield(np.ones((2, 5)), rule="oja"), ValueError, "rule"),
        (lambda: ClassicalHopfield(np.ones((2, 5)), backend="gpu"), ValueError, "backend"),
        (lambda: ClassicalHopfield(np.ones((2, 5)), rule="storkey", backend="patterns"), ValueError, "backend"),
        (lambda: ClassicalHopfield(np.ones((2, 5)), keep_diagonal=1), TypeError, "keep_diagonal"),
        (lambda: ClassicalHopfield(np.ones((2, 5)), rule="pseudo-inverse"), ValueError, "patterns"),
    ],
)
def test_bad_construction_names_the_parameter(make, exc, name):
    with pytest.raises(exc, match=name):
        make()


@pytest.mark.parametrize(
    "kw, exc, name",
    [
        (dict(cues=np.ones(6)), ValueError, "cues"),
        (dict(cues=np.array([1, 2, 1, 1, 1])), ValueError, "cues"),
        (dict(cues=np.array([1, 1, np.nan, 1, 1])), ValueError, "cues"),
        (dict(cues=np.ones((2, 2, 5))), ValueError, "cues"),
        (dict(T=-0.1, schedule="glauber"), ValueError, "T"),
        (dict(T=float("nan"), schedule="glauber"), ValueError, "T"),
        (dict(T=0.5, schedule="async"), ValueError, "T"),
        (dict(schedule="parallel"), ValueError, "schedule"),
        (dict(order="reverse"), ValueError, "order"),
        (dict(max_sweeps=0), ValueError, "max_sweeps"),
        (dict(max_sweeps=2.0), TypeError, "max_sweeps"),
        (dict(seed=-3), ValueError, "seed"),
        (dict(record_energy="yes"), TypeError, "record_energy"),
    ],
)
def test_bad_run_input_names_the_parameter(kw, exc, name):
    net = ClassicalHopfield(random_binary(2, 5, seed=0))
    kw = {"cues": np.ones(5), **kw}
    with pytest.raises(exc, match=name):
        net.run(**kw)


def test_bad_states_for_fields_and_energy():
    net = ClassicalHopfield(random_binary(2, 5, seed=0))
    with pytest.raises(ValueError, match="states"):
        net.energy(np.ones(4))
    with pytest.raises(ValueError, match="states"):
        net.fields(np.zeros(5))


def test_pseudo_inverse_rejects_dependent_patterns():
    xi = random_binary(3, 16, seed=1)
    with pytest.raises(ValueError, match="linearly dependent"):
        ClassicalHopfield(np.vstack([xi, -xi[0]]), rule="pseudo-inverse")


@pytest.mark.parametrize("T", [0.4, 1.0, 3.0])
def test_glauber_heat_bath_probability(T):
    # Pattern (1, -1) gives W = [[0, -1/2], [-1/2, 0]]. From the cue (1, 1) with order="sequential"
    # and one sweep, neuron 0 is visited first with h_0 = -1/2, so its final value is +1 with
    # probability 1/(1 + exp(-2 h_0 / T)) = 1/(1 + exp(1/T)). 40000 independent trials: the
    # frequency's standard deviation is at most 0.0025; allow 5 of them (false alarm ~ 6e-7).
    B = 40000
    net = ClassicalHopfield(np.array([[1, -1]]))
    res = net.run(np.ones((B, 2)), schedule="glauber", T=T, max_sweeps=1, order="sequential", seed=11)
    p = 1.0 / (1.0 + np.exp(1.0 / T))
    freq = np.mean(res.states[:, 0] == 1)
    assert abs(freq - p) < 5 * np.sqrt(p * (1 - p) / B)


@pytest.mark.parametrize("keep", [False, True])
@pytest.mark.parametrize("backend", ["weights", "patterns"])
def test_one_step_bit_error_matches_exact_binomial(keep, backend):
    # Start at pattern 0 and make one synchronous step. For neuron 0,
    # xi_0 N h_0 = (N - 1) + C (zero diagonal) or N + P - 1 + C (diagonal kept), where
    # C = sum_{mu != 0} sum_{j != 0} (xi_0^mu xi_0^0)(xi_j^mu xi_j^0) is a sum of n = (P-1)(N-1)
    # independent uniform +-1 terms: C = 2K - n with K ~ Binomial(n, 1/2). The bit flips iff
    # xi_0 N h_0 < 0 (a zero field keeps it). Each of R networks is independent, so the number of
    # flips is Binomial(R, p); a two-sided exact binomial test at level 1e-3 decides.
    from scipy.stats import binom, binomtest

    N, P, R = 40, 16, 1500
    n = (P - 1) * (N - 1)
    margin = N + P - 1 if keep else N - 1
    p = binom.cdf((n - margin - 1) // 2, n, 0.5)  # P(2K - n < -margin)
    assert 0.005 < p < 0.3  # a regime where the test has power (>= 15 expected flips)
    g = np.random.default_rng(2024)
    flips = 0
    for _ in range(R):
        xi = random_binary(P, N, seed=g)
        res = ClassicalHopfield(xi, keep_diagonal=keep, backend=backend).run(xi[0], schedule="sync", max_sweeps=1)
        flips += int(res.states[0, 0] != xi[0, 0])
    assert binomtest(flips, R, p).pvalue > 1e-3


def test_auto_backend_forms_hebbian_matrix_only_for_large_batches():
    xi = random_binary(12, 40, seed=3)  # P > N/8: batches use the weights kernel
    net = ClassicalHopfield(xi)
    assert net.backend == "weights" and net._W is None
    cues = flip(xi[:4], count=6, seed=4)
    small = net.run(cues, seed=5)
    assert net._W is None  # 4 cues: pattern kernel, matrix not formed
    ref = ClassicalHopfield(xi, backend="weights").run(cues, seed=5)
    assert np.array_equal(small.states, ref.states) and np.array_equal(small.sweeps, ref.sweeps)
    big_cues = flip(xi[np.arange(16) % 12], count=6, seed=6)
    big = net.run(big_cues, seed=7)
    assert net._W is not None  # 16 cues: matrix formed and kept
    ref = ClassicalHopfield(xi, backend="patterns").run(big_cues, seed=7)
    assert np.array_equal(big.states, ref.states) and np.array_equal(big.energies, ref.energies)

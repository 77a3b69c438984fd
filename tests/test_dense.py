import warnings

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import logsumexp

from hopfield.dense import DenseAssociativeMemory
from hopfield.kernels import dense as kd
from hopfield.kernels.rng import trial_states
from tests.reference import dense_energy_reference, dense_run_reference


def pm1(rng, *shape):
    return np.where(rng.random(shape) < 0.5, -1, 1).astype(np.int8)


def assert_matches_reference(mem, cues, schedule, max_sweeps, order, seed, F, n, energy_rtol, trace_atol=0.0, force_float=False):
    res = mem.run(cues, schedule=schedule, max_sweeps=max_sweeps, order=order, seed=seed, record_energy=True, _force_float=force_float)
    states = trial_states(seed, cues.shape[0])
    for b in range(cues.shape[0]):
        ref = dense_run_reference(mem.patterns, cues[b], F, n, schedule, max_sweeps, order, int(states[b]))
        assert res.states[b].tolist() == ref["state"]
        assert bool(res.converged[b]) == ref["converged"]
        assert bool(res.cycled[b]) == ref["cycled"]
        assert int(res.sweeps[b]) == ref["sweeps"]
        # poly/rectified: both sides are exact integers below 2**53 here, so rtol 0;
        # exp: float sums in different orders, rtol 1e-12.
        np.testing.assert_allclose(res.energies[b], ref["energy"], rtol=energy_rtol, atol=0)
        tr = res.energy_trace[b]
        k = len(ref["trace"])
        np.testing.assert_allclose(tr[:k], ref["trace"], rtol=energy_rtol, atol=trace_atol)
        assert np.all(np.isnan(tr[k:]))
    return res


@pytest.mark.parametrize("F", ["poly", "rectified", "exp"])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 10, 11])  # fused loops (n <= 8) and multi-pass (n >= 9)
@pytest.mark.parametrize("schedule,order", [("async", "random"), ("async", "sequential"), ("sync", "random")])
def test_kernel_equals_reference(F, n, schedule, order):
    rng = np.random.default_rng(100 * n + len(F) + len(schedule))
    N, K = 11, 9
    xi = pm1(rng, K, N)
    cues = pm1(rng, 4, N)
    mem = DenseAssociativeMemory(xi, F=F, n=n)
    assert mem.arithmetic == ("exp-shifted" if F == "exp" else "int64")
    assert_matches_reference(mem, cues, schedule, 8, order, 5, F, n, 1e-12 if F == "exp" else 0)


@given(
    N=st.integers(1, 12),
    K=st.integers(1, 7),
    n=st.integers(2, 12),
    F=st.sampled_from(["poly", "rectified", "exp"]),
    schedule=st.sampled_from(["async", "sync"]),
    order=st.sampled_from(["random", "sequential"]),
    seed=st.integers(0, 2**32),
    force_float=st.booleans(),
)
def test_kernel_equals_reference_hypothesis(N, K, n, F, schedule, order, seed, force_float):
    rng = np.random.default_rng(seed)
    xi = pm1(rng, K, N)
    cues = pm1(rng, 2, N)
    cues[1] = xi[0]  # also start on a memory
    mem = DenseAssociativeMemory(xi, F=F, n=n)
    assert mem.arithmetic == ("exp-shifted" if F == "exp" else "int64")  # N <= 12: int64 is safe
    # force_float: the float path on sizes where every value is an integer below 2**53,
    # so it is exact too: (x+1)^12 - (x-1)^12 <= 12^12 ~ 9e12, times K <= 7.
    assert_matches_reference(mem, cues, schedule, 6, order, seed, F, n, 1e-12 if F == "exp" else 0, force_float=force_float)


def test_ties_keep_state():
    # Two opposite patterns and odd n: D is even, so every field is exactly 0 and nothing moves.
    xi = np.array([[1, -1, 1, 1, -1], [-1, 1, -1, -1, 1]], dtype=np.int8)
    cue = np.array([1, 1, -1, 1, 1], dtype=np.int8)
    for n in (3, 5):
        res = DenseAssociativeMemory(xi, F="poly", n=n).run(cue, schedule="async", seed=3)
        assert res.states[0].tolist() == cue.tolist() and res.sweeps[0] == 1 and res.converged[0]
    # Two patterns that differ only at neuron 0: its two terms cancel exactly for every F
    # and every state, so neuron 0 keeps its cue value while the others move.
    rng = np.random.default_rng(8)
    p = pm1(rng, 30)
    q = p.copy()
    q[0] = -q[0]
    xi = np.stack([p, q])
    for F in ("poly", "rectified", "exp"):
        for n in (2, 3, 4):
            for s0 in (1, -1):
                cue = p.copy()
                cue[1:9] *= -1
                cue[0] = s0
                res = DenseAssociativeMemory(xi, F=F, n=n).run(cue, seed=1)
                assert res.states[0, 0] == s0
                assert np.array_equal(res.states[0, 1:], p[1:])


def test_energy_matches_definition():
    rng = np.random.default_rng(1)
    xi = pm1(rng, 13, 17)
    s = pm1(rng, 5, 17)
    a = s.astype(np.int64) @ xi.T.astype(np.int64)  # (B, K)
    for n in (2, 3, 6):
        mem = DenseAssociativeMemory(xi, "poly", n)
        assert np.array_equal(mem.energy(s), -np.sum(a.astype(float) ** n, axis=1))
        mem = DenseAssociativeMemory(xi, "rectified", n)
        assert np.array_equal(mem.energy(s), -np.sum(np.maximum(a, 0).astype(float) ** n, axis=1))
    mem = DenseAssociativeMemory(xi, "exp")
    np.testing.assert_allclose(mem.energy(s), -logsumexp(a, axis=1), rtol=1e-13)
    assert mem.energy(s[0]) == pytest.approx(dense_energy_reference(xi.tolist(), s[0].tolist(), "exp", 0), rel=1e-13)


def test_two_cycle_detected_under_sync():
    # n = 2 is the Hebbian network with zero diagonal: (1, -1) and (-1, 1) swap under sync.
    mem = DenseAssociativeMemory(np.array([[1, 1]]), F="poly", n=2)
    res = mem.run(np.array([1, -1]), schedule="sync", max_sweeps=50)
    assert res.cycled[0] and not res.converged[0] and res.sweeps[0] == 2
    assert res.states[0].tolist() == [1, -1]
    res = mem.run(np.array([1, -1]), schedule="async", seed=0)
    assert res.converged[0] and not res.cycled[0]


@pytest.mark.parametrize("F,n", [("poly", 2), ("poly", 3), ("poly", 4), ("rectified", 3), ("rectified", 4), ("exp", 3)])
def test_energy_never_increases_async(F, n):
    rng = np.random.default_rng(7)
    N, K = 40, 120 if n > 2 else 10
    xi = pm1(rng, K, N)
    cues = pm1(rng, 16, N)
    mem = DenseAssociativeMemory(xi, F=F, n=n)
    res = mem.run(cues, max_sweeps=30, seed=2, record_energy=True)
    tr = res.energy_trace
    for b in range(len(res)):
        t = tr[b, : res.sweeps[b] + 1]
        assert not np.any(np.isnan(t))
        assert np.all(np.diff(t) <= 0)
    moved = res.energy_trace[:, 0] > res.energies
    assert moved.sum() >= 8  # the test must exercise actual descents
    # incremental trace vs direct energy of the final state (float sums; rtol 1e-12)
    last = tr[np.arange(len(res)), res.sweeps]
    np.testing.assert_allclose(last, res.energies, rtol=1e-12)
    np.testing.assert_allclose(res.energies, mem.energy(res.states), rtol=1e-12)


@pytest.mark.parametrize("F,n,N,K", [("poly", 2, 300, 4), ("poly", 3, 64, 20), ("rectified", 3, 64, 20), ("poly", 5, 30, 50), ("exp", 3, 40, 200)])
def test_stored_patterns_are_fixed_points(F, n, N, K):
    # K << N^(n-1) (K << N for n = 2); for exp K << 2^(N/2) (Demircigil et al. 2017).
    rng = np.random.default_rng(11)
    xi = pm1(rng, K, N)
    res = DenseAssociativeMemory(xi, F=F, n=n).run(xi, seed=1)
    assert np.array_equal(res.states, xi)
    assert np.all(res.converged) and np.all(res.sweeps == 1)
    assert np.array_equal(res.best, np.arange(K))
    assert np.all(res.best_overlap == 1.0)


def test_exp_large_N_no_overflow():
    # N = 2000: exp(2000) overflows float64; the shifted field and log-domain energy must not.
    rng = np.random.default_rng(5)
    N, K = 2000, 12
    xi = pm1(rng, K, N)
    cues = xi[:3].copy()
    for b in range(3):
        flip = rng.choice(N, size=700, replace=False)  # 35% wrong bits
        cues[b, flip] *= -1
    mem = DenseAssociativeMemory(xi, F="exp")
    with warnings.catch_warnings():
        # numpy overflow warnings only appear with NUMBA_DISABLE_JIT=1 (compiled code is
        # silent); the finiteness checks below hold either way. The SplitMix64 wraparound
        # in hopfield.kernels.rng is intended.
        warnings.filterwarnings("error", category=RuntimeWarning, module="hopfield.kernels.dense")
        res = mem.run(cues, seed=0, record_energy=True)
        e = mem.energy(cues)
    assert np.all(np.isfinite(e)) and np.all(np.isfinite(res.energies))
    assert np.array_equal(res.states, xi[:3])
    assert np.all(res.converged)
    a = cues.astype(np.int64) @ xi.T.astype(np.int64)
    np.testing.assert_allclose(e, -logsumexp(a, axis=1), rtol=1e-13)
    a_final = xi[:3].astype(np.int64) @ xi.T.astype(np.int64)
    np.testing.assert_allclose(res.energies, -logsumexp(a_final, axis=1), rtol=1e-13)
    for b in range(3):
        t = res.energy_trace[b, : res.sweeps[b] + 1]
        assert np.all(np.isfinite(t)) and np.all(np.diff(t) <= 0)


def test_exp_large_N_sign_of_field():
    # One synchronous step at N = 2000 from a random state against an independent
    # computation: sign of sum_{xi_i=+1} e^x - sum_{xi_i=-1} e^x compared through
    # scipy's logsumexp of each group (no overflow either way).
    rng = np.random.default_rng(9)
    N, K = 2000, 60
    xi = pm1(rng, K, N)
    s = pm1(rng, N)
    res = DenseAssociativeMemory(xi, F="exp").run(s, schedule="sync", max_sweeps=1)
    a = xi.astype(np.int64) @ s.astype(np.int64)  # (K,)
    expected = s.copy()
    for i in range(N):
        x = a - xi[:, i] * s[i]
        plus = logsumexp(x[xi[:, i] == 1]) if np.any(xi[:, i] == 1) else -np.inf
        minus = logsumexp(x[xi[:, i] == -1]) if np.any(xi[:, i] == -1) else -np.inf
        if plus != minus:
            expected[i] = 1 if plus > minus else -1
    assert np.array_equal(res.states[0], expected)
    assert 0 < np.sum(expected != s) < N  # a real mix of kept and flipped neurons


# -------------------------------------------------------------- int64 switch


def brute_max_difference(N, n):
    # Reachable |x| <= N - 1; the documented bound runs to |x| <= N + 1 so that it also
    # covers the a_mu^2 sums of the n = 2, 3 forms (|a_mu| <= N).
    return max(abs((x + 1) ** n - (x - 1) ** n) for x in range(-(N + 1), N + 2))


@pytest.mark.parametrize("N,n", [(100, 3), (100, 9), (40, 12), (7, 20), (1, 4)])
def test_int64_switch_boundary(N, n):
    d = brute_max_difference(N, n)
    k_star = (2**63 - 1) // d
    if k_star >= 1:
        assert kd.select_mode("poly", N, k_star, n) == kd.MODE_INT
        assert kd.select_mode("rectified", N, k_star, n) == kd.MODE_INT
    assert kd.select_mode("poly", N, k_star + 1, n) == kd.MODE_FLOAT
    assert kd.select_mode("exp", N, k_star + 1, n) == kd.MODE_EXP


def test_int64_switch_in_class_and_speed_case():
    rng = np.random.default_rng(0)
    assert DenseAssociativeMemory(pm1(rng, 2000, 100), "poly", 3).arithmetic == "int64"
    # (x+1)^12 - (x-1)^12 at x = 39 is ~3.6e19 > 2**63: must take the float path.
    assert DenseAssociativeMemory(pm1(rng, 3, 40), "poly", 12).arithmetic == "float64"


def test_difference_coefficients_expand_binomial():
    for n in range(2, 12):
        c, odd_in_x = kd.difference_coefficients(n)
        for x in range(-9, 10):
            y = x * x
            val = sum(int(cj) * y**j for j, cj in enumerate(c)) * (x if odd_in_x else 1)
            assert val == (x + 1) ** n - (x - 1) ** n


@pytest.mark.parametrize("F", ["poly", "rectified"])
def test_float_path_equals_reference(F):
    # Forced float path on small sizes (all values < 2**53, so exact): same results as the twin.
    rng = np.random.default_rng(3)
    xi = pm1(rng, 8, 10)
    cues = pm1(rng, 3, 10)
    for n in (2, 3, 4, 6):
        mem = DenseAssociativeMemory(xi, F=F, n=n)
        res = mem.run(cues, seed=4, record_energy=True, _force_float=True)
        ref = mem.run(cues, seed=4, record_energy=True)
        assert np.array_equal(res.states, ref.states) and np.array_equal(res.sweeps, ref.sweeps)
        assert_matches_reference(mem, cues, "async", 6, "random", 4, F, n, 0)


def test_overflowing_case_taken_and_matches_exact_reference():
    # n = 20, N = 9, K = 6: differences up to ~1.2e19 overflow int64, so the float path is
    # chosen. States, sweeps and flags must equal the exact Python-int twin (no near-ties at
    # these sizes). Each float field carries a rounding error of at most about
    # K * max|D| * 2**-52 ~ 1.6e4, accumulated over at most N * max_sweeps flips in the
    # incremental trace: atol = 45 * 2e4 ~ 1e6 (on energies of order 1e17).
    rng = np.random.default_rng(21)
    xi = pm1(rng, 6, 9)
    cues = pm1(rng, 4, 9)
    atol = 9 * 5 * 6 * kd.max_abs_difference(9, 20) * 2.0**-52
    for F, schedule in (("poly", "async"), ("rectified", "sync"), ("poly", "sync")):
        mem = DenseAssociativeMemory(xi, F, 20)
        assert mem.arithmetic == "float64"
        assert_matches_reference(mem, cues, schedule, 5, "random", 8, F, 20, 1e-12, trace_atol=atol)


# -------------------------------------------------------------- determinism


def test_same_seed_any_thread_count():
    rng = np.random.default_rng(2)
    xi = pm1(rng, 300, 60)
    cues = pm1(rng, 24, 60)
    out = []
    old = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            for F in ("poly", "exp"):
                r = DenseAssociativeMemory(xi, F=F, n=3).run(cues, seed=9, record_energy=True)
                out.append((r.states.copy(), r.sweeps.copy(), r.energy_trace.copy()))
    finally:
        numba.set_num_threads(old)
    for x, y in zip(out[:2], out[2:]):
        assert np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1])
        assert np.array_equal(x[2], y[2], equal_nan=True)


def test_trial_depends_on_seed_and_index_only():
    rng = np.random.default_rng(4)
    xi = pm1(rng, 300, 50)
    cues = pm1(rng, 6, 50)
    mem = DenseAssociativeMemory(xi, "poly", 3)
    full = mem.run(cues, seed=3)
    part = mem.run(cues[:2], seed=3)
    assert np.array_equal(full.states[:2], part.states)
    other = mem.run(cues, seed=4)
    assert not np.array_equal(full.states, other.states)


# -------------------------------------------------------------- bad input


def test_bad_input_names_parameter():
    rng = np.random.default_rng(0)
    xi = pm1(rng, 5, 8)
    cases = [
        (lambda: DenseAssociativeMemory(xi, n=1), ValueError, "n"),
        (lambda: DenseAssociativeMemory(xi, n=2.5), TypeError, "n"),
        (lambda: DenseAssociativeMemory(xi, n=3.0), TypeError, "n"),
        (lambda: DenseAssociativeMemory(xi, F="cubic"), ValueError, "F"),
        (lambda: DenseAssociativeMemory(xi * 2), ValueError, "patterns"),
        (lambda: DenseAssociativeMemory(np.where(xi > 0, 1.0, np.nan)), ValueError, "patterns"),
        (lambda: DenseAssociativeMemory(xi[0]), ValueError, "patterns"),
        (lambda: DenseAssociativeMemory(np.zeros((0, 8))), ValueError, "patterns"),
        (lambda: DenseAssociativeMemory(xi > 0), TypeError, "patterns"),
        (lambda: DenseAssociativeMemory(xi).run(xi[:, :7]), ValueError, "cues"),
        (lambda: DenseAssociativeMemory(xi).run(np.zeros(8)), ValueError, "cues"),
        (lambda: DenseAssociativeMemory(xi).run(np.full(8, np.nan)), ValueError, "cues"),
        (lambda: DenseAssociativeMemory(xi).run(xi[None]), ValueError, "cues"),
        (lambda: DenseAssociativeMemory(xi).run(xi, schedule="glauber"), ValueError, "schedule"),
        (lambda: DenseAssociativeMemory(xi).run(xi, order="reverse"), ValueError, "order"),
        (lambda: DenseAssociativeMemory(xi).run(xi, max_sweeps=0), ValueError, "max_sweeps"),
        (lambda: DenseAssociativeMemory(xi).run(xi, seed=-1), ValueError, "seed"),
        (lambda: DenseAssociativeMemory(xi).run(xi, record_energy="yes"), TypeError, "record_energy"),
        (lambda: DenseAssociativeMemory(xi).energy(xi[:, :3]), ValueError, "states"),
    ]
    for fn, exc, name in cases:
        with pytest.raises(exc, match=name):
            fn()


def test_memory_guard(monkeypatch):
    from hopfield import _validate

    monkeypatch.setattr(_validate, "MEMORY_LIMIT_BYTES", 1000)
    DenseAssociativeMemory(np.ones((20, 25)))  # 500 bytes of int8 patterns: fits
    with pytest.raises(ValueError, match="patterns"):
        DenseAssociativeMemory(np.ones((40, 40)))  # 1600 bytes: over the limit


def test_docstring_examples():
    import doctest

    import hopfield.dense
    import hopfield.modern

    for mod in (hopfield.dense, hopfield.modern):
        failed, attempted = doctest.testmod(mod)
        assert attempted > 0 and failed == 0


@pytest.mark.slow
def test_appendix_b_protocol():
    # Krotov & Hopfield 2016, appendix B: N = 100, K = 2000, random starts; n = 2, 3 never
    # end on a memory, n >= 5 always do (n = 4 is at the edge and is only recorded by
    # benchmarks/bench_dense.py). With 200 starts, a true fraction of 0 (or 1) gives
    # 0 (or 200) hits; the thresholds (<= 4 and >= 196 of 200) leave room for a rare
    # exception without letting a systematic error through (a true rate of 0.1 would give
    # <= 4 hits with probability 8.4e-6).
    rng = np.random.default_rng(1606)
    xi = pm1(rng, 2000, 100)
    starts = pm1(rng, 200, 100)
    for n, expect_memory in ((2, False), (3, False), (5, True), (6, True)):
        res = DenseAssociativeMemory(xi, F="poly", n=n).run(starts, seed=n, max_sweeps=200)
        on = int(np.sum(np.abs(res.overlaps).max(axis=1) == 1.0))
        assert np.all(res.converged)
        assert (on >= 196) if expect_memory else (on <= 4), (n, on)


# --------------------------------------------- int32 blocks of the n = 3 field


@pytest.mark.parametrize("block", [1, 3, 7, 1000])
def test_field_int_n3_blocks_equal_reference(block):
    """The n = 3 field summed in int32 blocks of any length equals eq. 4 recomputed.

    Kills: a block loop that drops the last partial block (K = 23 is no multiple
    of 3 or 7), or a block sum that wraps.
    """
    from tests.reference import dense_field_reference

    rng = np.random.default_rng(block)
    N, K = 13, 23
    xi = pm1(rng, K, N)
    s = pm1(rng, N)
    xiT = np.ascontiguousarray(xi.T)
    a = s.astype(np.int64) @ xi.T.astype(np.int64)  # (K,)
    a2 = (a * a).astype(np.int32)
    c, n_even = kd.difference_coefficients(3)
    scratch = np.empty(K, np.int64)
    for i in range(N):
        h = kd._field_int(xiT[i], int(xiT[i].sum()), a, a2, int(a.sum()), np.int64(s[i]), c, n_even, False, block,
                          scratch, scratch.copy())
        # without the squared overlaps (N > SQUARES_MAX_N) the fused pass runs: same integer
        h_fused = kd._field_int(xiT[i], int(xiT[i].sum()), a, a2[:0], int(a.sum()), np.int64(s[i]), c, n_even,
                                False, block, scratch, scratch.copy())
        ref = dense_field_reference(xi.tolist(), s.tolist(), i, "poly", 3)
        assert h == ref and h_fused == ref


def test_int32_squares_bound():
    """SQUARES_MAX_N is the largest N with N^2 <= 2**31 - 1 (a_mu^2 <= N^2 fits int32)."""
    assert kd.SQUARES_MAX_N**2 <= 2**31 - 1 < (kd.SQUARES_MAX_N + 1) ** 2


def test_block_sum_mutant_is_caught(monkeypatch):
    """A block loop that skips the last partial block is caught by the test above."""

    def dropping(row, rowsum_i, a, a2, A, si, c, n_even, rect, block, t, acc):
        K = a.shape[0]
        a2 = a * a
        s2 = 0
        for start in range(0, K - K % block if K % block else K, block):
            s2 += int(np.sum(row[start:start + block].astype(np.int64) * a2[start:start + block]))
        return c[1] * (s2 - 2 * si * A + rowsum_i) + c[0] * rowsum_i

    monkeypatch.setattr(kd, "_field_int", dropping)
    with pytest.raises(AssertionError):
        test_field_int_n3_blocks_equal_reference(7)

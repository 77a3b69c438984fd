"""The capacity-scan kernel against its slow twin, the classical simulator, and itself on other thread counts."""

import numba
import numpy as np
import pytest

from hopfield.capacity import capacity_scan, point_seeds
from hopfield.classical import ClassicalHopfield
from hopfield.kernels import capacity as kcap
from hopfield.kernels.rng import shuffle_inplace, trial_states
from tests.reference_capacity_scan import capacity_trial_reference

# (N, P list, n_flip, max_sweeps): odd and even P (ties), no flip, everything flipped, a cut-off at 1-2 sweeps
CASES = [(24, [1, 3, 6], 5, 30), (37, [2, 5, 9], 11, 30), (64, [4, 12], 20, 2), (20, [7], 20, 1), (33, [3], 0, 30)]


def _twin_mismatches(seed=5, trials=6) -> int:
    """Trials (over CASES) whose overlap, converged flag or sweep count differ from the twin's."""
    bad = 0
    for N, Ps, n_flip, max_sweeps in CASES:
        scan = capacity_scan(N, Ps, trials, count=n_flip, seed=seed, max_sweeps=max_sweeps)
        for j, P in enumerate(Ps):
            for t, state in enumerate(point_seeds(seed, P, trials)):
                m, cv, n = capacity_trial_reference(N, P, n_flip, max_sweeps, int(state))
                got = (int(round(scan.overlap[j, t] * N)), bool(scan.converged[j, t]), int(scan.sweeps[j, t]))
                bad += got != (m, cv, n)
    return bad


def test_kernel_matches_slow_twin_exactly():
    assert _twin_mismatches() == 0


def _classical_mismatches(seed=3) -> int:
    """``recall`` against ``ClassicalHopfield.run`` on the same patterns, cue and stream (bit for bit)."""
    bad = 0
    rng = np.random.default_rng(seed)
    for N, P, n_flip in ((40, 3, 8), (41, 6, 12), (60, 9, 25), (30, 8, 15)):
        xi = np.where(rng.random((P, N)) < 0.5, -1, 1).astype(np.int8)
        cue = xi[0].copy()
        cue[rng.permutation(N)[:n_flip]] *= -1
        ref = ClassicalHopfield(xi, backend="patterns").run(cue, seed=11, max_sweeps=50)
        s = cue.copy()
        state = trial_states(11, 1)
        M = np.empty(P, np.int64)
        cv, n = kcap.recall(np.ascontiguousarray(xi.T), M, s, np.empty(N, np.int64), state, 50)
        bad += not (np.array_equal(s, ref.states[0]) and cv == ref.converged[0] and n == ref.sweeps[0]
                    and np.array_equal(M, xi.astype(np.int64) @ s))
    return bad


def test_recall_matches_classical_simulator_bit_for_bit():
    assert _classical_mismatches() == 0


def test_threads_points_and_trials_do_not_change_results():
    default = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = capacity_scan(80, [4, 10, 16], 12, fraction=0.2, seed=7)
        numba.set_num_threads(max(2, default))
        many = capacity_scan(80, [4, 10, 16], 12, fraction=0.2, seed=7)
    finally:
        numba.set_num_threads(default)
    for f in ("overlap", "sweeps", "converged"):
        assert np.array_equal(getattr(one, f), getattr(many, f))
    alone = capacity_scan(80, 10, 5, fraction=0.2, seed=7)  # a point alone, fewer trials: the same trials
    assert np.array_equal(alone.overlap[0], one.overlap[1, :5])
    assert not np.array_equal(capacity_scan(80, 10, 12, fraction=0.2, seed=8).overlap[0], one.overlap[1])


def test_outcomes_are_plausible():
    # Far below capacity (alpha = 0.02, 10% noise) recall is certain in practice: the probability
    # of any unstable bit is N Phi(-sqrt(N/P)) ~ 200 Phi(-7) ~ 3e-10; far above it (alpha = 0.5) the
    # pattern is never a fixed point of a network of this size (Amit et al. 1987), so recall fails.
    scan = capacity_scan(200, [4, 100], 30, fraction=0.1, seed=1)
    assert scan.success_rate.tolist() == [1.0, 0.0]
    assert scan.converged[0].all() and (scan.sweeps[0] == 2).all()
    assert scan.n_flip == 20 and scan.P.tolist() == [4, 100]


@pytest.mark.parametrize("kwargs, exc, words", [
    (dict(N=1), ValueError, "N must be >= 2"),
    (dict(N=10.0), TypeError, "N must be an integer"),
    (dict(P=0), ValueError, "P must be >= 1"),
    (dict(P=[]), ValueError, "P must contain"),
    (dict(P="5"), TypeError, "P must be an integer"),
    (dict(trials=0), ValueError, "trials must be >= 1"),
    (dict(count=None), ValueError, "exactly one of fraction and count"),
    (dict(fraction=0.1), ValueError, "exactly one of fraction and count"),
    (dict(count=None, fraction=1.5), ValueError, "fraction must lie in [0, 1]"),
    (dict(count=41), ValueError, "count must be <= 40"),
    (dict(seed=-1), ValueError, "seed must be >= 0"),
    (dict(max_sweeps=0), ValueError, "max_sweeps must be >= 1"),
])
def test_bad_input_is_named(kwargs, exc, words):
    args = dict(N=40, P=[2, 3], trials=2, count=4, seed=0)
    args.update(kwargs)
    with pytest.raises(exc, match=words.replace("[", r"\[").replace("]", r"\]")):
        capacity_scan(**args)


# -- mutants: a Python copy of the kernel with one bug, swapped in for kernels.capacity.trials_range ----


def _flip_with_replacement(perm, n_flip, state):
    """Bug: positions drawn independently (a position can come twice, so fewer bits flip)."""
    N = perm.shape[0]
    for k in range(n_flip):
        perm[k] = kcap.next_below(state, N)


def _recall_keep_diagonal(xiT, M, s, order, state, max_sweeps):
    """Bug: the self-coupling w_ii = P/N is kept (no ``- P s_i``)."""
    N, P = xiT.shape
    M[:] = xiT.T.astype(np.int64) @ s.astype(np.int64)
    order[:] = np.arange(N)
    for sweep in range(max_sweeps):
        shuffle_inplace(order, state)
        changed = 0
        for i in order:
            acc = int(np.dot(xiT[i].astype(np.int64), M))
            new = 1 if acc > 0 else (-1 if acc < 0 else s[i])
            if new != s[i]:
                M += 2 * new * xiT[i].astype(np.int64)
                s[i] = new
                changed += 1
        if changed == 0:
            return True, sweep + 1
    return False, max_sweeps


def _recall_fresh_order(xiT, M, s, order, state, max_sweeps):
    """Bug: every sweep shuffles 0..N-1 afresh instead of the previous order."""
    N, P = xiT.shape
    M[:] = xiT.T.astype(np.int64) @ s.astype(np.int64)
    for sweep in range(max_sweeps):
        order[:] = np.arange(N)
        shuffle_inplace(order, state)
        changed = 0
        for i in order:
            acc = int(np.dot(xiT[i].astype(np.int64), M)) - P * int(s[i])
            new = 1 if acc > 0 else (-1 if acc < 0 else s[i])
            if new != s[i]:
                M += 2 * new * xiT[i].astype(np.int64)
                s[i] = new
                changed += 1
        if changed == 0:
            return True, sweep + 1
    return False, max_sweeps


def _draw_patterns(xiT, state):
    N, P = xiT.shape
    for k in range(N * P):
        if k % 64 == 0:
            word = int(kcap.next_u64(state))
        xiT[k % N, k // N] = 1 if (word >> (k % 64)) & 1 else -1


def _flip_positions(perm, n_flip, state):
    N = perm.shape[0]
    for k in range(n_flip):
        j = k + kcap.next_below(state, N - k)
        perm[k], perm[j] = perm[j], perm[k]


def _python_trials_range(flip_positions=_flip_positions, recall=None):
    recall = recall or kcap.recall

    def trials_range(b0, b1, N, Ps, seeds, n_flip, max_sweeps, overlap, sweeps, converged):
        for b in range(b0, b1):
            state = np.array([seeds[b]], np.uint64)
            xiT = np.empty((N, Ps[b]), np.int8)
            _draw_patterns(xiT, state)
            s = xiT[:, 0].copy()
            perm = np.arange(N)
            flip_positions(perm, n_flip, state)
            s[perm[:n_flip]] *= -1
            M = np.empty(Ps[b], np.int64)
            converged[b], sweeps[b] = recall(xiT, M, s, np.empty(N, np.int64), state, max_sweeps)
            overlap[b] = int(xiT[:, 0].astype(np.int64) @ s)
    return trials_range


def test_python_copy_of_the_kernel_is_faithful(monkeypatch):
    # the harness of the mutants below, without a bug, passes: what they break is the bug alone
    monkeypatch.setattr(kcap, "trials_range", _python_trials_range())
    assert _twin_mismatches(trials=3) == 0


@pytest.mark.parametrize("mutant", [dict(flip_positions=_flip_with_replacement),
                                    dict(recall=_recall_keep_diagonal), dict(recall=_recall_fresh_order)],
                         ids=["flip-with-replacement", "keep-diagonal", "fresh-order"])
def test_twin_comparison_kills_mutant(monkeypatch, mutant):
    monkeypatch.setattr(kcap, "trials_range", _python_trials_range(**mutant))
    assert _twin_mismatches(trials=3) > 0


@pytest.mark.parametrize("recall", [_recall_keep_diagonal, _recall_fresh_order], ids=["keep-diagonal", "fresh-order"])
def test_classical_comparison_kills_mutant(monkeypatch, recall):
    monkeypatch.setattr(kcap, "recall", recall)
    assert _classical_mismatches() > 0

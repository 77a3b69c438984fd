"""Palimpsests: kernels against their slow twins, same bits for any thread count, bad input."""

import numba
import numpy as np
import pytest

from hopfield import palimpsest as pal
from hopfield.patterns import random_binary
from tests.reference_palimpsest import aligned_ref, write_ref


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("rule,kw", [("marginalist", {"lam": 0.93}), ("bounded", {"A": 0.4})])
def test_write_equals_twin_bit_for_bit(rule, kw, dtype):
    xi = random_binary(60, 23, seed=3)  # bounded: 0.4 * sqrt(23) / (1/23) = 44 steps to the bound, < 60
    J = pal.stream_weights(xi, rule, dtype=dtype, **kw)
    ref = write_ref(xi, rule, dtype=dtype, lam=kw.get("lam", 1.0), A=kw.get("A"))
    assert J.dtype == dtype
    np.testing.assert_array_equal(J, ref)  # the same operations in the same order: the same bits
    if rule == "bounded":  # the bound is reached, so the clip is exercised
        assert np.abs(J).max() == dtype(0.4 / np.sqrt(23))


def test_twin_comparison_can_fail():
    """A slip the comparison must catch: no decay of the old couplings."""
    xi = random_binary(30, 17, seed=1)
    J = pal.stream_weights(xi, lam=1.0)
    assert not np.array_equal(J, write_ref(xi, "marginalist", lam=0.9))
    np.testing.assert_array_equal(J, write_ref(xi, "marginalist", lam=1.0))


def test_aligned_fields_equal_twin():
    xi = random_binary(80, 31, seed=2)
    J = pal.stream_weights(xi, eps=3.0)
    ages = np.array([0, 1, 7, 79])
    np.testing.assert_allclose(pal.aligned_fields(J, xi, ages), aligned_ref(J, xi, ages), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("rule,kw", [("marginalist", {"eps": 6.0}), ("bounded", {"A": 0.5})])
def test_same_bits_for_any_thread_count(rule, kw):
    n0 = numba.get_num_threads()
    out = []
    try:
        for n in (1, max(2, n0) if numba.config.NUMBA_NUM_THREADS >= 2 else 1):
            numba.set_num_threads(n)
            out.append(pal.simulate(60, [0, 3, 20], rule, burn_in=200, flip=0.1, seed=11, **kw))
    finally:
        numba.set_num_threads(n0)
    for r in out[1:]:
        for f in ("overlaps", "field_mean", "field_var"):
            np.testing.assert_array_equal(getattr(r, f), getattr(out[0], f))


def test_same_seed_same_result_other_seed_differs():
    a = pal.simulate(50, [0, 10], eps=5.0, seed=4, flip=0.2)
    b = pal.simulate(50, [0, 10], eps=5.0, seed=4, flip=0.2)
    c = pal.simulate(50, [0, 10], eps=5.0, seed=5, flip=0.2)
    np.testing.assert_array_equal(a.field_var, b.field_var)
    assert not np.array_equal(a.field_var, c.field_var)


def test_recent_pattern_retrieved_old_one_lost():
    r = pal.simulate(200, [0, 600], eps=8.0, seed=0)  # window ~ 0.05 N = 10 patterns
    assert r.overlaps[0] == 1.0 and r.overlaps[1] < 0.5


def test_retrieve_runs_the_dynamics():
    """A cue with 20% flipped bits of the newest pattern is cleaned up (the overlap rises above the cue's 0.6)."""
    xi = random_binary(300, 200, seed=8)
    J = pal.stream_weights(xi, eps=8.0)
    assert pal.retrieve(J, xi, [0], flip=0.2, seed=1)[0] > 0.95


@pytest.mark.parametrize("call,match", [
    (lambda: pal.forgetting_factor(10, eps=1.0, lam=0.9), "exactly one of eps and lam"),
    (lambda: pal.forgetting_factor(10, eps=11.0), "eps must lie"),
    (lambda: pal.forgetting_factor(10, lam=1.5), "lam must lie"),
    (lambda: pal.stream_weights(np.ones((3, 4)), "bounded"), "needs A"),
    (lambda: pal.stream_weights(np.ones((3, 4)), "bounded", A=0.5, lam=0.9), "takes A"),
    (lambda: pal.stream_weights(np.ones((3, 4)), "hebb", eps=1.0), "rule"),
    (lambda: pal.stream_weights(np.full((3, 4), 2), eps=1.0), "patterns"),
    (lambda: pal.stream_weights(np.ones((3, 4)), eps=1.0, dtype="int8"), "dtype"),
    (lambda: pal.simulate(10, [0, -1], eps=1.0), "ages"),
    (lambda: pal.simulate(10, [0.5], eps=1.0), "ages"),
    (lambda: pal.simulate(10, [0], eps=1.0, flip=2.0), "flip"),
    (lambda: pal.simulate(10, [0], lam=1.0), "never forgets"),
    (lambda: pal.simulate(10, [0], "bounded", A=-1.0), "A"),
    (lambda: pal.aligned_fields(np.zeros((4, 4)), np.ones((3, 5)), [0]), "J has N=4"),
    (lambda: pal.retrieve(np.zeros((4, 4)), np.ones((3, 4)), [3]), "ages must lie"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()

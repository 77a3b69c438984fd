"""Pieces of ``kv-decay-mqar``: the MQAR crosstalk weight, the accuracy integral and the check's points."""

import numpy as np
import pytest

import theory.forgetting as tf
from simulations.checks.suite import forgetting as cf
from simulations.estimators import forgetting as sf


def test_crosstalk_weight_is_the_direct_sum():
    lam, P, q, j = 0.9, 5, 17, 2
    ages = q - (2 * np.arange(P) + 1)
    noise = np.arange(ages[-1])  # a noise write at every token after the pairs, the query's own included
    direct = np.sum(lam ** (2.0 * np.delete(ages, j))) + np.sum(lam ** (2.0 * noise))
    got = float(tf.mqar_crosstalk_weight().evaluate(lam=lam, age=ages[j], newest=ages[-1], P=P))
    assert got == pytest.approx(direct, rel=1e-12)
    # the test can fail: without the noise writes the weight is smaller by their sum
    assert abs(got - (direct - np.sum(lam ** (2.0 * noise)))) > 0.5


def test_accuracy_falls_with_the_gap_and_rejects_bad_input():
    acc = tf.mqar_accuracy(32, 0.95, np.array([16, 30, 60]), 7, 8, 128)
    assert np.all(np.diff(acc) < 0) and 0 < acc[-1] < acc[0] < 1
    with pytest.raises(ValueError, match="pair"):
        tf.mqar_accuracy(32, 0.95, 20, 8, 8, 128)
    with pytest.raises(ValueError, match="query_pos"):
        tf.mqar_accuracy(32, 0.95, 10, 0, 8, 128)
    with pytest.raises(ValueError, match="V"):
        tf.mqar_accuracy(32, 0.95, 20, 0, 8, 8)
    with pytest.raises(ValueError, match="lam"):
        tf.mqar_accuracy(32, 1.5, 20, 0, 8, 128)


def test_simulation_is_deterministic_and_validated():
    a = sf.decay_mqar(16, 0.9, 4, 32, 50, seed=3)
    b = sf.decay_mqar(16, 0.9, 4, 32, 50, seed=3)
    assert np.array_equal(a["correct"], b["correct"]) and a["V"] == 128
    assert np.array_equal(a["gaps"], a["query_pos"] - 2 * a["query_pair"] - 1)
    with pytest.raises(ValueError, match="L must be"):
        sf.decay_mqar(16, 0.9, 4, 15, 50)
    with pytest.raises(ValueError, match="lam"):
        sf.decay_mqar(16, 0.0, 4, 32, 50)


def test_points_pass_on_the_simulation_and_fail_on_a_wrong_decay():
    res = sf.decay_mqar(32, 0.95, 8, 128, 600, seed=1)
    pts = cf.mqar_points(res, 32, 0.95, 8)
    assert len(pts) >= 4 and all(abs(p.params["sim"] - p.theory) < 0.15 for p in pts)
    # the same outcomes held against the theory of a faster decay: the long gaps are far off
    wrong = cf.mqar_points(res, 32, 0.9, 8, tolerance=3 / 32)
    off = [abs(p.params["sim"] - p.theory) for p in wrong if p.label in ("gap 16-31", "gap 32-63")]
    assert max(off) > 0.3

"""Experiment 4's summaries without JAX: the key-geometry probe and the ideal memories' closed forms."""

import numpy as np
import pytest

from simulations.train import mqar_table as T
from theory.kv_memory import argmax_accuracy


def _gram(u):
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    return np.einsum("npd,nqd->npq", u, u)


def test_key_geometry_of_random_orthogonal_and_parallel_keys():
    rng = np.random.default_rng(0)
    d, P = 64, 16
    r = T.key_geometry(_gram(rng.standard_normal((200, P, d))), P, d)
    # random keys: E|cos| = sqrt(2/(pi d)) (1 + O(1/d)), RMS cos = 1/sqrt(d); 200 x 240 cosines
    assert r["mean_abs_cos"] == pytest.approx(r["random_mean_abs_cos"], rel=0.03)
    assert r["rms_cos"] == pytest.approx(r["random_rms_cos"], rel=0.03)
    q = np.linalg.qr(rng.standard_normal((d, P)))[0].T[None]  # orthonormal keys
    o = T.key_geometry(_gram(q), P, d)
    assert o["mean_abs_cos"] < 1e-12 and o["effective_rank"] == pytest.approx(P)
    par = T.key_geometry(_gram(np.ones((1, P, d)) + 1e-9 * rng.standard_normal((1, P, d))), P, d)
    assert par["mean_abs_cos"] == pytest.approx(1.0) and par["effective_rank"] < 1.01
    # padding beyond P is ignored (the block used is the leading P x P)
    big = _gram(rng.standard_normal((5, P + 4, d)))
    assert T.key_geometry(big, P, d) == T.key_geometry(big[:, :P, :P], P, d)


@pytest.mark.parametrize("d,P", [(16, 16), (32, 8)])
def test_outer_product_closed_form_is_the_argmax_accuracy(d, P):
    """With only the stored values as candidates it is theory.kv_memory.argmax_accuracy(d, M=P, V=P, "other")
    (two independent quadratures); a fresh candidate more lowers it."""
    ref = float(argmax_accuracy(d, P, P, "other"))
    assert T.outer_product_closed_form(d, P, P) == pytest.approx(ref, abs=1e-6)
    assert T.outer_product_closed_form(d, P, P + 50) < ref - 1e-3


def test_closed_form_tracks_the_simulated_memory():
    """The outer-product closed form against hopfield.mqar's simulated memory near capacity (M = P = 64 pairs
    at d = 24, M/d^2 = 0.11; 16 x 64 queries). Far below capacity (M of order d) the Gaussian formula is low by
    several percent (theory.kv_memory.argmax_accuracy, Notes), so the test sits where it is meant to hold."""
    class C:
        widths, pairs, vocab_size, seq_len, power_a, seed, n_ideal = (24,), (64,), 256, 256, 0.01, 0, 16

    r = T.ideal_memories(C, closed_form=True, memories=("hebbian", "softmax"))
    h = r["memories"]["hebbian"]
    # binomial standard error 0.016 over 1024 queries (3 se = 0.05), plus the formula's error of about 1.1/d
    assert abs(h["simulated"][0][0] - h["closed_form"][0][0]) < 0.05 + 1.1 / 24
    assert r["memories"]["softmax"]["state_size"][0][0] == 2 * 64 * 24 and h["state_size"][0][0] == 24 * 24
    assert r["memories"]["softmax"]["closed_form"][0][0] is None

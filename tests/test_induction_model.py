"""The built two-layer induction model: memories, forward pass, probes, one-step construction."""

import numpy as np
import pytest

from hopfield.bigram import synthetic_bigram
from hopfield.induction import (Memory, build_induction_model, build_one_step, forward, one_step_memory,
                                probes)
from hopfield.induction_data import trigger_sequences
from tests.reference_induction import ce_gradient_at_zero_numeric, ffn_memory_slow, forward_slow

BG = synthetic_bigram(8, seed=0)


@pytest.mark.parametrize("pe", ["ape", "rpe"])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
def test_forward_matches_slow_twin(pe, dtype, tol):
    m = build_induction_model(BG, d=16, T_max=12, seed=3, pe=pe, beta1=3.0, beta2=2.0, beta_O=1.5, gamma=0.7)
    tok, _ = trigger_sequences(BG, 3, 10, K=2, seed=1)
    out = forward(m, tok, dtype=dtype)
    for i in range(3):
        A1, A2, lg = forward_slow(m, tok[i])
        assert np.allclose(out.A1[i], A1, atol=tol) and np.allclose(out.A2[i], A2, atol=tol)
        assert np.allclose(out.logits[i], lg, atol=tol * 10, rtol=tol)


def test_one_step_model_forward_matches_slow_twin():
    tok, fl = trigger_sequences(BG, 20, 16, K=2, seed=2)
    m = build_one_step(BG, tok, fl, d=8, seed=1, beta1=2.0, beta2=2.0, beta_O=1.0, gamma=0.5)
    out = forward(m, tok[:2])
    for i in range(2):
        A1, A2, lg = forward_slow(m, tok[i])
        assert np.allclose(out.A1[i], A1, atol=1e-10) and np.allclose(out.logits[i], lg, atol=1e-9)


def test_closed_form_memories_are_the_sums():
    m = build_induction_model(BG, d=12, T_max=7, seed=0)
    W1 = sum(np.outer(m.P[t], m.P[t - 1]) for t in range(1, 7))
    W2 = sum(np.outer(m.w_E[k], m.W_OV1 @ m.w_E[k]) for k in range(8))
    WO = sum(np.outer(m.w_U[k], m.W_V2 @ m.w_E[k]) for k in range(8))
    assert np.allclose(m.K1.dense(), W1) and np.allclose(m.K2.dense(), W2) and np.allclose(m.O2.dense(), WO)
    assert np.allclose(m.F.dense(), ffn_memory_slow(BG, m.w_E, m.w_U))


def test_one_step_memory_is_minus_the_gradient_at_zero():
    rng = np.random.default_rng(0)
    m, J, d = 5, 4, 3
    X, Y = rng.normal(size=(m, d)), rng.normal(size=(m, J, d))
    tg = rng.integers(J, size=m)
    W = one_step_memory(X, Y[np.arange(m), tg], Y.mean(1)).dense()
    assert np.allclose(W, -ce_gradient_at_zero_numeric(X, Y, tg), atol=1e-7)


def test_one_step_prev_token_memory_is_the_explicit_sum():
    tok, fl = trigger_sequences(BG, 4, 9, K=2, seed=3)
    m = build_one_step(BG, tok, fl, d=6, seed=2)
    x = m.w_E[tok] + m.P[None, :9]
    W = np.zeros((6, 6))
    for b in range(4):
        for t in range(1, 9):
            W += np.outer(x[b, t], x[b, t - 1] - x[b, : t + 1].mean(0))
    # same direction; normalised so that the mean signal is 1
    sig = np.mean([x[b, t] @ W @ (x[b, t - 1] - x[b, : t + 1].mean(0)) for b in range(4) for t in range(1, 9)])
    assert np.allclose(m.K1.dense(), W / sig)


def test_attention_rows_are_causal_distributions():
    m = build_induction_model(BG, d=32, T_max=20, seed=0)
    out = forward(m, trigger_sequences(BG, 2, 20, seed=0)[0])
    for A in (out.A1, out.A2):
        assert np.allclose(A.sum(-1), 1) and np.all(np.triu(A[0], 1) == 0)


def test_forward_is_deterministic_and_batch_independent():
    tok, _ = trigger_sequences(BG, 6, 16, seed=4)
    a = forward(build_induction_model(BG, 32, 16, seed=5), tok)
    b = forward(build_induction_model(BG, 32, 16, seed=5), tok)
    assert np.array_equal(a.logits, b.logits)
    c = forward(build_induction_model(BG, 32, 16, seed=5), tok[2:4])
    assert np.allclose(c.logits, a.logits[2:4], rtol=1e-12, atol=1e-12)


def test_probes_on_the_built_model_and_a_broken_one():
    bg = synthetic_bigram(16, seed=1)
    tok, fl = trigger_sequences(bg, 12, 48, K=2, seed=0)
    good = probes(build_induction_model(bg, 256, 48, seed=0, gamma=0.0), tok, fl)
    assert good["prev_token"] == 1.0 and good["copy"] == 1.0 and good["induction"] > 0.95 and good["icl"] > 0.9
    flat = probes(build_induction_model(bg, 256, 48, seed=0, gamma=0.0, beta1=0.0), tok, fl)
    assert flat["prev_token"] < 0.2  # uniform layer-1 attention: argmax is position 0
    blind = probes(build_induction_model(bg, 256, 48, seed=0, gamma=0.0, beta2=0.0), tok, fl)
    assert blind["icl"] < good["icl"] - 0.2  # uniform layer-2 attention copies the frequent tokens


def test_rpe_previous_token_head_works_beyond_d():
    # APE with T = 4 d loses the previous token, RPE keeps it (Wang & Sato 2024)
    bg = synthetic_bigram(8, seed=0)
    tok, _ = trigger_sequences(bg, 2, 128, K=0, seed=0)
    ape = probes(build_induction_model(bg, 32, 128, seed=0, pe="ape"), tok)["prev_token"]
    rpe = probes(build_induction_model(bg, 32, 128, seed=0, pe="rpe"), tok)["prev_token"]
    assert rpe == 1.0 and ape < 0.8


def test_bad_model_input():
    m = build_induction_model(BG, d=8, T_max=6, seed=0)
    with pytest.raises(ValueError, match="outside the vocabulary 0..7"):
        forward(m, [[0, 8]])
    with pytest.raises(ValueError, match="T = 7 exceeds the model's T_max = 6"):
        forward(m, np.zeros((1, 7), int))
    with pytest.raises(ValueError, match="d must be >= 2"):
        build_induction_model(BG, d=1, T_max=6)
    with pytest.raises(ValueError, match="pe must be one of"):
        build_induction_model(BG, d=8, T_max=6, pe="rope")
    with pytest.raises(ValueError, match="beta2 must be >= 0"):
        build_induction_model(BG, d=8, T_max=6, beta2=-1.0)
    with pytest.raises(TypeError, match="tokens must be an integer array"):
        forward(m, [[0.5, 1.0]])
    with pytest.raises(TypeError, match="bigram must be"):
        build_induction_model(BG.pi_b, d=8, T_max=6)
    with pytest.raises(ValueError, match="no repeated trigger output"):
        build_one_step(BG, np.zeros((1, 4), int), np.zeros((1, 4), int), d=8)
    assert isinstance(m.K1, Memory)


@pytest.mark.parametrize("pe, d", [("ape", 8), ("rpe", 3)])
def test_positional_recall_matches_slow_twin(pe, d):
    from hopfield.induction import positional_recall
    from tests.reference_induction import positional_recall_slow
    for seed in range(3):
        m = build_induction_model(BG, d=d, T_max=40, seed=seed, pe=pe)
        assert positional_recall(m) == pytest.approx(positional_recall_slow(m, 40), abs=1e-12)

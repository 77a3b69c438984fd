"""theory.induction: exact orthonormal simulation, SymPy identities, planning-time recall numbers."""

import numpy as np
import pytest
import sympy as sp

import theory.induction as th
from hopfield.bigram import synthetic_bigram
from hopfield.induction import InductionModel, Memory, forward
from hopfield.induction_data import context_counts, designed_prompts


def orthonormal_model(bg, T, beta2, beta_O, gamma, beta1=80.0):
    """The model under assumptions A1 (orthonormal embeddings) and A2 (beta1 large): a slow, exact twin."""
    V = bg.V
    d = 4 * V + T
    I = np.eye(d)
    w_E, w_U, w_1, u = I[:V], I[V:2 * V], I[2 * V:3 * V], I[3 * V:4 * V]
    P = I[4 * V:4 * V + T]
    W_OV1 = w_1.T @ w_E  # w_E(k) -> w_1(k), positions -> 0
    W_V2 = u.T @ w_E  # w_E(k) -> u_k
    alpha = bg.log_pi_b - bg.log_pi_b.mean(1, keepdims=True)
    return InductionModel(w_E, w_U, P, W_OV1, W_V2, Memory(P[1:], P[:-1]), Memory(w_E, w_1),
                          Memory(w_U, u), Memory(alpha @ w_U, w_E), beta1, beta2, beta_O, gamma, "ape")


@pytest.mark.parametrize("n_q, c, cbar, beta2", [(3, 2, 1, 1.5), (5, 1, 4, 3.0), (2, 2, 0, 0.5), (4, 0, 3, 2.0)])
def test_closed_form_equals_the_orthonormal_model(n_q, c, cbar, beta2):
    bg = synthetic_bigram(8, seed=1)
    t = 24
    p = designed_prompts(bg, 3, t=t, n_q=n_q, c_qk=c, cbar_k=cbar, seed=2)
    m = orthonormal_model(bg, t, beta2, beta_O=2.0, gamma=0.7)
    lg = forward(m, p.tokens).logits[:, -1]
    nq, cc, cb = context_counts(p.tokens, bg.V)
    pred = th.logits().evaluate(beta2=beta2, beta_O=2.0, gamma=0.7, c=cc, cbar=cb, n_q=nq[:, None], t=t,
                                ell=bg.log_pi_b[p.q])
    # equal up to a constant per prompt (the dropped row constant and the residual stream's own terms)
    diff = lg - pred
    assert np.allclose(diff - diff.mean(1, keepdims=True), 0, atol=1e-9)
    # mutant: the normaliser without the boosted positions (t alone) is not the model
    wrong = 2.0 * (np.exp(beta2) * cc + cb) / t + 0.7 * bg.log_pi_b[p.q]
    dw = lg - wrong
    assert not np.allclose(dw - dw.mean(1, keepdims=True), 0, atol=1e-3)


def test_limits_and_flip_identities():
    S = th.symbols()
    xi = th.logits().expr
    assert sp.simplify(th.logits_beta2_limit().expr - (S["beta_O"] * S["c"] / S["n_q"] + S["gamma"] * S["ell"])) == 0
    # at beta2 = 0 the in-context part is the in-context unigram frequency (c + cbar)/t
    unigram = S["beta_O"] * (S["c"] + S["cbar"]) / S["t"] + S["gamma"] * S["ell"]
    assert sp.simplify(xi.subs(S["beta2"], 0) - unigram) == 0
    gap = th.logit_gap().expr
    assert sp.simplify(gap.subs(S["gamma"], th.flip_gamma().expr)) == 0
    gap_m = gap.subs({S["cbar_g"]: 0, S["n_q"]: S["c"] + S["m"]})
    assert sp.simplify(gap_m.subs(S["c"], th.flip_count().expr)) == 0
    # dilution: t * (in-context part) -> e^beta2 c + cbar as t -> infinity
    ic = xi - S["gamma"] * S["ell"]
    lead = sp.limit(ic * S["t"], S["t"], sp.oo) / S["beta_O"]
    assert sp.simplify(lead - (sp.exp(S["beta2"]) * S["c"] + S["cbar"])) == 0
    assert th.deviation_exponent().evaluate() == -0.5


def test_prev_token_variances_are_the_kv_memory_ones():
    v = th.prev_token_variances()
    d, T = 64.0, 257.0
    assert v["ape_signal"].evaluate(d=d, T=T) == pytest.approx(4 / d + (T + 2) / d**2)
    assert v["ape_other"].evaluate(d=d, T=T) == pytest.approx(2 / d + (T + 1) / d**2)
    assert v["rpe_other"].evaluate(d=d) == pytest.approx(1 / d)


# Previous-token recall measured while planning (fraction of t with argmax_s p_t^T W_K1 p_s = t - 1)
PLANNING = [(64, 64, 0.98), (64, 256, 0.72), (64, 1024, 0.18), (128, 256, 1.00), (128, 1024, 0.69),
            (128, 2048, 0.33), (256, 1024, 1.00), (256, 2048, 0.96)]


@pytest.mark.parametrize("d, T, measured", PLANNING)
def test_ape_recall_matches_planning_measurements(d, T, measured):
    # the Gaussian-independence approximation: within 0.05 of the numbers measured while planning
    assert th.prev_token_recall_ape(d, T) == pytest.approx(measured, abs=0.05)


def test_ape_recall_mutant_without_stored_pairs_is_far_off():
    # dropping the (T+1)/d^2 crosstalk of the stored pairs predicts near-perfect recall at d = 64, T = 1024
    from scipy.special import ndtr
    z, w = np.polynomial.hermite_e.hermegauss(60)
    w = w / w.sum()
    s_s, s_o = np.sqrt(4 / 64), np.sqrt(2 / 64)
    wrong = np.mean([w @ ndtr((1 + s_s * z) / s_o) ** t for t in range(1, 1024)])
    assert abs(wrong - 0.18) > 0.3 and abs(th.prev_token_recall_ape(64, 1024) - 0.18) < 0.05


def test_rpe_recall_against_monte_carlo():
    # exact formula vs direct draws of relative vectors (d = 8, T = 64), 4000 draws: 4 standard errors
    rng = np.random.default_rng(0)
    d, T, n = 8, 64, 4000
    R = rng.normal(0, 1 / np.sqrt(d), (n, T, d))
    rho = np.einsum("ntd,nd->nt", R, R[:, 1])
    rivals = np.maximum(rho[:, :1], np.maximum.accumulate(np.concatenate([np.full((n, 1), -np.inf), rho[:, 2:]], 1), 1))
    rec = (rho[:, 1:2] > rivals).mean(1)
    allok = (rho[:, 1:2] > rivals).all(1)
    assert rec.mean() == pytest.approx(th.prev_token_recall_rpe(d, T), abs=4 * rec.std() / np.sqrt(n))
    p = th.rpe_all_positions(d, T)
    assert allok.mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))


def test_bad_theory_input():
    with pytest.raises(ValueError, match="d must be >= 2"):
        th.prev_token_recall_ape(1, 64)
    with pytest.raises(ValueError, match="T must be >= 2"):
        th.prev_token_recall_rpe(16, 1)
    with pytest.raises(TypeError, match="missing argument"):
        th.logits().evaluate(beta2=1.0)

"""What beta1 the closed-form logits need: the gap to the exact orthonormal model closes like t e^(-beta1).

In the orthonormal model the previous-token score is ``beta1`` at ``s = t - 1`` and 0 at the ``t`` other
positions ``s <= t``, so layer 1 leaks the mass ``eps_t = t / (e^beta1 + t)`` away from the previous token
(assumption A2 is ``eps_t -> 0``). To first order in ``eps`` the logits' deviation from the closed form is
proportional to ``eps ~ t e^(-beta1)`` when ``e^beta1 >> t``: two more units of ``beta1`` divide it by
``e^2 = 7.39``. The closed form therefore needs ``beta1 >> log t``: at the scales below (t = 24) the
deviation measured 2.3e-3, 3.2e-4, 4.3e-5, 5.8e-6 at beta1 = 8, 10, 12, 14, about ``0.29 t e^(-beta1)``,
so a 1e-3 logit error needs ``beta1`` of about ``log t + 6``.
"""

import numpy as np

import theory.induction as th
from hopfield.bigram import synthetic_bigram
from hopfield.induction import forward
from hopfield.induction_data import context_counts, designed_prompts
from tests.test_theory_induction import orthonormal_model

BG = synthetic_bigram(8, seed=1)
T, BETA2, BETA_O, GAMMA = 24, 1.5, 2.0, 0.7


def _deviation(beta1, logits_formula):
    """Max over prompts and tokens of |simulated - closed form| after removing each prompt's constant."""
    p = designed_prompts(BG, 4, t=T, n_q=3, c_qk=2, cbar_k=1, seed=2)
    m = orthonormal_model(BG, T, BETA2, BETA_O, GAMMA, beta1=beta1)
    lg = forward(m, p.tokens).logits[:, -1]
    nq, c, cb = context_counts(p.tokens, BG.V)
    pred = logits_formula(c, cb, nq[:, None], BG.log_pi_b[p.q])
    diff = lg - pred
    return float(np.abs(diff - diff.mean(1, keepdims=True)).max())


def _closed_form(c, cbar, n_q, ell):
    return th.logits().evaluate(beta2=BETA2, beta_O=BETA_O, gamma=GAMMA, c=c, cbar=cbar, n_q=n_q, t=T, ell=ell)


def test_gap_closes_like_t_exp_minus_beta1():
    betas = [8.0, 10.0, 12.0, 14.0]
    dev = [_deviation(b, _closed_form) for b in betas]
    ratios = np.array(dev[1:]) / np.array(dev[:-1])
    # first order in eps = t/(e^beta1 + t): each ratio is e^-2 = 0.135 up to O(eps) (eps <= 8e-3 here)
    assert np.all(np.abs(ratios - np.exp(-2.0)) < 0.01), ratios
    assert dev[-1] < 1e-4 and dev[0] > 1e-3


def test_mutant_closed_form_with_the_plain_normaliser_does_not_close(monkeypatch):
    """Mutant: the closed form with the softmax normaliser t (no e^beta2 boost): the gap stays open."""
    def wrong(c, cbar, n_q, ell):
        return BETA_O * (np.exp(BETA2) * c + cbar) / T + GAMMA * ell

    dev = [_deviation(b, wrong) for b in (8.0, 14.0)]
    assert dev[1] > 0.1 and not abs(dev[1] / dev[0] - np.exp(-6.0)) < 0.01

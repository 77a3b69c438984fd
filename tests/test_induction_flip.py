"""The flip count c* (theory.induction.flip_count) against the exact orthonormal model.

Designed prompts with ``n_q = c + m`` occurrences of the query ``q``, ``c`` of them followed by ``k``, the
global answer ``g`` absent (``cbar_g = 0``), no other ``k``: the closed form says ``k`` out-scores ``g``
exactly when ``c > c*`` (and never when ``c* < 0``: the denominator
``beta_O e^beta2 - gamma Delta (e^beta2 - 1)`` is then negative). The orthonormal model (assumptions
A1, A2 made true: orthonormal embeddings, ``beta1`` large) realises the closed form up to a per-prompt constant, so the winner it computes must
switch at ``c*`` for every prompt, with no tolerance beyond the prompts kept away from ties.
"""

import numpy as np

import theory.induction as th
from hopfield.bigram import synthetic_bigram
from hopfield.induction import forward
from hopfield.induction_data import designed_prompts
from tests.test_theory_induction import orthonormal_model

BG = synthetic_bigram(12, seed=3)
M_OTHER, T, BETA2, BETA_O = 1, 40, 2.0, 4.0


def _winners(gamma, cs=range(0, 11), n=6):
    """(simulated, predicted) winners 'k beats g' over prompts and counts c, and the distances |c - c*|."""
    m = orthonormal_model(BG, T, BETA2, BETA_O, gamma)
    sim, pred, gap = [], [], []
    for c in cs:
        p = designed_prompts(BG, n, t=T, n_q=c + M_OTHER, c_qk=c, cbar_k=0, seed=100 + c)
        lg = forward(m, p.tokens).logits[:, -1]
        ar = np.arange(n)
        Delta = BG.log_pi_b[p.q, p.g] - BG.log_pi_b[p.q, p.k]
        cstar = np.asarray(th.flip_count().evaluate(beta2=BETA2, beta_O=BETA_O, gamma=gamma, cbar=0, m=M_OTHER, t=T,
                                                    Delta=Delta), float)
        sim.append(lg[ar, p.k] > lg[ar, p.g])
        pred.append((cstar > 0) & (c > cstar))  # c* < 0: denominator negative, k never wins
        gap.append(np.abs(c - cstar))
    return np.concatenate(sim), np.concatenate(pred), np.concatenate(gap)


def test_in_context_answer_wins_exactly_above_the_flip_count():
    for gamma in (0.5, 1.0, 2.0):
        sim, pred, gap = _winners(gamma)
        assert gap.min() > 1e-6  # no prompt sits on a tie, where rounding could decide
        assert sim.any() and not sim.all()  # the switch happens inside the range of c tried
        assert np.array_equal(sim, pred)


class _Formula:
    def __init__(self, f):
        self.f = f

    def evaluate(self, **kw):
        return self.f(**kw)

    evaluate_continuous = evaluate


def test_mutant_flip_count_with_the_plain_normaliser_is_caught(monkeypatch):
    """Mutant: c* from a softmax normaliser of t alone (the boosted n_q positions not counted)."""
    monkeypatch.setattr(th, "flip_count", lambda: _Formula(
        lambda beta2, beta_O, gamma, cbar, m, t, Delta: gamma * Delta * t / (beta_O * np.exp(beta2))))
    assert any(not np.array_equal(*_winners(gamma)[:2]) for gamma in (0.5, 1.0, 2.0))


def test_mutant_flip_count_without_the_fillers_is_caught(monkeypatch):
    """Mutant: c* for n_q = c (the m query occurrences followed by fillers left out)."""
    real = th.flip_count()
    monkeypatch.setattr(th, "flip_count", lambda: _Formula(lambda **kw: real.evaluate(**{**kw, "m": 0})))
    assert any(not np.array_equal(*_winners(gamma)[:2]) for gamma in (0.5, 1.0, 2.0))

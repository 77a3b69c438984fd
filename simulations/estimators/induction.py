"""Estimators of the built induction head (``hopfield.induction``) on designed prompts.

Simulation of the checks ``induction-logits``, ``induction-deviation`` and
``induction-flip`` and the figures of the same names: frozen N(0, I/d)
embeddings, memories in closed form, designed prompts of
``hopfield.induction_data``; trial ``i`` draws its embeddings and its prompt
from ``SeedSequence([seed, i])``. The closed forms are ``theory.induction``.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np
from numpy.typing import ArrayLike

from hopfield.bigram import BigramModel, synthetic_bigram
from hopfield.induction import build_induction_model, forward
from hopfield.induction_data import context_counts, designed_prompts
from _amlab.params import Param
from simulations.estimators import register_estimator
from theory import induction as th

#: The bigram model of the checks: V = 16, Zipf unigram, smooth rows (concentration 5).
V = 16
BIGRAM_SEED = 0


def bigram() -> BigramModel:
    """The checks' bigram model (``synthetic_bigram(16, seed=0, concentration=5)``)."""
    return synthetic_bigram(V, seed=BIGRAM_SEED, concentration=5.0)


def trial_seed(seed: int, i: int) -> int:
    return int(np.random.SeedSequence([seed, i]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def fixed_pair(bg: BigramModel, rank: int = 3) -> Tuple[int, int]:
    """The first query ``q`` with ``g != q`` and, as in-context successor, its ``rank``-th most likely successor."""
    g = np.argmax(bg.pi_b, axis=1)
    q = int(np.flatnonzero(g != np.arange(bg.V))[0])
    order = [j for j in np.argsort(-bg.pi_b[q], kind="stable") if j != q]
    return q, int(order[rank])


def simulate_prompt_logits(bg: BigramModel, d: int, n_trials: int, seed: int, t: int, n_q: int, c_qk: int, cbar_k: int,
                           beta2: float, beta_O: float, gamma: float, beta1: float = 30.0, parts: bool = False,
                           trials: Optional[Tuple[int, int]] = None) -> tuple:
    """Last-position logits of ``n_trials`` designed prompts, one fresh model per trial.

    Returns ``(logits (n, V), prompts)``; with ``parts=True`` the logits at
    ``gamma = 0`` and the feed-forward part separately, ``(base, ffn, prompts)``.
    ``trials = (a, b)`` simulates trials ``a <= i < b`` only (a block of the
    work; the rows of the blocks, stacked, are those of the whole); the
    prompts are always all ``n_trials``.
    """
    q, k = fixed_pair(bg)
    p = designed_prompts(bg, n_trials, t=t, n_q=n_q, c_qk=c_qk, cbar_k=cbar_k, seed=seed, q=q, k=k)
    a, b = (0, n_trials) if trials is None else (int(trials[0]), min(int(trials[1]), n_trials))
    base = np.empty((max(0, b - a), bg.V))
    ffn = np.empty((max(0, b - a), bg.V))
    for r, i in enumerate(range(a, b)):
        m = build_induction_model(bg, d, t, seed=trial_seed(seed, i), beta1=beta1, beta2=beta2,
                                  beta_O=beta_O, gamma=gamma if not parts else 1.0)
        base[r] = forward(m, p.tokens[i:i + 1]).logits[0, -1]
        if parts:  # the logits are affine in gamma: split them into the gamma = 0 part and the rest
            ffn[r] = base[r] - forward(m.with_scales(gamma=0.0), p.tokens[i:i + 1]).logits[0, -1]
            base[r] -= ffn[r]
    if parts:
        return base, ffn, p
    return base, p


def predicted_logits(bg: BigramModel, prompts: Any, beta2: float, beta_O: float, gamma: float) -> np.ndarray:
    """``theory.induction.logits`` at each prompt's counts, shape (n, V)."""
    n_q, c, cbar = context_counts(prompts.tokens, bg.V)
    return th.logits().evaluate(beta2=beta2, beta_O=beta_O, gamma=gamma, c=c, cbar=cbar, n_q=n_q[:, None],
                                t=prompts.t, ell=bg.log_pi_b[prompts.q])


def gap_stats(lg: np.ndarray, p: Any) -> Tuple[np.ndarray, np.ndarray]:
    ar = np.arange(len(p.q))
    return lg[ar, p.k] - lg[ar, p.g], lg[ar, p.k] - lg.mean(1)


def fit_slope(x: ArrayLike, y: ArrayLike, se: ArrayLike) -> Tuple[float, float]:
    """Weighted least-squares slope of ``y`` on ``x`` and its standard error."""
    w = 1.0 / np.asarray(se) ** 2
    X = np.column_stack([np.ones_like(x), x])
    A = (X * w[:, None]).T @ X
    cov = np.linalg.inv(A)
    coef = cov @ ((X * w[:, None]).T @ y)
    return float(coef[1]), float(np.sqrt(cov[1, 1]))


@register_estimator("induction-prompt-logits",
                    title="built induction head on designed prompts: the logit gap k - g, simulated and closed-form",
                    params=[Param("d", "int", 64, "embedding dimension", minimum=1),
                            Param("trials", "int", 8, "prompts (one fresh model each)", minimum=1),
                            Param("t", "int", 32, "prompt length", minimum=2),
                            Param("n_q", "int", 4, "occurrences of the query token in the prompt", minimum=1),
                            Param("c_qk", "int", 2, "in-context q -> k pairs", minimum=0),
                            Param("cbar_k", "int", 2, "other occurrences of k", minimum=0),
                            Param("beta2", "float", 2.0, "layer-2 attention scale", minimum=0),
                            Param("beta_O", "float", 4.0, "output scale of the induction head", minimum=0),
                            Param("gamma", "float", 0.5, "scale of the global-bigram feed-forward memory")])
def induction_prompt_logits(*, seed: int, d: int, trials: int, t: int, n_q: int, c_qk: int, cbar_k: int,
                            beta2: float, beta_O: float, gamma: float) -> dict:
    """One point of ``induction-logits`` / ``induction-deviation`` (bigram of :func:`bigram`).

    ``seed`` is the seed of :func:`simulate_prompt_logits` (the figures pass
    ``seed + j``, ``seed + 1000 j``). Returns the mean simulated and closed-form
    gap ``xi(k) - xi(g)``, the RMS of their difference over prompts and the
    fraction of prompts whose in-context answer ``k`` beats ``g``.
    """
    bg = bigram()
    kw = dict(beta2=beta2, beta_O=beta_O, gamma=gamma)
    lg, p = simulate_prompt_logits(bg, d, trials, seed, t, n_q, c_qk, cbar_k, **kw)
    sim = gap_stats(lg, p)[0]
    pred = gap_stats(predicted_logits(bg, p, **kw), p)[0]
    dev = sim - pred
    return {"trials": int(trials), "gap_mean": float(np.mean(sim)), "gap_theory_mean": float(np.mean(pred)),
            "rms_deviation": float(np.sqrt(np.mean(dev**2))), "k_wins": float(np.mean(sim > 0))}


def induction_targets(tokens: np.ndarray, flags: np.ndarray) -> List[Tuple[int, int]]:
    """Where the induction head should attend: ``(key, query)`` pairs of one sequence.

    For every position ``t`` whose token repeats a trigger's output (``flags[t] >= 2``), the query
    ``q = t - 1`` should attend to the position after the previous occurrence of ``tokens[q]``
    (Olsson et al. 2022's prefix matching and copying); pairs whose query token has no earlier
    occurrence are left out.

    Parameters
    ----------
    tokens : ndarray of shape (T,), int
        One sequence of token ids.
    flags : ndarray of shape (T,), int
        Its position flags from ``hopfield.induction_data.trigger_sequences``.

    Examples
    --------
    >>> induction_targets(np.array([3, 5, 9, 3, 5]), np.array([0, 0, 0, 0, 2]))
    [(1, 3)]
    """
    pairs = []
    for t in np.flatnonzero(np.asarray(flags) >= 2):
        q = int(t) - 1
        before = np.flatnonzero(np.asarray(tokens)[:q] == tokens[q])
        if len(before):
            pairs.append((int(before[-1] + 1), q))
    return pairs


@register_estimator("induction-attention-map",
                    title="attention maps of one forward pass of the built model on a trigger sequence, summarised",
                    params=[Param("T", "int", 40, "sequence length", minimum=2),
                            Param("d", "int", 256, "embedding dimension", minimum=1),
                            Param("K", "int", 3, "fixed triggers", minimum=1),
                            Param("gamma", "float", 0.3, "scale of the global-bigram feed-forward memory")])
def induction_attention_map(*, seed: int, T: int, d: int, K: int, gamma: float) -> dict:
    """The maps of the figure ``induction-attention`` (the shipped text's character bigram), summarised.

    One sequence ``trigger_sequences(bg, 1, T, K=K, seed=seed, triggers="fixed")``
    through ``build_induction_model(bg, d, T, seed=seed, gamma=gamma)``. Layer 1:
    mean weight on the previous position and the fraction of queries whose
    argmax is it; layer 2: at the figure's expected targets (the position after
    the previous occurrence of the query's token, for queries whose next token
    repeats a trigger output) the mean weight and the fraction of argmax hits
    (NaN without targets); the mean row entropy of each layer.
    """
    from hopfield.bigram import bigram_from_text
    from hopfield.induction_data import trigger_sequences

    bg = bigram_from_text()
    tok, fl = trigger_sequences(bg, 1, T, K=K, seed=seed, triggers="fixed")
    out = forward(build_induction_model(bg, d, T, seed=seed, gamma=gamma), tok)
    A1, A2 = out.A1[0], out.A2[0]
    expected = induction_targets(tok[0], fl[0])
    rows = np.arange(1, T)

    def entropy(A):
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.mean(-np.sum(np.where(A > 0, A * np.log(A), 0.0), axis=1)))

    s_, t_ = (np.array(expected).T if expected else (np.zeros(0, int), np.zeros(0, int)))
    nan = float("nan")
    return {"prev_token_mass": float(np.mean(A1[rows, rows - 1])),
            "prev_token_argmax": float(np.mean(np.argmax(A1[rows], axis=1) == rows - 1)),
            "targets": len(expected),
            "induction_mass": float(np.mean(A2[t_, s_])) if expected else nan,
            "induction_argmax": float(np.mean(np.argmax(A2[t_], axis=1) == s_)) if expected else nan,
            "entropy1": entropy(A1), "entropy2": entropy(A2)}


@register_estimator("induction-positional-recall",
                    title="previous-token recall of the positional part of layer 1 (APE or RPE) over built models",
                    params=[Param("d", "int", 32, "embedding dimension", minimum=1),
                            Param("T", "int", 32, "sequence length", minimum=2),
                            Param("pe", "str", "ape", "positional encoding", choices=("ape", "rpe")),
                            Param("models", "int", 4, "built models (one seed each)", minimum=1),
                            Param("V", "int", 4, "vocabulary of the synthetic bigram (its seed is 0)", minimum=2)])
def induction_positional_recall(*, seed: int, d: int, T: int, pe: str, models: int, V: int) -> dict:
    """One point of ``induction-recall``: model ``j`` is built at ``trial_seed(seed, j)``.

    The figure passes ``seed + T`` as ``seed``; ``recall_mean`` is the mean of
    its row of ``models`` recalls (``np.mean``), with their min and max.
    """
    from hopfield.induction import positional_recall

    bg = synthetic_bigram(V, seed=0)
    rec = np.array([positional_recall(build_induction_model(bg, d, T, seed=trial_seed(seed, j), pe=pe))
                    for j in range(models)])
    return {"models": int(models), "recall_mean": float(np.mean(rec)), "recall_min": float(rec.min()),
            "recall_max": float(rec.max())}


@register_estimator("induction-scale-accuracy",
                    title="in-context accuracy of the built model (no feed-forward memory) at one attention scale",
                    params=[Param("beta", "float", 10.0, "attention scale beta1 = beta2", minimum=0),
                            Param("d", "int", 128, "embedding dimension", minimum=1),
                            Param("T", "int", 128, "sequence length", minimum=2),
                            Param("sequences", "int", 8, "trigger sequences", minimum=1),
                            Param("K", "int", 5, "random triggers", minimum=1),
                            Param("V", "int", 64, "vocabulary of the synthetic bigram (its seed is 0)", minimum=2)])
def induction_scale_accuracy(*, seed: int, beta: float, d: int, T: int, sequences: int, K: int, V: int) -> dict:
    """One point of ``induction-scales``: ``hopfield.induction.probes`` of the model built at ``seed``.

    Sequences ``trigger_sequences(bg, sequences, T, K=K, seed=seed)``, model
    ``build_induction_model(bg, d, T, seed=seed, beta1=beta, beta2=beta, beta_O=1, gamma=0)``.
    Returns the probes (``icl`` the in-context accuracy, ``n_icl`` its positions, ...).
    """
    from hopfield.induction import probes
    from hopfield.induction_data import trigger_sequences

    bg = synthetic_bigram(V, seed=0)
    tok, fl = trigger_sequences(bg, sequences, T, K=K, seed=seed)
    pr = probes(build_induction_model(bg, d, T, seed=seed, beta1=beta, beta2=beta, beta_O=1.0, gamma=0.0), tok, fl)
    return {k: (int(v) if k.startswith("n_") else float(v)) for k, v in pr.items()}

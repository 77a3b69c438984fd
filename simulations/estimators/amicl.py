"""Estimator of AMICL (Burns, Fukai & Earls, arXiv:2412.15113): in-context classification accuracy.

One evaluation is one point of the figures ``amicl-accuracy-vs-a``,
``amicl-accuracy-vs-D`` and ``amicl-accuracy-vs-T``: ``hopfield.amicl.sweep_amicl``
draws trial ``i`` from ``(seed, i)`` whatever the grid, so the counts at one
``(a, D, T, K)`` equal those of the figures' grids at the same seed.
"""

from __future__ import annotations

from _amlab.params import Param
from simulations.estimators import register_estimator


def _check_amicl(p):
    if p["T"] % 2:
        raise ValueError(f"T must be even (pairs of exemplar and label), got {p['T']}")


@register_estimator("amicl-accuracy", title="AMICL accuracy of the query's label at one (a, D, T, K)",
                    params=[Param("a", "float", 2.0, "mixing weight of the label", minimum=0),
                            Param("D", "int", 100, "token dimension", minimum=1),
                            Param("T", "int", 20, "sequence length (even)", minimum=4),
                            Param("K", "int", 512, "classes", minimum=1),
                            Param("eps", "float", 0.1, "within-class noise", minimum=0),
                            Param("n_trials", "int", 1000, "sequences", minimum=1),
                            Param("similarity", "str", "dot", "query-key similarity",
                                  choices=("dot", "pearson", "euclidean", "manhattan"))],
                    check=_check_amicl)
def amicl_accuracy(*, seed: int, a: float, D: int, T: int, K: int, eps: float, n_trials: int,
                   similarity: str) -> dict:
    """Correct trials in all, and among the trials whose context classes are all distinct.

    Returns ``correct``, ``trials``, ``correct_distinct``, ``n_distinct`` and
    the two accuracies (``accuracy_distinct`` is NaN without distinct trials).
    """
    from hopfield.amicl import sweep_amicl

    sw = sweep_amicl([a], D=D, K=K, T=T, eps=eps, n_trials=n_trials, seed=seed, similarity=similarity)
    k, kd, nd = int(sw.correct[0, 0, 0, 0]), int(sw.correct_distinct[0, 0, 0, 0]), int(sw.n_distinct[0, 0, 0])
    return {"correct": k, "trials": int(n_trials), "accuracy": k / int(n_trials), "correct_distinct": kd,
            "n_distinct": nd, "accuracy_distinct": kd / nd if nd else float("nan")}


@register_estimator("amicl-query-attention",
                    title="AMICL scores of the query over the key positions of one sequence, summarised",
                    params=[Param("a", "float", 2.0, "mixing weight of the label", minimum=0),
                            Param("D", "int", 100, "token dimension", minimum=1),
                            Param("T", "int", 20, "sequence length (even)", minimum=4),
                            Param("K", "int", 512, "classes", minimum=1),
                            Param("eps", "float", 0.1, "within-class noise", minimum=0),
                            Param("similarity", "str", "dot", "query-key similarity",
                                  choices=("dot", "pearson", "euclidean", "manhattan")),
                            Param("trial", "int", 0, "index of the sequence among the seed's trials", minimum=0),
                            Param("beta", "float", 40.0, "inverse temperature of the softmax", minimum=0)],
                    check=_check_amicl)
def amicl_query_attention(*, seed: int, a: float, D: int, T: int, K: int, eps: float, similarity: str, trial: int,
                          beta: float) -> dict:
    """One row (one ``a``) of a panel of the figure ``amicl-attention``, summarised.

    The scores are ``run_amicl(..., n_trials=trial + 1, return_scores=True).scores[trial]``
    (trial ``i`` of a seed does not depend on the number of trials), their
    softmax at ``beta`` is computed as the figure does. ``answer`` is the label
    position ``2 j + 1`` of the first context pair ``j`` of the query's class
    (-1 when the class is absent; the ``*_answer`` numbers are then NaN).
    """
    import numpy as np

    from hopfield.amicl import make_sequences, run_amicl

    sc = run_amicl(float(a), D=D, K=K, T=T, eps=eps, n_trials=trial + 1, similarity=similarity, seed=seed,
                   return_scores=True).scores[trial][None, :]
    z = beta * (sc - sc.max(axis=1, keepdims=True))
    soft = (np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))[0]
    sc = sc[0]
    seqs = make_sequences(trial + 1, D=D, K=K, T=T, eps=eps, seed=seed)
    C = T // 2 - 1
    hits = np.nonzero(seqs.classes[trial, :C] == seqs.classes[trial, C])[0]
    answer = 2 * int(hits[0]) + 1 if len(hits) else -1
    p = soft[soft > 0]
    return {"argmax": int(np.argmax(sc)), "answer": answer, "score_max": float(sc.max()),
            "score_answer": float(sc[answer]) if answer >= 0 else float("nan"),
            "softmax_answer": float(soft[answer]) if answer >= 0 else float("nan"),
            "softmax_max": float(soft.max()), "entropy": float(-np.sum(p * np.log(p)))}

"""The estimators behind the REM, dense-replica, sparse-capacity, induction, AMICL and key-value figures.

Each evaluates at a tiny size, is deterministic (and depends on its seed), and
gives the numbers of the simulation the checks and figures call, at the seeds
the figures use.
"""

import math

import numpy as np
import pytest

from simulations import estimators
from simulations.core.seeds import derive_seed
from simulations.estimators import evaluate

TINY = {
    "exp-rem-recovered": dict(N=20, M=8, rho=0.25, cues=12),
    "dense-replica-overlap": dict(N=30, alpha=0.06, networks=3),
    "sparse-kept-fraction": dict(N=200, a=0.1, alpha=0.1, theta=0.45, networks=3),
    "induction-prompt-logits": dict(d=32, trials=4),
    "amicl-accuracy": dict(a=2.0, D=5, T=8, K=16, n_trials=60),
    "kv-recall-accuracy": dict(memory="delta", d=8, M=16, V=4, n_mem=4),
    "kv-zipf-error": dict(d=16, storage="threshold", reps=4),
    "kv-zipf-sample-error": dict(T=30, reps=4),
    "mqar-accuracy": dict(memory="softmax", d=16, pairs=4, n_seq=4, vocab_size=64),
    "amicl-query-attention": dict(a=2.0, D=5, T=8, K=16),
    "induction-attention-map": dict(T=24, d=32),
    "induction-positional-recall": dict(d=16, T=16, models=3),
    "induction-scale-accuracy": dict(d=32, T=32, sequences=2, V=16),
}


def _same(a, b):
    return a.keys() == b.keys() and all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)


def test_every_new_estimator_is_registered():
    assert set(TINY) <= set(estimators.discover())
    for name in ("rem", "dense_replica", "sparse_capacity", "induction", "amicl", "kv"):
        assert name in estimators.ORDER


@pytest.mark.parametrize("name", sorted(TINY))
def test_tiny_evaluation_is_deterministic_and_seeded(name):
    a = evaluate(name, TINY[name], seed=3)
    assert a and all(isinstance(v, (int, float, bool)) for v in a.values())
    assert _same(a, evaluate(name, TINY[name], seed=3))
    # the seed matters: over a few seeds the numbers are not all equal (so the equality above can fail)
    assert any(not _same(a, evaluate(name, TINY[name], seed=s)) for s in (4, 5, 6, 7))


def test_rem_is_the_checks_count():
    from simulations.estimators.rem import recovered

    k, n, nets = recovered(seed=11, rho=0.25, N=20, M=8, cues=12)
    r = evaluate("exp-rem-recovered", TINY["exp-rem-recovered"], seed=11)
    assert (r["recovered"], r["cues"], r["networks"]) == (k, n, nets) and (n, nets) == (12, 3)


def test_dense_replica_is_the_stationary_overlaps():
    from simulations.estimators.dense_replica import stationary_overlaps

    m = stationary_overlaps(5, 30, 0.06, 3, 3)["m"]
    r = evaluate("dense-replica-overlap", TINY["dense-replica-overlap"], seed=5)
    assert r["m_mean"] == float(m.mean()) and r["m_sd"] == float(m.std(ddof=1)) and r["P"] == 54


def test_sparse_is_the_kept_fraction():
    from simulations.estimators.sparse_capacity import kept_fraction

    want = kept_fraction(seed=2, N=200, a=0.1, alpha=0.1, theta=0.45, networks=3)
    assert _same(evaluate("sparse-kept-fraction", TINY["sparse-kept-fraction"], seed=2), want)


def test_induction_is_a_point_of_the_deviation_figure():
    from simulations.estimators import induction as ei

    seed, j, d, n = 0, 1, 32, 4  # figures.induction.fig_deviation at its second d
    kw = dict(beta2=2.0, beta_O=4.0, gamma=0.5)
    bg = ei.bigram()
    lg, p = ei.simulate_prompt_logits(bg, d, n, seed + 1000 * j, 32, 4, 2, 2, **kw)
    dev = ei.gap_stats(lg, p)[0] - ei.gap_stats(ei.predicted_logits(bg, p, **kw), p)[0]
    r = evaluate("induction-prompt-logits", dict(d=d, trials=n), seed=seed + 1000 * j)
    assert r["rms_deviation"] == float(np.sqrt(np.mean(dev**2))) > 0


def test_amicl_is_a_point_of_the_figures_grid():
    from hopfield.amicl import sweep_amicl

    # the figures read one sweep over a grid of a and D; one evaluation gives one of its points
    sw = sweep_amicl([0.5, 1.5, 2.0], D=[5, 10], K=16, T=8, n_trials=60, seed=9)
    r = evaluate("amicl-accuracy", TINY["amicl-accuracy"], seed=9)
    assert (r["correct"], r["correct_distinct"], r["n_distinct"]) == (
        sw.correct[2, 0, 0, 0], sw.correct_distinct[2, 0, 0, 0], sw.n_distinct[0, 0, 0])
    assert r["correct"] != sw.correct[0, 0, 0, 0]  # another a of the grid differs: the comparison can fail
    p = evaluate("amicl-accuracy", {**TINY["amicl-accuracy"], "similarity": "pearson"}, seed=9)
    assert p["correct"] == sweep_amicl([2.0], D=5, K=16, T=8, n_trials=60, seed=9,
                                       similarity="pearson").correct[0, 0, 0, 0]


def test_kv_estimators_are_points_of_the_attention_figures():
    from hopfield.mqar import evaluate_mqar, make_mqar
    from simulations.estimators import kv as sk

    s = derive_seed(0, {"fig": "kv-accuracy-vs-M", "memory": "delta", "M": 16})  # as fig_accuracy_vs_M
    acc = sk.recall_accuracy("delta", 8, 16, 4, "other", 4, s)
    assert evaluate("kv-recall-accuracy", TINY["kv-recall-accuracy"], seed=s)["accuracy"] == float(np.mean(acc))
    s = derive_seed(0, {"fig": "zipf", "s": "threshold", "d": 16})  # as fig_zipf
    z = evaluate("kv-zipf-error", TINY["kv-zipf-error"], seed=s)["error"]
    assert z == float(np.mean(sk.zipf_error(16, 2.0, "threshold", 4, s)))
    s = derive_seed(0, {"fig": "zipf-T", "T": 30})
    assert evaluate("kv-zipf-sample-error", TINY["kv-zipf-sample-error"], seed=s)["error"] == \
        float(np.mean(sk.zipf_sample_error(30, 2.0, 4, s)))
    # fig_mqar: one batch per P from the master seed, embeddings per d
    b = make_mqar(4, vocab_size=64, num_pairs=4, seq_len=32, seed=derive_seed(7, {"fig": "mqar", "P": 4}))
    want = evaluate_mqar(b, "softmax", 16, seed=derive_seed(7, {"fig": "mqar-emb", "d": 16}))
    r = evaluate("mqar-accuracy", TINY["mqar-accuracy"], seed=7)
    assert (r["accuracy"], r["correct"], r["queries"]) == (want.accuracy, int(want.correct.sum()), 16)


@pytest.mark.parametrize("name, grid, params", [
    ("amicl-accuracy", "a=0.5,2.0", ["D=5", "T=8", "K=16", "n_trials=40"]),
    ("kv-recall-accuracy", "M=8,32", ["memory=hebbian", "d=8", "V=4", "n_mem=3"]),
])
def test_amlab_sweep_reaches_the_estimator(tmp_path, name, grid, params):
    from tests.sweep_helpers import sweep_matches_evaluate

    sweep_matches_evaluate(tmp_path / "s", name, grid, params, seed=4)


@pytest.mark.parametrize("name, bad, word", [
    ("amicl-accuracy", dict(T=7), "T"),
    ("kv-recall-accuracy", dict(V=8, M=4), "V=8"),
    ("mqar-accuracy", dict(pairs=40, vocab_size=64), "pairs=40"),
    ("sparse-kept-fraction", dict(a=0.0), "a"),
])
def test_bad_parameters_are_refused_before_work(name, bad, word):
    with pytest.raises(ValueError, match=word):
        evaluate(name, {**TINY[name], **bad}, seed=0)


def test_listing_order_does_not_depend_on_import_order():
    # a check module may import a family (kv, induction) before discover(): the order is restored by family
    reg = estimators.discover()
    names = list(reg)
    saved = dict(reg)
    try:
        reg.clear()
        reg.update((k, saved[k]) for k in reversed(names))
        assert list(reg) != names
        estimators.discover()
        assert list(reg) == names
        assert names.index("modern-retrieval-bound") < names.index("exp-rem-recovered") < names.index("mqar-accuracy")
    finally:
        reg.clear()
        reg.update(saved)


def _figure_data(tmp_path, name, seed=0):
    import json

    import figures.catalog  # noqa: F401
    from figures.registry import FIGURES

    FIGURES[name].func(tmp_path, quick=True, seed=seed)
    return json.loads((tmp_path / f"{name}.json").read_text())["data"]


def test_amicl_query_attention_is_a_row_of_the_attention_figure(tmp_path):
    import numpy as np

    data = _figure_data(tmp_path, "amicl-attention")
    for sim, g in (("dot", 10), ("manhattan", 3)):
        r = evaluate("amicl-query-attention", dict(a=data["a"][g], D=100, K=512, T=20, similarity=sim,
                                                   trial=data["trial"], beta=data["beta"][sim]), seed=0)
        panel = data["panels"][sim]
        assert r["answer"] == data["answer_position"] and r["argmax"] == panel["argmax"][g]
        assert r["score_max"] == max(panel["scores"][g]) and r["softmax_max"] == max(panel["softmax"][g])
        assert r["softmax_answer"] == panel["softmax"][g][r["answer"]]
        assert r["score_answer"] == panel["scores"][g][r["answer"]]
        assert np.isfinite(r["entropy"])
    other = evaluate("amicl-query-attention", dict(a=data["a"][10], D=100, K=512, T=20, trial=data["trial"],
                                                   beta=40.0), seed=1)
    assert other["score_max"] != max(data["panels"]["dot"]["scores"][10])


def test_amicl_spot_check_row_is_the_accuracy_estimator():
    from hopfield.amicl import run_amicl

    for a, D, K, T in ((2.0, 10, 512, 20), (1.25, 100, 50, 20)):  # rows of amicl-spot-checks (1000 trials)
        k = int(run_amicl(a, D=D, K=K, T=T, n_trials=1000, seed=0).correct.sum())
        assert evaluate("amicl-accuracy", dict(a=a, D=D, K=K, T=T, n_trials=1000), seed=0)["correct"] == k
    assert evaluate("amicl-accuracy", dict(a=2.0, D=10, K=512, T=20, n_trials=1000), seed=1)["correct"] != int(
        run_amicl(2.0, D=10, K=512, T=20, n_trials=1000, seed=0).correct.sum())


def test_induction_attention_map_summarises_the_figure(tmp_path):
    import numpy as np

    data = _figure_data(tmp_path, "induction-attention")
    A1, A2 = np.array(data["A1"]), np.array(data["A2"])
    T = len(data["tokens"])
    r = evaluate("induction-attention-map", dict(T=T), seed=0)
    rows = np.arange(1, T)
    assert r["prev_token_mass"] == float(np.mean(A1[rows, rows - 1]))
    assert r["targets"] == len(data["expected_target"]) > 0
    s_, t_ = np.array(data["expected_target"]).T
    assert r["induction_mass"] == float(np.mean(A2[t_, s_]))
    assert r["induction_argmax"] == float(np.mean(np.argmax(A2[t_], axis=1) == s_))
    assert evaluate("induction-attention-map", dict(T=T), seed=1)["prev_token_mass"] != r["prev_token_mass"]


def test_induction_positional_recall_is_a_point_of_the_recall_figure(tmp_path):
    import numpy as np

    data = _figure_data(tmp_path, "induction-recall")
    for pe, d, i in (("ape", 32, 1), ("rpe", 64, 0)):
        T, row = data["T"][i], data[f"{pe}_{d}"][i]
        r = evaluate("induction-positional-recall", dict(d=d, T=T, pe=pe, models=len(row)), seed=0 + T)
        assert r["recall_mean"] == float(np.mean(row)) and r["recall_min"] == min(row)
    a = evaluate("induction-positional-recall", dict(d=16, T=64, models=3), seed=0)
    assert any(evaluate("induction-positional-recall", dict(d=16, T=64, models=3), seed=s) != a for s in (1, 2, 3))


def test_induction_scale_accuracy_is_a_point_of_the_scales_figure(tmp_path):
    data = _figure_data(tmp_path, "induction-scales")
    for i in (1, 3):
        r = evaluate("induction-scale-accuracy", dict(beta=data["beta"][i]), seed=0)
        assert r["icl"] == data["accuracy"][i] and r["n_icl"] == data["n"][i]
    r = evaluate("induction-scale-accuracy", dict(beta=data["beta"][3]), seed=1)
    assert (r["icl"], r["n_icl"]) != (data["accuracy"][3], data["n"][3])

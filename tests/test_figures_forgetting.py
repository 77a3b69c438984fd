"""The forgetting figures build at a shrunken quick size; the frontier's theory curve and points are recorded."""

import json

import numpy as np
import pytest

import figures.catalog  # noqa: F401  (registers the figures)
import figures.forgetting as ff
import theory.forgetting as tf
from figures import lint
from figures.registry import FIGURES
from simulations.estimators import forgetting as sf


@pytest.fixture(autouse=True)
def tiny(monkeypatch):
    # the plumbing is under test here; the statistics are in the checks
    monkeypatch.setitem(ff.SIZES, "quick", {"age_d": 8, "age_L": 60, "age_n": 20, "front_d": [8, 10],
                                            "front_n": 20, "boot": 10})


@pytest.mark.parametrize("name", ["forgetting-recall-age", "forgetting-frontier"])
def test_figure_builds(tmp_path, name):
    with lint.collecting() as problems:
        paths = FIGURES[name].func(tmp_path, quick=True, seed=0)
    assert problems == {name: []}
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    data = json.loads((tmp_path / f"{name}.json").read_text())
    assert data["figure"] == name and data["caption"] and data["source"]
    if name == "forgetting-frontier":
        th = data["data"]["theory"]
        assert th["pairs"] == [float(tf.retrievable_pairs(d, tf.optimal_decay(d, 1.0), 1.0)) for d in th["d"]]
        assert set(data["data"]) >= {"decay", "gated-delta", "titans", "longhorn"}
    else:  # the gated delta rule's closed-form accuracy (exact moments) is drawn and recorded
        gd = next(v for v in data["data"].values() if isinstance(v, dict) and v.get("memory") == "gated-delta")
        want = tf.gated_delta_accuracy(8, gd["params"]["lam"], np.array(gd["theory"]["age"]), L=gd["L"])
        np.testing.assert_allclose(gd["theory"]["accuracy"], want, rtol=1e-12)


def test_pairs_count_and_titans_reads_match_the_stream():
    # the count of retrievable pairs is the number of ages with SNR >= theta ...
    sc = {"stored": np.array([[3.0, 2.0, 0.2], [1.0, 2.2, -0.2]]), "fresh": np.array([[0.1, -0.1, 0.5],
                                                                                      [-0.1, 0.1, -0.5]])}
    snr = sf.recall_curve(sc)["snr"]
    assert sf.simulated_pairs(sc, 1.0, boot=5)[0] == np.sum(snr >= 1.0)
    # ... and the two read paths (extra non-writing positions; a copy per age for Titans) give W_L u_j:
    # Titans at momentum 0 and retention lam is a decaying delta rule, the same as "gated-delta" with b = eta
    # only when |k|^2 b is as the normalised rule's; check instead against a direct numpy recursion
    d, L, ages = 4, 7, [0, 3, 6]
    s = sf.memory_scores("titans", d, L, ages, 3, seed=1, lam=0.9, eta=0.5, momentum=0.3)
    rng = np.random.default_rng([1, 27, 0])
    K = rng.standard_normal((3, L, d)) / 2
    V = rng.standard_normal((3, L, d)) / 2
    for m in range(3):
        W, S = np.zeros((d, d)), np.zeros((d, d))
        for t in range(L):
            S = 0.3 * S - 0.5 * np.outer(W @ K[m, t] - V[m, t], K[m, t])
            W = 0.9 * W + S
        want = [V[m, L - 1 - a] @ W @ K[m, L - 1 - a] for a in ages]
        np.testing.assert_allclose(s["stored"][m], want, rtol=1e-12)
    wrong = [V[2, L - 2 - a] @ W @ K[2, L - 2 - a] for a in ages]  # an off-by-one read would not pass
    assert not np.allclose(s["stored"][2], wrong, rtol=1e-6)


def test_forgetting_estimators_sweep_over_lam_and_refuse_bad_input():
    from simulations.estimators import evaluate

    params = {"memory": "decay", "d": 8, "L": 60, "ages": 20, "n": 30}
    a = evaluate("kv-forgetting-window", {**params, "lam": 0.9}, seed=3)
    b = evaluate("kv-forgetting-window", {**params, "lam": 0.95}, seed=3)
    sc = sf.memory_scores("decay", 8, 60, np.arange(20), 30, 3, lam=0.9)
    assert a["pairs"] == sf.simulated_pairs(sc, 1.0, boot=100, seed=3)[0] and a != b
    r = evaluate("kv-forgetting-recall", {"memory": "titans", "d": 8, "L": 20, "age": 3, "n": 10}, seed=0)
    assert 0 <= r["accuracy"] <= 1 and r["n"] == 10
    with pytest.raises(ValueError, match="lam"):
        evaluate("kv-forgetting-window", {**params, "lam": 1.5}, seed=0)
    with pytest.raises(ValueError, match="age"):
        evaluate("kv-forgetting-recall", {"L": 5, "age": 5}, seed=0)
    with pytest.raises(ValueError, match="memory"):
        sf.memory_scores("hopfield", 8, 10, [0], 4)


def test_gla_memory_gates_on_its_keys_and_reduces_to_linear_attention_without_forgetting():
    from simulations.estimators import evaluate

    rng = np.random.default_rng(0)
    K = rng.standard_normal((3, 50, 8)) / np.sqrt(8)
    g = sf.gla_gates(K, 0.9)
    assert g.shape == (3, 50) and np.all((g > 0.81) & (g < 1.0))
    assert np.array_equal(g > 0.9, K[..., 0] < 0)  # the median gate lam at k_t[0] = 0; larger k_t[0] forgets more
    # lam = 1: every gate is 1, the stream is plain linear attention, bit for bit the "decay" memory at lam = 1
    one = sf.memory_scores("gla", 8, 40, [0, 5, 20], 50, 1, lam=1.0)
    lin = sf.memory_scores("decay", 8, 40, [0, 5, 20], 50, 1, lam=1.0)
    assert all(np.array_equal(one[k], lin[k]) for k in one)
    # lam < 1: the gates differ from the fixed decay's, and the signal of age a lies between lam^(2a) and 1
    gla = sf.memory_scores("gla", 8, 60, [0, 10], 3000, 1, lam=0.9)
    dec = sf.memory_scores("decay", 8, 60, [0, 10], 3000, 1, lam=0.9)
    assert not np.array_equal(gla["stored"], dec["stored"])
    sig = sf.recall_curve(gla)["signal"]
    assert 0.9 ** 20 < sig[1] < 1.0  # the product of ten gates in (lam^2, 1): near lam^10 = 0.35 on average
    r = evaluate("kv-forgetting-window", {"memory": "gla", "d": 8, "L": 60, "ages": 20, "n": 30, "lam": 0.9}, seed=0)
    assert r["pairs"] >= 1

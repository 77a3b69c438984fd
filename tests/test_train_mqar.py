"""Experiment 4 (trained MQAR): bad configurations, the CLI's refusals, and (slow) a tiny sweep that is
deterministic, resumes an interrupted program from its checkpoint, keeps finished programs and skips
programs past its budget."""

import dataclasses
import json

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("optax")

from amlab.cli import main  # noqa: E402
from simulations.train import mqar  # noqa: E402

TINY = mqar.MQARConfig(mixers=("linear", "delta"), widths=(8,), pairs=(2, 3), seq_len=12, vocab_size=16, seeds=2,
                       steps=4, eval_every=2, batch=4, n_eval=8, n_ideal=4)


@pytest.mark.parametrize("change,match", [
    ({"steps": 5}, "multiple of eval_every"), ({"mixers": ("mamba",)}, "mixers"), ({"widths": (8, 8)}, "widths"),
    ({"pairs": (1,)}, "pairs"), ({"pairs": (4,)}, "seq_len"), ({"power_a": 1.5}, "power_a"), ({"lr": 0.0}, "lr"),
    ({"seeds": 0}, "seeds"), ({"conv": 1}, "conv"), ({"pairs": [2]}, "tuple"), ({"warmup": 2.0}, "warmup"),
])
def test_bad_config(change, match):
    with pytest.raises((ValueError, TypeError), match=match):
        dataclasses.replace(TINY, **change).validate()


def test_cli_bad_usage(capsys, tmp_path):
    assert main(["train", "mqar", "--width", "0", "--out", str(tmp_path / "a")]) == 2
    assert main(["train", "mqar", "--pairs", "20", "--seq-len", "64", "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "seq_len must be >= 4 * pairs = 80" in err
    assert not (tmp_path / "b").exists()


def _acc(rec, name):
    return rec["programs"][name]["accuracy_curve"], rec["programs"][name]["train_loss"]


@pytest.mark.slow  # two programs compiled (about a minute on two shared cores)
def test_tiny_sweep_resume_budget_and_determinism(tmp_path, monkeypatch):
    whole = mqar.train_mqar(TINY, None, progress=False, ideal=False)
    assert set(whole["programs"]) == {"linear/d8", "delta/d8"}
    for r in whole["programs"].values():
        assert r["status"] == "done" and r["step"] == [0, 2, 4]
        acc = np.asarray(r["accuracy"])
        assert acc.shape == (2, 2) and ((acc >= 0) & (acc <= 1)).all()
        assert np.asarray(r["geometry"][0][0]["mean_abs_cos"]) >= 0 and r["timing"]["steps_per_s"] > 0
    # interrupted after the first chunk of the first program: it is recorded as stopped, the second as not run
    out = tmp_path / "run"
    part = mqar.train_mqar(TINY, out, max_seconds=1e-6, progress=False, ideal=False)
    assert part["programs"]["linear/d8"]["status"] == "stopped"
    assert part["programs"]["linear/d8"]["step"] == [0, 2]
    assert part["programs"]["delta/d8"]["status"] == "skipped"
    assert (out / "checkpoints" / "linear_d8.npz").is_file()
    # resumed from the checkpoint: the same curves, bit for bit, as the uninterrupted run
    calls = []
    real = mqar._run_program
    monkeypatch.setattr(mqar, "_run_program", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    done = mqar.train_mqar(TINY, out, progress=False, ideal=False)
    assert calls == ["linear", "delta"]
    for name in whole["programs"]:
        assert _acc(done, name) == _acc(whole, name)
    rec = json.loads((out / "mqar.json").read_text())
    assert rec["programs"]["delta/d8"]["status"] == "done" and rec["jax"] == jax.__version__
    # run again: every program is finished, none is redone
    calls.clear()
    mqar.train_mqar(TINY, out, progress=False, ideal=False)
    assert calls == []
    # a budget that only the first program fits: the second is skipped and recorded as not run, then resumed
    out2 = tmp_path / "budget"
    b = mqar.train_mqar(TINY, out2, budget_s=1e-3, progress=False, ideal=False)
    assert b["programs"]["delta/d8"]["status"] == "skipped" and "budget_s" in b["programs"]["delta/d8"]["reason"]
    calls.clear()
    mqar.train_mqar(TINY, out2, progress=False, ideal=False)
    assert calls == ["delta"]

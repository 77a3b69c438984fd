"""The language model of experiment 2: numpy twin with each stream, causal mask, gradients, training, configs."""

import dataclasses
import json

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("optax")

import jax.numpy as jnp  # noqa: E402

from simulations.train import lm  # noqa: E402
from simulations.train.model import VARIANTS  # noqa: E402
from tests.reference_train_lm import logits_one  # noqa: E402

CFG = lm.LMConfig(corpus="sample", T=12, d=8, layers=3, heads=2, mlp=2, seeds=1, steps=4, eval_every=2, batch=4,
                  warmup=1, n_eval=4, remat=False)
TINY = dataclasses.replace(CFG, T=32, d=16, layers=2, seeds=2, steps=6, eval_every=3, lr=1e-2)


FORWARD = jax.jit(lm.forward, static_argnames=("heads", "stream_from", "remat"))


def _draw(seed, scale=0.5):
    """Parameters of CFG's shapes drawn in numpy (no compilation): weights N(0, scale^2), far larger than at
    initialisation, so attention patterns are far from uniform and the streams matter; LayerNorm gains 1 + N(0, 0.01),
    biases N(0, 0.01)."""
    rng = np.random.default_rng(seed)
    shapes = jax.eval_shape(lambda k: lm.init_params(k, CFG), jax.random.PRNGKey(0))

    def draw(path, s):
        name = path[-1].key
        z = rng.standard_normal(s.shape)
        return jnp.asarray(1 + 0.1 * z if name == "g" else 0.1 * z if name.startswith("b") else scale * z, jnp.float32)

    return jax.tree_util.tree_map_with_path(draw, shapes)


@pytest.fixture(scope="module")
def params():
    return _draw(1)


@pytest.fixture(scope="module")
def tokens():
    return jnp.asarray(np.random.default_rng(2).integers(0, 256, (2, CFG.T)), jnp.int32)


def _logits(params, tokens, variant, stream_from="previous", remat=False):
    c = jnp.asarray(VARIANTS[variant], jnp.float32)
    return np.asarray(FORWARD(params, tokens, c, heads=CFG.heads, stream_from=stream_from, remat=remat))


@pytest.mark.slow  # the first compile of the 2-layer model: several seconds of the default suite
@pytest.mark.parametrize("stream_from", ["previous", "first"])
def test_matches_numpy_twin(params, tokens, stream_from):
    for variant in VARIANTS:
        got = _logits(params, tokens, variant, stream_from)
        ref = np.stack([logits_one(params, np.asarray(t), VARIANTS[variant], CFG.heads, stream_from) for t in tokens])
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max())  # float32 vs float64
    # the variants differ from each other, and "first" from "previous" (three layers), so the twin sees each stream
    assert np.abs(_logits(params, tokens, "values") - _logits(params, tokens, "baseline")).max() > 1e-2
    assert np.abs(_logits(params, tokens, "values", "first") - _logits(params, tokens, "values")).max() > 1e-2
    np.testing.assert_allclose(_logits(params, tokens, "keys", remat=True), _logits(params, tokens, "keys"),
                               rtol=1e-6, atol=1e-6)


@pytest.fixture
def fresh_traces():
    """A mutant patched into the module must be traced afresh, and the real code after it: JAX caches traces."""
    jax.clear_caches()
    yield
    jax.clear_caches()


@pytest.mark.slow  # retraces the model (about 3 s); CI's slow stage runs it
def test_twin_catches_a_wrong_stream(params, tokens, monkeypatch, fresh_traces):
    """A stream at twice its strength is seen by the twin comparison."""
    import simulations.train.lm as mod

    real = mod.add_streams

    monkeypatch.setattr(mod, "add_streams", lambda raw, prev, coef: real(raw, tuple(2 * p for p in prev), coef))
    with pytest.raises(AssertionError):
        test_matches_numpy_twin(params, tokens, "previous")


def _causal_ok(forward, params, tokens):
    t = 5
    other = tokens.at[:, t:].set((tokens[:, t:] + 7) % 256)
    for variant in VARIANTS:
        c = jnp.asarray(VARIANTS[variant], jnp.float32)
        a, b = (np.asarray(jax.jit(forward, static_argnames="heads")(params, x, c, heads=CFG.heads))
                for x in (tokens, other))
        np.testing.assert_allclose(a[:, :t], b[:, :t], rtol=0, atol=1e-5)
        assert np.abs(a[:, t:] - b[:, t:]).max() > 1e-2


@pytest.mark.slow
def test_causal_mask(params, tokens):
    _causal_ok(lm.forward, params, tokens)


@pytest.mark.slow  # retraces the model (about 3 s); CI's slow stage runs it
def test_causal_mask_mutant_is_caught(params, tokens, monkeypatch, fresh_traces):
    import simulations.train.lm as mod

    def leaky(q, k, v, heads=1):  # attends to every position
        n, T, d = q.shape
        dh = d // heads
        q, k, v = (x.reshape(n, T, heads, dh) for x in (q, k, v))
        s = jnp.einsum("nthd,nshd->nhts", q, k) / np.sqrt(dh)
        return jnp.einsum("nhts,nshd->nthd", jax.nn.softmax(s, -1), v).reshape(n, T, d)

    monkeypatch.setattr(mod, "attend", leaky)
    with pytest.raises(AssertionError):
        _causal_ok(mod.forward, params, tokens)


def _fd(params, tokens, variant, key):
    c = jnp.asarray(VARIANTS[variant], jnp.float32)
    windows = jnp.concatenate([tokens, tokens[:, :1]], axis=1)

    def loss(p):
        return lm.position_loss(p, windows, c, heads=CFG.heads).mean()

    g = jax.grad(loss)(params)
    leaves, treedef = jax.tree_util.tree_flatten(params)
    u = jax.tree_util.tree_unflatten(treedef, [jax.random.normal(k, x.shape) for x, k in
                                               zip(leaves, jax.random.split(key, len(leaves)))])
    norm = np.sqrt(sum(float(jnp.sum(x**2)) for x in jax.tree_util.tree_leaves(u)))
    h = 1e-2 / norm
    fd = float(loss(jax.tree_util.tree_map(lambda a, b: a + h * b, params, u))
               - loss(jax.tree_util.tree_map(lambda a, b: a - h * b, params, u))) / (2 * h)
    an = sum(float(jnp.sum(a * b)) for a, b in zip(jax.tree_util.tree_leaves(g), jax.tree_util.tree_leaves(u)))
    return fd, an


@pytest.mark.slow  # two compiled gradients (about 3 s)
@pytest.mark.parametrize("variant", ["baseline", "values"])
def test_gradient_finite_difference(variant):
    p = _draw(3, scale=0.3)
    tok = jnp.asarray(np.random.default_rng(4).integers(0, 256, (2, CFG.T)), jnp.int32)
    for i in range(2):
        fd, an = _fd(p, tok, variant, jax.random.PRNGKey(10 + i))
        # float32 central difference: truncation O(h^2), rounding ~1e-7 / h; well under 2% of the derivative
        assert abs(an) > 1e-3 and abs(fd - an) <= 0.02 * abs(an) + 1e-3, (fd, an)
        assert abs(fd - 1.5 * an) > 0.02 * abs(an) + 1e-3  # a wrong gradient (off by half) would fail


def test_icl_positions_and_score():
    assert lm.icl_positions(512) == (49, 499, 8)
    assert lm.icl_positions(128) == (11, 124, 2)
    pos = np.zeros((3, 128))
    pos[:, 11] = pos[:, 10] = 2.0  # early window: loss 2
    pos[:, 123:125] = 0.5  # late window: loss 0.5
    np.testing.assert_allclose(lm.icl_score(pos, 128), -1.5)
    pos[:, 125] = 9.0  # outside the windows: no effect
    np.testing.assert_allclose(lm.icl_score(pos, 128), -1.5)


@pytest.mark.parametrize("change,match", [
    ({"T": 3}, "T must be >= 4"), ({"heads": 3}, "heads must divide"), ({"lr": 0.0}, "lr must be > 0"),
    ({"steps": 5}, "multiple of eval_every"), ({"variants": ("baseline", "value")}, "variants must be"),
    ({"stream_from": "last"}, "stream_from must be one of"), ({"val_fraction": 1.5}, "val_fraction"),
    ({"warmup": 4}, "warmup must be smaller"), ({"remat": 1}, "remat must be True or False"),
    ({"corpus": ""}, "corpus must be"), ({"early": 600}, "early and late"), ({"T": 4, "early": 1}, "T must be large")])
def test_bad_config(change, match):
    with pytest.raises((ValueError, TypeError), match=match):
        dataclasses.replace(CFG, **change).validate()
    CFG.validate()


def test_bad_corpus_is_refused_before_training(tmp_path):
    with pytest.raises(ValueError, match="corpus must be an existing"):
        lm.train_lm(dataclasses.replace(CFG, corpus=str(tmp_path / "none.txt")), progress=False)
    short = tmp_path / "short.txt"
    short.write_text("too short\n", encoding="utf-8")
    with pytest.raises(ValueError, match="T must be smaller"):
        lm.train_lm(dataclasses.replace(CFG, corpus=str(short)), progress=False)


def test_cli_bad_usage(capsys, tmp_path):
    from amlab.cli import main

    assert main(["train", "lm", "--corpus", str(tmp_path / "none.txt"), "--out", str(tmp_path / "o")]) == 2
    assert "corpus must be an existing" in capsys.readouterr().err
    assert main(["train", "lm", "--steps", "7", "--out", str(tmp_path / "o")]) == 2
    assert "multiple of eval_every" in capsys.readouterr().err


@pytest.fixture(scope="module")
def tiny():
    return lm.train_lm(TINY, progress=False)


@pytest.mark.slow  # compiles the training program (about 15 s on a shared core)
def test_training_lowers_the_loss_and_records(tiny):
    val = np.asarray(tiny["val_loss"])  # (E, S, V)
    assert val.shape == (3, 2, 2) and np.all(val[-1] < val[0] - 0.05)  # below the untrained ~ln 256
    assert abs(val[0].mean() - np.log(256)) < 0.1
    assert np.asarray(tiny["position_loss"]).shape == (2, 2, TINY.T)
    np.testing.assert_allclose(tiny["icl_score"][-1], lm.icl_score(np.asarray(tiny["position_loss"]), TINY.T),
                               atol=2e-5)  # the recorded score is the one of the recorded position losses
    assert [r["variant"] for r in tiny["table"]] == ["baseline", "values"] and "icl_score_diff" in tiny["table"][1]
    assert tiny["corpus"]["bytes"] == tiny["corpus"]["train_tokens"] + tiny["corpus"]["val_tokens"]
    # the two seeds start from different weights; the variants of a seed from the same ones, so at step 0 they
    # differ only by the stream (small at initialisation)
    assert val[0, 0, 0] != val[0, 1, 0] and np.all(np.abs(val[0, :, 1] - val[0, :, 0]) < 0.01)


@pytest.mark.slow
def test_deterministic_and_resumable(tiny, tmp_path):
    again = lm.train_lm(TINY, progress=False)
    assert again["val_loss"] == tiny["val_loss"] and again["train_loss"] == tiny["train_loss"]
    half = dataclasses.replace(TINY, steps=3)
    out = tmp_path / "run"
    lm.train_lm(half, out, progress=False)
    # a changed config does not reuse the checkpoint; the same config does and continues
    first = json.loads((out / "lm.json").read_text())
    assert first["step"] == [0, 3]
    full = lm.train_lm(TINY, out, progress=False)  # key differs (steps): starts afresh
    assert full["val_loss"] == tiny["val_loss"]
    res = lm.train_lm(TINY, out, progress=False, max_seconds=1e-9)  # the checkpoint of the finished run: no steps
    assert res["val_loss"] == tiny["val_loss"] and not res["stopped_early"]


@pytest.mark.slow
def test_resume_after_a_stop(tmp_path):
    out = tmp_path / "stop"
    stopped = lm.train_lm(TINY, out, progress=False, max_seconds=1e-9)  # stops after the first chunk
    assert stopped["stopped_early"] and stopped["step"] == [0, 3]
    resumed = lm.train_lm(TINY, out, progress=False)
    straight = lm.train_lm(TINY, progress=False)
    assert resumed["step"] == [0, 3, 6] and resumed["val_loss"] == straight["val_loss"]

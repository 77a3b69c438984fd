"""The two-layer attention model: shapes, causal mask, variants, numpy twin, gradients, one optimizer step."""

import dataclasses

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("optax")

import jax.numpy as jnp  # noqa: E402

from simulations.train import model as M  # noqa: E402
from tests.reference_train import logits_one, stream_one  # noqa: E402

D, T, L, H = 6, 9, 5, 12


@pytest.fixture(scope="module")
def params():
    p = M.init_params(jax.random.PRNGKey(3), D, T, L, H)
    # larger attention weights than at initialisation, so the attention patterns are far from uniform
    return jax.tree_util.tree_map(lambda x: 2.0 * x, p)


@pytest.fixture(scope="module")
def tokens():
    return jax.random.normal(jax.random.PRNGKey(4), (3, T, D), jnp.float32)


def test_shapes(params, tokens):
    assert M.stream(params, tokens, jnp.zeros(3)).shape == (3, T, D + T)
    assert M.logits(params, tokens, jnp.zeros(3)).shape == (3, L)
    assert M.coefficients(["baseline", "values"]).shape == (2, 3)
    with pytest.raises(ValueError, match="variants"):
        M.coefficients(["value"])


@pytest.mark.parametrize("variant", list(M.VARIANTS))
def test_matches_numpy_twin(params, tokens, variant):
    c = np.array(M.VARIANTS[variant])
    got = np.asarray(M.logits(params, tokens, jnp.asarray(c, jnp.float32)))
    ref = np.stack([logits_one(params, np.asarray(z, np.float64), c) for z in tokens])
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)  # float32 against float64


@pytest.mark.parametrize("variant", list(M.VARIANTS))
def test_causal_mask(params, tokens, variant):
    """Changing tokens t.. never changes the stream at positions < t."""
    c = jnp.asarray(M.VARIANTS[variant], jnp.float32)
    t = 4
    other = tokens.at[:, t:].set(jax.random.normal(jax.random.PRNGKey(9), (3, T - t, D)))
    a, b = np.asarray(M.stream(params, tokens, c)), np.asarray(M.stream(params, other, c))
    np.testing.assert_allclose(a[:, :t], b[:, :t], rtol=0, atol=1e-6)
    assert np.abs(a[:, t:] - b[:, t:]).max() > 1e-2  # the later positions do change


@pytest.mark.parametrize("variant,matrix", [("values", "W_V"), ("queries", "W_Q"), ("keys", "W_K")])
def test_variant_is_baseline_without_its_stream(params, tokens, variant, matrix):
    c, c0 = jnp.asarray(M.VARIANTS[variant], jnp.float32), jnp.zeros(3)
    assert np.abs(np.asarray(M.logits(params, tokens, c) - M.logits(params, tokens, c0))).max() > 1e-3
    zeroed = {**params, "attn1": {**params["attn1"], matrix: jnp.zeros_like(params["attn1"][matrix])}}
    np.testing.assert_allclose(np.asarray(M.logits(zeroed, tokens, c)), np.asarray(M.logits(zeroed, tokens, c0)),
                               rtol=0, atol=1e-6)


def _mutant_stream_noncausal(params, tokens, coef):
    x0 = M.embed(tokens)
    a1, a2 = params["attn1"], params["attn2"]

    def attend(q, k, v):
        s = jnp.einsum("ntd,nsd->nts", q, k) / np.sqrt(q.shape[-1])
        return jnp.einsum("nts,nsd->ntd", jax.nn.softmax(s, axis=-1), v)

    q1, k1, v1 = x0 @ a1["W_Q"], x0 @ a1["W_K"], x0 @ a1["W_V"]
    x1 = x0 + attend(q1, k1, v1)
    return x1 + attend(x1 @ a2["W_Q"] + coef[0] * q1, x1 @ a2["W_K"] + coef[1] * k1, x1 @ a2["W_V"] + coef[2] * v1)


def _mutant_stream_output(params, tokens, coef):
    """Adds layer 1's attention output (not its values) to layer 2's values."""
    x0 = M.embed(tokens)
    a1, a2 = params["attn1"], params["attn2"]
    q1, k1, v1 = x0 @ a1["W_Q"], x0 @ a1["W_K"], x0 @ a1["W_V"]
    o1 = M._attend(q1, k1, v1)
    x1 = x0 + o1
    return x1 + M._attend(x1 @ a2["W_Q"] + coef[0] * q1, x1 @ a2["W_K"] + coef[1] * k1,
                          x1 @ a2["W_V"] + coef[2] * o1)


def test_mutants_are_caught(params, tokens, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(M, "stream", _mutant_stream_noncausal)
        with pytest.raises(AssertionError):
            test_causal_mask(params, tokens, "baseline")
    with monkeypatch.context() as m:
        m.setattr(M, "stream", _mutant_stream_output)
        with pytest.raises(AssertionError):
            test_matches_numpy_twin(params, tokens, "values")


def _loss_fd_check(loss, p, tok, target, c, key):
    """Directional derivative of the loss: central difference against jax.grad (float32)."""
    g = jax.grad(loss)(p, tok, target, c)
    leaves, treedef = jax.tree_util.tree_flatten(p)
    keys = list(jax.random.split(key, len(leaves)))
    u = jax.tree_util.tree_unflatten(treedef, [jax.random.normal(k, x.shape) for x, k in zip(leaves, keys)])
    norm = np.sqrt(sum(float(jnp.sum(x**2)) for x in jax.tree_util.tree_leaves(u)))
    u = jax.tree_util.tree_map(lambda x: x / norm, u)
    h = 1e-2
    plus = loss(jax.tree_util.tree_map(lambda a, b: a + h * b, p, u), tok, target, c)
    minus = loss(jax.tree_util.tree_map(lambda a, b: a - h * b, p, u), tok, target, c)
    fd = float(plus - minus) / (2 * h)
    an = sum(float(jnp.sum(a * b)) for a, b in zip(jax.tree_util.tree_leaves(g), jax.tree_util.tree_leaves(u)))
    return fd, an


@pytest.mark.slow  # 5-8 s, run by CI's slow stage; the finite-difference check itself stays in the default suite (test_gradient_mutant_is_caught)
@pytest.mark.parametrize("variant", ["baseline", "values"])
def test_gradient_finite_difference(params, tokens, variant):
    c = jnp.asarray(M.VARIANTS[variant], jnp.float32)
    target = jnp.array([0, 3, 1])
    for i in range(3):
        fd, an = _loss_fd_check(M.loss, params, tokens, target, c, jax.random.PRNGKey(20 + i))
        # float32: truncation O(h^2) and rounding ~1e-7/h give well under 1% of a derivative of this size
        assert abs(an) > 1e-3 and abs(fd - an) <= 0.01 * abs(an) + 1e-4, (fd, an)


def test_one_step_is_sgd_with_weight_decay(params, tokens):
    """One optimizer step moves every weight by -lr (dL/dw + wd w), dL/dw checked by finite differences above."""
    from simulations.train import icl

    cfg = dataclasses.replace(icl.FULL, lr=0.05, weight_decay=0.01)
    opt = icl._optimizer(cfg)
    c = jnp.zeros(3)
    target = jnp.array([0, 3, 1])
    g = jax.grad(M.loss)(params, tokens, target, c)
    upd, _ = opt.update(g, opt.init(params), params)
    w, gw, uw = (np.asarray(x["attn2"]["W_V"]) for x in (params, g, upd))
    np.testing.assert_allclose(uw, -0.05 * (gw + 0.01 * w), rtol=1e-5, atol=1e-7)


def test_gradient_mutant_is_caught(params, tokens):
    def wrong_loss(p, tok, target, c):  # a loss whose gradient jax computes through a stop_gradient: wrong
        return M.loss(jax.tree_util.tree_map(jax.lax.stop_gradient, p), tok, target, c) + 0.0 * sum(
            jnp.sum(x) for x in jax.tree_util.tree_leaves(p))

    fd, an = _loss_fd_check(wrong_loss, params, tokens, jnp.array([0, 3, 1]), jnp.zeros(3), jax.random.PRNGKey(20))
    assert not abs(fd - an) <= 0.01 * abs(an) + 1e-4

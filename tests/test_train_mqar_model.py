"""The MQAR mixers: NumPy twins of the forward pass, causality (with mutants), gradients, determinism."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from simulations.train import mqar_model as M  # noqa: E402
from tests import reference_train_mqar as R  # noqa: E402

#: The whole module runs in the slow stage: its JAX compiles (five mixers, stepwise and chunked) cost
#: about 10 s of the default suite's 5-minute budget; CI runs it with `-m slow`.
pytestmark = pytest.mark.slow

L, D, VOC = 8, 6, 12
HIDDEN = jax.jit(M.hidden, static_argnums=2)
TOK = np.array([1, 7, 2, 9, 1, 0, 2, 0])


def _spec(mixer, **kw):
    return M.ModelSpec(mixer, D, VOC, L, **kw)


def _params(spec, seed=0):
    p = M.init_params(jax.random.PRNGKey(seed), spec)
    # gates away from their initial values, so that every gate's weight is exercised
    for i, lay in enumerate(p["layers"]):
        for name in ("w_beta", "w_alpha"):
            if name in lay:
                lay[name] = jax.random.normal(jax.random.PRNGKey(10 + i), (D,)) * 0.7
        if "decay" in lay:
            lay["decay"] = jnp.asarray(0.4 + i)
    return p


def _np(p):
    return jax.tree_util.tree_map(lambda x: np.asarray(x, np.float64), p)


#: Every mixer at L = 8 (the delta rules token by token; test_chunked_delta_rule_matches_numpy_twin runs them
#: chunk by chunk in the default suite); each case is one compile, so the stepwise delta rules, the fixed
#: rate and the MLP run in the slow stage.
_SLOW = pytest.mark.slow
CASES = [("attention", {}), ("linear", {}), ("decay", {}), pytest.param("delta", {}, marks=_SLOW),
         pytest.param("gated_delta", {}, marks=_SLOW), pytest.param("delta", {"beta": 0.7, "conv": False}, marks=_SLOW),
         pytest.param("gated_delta", {"mlp": True}, marks=_SLOW)]


@pytest.mark.parametrize("mixer,kw", CASES)
def test_forward_matches_numpy_twin(mixer, kw):
    spec = _spec(mixer, **kw)
    p = _params(spec)
    got = np.asarray(HIDDEN(p, jnp.asarray(TOK), spec))
    ref = R.hidden(_np(p), TOK, mixer, conv_on=spec.conv, mlp=spec.mlp, beta_fixed=spec.beta)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def _causal_violations(f, tokens, V=VOC):
    """Positions ``t`` such that changing token ``t`` changes some output before ``t``."""
    base = f(tokens)
    bad = []
    for t in range(1, len(tokens)):
        other = tokens.copy()
        other[t] = (other[t] + 5) % V
        if not np.array_equal(f(other)[:t], base[:t]):
            bad.append(t)
    return bad


@pytest.mark.parametrize("mixer", [m if m in ("attention", "gated_delta") else pytest.param(m, marks=_SLOW)
                                   for m in M.MIXERS])
def test_causal(mixer):
    spec = _spec(mixer)
    p = _params(spec)
    f = jax.jit(lambda t: M.hidden(p, t, spec))
    assert _causal_violations(lambda t: np.asarray(f(jnp.asarray(t))), TOK) == []


def test_causality_check_catches_mutants(monkeypatch):
    """A non-causal mask (attention sees the future) and a recurrence that writes token t + 1 before
    reading at t both fail the same check."""
    spec = _spec("attention", conv=False)
    p = _params(spec)
    monkeypatch.setattr(M, "_causal", lambda n: jnp.ones((n, n), bool))
    assert _causal_violations(lambda t: np.asarray(M.hidden(p, jnp.asarray(t), spec)), TOK)
    pn = _np(_params(_spec("delta")))
    assert _causal_violations(lambda t: R.hidden(pn, t, "delta", lookahead=True), TOK)
    assert _causal_violations(lambda t: R.hidden(pn, t, "delta"), TOK) == []


def test_state_size():
    assert M.state_size("linear", 32, 256) == 32 * 32 and M.state_size("attention", 32, 256) == 2 * 256 * 32
    with pytest.raises(ValueError, match="mixer"):
        M.state_size("mamba", 32, 256)
    with pytest.raises(ValueError, match="mixer"):
        M.ModelSpec("rnn", 8, 16, 8)


def test_same_seed_same_bits():
    spec = _spec("gated_delta", mlp=True)
    a, b, c = (jax.tree_util.tree_leaves(M.init_params(jax.random.PRNGKey(s), spec)) for s in (3, 3, 4))
    assert all(np.asarray(x).tobytes() == np.asarray(y).tobytes() for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


@pytest.mark.slow  # 26 s on two shared cores: the float64 compile of the gated-delta scan's gradient
@pytest.mark.parametrize("n", [L, M.CHUNK])  # the gated delta rule token by token, then in one chunk
def test_gradient_by_finite_differences(n):
    """The directional derivative of the loss (float64) along a random direction equals the centred difference."""
    with jax.enable_x64(True):
        spec = M.ModelSpec("gated_delta", D, VOC, n)
        p = jax.tree_util.tree_map(lambda x: jnp.asarray(x, jnp.float64), _params(spec))
        seq = np.resize(TOK, n)
        tok = jnp.asarray(np.stack([seq, np.roll(seq, 2)]))
        qp = jnp.asarray([[4, 6], [5, 7]])
        ans = jnp.asarray([[7, 9], [3, 4]])
        valid = jnp.asarray([[True, True], [True, False]])
        f = jax.jit(lambda q: M.loss(q, tok, qp, ans, valid, spec))
        g = jax.grad(lambda q: M.loss(q, tok, qp, ans, valid, spec))(p)
        leaves, tree = jax.tree_util.tree_flatten(p)
        rng = np.random.default_rng(0)
        dirs = [jnp.asarray(rng.standard_normal(np.shape(x))) for x in leaves]
        u = jax.tree_util.tree_unflatten(tree, dirs)
        h = 1e-5
        plus = jax.tree_util.tree_map(lambda x, e: x + h * e, p, u)
        minus = jax.tree_util.tree_map(lambda x, e: x - h * e, p, u)
        fd = (float(f(plus)) - float(f(minus))) / (2 * h)
        an = sum(float(jnp.vdot(a, e)) for a, e in zip(jax.tree_util.tree_leaves(g), dirs))
        assert abs(fd - an) <= 1e-6 * max(1.0, abs(an))
        # a wrong gradient (one leaf's gradient dropped) is caught by the same comparison
        wrong = an - float(jnp.vdot(jax.tree_util.tree_leaves(g)[0], dirs[0]))
        assert abs(fd - wrong) > 1e-6 * max(1.0, abs(an))


@pytest.mark.parametrize("mixer", [pytest.param("delta", marks=_SLOW), "gated_delta"])  # delta: log alpha = 0
def test_chunked_delta_rule_matches_numpy_twin(mixer):
    """At L = 2 CHUNK the delta rules run chunk by chunk (a triangular solve per chunk); the outputs are
    the token-by-token recurrence's, and so are those of the stepwise scan on the same input."""
    n = 2 * M.CHUNK
    spec = M.ModelSpec(mixer, D, VOC, n)
    p = _params(spec)
    tok = np.random.default_rng(1).integers(0, VOC, n)
    got = np.asarray(HIDDEN(p, jnp.asarray(tok), spec))
    np.testing.assert_allclose(got, R.hidden(_np(p), tok, mixer), rtol=1e-5, atol=1e-5)
    rng = np.random.default_rng(2)
    q, k = (jnp.asarray(R.unit(rng.standard_normal((n, D))), jnp.float32) for _ in range(2))
    v = jnp.asarray(rng.standard_normal((n, D)), jnp.float32)
    b = jnp.asarray(rng.uniform(0.1, 1.0, n), jnp.float32)
    la = jnp.asarray(np.log(rng.uniform(0.05, 1.0, n)), jnp.float32)  # strong gates: ratios down to 0.05^16
    chunks, steps = jax.jit(M._delta_chunks)(q, k, v, b, la), jax.jit(M._delta_steps)(q, k, v, b, la)
    np.testing.assert_allclose(chunks, steps, rtol=1e-4, atol=1e-5)

"""Experiment 2 (a trained induction head): model against its numpy twin, causal mask, gradients, the JAX
sampler, learning, determinism, resuming, the comparison with the closed form, bad configurations, the CLI."""

import dataclasses
import json

import numpy as np
import pytest
from scipy import stats

jax = pytest.importorskip("jax")
pytest.importorskip("optax")

import jax.numpy as jnp  # noqa: E402

from amlab.cli import main  # noqa: E402
from hopfield.bigram import synthetic_bigram  # noqa: E402
from hopfield.induction import build_induction_model, forward as np_forward, probes as np_probes  # noqa: E402
from hopfield.induction_data import trigger_sequences  # noqa: E402
from simulations.train import induction as I  # noqa: E402
from simulations.train import induction_model as M  # noqa: E402
from tests.reference_train_induction import closed_form_logits, forward_one  # noqa: E402

V, d, T = 8, 12, 16

#: A tiny run in which the copy memory, the induction head and in-context accuracy rise within 300 Adam steps.
TINY = I.InductionConfig(ds=(48,), seeds=2, steps=300, eval_every=150, batch=32, T=32, lr=0.03, n_eval=64,
                         n_prompts=8, t_prompt=24)

#: A smoke run for the default suite (one small program: compile time dominates).
SMOKE = I.InductionConfig(ds=(16,), seeds=2, steps=60, eval_every=30, batch=16, T=16, lr=0.03, n_eval=32,
                          n_prompts=4, t_prompt=16, c_qks=(2,))

#: The sampler and the forward pass, compiled once (eager calls would compile every operation separately).
sample = jax.jit(M.sample, static_argnums=(3, 4, 5))
fwd = jax.jit(lambda p, f, t: M.forward(p, f, t))


@pytest.fixture(scope="module")
def bg():
    return synthetic_bigram(V, seed=0)


@pytest.fixture(scope="module")
def small(bg):
    fz = {k: jnp.asarray(v) for k, v in M.frozen_parts(bg, d, T, seed=5).items()}
    # weights larger than the N(0, 1/d) scale, so that the attention maps are far from uniform
    params = M.init_params(jax.random.PRNGKey(1), d, ffn=True, scale=4.0)
    tok, fl = sample(jax.random.PRNGKey(2), jnp.log(bg.pi_u), jnp.log(bg.pi_b), 64, T, 3)
    return params, fz, tok[:3], fl[:3]


def test_forward_matches_twins(small):
    params, fz, tok, _ = small
    A1, A2, lg = (np.asarray(x) for x in fwd(params, fz, tok))
    assert A1.shape == A2.shape == (3, T, T) and lg.shape == (3, T, V)
    for b in range(3):
        r1, r2, rl = forward_one(params, fz, np.asarray(tok[b]))
        np.testing.assert_allclose(A1[b], r1, atol=2e-5)  # float32 against float64
        np.testing.assert_allclose(A2[b], r2, atol=2e-5)
        np.testing.assert_allclose(lg[b], rl, rtol=1e-4, atol=1e-4)
    # the export is the built model's forward pass with the trained matrices and unit scales
    out = np_forward(M.to_numpy_model(params, fz), np.asarray(tok))
    np.testing.assert_allclose(out.logits, lg, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out.A2, A2, atol=2e-5)
    no_ffn = {k: v for k, v in params.items() if k != "W_F"}
    np.testing.assert_allclose(np.asarray(fwd(no_ffn, fz, tok)[2][0]), forward_one(no_ffn, fz, np.asarray(tok[0]))[2],
                               rtol=1e-4, atol=1e-4)


def test_frozen_parts_are_the_built_models(bg):
    fz = M.frozen_parts(bg, d, T, seed=5)
    m = build_induction_model(bg, d=d, T_max=T, seed=5)
    for k in ("w_E", "w_U", "P", "W_OV1", "W_V2"):
        np.testing.assert_allclose(fz[k], getattr(m, k), rtol=1e-6)


def test_causal_mask(small, bg):
    """Changing tokens t.. never changes attention or logits at positions < t."""
    params, fz, tok, _ = small
    t = 6
    other = tok.at[:, t:].set((tok[:, t:] + 3) % V)
    a, b = M.forward(params, fz, tok), M.forward(params, fz, other)  # eager: the mutant test patches M
    for x, y in zip(a, b):
        np.testing.assert_allclose(np.asarray(x)[:, :t], np.asarray(y)[:, :t], rtol=0, atol=1e-6)
    assert np.abs(np.asarray(a[2])[:, t:] - np.asarray(b[2])[:, t:]).max() > 1e-2  # later positions do change


def test_causal_mask_mutant_is_caught(small, monkeypatch):
    """Attention without the mask (every position sees the whole sequence) fails the causal-mask test."""
    monkeypatch.setattr(M, "_causal_softmax", lambda S: jax.nn.softmax(S, axis=-1))
    with pytest.raises(AssertionError):
        test_causal_mask(small, None)


def _fd_check(loss, params, fz, tok, fl, key, h=1e-2):
    """Directional derivative of ``loss`` along a random direction: central difference vs autodiff."""
    vg = jax.jit(jax.value_and_grad(loss))  # one compiled program for the gradient and both loss values
    g = vg(params, fz, tok, fl)[1]
    ks = jax.random.split(key, len(params))
    u = {k: jax.random.normal(kk, v.shape) for (k, v), kk in zip(sorted(params.items()), ks)}
    plus = vg({k: params[k] + h * u[k] for k in params}, fz, tok, fl)[0]
    minus = vg({k: params[k] - h * u[k] for k in params}, fz, tok, fl)[0]
    return float(plus - minus) / (2 * h), sum(float(jnp.sum(g[k] * u[k])) for k in params)


@pytest.mark.parametrize("only_icl", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_gradient_finite_difference(small, only_icl):
    params, fz, tok, fl = small
    params = {k: 0.25 * v for k, v in params.items()}  # a smoother point: the O(h^2) truncation stays small
    loss = lambda p, f, t, fl_: M.loss(p, f, t, fl_, only_icl)  # noqa: E731
    for i in range(3):
        fd, an = _fd_check(loss, params, fz, tok, fl, jax.random.PRNGKey(20 + i))
        # float32: truncation O(h^2) and rounding ~1e-7/h stay well under 1% of a derivative of this size
        assert abs(an) > 1e-3 and abs(fd - an) <= 0.01 * abs(an) + 1e-4, (fd, an)


@pytest.mark.slow
def test_gradient_mutant_is_caught(small):
    params, fz, tok, fl = small
    params = {k: 0.25 * v for k, v in params.items()}

    def wrong(p, f, t, fl_):  # W_K1's gradient blocked: autodiff disagrees with the finite difference
        return M.loss({**p, "W_K1": jax.lax.stop_gradient(p["W_K1"])}, f, t, fl_)

    fd, an = _fd_check(wrong, params, fz, tok, fl, jax.random.PRNGKey(20))
    assert not abs(fd - an) <= 0.01 * abs(an) + 1e-4


def _check_structure(tok, fl, K):
    """Every sequence obeys the trigger rules: fixed outputs, at most K triggers, flags count occurrences."""
    tok, fl = np.asarray(tok), np.asarray(fl)
    for z, f in zip(tok, fl):
        out = {}
        count = {}
        for t in range(1, len(z)):
            prev = z[t - 1]
            if f[t] > 0:
                assert out.setdefault(prev, z[t]) == z[t]  # a trigger is always followed by the same output
                count[prev] = count.get(prev, 0) + 1
                assert f[t] == count[prev]
        assert len(out) <= K and f[0] == 0
        # no unflagged position follows a trigger (checked against the full set of triggers found)
        assert not any(z[t - 1] in out for t in range(1, len(z)) if f[t] == 0)


def test_sampler_structure_and_determinism(bg):
    lu, lb = jnp.log(bg.pi_u), jnp.log(bg.pi_b)
    tok, fl = sample(jax.random.PRNGKey(0), lu, lb, 64, T, 3)
    assert tok.shape == fl.shape == (64, T) and int(tok.min()) >= 0 and int(tok.max()) < V
    _check_structure(tok, fl, 3)
    assert (np.asarray(fl) >= 2).sum() > 64  # repeated trigger outputs: what the induction head predicts
    again = sample(jax.random.PRNGKey(0), lu, lb, 64, T, 3)
    assert np.array_equal(np.asarray(again[0]), np.asarray(tok))
    assert not np.array_equal(np.asarray(sample(jax.random.PRNGKey(1), lu, lb, 64, T, 3)[0]), np.asarray(tok))
    # the numpy generator obeys the same rules
    _check_structure(*trigger_sequences(bg, n=16, T=32, K=3, seed=0), 3)


def _bigram_only(key, lu, lb, n, T, K):
    """A broken sampler: every token from the bigram (the triggers never force their outputs), flags zero."""
    k0, k1 = jax.random.split(key)
    first = jax.random.categorical(k0, lu, shape=(n,)).astype(jnp.int32)

    def body(prev, k):
        nxt = jax.random.categorical(k, lb[prev], axis=-1).astype(jnp.int32)
        return nxt, nxt

    _, rest = jax.lax.scan(body, first, jax.random.split(k1, T - 1))
    tok = jnp.concatenate([first[:, None], rest.T], axis=1)
    return tok, jnp.zeros_like(tok)


def test_sampler_mutants_are_caught(bg):
    """Flags one position late, or tokens of a bigram-only stream under the real flags: the structure check fails."""
    lu, lb = jnp.log(bg.pi_u), jnp.log(bg.pi_b)
    tok, fl = sample(jax.random.PRNGKey(0), lu, lb, 64, T, 3)
    with pytest.raises(AssertionError):
        _check_structure(tok, np.roll(np.asarray(fl), 1, axis=1), 3)
    rng = np.random.default_rng(0)  # a bigram-only stream (numpy), under the real flags
    z = np.empty((64, T), np.int64)
    z[:, 0] = rng.choice(V, size=64, p=bg.pi_u)
    for t in range(1, T):
        z[:, t] = [rng.choice(V, p=bg.pi_b[prev]) for prev in z[:, t - 1]]
    with pytest.raises(AssertionError):
        _check_structure(z, fl, 3)


@pytest.mark.slow
def test_sampler_statistics_match_numpy_generator(bg):
    """JAX sampler against hopfield.induction_data.trigger_sequences: same laws (chi-square / two-sample tests).

    4000 sequences each side; every test at level 1e-3 (they are exact tests of equal distributions, so
    the tolerance is the test's level: a correct sampler fails one of the four with probability < 0.004).
    """
    n, TT, K = 4000, 24, 2
    tj, fj = (np.asarray(x) for x in sample(jax.random.PRNGKey(7), jnp.log(bg.pi_u), jnp.log(bg.pi_b), n, TT, K))
    tn, fn = trigger_sequences(bg, n=n, T=TT, K=K, seed=7)
    # first tokens: both ~ pi_u (chi-square contingency of the two samples)
    table = np.stack([np.bincount(tj[:, 0], minlength=V), np.bincount(tn[:, 0], minlength=V)])
    assert stats.chi2_contingency(table + 0).pvalue > 1e-3
    # bigram transitions (unforced positions) against pi_b, pooled goodness of fit
    obs = np.zeros((V, V))
    np.add.at(obs, (tj[:, :-1][fj[:, 1:] == 0], tj[:, 1:][fj[:, 1:] == 0]), 1)
    exp = obs.sum(1, keepdims=True) * bg.pi_b
    chi = ((obs - exp) ** 2 / np.where(exp > 0, exp, 1)).sum()
    assert stats.chi2.sf(chi, V * (V - 1)) > 1e-3
    # how many positions are trigger outputs, and repeated ones: two-sample tests on the per-sequence counts
    for j in (1, 2):
        assert stats.mannwhitneyu((fj >= j).sum(1), (fn >= j).sum(1)).pvalue > 1e-3
    # outputs uniform over V
    outs = np.array([tj[b, t] for b in range(n) for t in range(1, TT) if fj[b, t] == 1])
    assert stats.chisquare(np.bincount(outs, minlength=V)).pvalue > 1e-3


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke")
    return I.train_induction(SMOKE, out, progress=False), out


def _assert_learned(res, probes_=("copy", "induction", "icl")):
    """Each probe of every run, after training, clearly above its value at step 0 (the untrained model).

    Final probes: numpy ``hopfield.induction.probes`` of the exported model on ``trigger_sequences`` data, with
    their position counts ``n``; the step-0 value ``p0`` comes from the JAX probes on the sampler's data. Learning
    means ``p1 >= p0 + 0.1`` and a one-sided binomial test of ``p1`` against ``p0`` at level 1e-3.
    """
    for r in res["runs"].values():
        p0s = np.asarray(r["probes"])[0]  # (S, P)
        for name in probes_:
            k = I.PROBES.index(name)
            for s, fin in enumerate(r["final_probes"]):
                p0, p1, n = p0s[s, k], fin[name], fin["n_" + name]
                assert p1 >= p0 + 0.1, (name, p0, p1)
                assert stats.binomtest(int(round(p1 * n)), n, max(p0, 1e-3), alternative="greater").pvalue < 1e-3


def test_smoke_run_learns_and_writes(smoke):
    """60 steps: the loss falls and the copy memory forms (the fastest probe); the files are written."""
    res, out = smoke
    r = res["runs"]["16"]
    assert r["step"] == [0, 30, 60] and np.asarray(r["probes"]).shape == (3, 2, len(I.PROBES))
    loss = np.asarray(r["probes"])[:, :, I.PROBES.index("loss")]
    assert (loss[-1] < loss[0] - 0.1).all()
    _assert_learned(res, ("copy",))
    files = {p.name for p in out.iterdir()}
    assert {"induction.json", "induction_curves.csv", "induction_table.md", "checkpoint_d16.npz"} <= files
    rec = json.loads((out / "induction.json").read_text())
    assert rec["config"]["seeds"] == 2 and rec["runs"]["16"]["step"] == [0, 30, 60]
    assert len(rec["runs"]["16"]["comparison"]) == 2 and rec["table"][0]["d"] == 16
    assert "deviation from theory" in (out / "induction_table.md").read_text()


def test_deterministic_and_resumable(smoke, tmp_path):
    res, _ = smoke
    again = I.train_induction(dataclasses.replace(SMOKE, steps=30), None, progress=False)
    assert again["runs"]["16"]["probes"] == res["runs"]["16"]["probes"][:2]
    assert again["runs"]["16"]["train_loss"] == res["runs"]["16"]["train_loss"][:2]
    other = I.train_induction(dataclasses.replace(SMOKE, steps=30, seed=1), None, progress=False)
    assert other["runs"]["16"]["probes"] != again["runs"]["16"]["probes"]
    part = I.train_induction(SMOKE, tmp_path, progress=False, max_seconds=0.0)
    assert part["stopped_early"] and part["runs"]["16"]["step"] == [0, 30]
    whole = I.train_induction(SMOKE, tmp_path, progress=False)
    assert not whole["stopped_early"] and whole["runs"]["16"]["probes"] == res["runs"]["16"]["probes"]
    assert whole["runs"]["16"]["comparison"] == res["runs"]["16"]["comparison"]


@pytest.fixture(scope="module")
def tiny():
    return I.train_induction(TINY, None, progress=False)


@pytest.mark.slow
def test_learns(tiny):
    """300 steps at d = 48: the copy memory, both heads and in-context accuracy all rise."""
    _assert_learned(tiny, ("prev_token", "induction", "copy", "icl"))


@pytest.mark.slow
def test_learning_mutants_are_caught():
    """Frozen heads and data without triggers fail the learning test: W_K^2 never trained leaves the induction
    probe at its initial level, W_K^1 never trained the previous-token probe, and bigram-only data the induction
    probe. (With W_K^1 frozen at zero the induction probe does rise: uniform layer-1 attention writes the running
    mean of the earlier tokens into h1, in which a token enters with its largest weight right after its first
    occurrence, so W_K^2 can still find that position.)"""
    for frozen, probe in ((("W_K1", "W_O2", "W_F"), "induction"), (("W_K2", "W_O2", "W_F"), "prev_token")):
        res = I.train_induction(dataclasses.replace(TINY, trained=frozen), None, progress=False)
        with pytest.raises(AssertionError):
            _assert_learned(res, (probe,))
    orig = M.sample
    try:
        M.sample = _bigram_only
        I._program.cache_clear()
        res = I.train_induction(dataclasses.replace(TINY, seed=3), None, progress=False)
    finally:
        M.sample = orig
        I._program.cache_clear()
    with pytest.raises(AssertionError):
        _assert_learned(res, ("induction",))


@pytest.mark.slow
def test_induction_head_forms():
    """Longer training: the previous-token and induction heads form (probes far above their initial values)."""
    cfg = dataclasses.replace(TINY, steps=1200, eval_every=300)
    res = I.train_induction(cfg, None, progress=False)
    _assert_learned(res, ("prev_token", "induction", "copy", "icl"))
    fin = res["runs"]["48"]["final_probes"]
    assert min(f["induction"] for f in fin) > 0.5 and min(f["copy"] for f in fin) > 0.9


def _designed_sets(bg_, c_qks=(1, 2, 3), n=32):
    cfg = dataclasses.replace(I.QUICK, c_qks=c_qks, n_prompts=n, t_prompt=32)
    return I._prompt_sets(cfg, bg_)


def _fit_known():
    bg_ = synthetic_bigram(32, seed=1)
    sets = _designed_sets(bg_)
    y = []
    for p, n_q, c, cbar in sets:  # the closed form written out in tests/reference_train_induction.py
        xi = closed_form_logits(1.5, 3.0, 0.4, c, cbar, n_q[:, None], p.t, np.log(bg_.pi_b[p.q]))
        y.append(xi - xi.mean(1, keepdims=True))
    fit = I.fit_scales(np.concatenate(y), bg_, sets)
    assert fit["beta2"] == pytest.approx(1.5, abs=1e-2)
    assert fit["beta_O"] == pytest.approx(3.0, rel=1e-2) and fit["gamma"] == pytest.approx(0.4, rel=1e-2)


def test_fit_scales_recovers_known_scales():
    _fit_known()


def test_fit_mutant_is_caught(monkeypatch):
    """A wrong closed form (the softmax normaliser t instead of e^beta2 n_q + t - n_q) is not recovered."""
    import sympy as sp

    from theory import induction as th

    right = th.logits()
    S = th.symbols()
    wrong = dataclasses.replace(right, expr=S["beta_O"] * (sp.exp(S["beta2"]) * S["c"] + S["cbar"]) / S["t"]
                                + S["gamma"] * S["ell"])
    monkeypatch.setattr(th, "logits", lambda: wrong)
    with pytest.raises(AssertionError):
        _fit_known()


def test_comparison_of_the_built_model():
    """The built memory model passed in as if trained: its scales are recovered at d = 512 (crosstalk
    ~ d^(-1/2) = 0.044 per inner product; measured beta2 2.1, beta_O 3.7), and a model without a
    previous-token head (beta1 = 0) shows no in-context preference (fitted beta2 ~ 0)."""
    bg_ = synthetic_bigram(32, seed=1)
    sets = _designed_sets(bg_, n=12)
    m = build_induction_model(bg_, d=512, T_max=32, seed=4, beta1=20, beta2=2.0, beta_O=4.0, gamma=0.5)
    comp = I.compare_with_theory(m, bg_, sets, T_max=32, seed=4)
    assert comp["scales"]["beta2"] == pytest.approx(2.0, abs=0.5)
    assert comp["scales"]["beta_O"] == pytest.approx(4.0, rel=0.25) and comp["scales"]["gamma"] == pytest.approx(0.5, abs=0.25)
    assert comp["theory"]["correlation"] > 0.8 and comp["built"]["correlation"] > 0.99
    tok = np.concatenate([p.tokens for p, *_ in sets])
    y = np_forward(m.with_scales(beta1=0.0), tok).logits[:, -1]
    assert I.fit_scales(y - y.mean(1, keepdims=True), bg_, sets)["beta2"] < 1.0


def test_slope_interval():
    ds = np.repeat([32, 64, 128, 256], 3)
    noise = np.tile([0.98, 1.0, 1.02], 4)
    s = I.slope_interval(ds, 5 * ds ** -0.5 * noise)
    assert s["slope"] == pytest.approx(-0.5, abs=1e-9) and s["low"] < -0.5 < s["high"] and s["n"] == 12


@pytest.mark.parametrize("change,match", [
    ({"steps": 250}, "multiple of eval_every"), ({"ds": (1,)}, "ds"), ({"ds": [32]}, "tuple"),
    ({"seeds": 0}, "seeds"), ({"lr": 0.0}, "lr"), ({"optimizer": "rmsprop"}, "optimizer"),
    ({"bigram": "words"}, "bigram"), ({"trained": ("W_Q",)}, "trained"), ({"K": 40}, "K must be"),
    ({"t_prompt": 40}, "t_prompt"), ({"c_qks": (5,)}, "c_qks"), ({"ffn": 1}, "ffn"), ({"T": 2.5}, "T"),
    ({"ffn": False}, "trained"),
])
def test_bad_config(change, match):
    with pytest.raises((ValueError, TypeError), match=match):
        dataclasses.replace(TINY, **change).validate()


def test_cli_bad_usage(capsys):
    assert main(["train", "induction", "--steps", "250", "--eval-every", "100"]) == 2
    assert "multiple of eval_every" in capsys.readouterr().err
    assert main(["train", "induction", "--d", "1"]) == 2
    assert main(["train", "induction", "--optimizer", "rmsprop"]) == 2


@pytest.mark.slow
def test_cli_runs_with_its_options(tmp_path, capsys):
    # every option reaches the configuration the run records (a dropped option would leave the preset's value)
    out = tmp_path / "run"
    assert main(["train", "induction", "--d", "16", "--steps", "20", "--eval-every", "10", "--seeds", "1",
                 "--no-ffn", "--lr", "0.01", "--optimizer", "sgd", "--seed", "3", "--out", str(out)]) == 0
    cfg = json.loads((out / "induction.json").read_text())["config"]
    assert (cfg["ds"], cfg["steps"], cfg["eval_every"], cfg["seeds"], cfg["seed"]) == ([16], 20, 10, 1, 3)
    assert (cfg["ffn"], cfg["lr"], cfg["optimizer"]) == (False, 0.01, "sgd")
    assert "W_F" not in cfg["trained"]
    assert "steps/s" in capsys.readouterr().out

"""Experiment 2: the birth of an induction head, checked against the closed-form logits.

The two-layer attention-only model of Bietti et al. (2023)
(:mod:`simulations.train.induction_model`) is trained on Bietti's trigger-bigram
sequences for every embedding dimension ``d`` of the config. For one ``d`` all
seeds run in one compiled program: the weights carry a leading seed axis, one
jitted call runs ``eval_every`` steps (``lax.scan``), each drawing a fresh batch
per seed on the device (``jax.random`` keys folded from ``(seed, step)``). Seed
``i`` fixes the frozen embeddings (``build_induction_model(..., seed=run_seed_i)``)
and the data stream. Every ``eval_every`` steps the probes of
:func:`simulations.train.induction_model.probes` (previous-token, induction,
copy, ICL accuracy, loss) are measured on ``n_eval`` fresh sequences; the curves
and a checkpoint are written after every evaluation, so an interrupted run resumes.

At the end each trained model is exported (:func:`~simulations.train.induction_model.to_numpy_model`)
and run on designed prompts (:func:`hopfield.induction_data.designed_prompts`:
a query ``q`` whose in-context successor ``k`` conflicts with the global bigram
answer). Its logits at the query, centred over the ``V`` tokens (a constant
common to all tokens does not change the softmax), are compared with

(a) the closed form of :func:`theory.induction.logits`,
    ``beta_O (e^beta2 c + cbar)/(e^beta2 n_q + t - n_q) + gamma log pi_b(k|q)``,
    with the three scales fitted to the trained logits (least squares, pooled
    over prompts; the trained model's scales live in its weights), and
(b) the associative-memory model built in closed form
    (:func:`hopfield.induction.build_induction_model`, same frozen parts, the
    fitted scales, ``beta1 = 20``).

Deviation (both references): ``RMS(y - y_ref) / RMS(y)`` over all prompts and
tokens, ``y`` the trained centred logits and ``y_ref`` the reference's: 0 is a
perfect match, 1 is no better than predicting zero. Also the Pearson
correlation. Its dependence on ``d``: the OLS slope of log deviation on log d
over all (d, seed) runs, with a Student-t interval.

References
----------
A. Bietti, V. Cabannes, D. Bouchacourt, H. Jegou, L. Bottou, "Birth of a
Transformer: A Memory Viewpoint", NeurIPS 2023 (arXiv:2306.00802), Sec. 3-6.
J. Wang, I. Sato, "Rethinking associative memory mechanism in induction head",
COLM 2025 (arXiv:2412.11459).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

from simulations.train import require_jax

require_jax()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from hopfield.bigram import BigramModel, bigram_from_text, synthetic_bigram  # noqa: E402
from hopfield.induction import InductionModel  # noqa: E402
from simulations.core.io import atomic_write_json, atomic_write_text, provenance  # noqa: E402
from simulations.train.fields import check_fields, declare  # noqa: E402
from simulations.train.loop import load_checkpoint, run_seeds, train_chunks  # noqa: E402
from simulations.train import induction_model as M  # noqa: E402
from simulations.train.induction_table import format_table, summary_table  # noqa: E402,F401

__all__ = ["InductionConfig", "QUICK", "FULL", "PROBES", "train_induction", "compare_with_theory",
           "fit_scales", "slope_interval", "format_table", "write_results", "run_seeds"]

PROBES = ("prev_token", "induction", "copy", "icl", "loss")
OPTIMIZERS = ("sgd", "adam")
BIGRAMS = ("text", "synthetic")
#: The layer-1 scale of the built comparison model: a hard previous-token head (A2 of the theory).
BETA1_BUILT = 20.0


@dataclass(frozen=True)
class InductionConfig:
    """One experiment (every field is written next to the results).

    Data: ``bigram`` (``"text"``: the character bigram of the shipped text,
    V = 35; ``"synthetic"``: ``synthetic_bigram(V, seed=bigram_seed)``),
    sequences of length ``T`` with ``K`` triggers. Model: dimensions ``ds``,
    ``ffn`` (train the feed-forward memory ``W_F``), ``init_scale`` (0: zeros),
    ``trained`` (the matrices that learn; the others stay at their initial
    value). Training: ``seeds`` runs per d (streams from ``(seed, i)``),
    ``steps`` (a multiple of ``eval_every``), ``batch``, ``optimizer``, ``lr``,
    ``only_icl`` (the loss only on in-context predictable positions),
    ``n_eval`` probe sequences. Comparison: ``n_prompts`` designed prompts of
    length ``t_prompt`` per count ``c_qk`` in ``c_qks`` (``n_q``, ``cbar_k``).
    """

    bigram: str = "text"
    V: int = 64
    bigram_seed: int = 0
    T: int = 64
    K: int = 3
    ds: Tuple[int, ...] = (32, 64, 128, 256)
    ffn: bool = True
    init_scale: float = 0.0
    trained: Tuple[str, ...] = ("W_K1", "W_K2", "W_O2", "W_F")
    seeds: int = 5
    seed: int = 0
    steps: int = 4000
    eval_every: int = 200
    batch: int = 64
    optimizer: str = "adam"
    lr: float = 0.01
    only_icl: bool = False
    n_eval: int = 256
    n_prompts: int = 64
    t_prompt: int = 32
    n_q: int = 4
    c_qks: Tuple[int, ...] = (1, 2, 3)
    cbar_k: int = 2

    def validate(self) -> "InductionConfig":
        """Raise ``ValueError``/``TypeError`` naming the bad field; return ``self``."""
        check_fields(self, _NUMBERS)
        check_fields(self, _WORDS)
        if self.steps % self.eval_every:
            raise ValueError(f"steps must be a multiple of eval_every={self.eval_every}, got {self.steps}")
        for name in ("ds", "c_qks", "trained"):
            if not isinstance(getattr(self, name), tuple) or not getattr(self, name):
                raise TypeError(f"{name} must be a non-empty tuple, got {getattr(self, name)!r}")
        for dd in self.ds:
            if isinstance(dd, bool) or not isinstance(dd, (int, np.integer)) or dd < 2:
                raise ValueError(f"ds must hold integers >= 2, got {self.ds}")
        if len(set(self.ds)) != len(self.ds):
            raise ValueError(f"ds must be distinct, got {self.ds}")
        allowed = M.MATRICES if self.ffn else M.MATRICES[:3]
        bad = [m for m in self.trained if m not in allowed]
        if bad:
            raise ValueError(f"trained must name matrices among {allowed} (ffn={self.ffn}), got {bad}")
        V = self.bigram_model().V
        if self.K > V:
            raise ValueError(f"K must be <= V = {V} (distinct triggers), got {self.K}")
        for c in self.c_qks:
            if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or not 0 <= c <= self.n_q:
                raise ValueError(f"c_qks must hold integers in 0..n_q={self.n_q}, got {self.c_qks}")
        if self.t_prompt > self.T:
            raise ValueError(f"t_prompt must be <= T = {self.T} (the positional embeddings), got {self.t_prompt}")
        if self.t_prompt < 2 * self.n_q + self.cbar_k + 2:
            raise ValueError(f"t_prompt must be >= 2 n_q + cbar_k + 2 = {2 * self.n_q + self.cbar_k + 2}, "
                             f"got {self.t_prompt}")
        return self

    def bigram_model(self) -> BigramModel:
        """The bigram model of the data."""
        if self.bigram == "text":
            return bigram_from_text()
        return synthetic_bigram(self.V, seed=self.bigram_seed)

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for k in ("ds", "c_qks", "trained"):
            d[k] = list(d[k])
        return d


#: The declared scalar fields of ``InductionConfig`` (``_amlab.params.Param``): numbers, then words.
_NUMBERS = declare(InductionConfig, ints={"V": 4, "bigram_seed": 0, "T": 4, "K": 1, "seeds": 1, "seed": 0, "steps": 1,
                                          "eval_every": 1, "batch": 1, "n_eval": 1, "n_prompts": 1, "t_prompt": 4,
                                          "n_q": 1, "cbar_k": 0},
                   reals={"lr": (0, None, True), "init_scale": (0, None, False)})
_WORDS = declare(InductionConfig, flags=("ffn", "only_icl"), choices={"bigram": BIGRAMS, "optimizer": OPTIMIZERS})

#: The GPU run: four dimensions, 5 seeds, 10000 Adam steps of 64 sequences of length 64 (text bigram).
FULL = InductionConfig(steps=10_000, eval_every=250)
#: A reduced run for 2 CPU cores (about a minute).
QUICK = InductionConfig(ds=(32, 64), seeds=2, steps=600, eval_every=100, batch=32, n_eval=128, n_prompts=32)


def _optimizer(cfg: InductionConfig):
    return optax.sgd(cfg.lr) if cfg.optimizer == "sgd" else optax.adam(cfg.lr)


@functools.lru_cache(maxsize=16)
def _program(cfg: InductionConfig, d: int):
    """The jitted chunk of ``eval_every`` steps and the jitted probes, over seeds, for one ``d``."""
    opt = _optimizer(cfg)
    bg = cfg.bigram_model()
    lu = jnp.asarray(np.log(bg.pi_u), jnp.float32)
    lb = jnp.asarray(np.log(bg.pi_b), jnp.float32)
    names = M.MATRICES if cfg.ffn else M.MATRICES[:3]
    mask = {nm: float(nm in cfg.trained) for nm in names}

    def step_seed(p, o, fz, key, t):
        tok, fl = M.sample(jax.random.fold_in(key, t), lu, lb, cfg.batch, cfg.T, cfg.K)
        value, g = jax.value_and_grad(M.loss)(p, fz, tok, fl, cfg.only_icl)
        u, o = opt.update(g, o, p)
        u = {nm: mask[nm] * u[nm] for nm in u}  # matrices not trained keep their initial value
        return optax.apply_updates(p, u), o, value

    def chunk(params, opt_state, fz, keys, t0):
        def body(carry, t):
            p, o = carry
            p, o, value = jax.vmap(step_seed, in_axes=(0, 0, 0, 0, None))(p, o, fz, keys, t)
            return (p, o), value

        (p, o), values = jax.lax.scan(body, (params, opt_state), t0 + jnp.arange(cfg.eval_every))
        return p, o, values.mean(axis=0)  # (S,)

    def evaluate(params, fz, keys, index):
        def one(p, f, key):
            tok, fl = M.sample(jax.random.fold_in(key, index), lu, lb, cfg.n_eval, cfg.T, cfg.K)
            r = M.probes(p, f, tok, fl)
            return jnp.stack([r[k] for k in PROBES])

        return jax.vmap(one)(params, fz, keys)  # (S, len(PROBES))

    def init(seeds):  # (S,) uint32 -> weights, optimizer state, data and probe keys, in one compiled call
        keys = jax.vmap(jax.random.PRNGKey)(seeds)
        params = jax.vmap(lambda k: M.init_params(jax.random.fold_in(k, 0), d, cfg.ffn, cfg.init_scale))(keys)
        fold = lambda j: jax.vmap(lambda k: jax.random.fold_in(k, j))(keys)  # noqa: E731
        return params, jax.vmap(opt.init)(params), fold(1), fold(2)

    return jax.jit(init), jax.jit(chunk), jax.jit(evaluate)


def _train_d(cfg: InductionConfig, d: int, seeds, out: Optional[Path], deadline: Optional[float],
             progress: bool, resume: bool):
    """Train every seed at dimension ``d``: (params, frozen parts, curves, timing, stopped)."""
    bg = cfg.bigram_model()
    S = len(seeds)
    parts = [M.frozen_parts(bg, d, cfg.T, s) for s in seeds]
    fz = {k: jnp.asarray(np.stack([p[k] for p in parts])) for k in parts[0]}
    shared = dataclasses.replace(cfg, seed=0, seeds=1, steps=cfg.eval_every, ds=(d,))  # one program per d
    init, chunk, evaluate = _program(shared, d)
    params, opt_state, data_keys, eval_keys = init(jnp.asarray(np.array(seeds, np.uint32)))
    ckpt = Path(out) / f"checkpoint_d{d}.npz" if out is not None else None
    ckey = {**cfg.as_dict(), "d": d}
    curves = {"step": [], "probes": [], "train_loss": []}
    loaded = load_checkpoint(ckpt, params, opt_state, ckey) if (ckpt is not None and resume) else None
    if loaded is not None:
        params, opt_state, curves = loaded
    params, opt_state, curves, timing, stopped = train_chunks(
        chunk, evaluate, params, opt_state, fz, data_keys, eval_keys, steps=cfg.steps, eval_every=cfg.eval_every,
        curves=curves, metric="probes", ckpt=ckpt, key=ckey, label=f"train induction d={d}", deadline=deadline,
        progress=progress)
    if timing["steps_timed"]:
        timing["run_steps_per_s"] = timing["steps_per_s"] * S
    return params, fz, curves, timing, stopped


def _prompt_sets(cfg: InductionConfig, bg):
    from hopfield.induction_data import context_counts, designed_prompts

    sets = []
    for j, c in enumerate(cfg.c_qks):
        p = designed_prompts(bg, n=cfg.n_prompts, t=cfg.t_prompt, n_q=cfg.n_q, c_qk=c, cbar_k=cfg.cbar_k,
                             seed=int(np.random.SeedSequence([cfg.seed, 1000 + j]).generate_state(1)[0]))
        n_q, cc, cbar = context_counts(p.tokens, bg.V)
        sets.append((p, n_q, cc, cbar))
    return sets


def _centre(x):
    return x - x.mean(axis=-1, keepdims=True)


def _theory_features(f, bg, sets, beta2: float):
    """Centred features (n, V) of the closed form ``f``: the in-context part at ``beta_O = 1`` and ``log pi_b(k|q)``."""
    ic, ell = [], []
    for p, n_q, c, cbar in sets:
        val = f.evaluate_continuous(beta2=beta2, beta_O=1.0, gamma=0.0, c=c.astype(float), cbar=cbar.astype(float),
                                    n_q=n_q[:, None].astype(float), t=float(p.t), ell=0.0)
        ic.append(_centre(np.broadcast_to(np.asarray(val, float), c.shape)))
        ell.append(_centre(np.log(bg.pi_b[p.q])))
    return np.concatenate(ic), np.concatenate(ell)


def fit_scales(y: ArrayLike, bg: BigramModel, sets: list, beta2_max: float = 20.0) -> dict:
    """Least-squares scales ``(beta2, beta_O, gamma)`` of the closed form for the centred logits ``y``.

    For a fixed ``beta2`` the closed form is linear in ``beta_O`` and ``gamma``
    (non-negative least squares); ``beta2`` in ``[0, beta2_max]`` minimises the
    residual (a grid, then a bounded scalar search around the best point).

    Returns
    -------
    dict
        ``beta2``, ``beta_O``, ``gamma`` and the fitted centred logits ``fit`` (n, V).
    """
    from theory.induction import logits as closed_form

    y = np.asarray(y, float)
    f = closed_form()

    def solve(b2):
        ic, ell = _theory_features(f, bg, sets, b2)
        A = np.stack([ic.ravel(), ell.ravel()], axis=1)
        coef, rnorm = optimize.nnls(A, y.ravel())
        return rnorm, coef, ic, ell

    grid = np.linspace(0.0, beta2_max, 41)
    res = [solve(b)[0] for b in grid]
    i = int(np.argmin(res))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    b2 = float(optimize.minimize_scalar(lambda b: solve(b)[0], bounds=(lo, hi), method="bounded",
                                        options={"xatol": 1e-3}).x) if hi > lo else float(grid[i])
    if solve(b2)[0] > res[i]:
        b2 = float(grid[i])
    _, coef, ic, ell = solve(b2)
    return {"beta2": b2, "beta_O": float(coef[0]), "gamma": float(coef[1]), "fit": coef[0] * ic + coef[1] * ell}


def _deviation(y, ref):
    y, ref = np.asarray(y, float).ravel(), np.asarray(ref, float).ravel()
    return {"deviation": float(np.sqrt(np.mean((y - ref) ** 2)) / np.sqrt(np.mean(y ** 2))),
            "correlation": float(np.corrcoef(y, ref)[0, 1])}


def compare_with_theory(model: InductionModel, bg: BigramModel, sets: list, T_max: int, seed: int) -> dict:
    """Trained centred query logits on the designed prompts against (a) the fitted closed form and (b) the built model.

    Parameters
    ----------
    model : hopfield.induction.InductionModel
        The trained model (:func:`simulations.train.induction_model.to_numpy_model`).
    bg : BigramModel
    sets : list
        ``(Prompts, n_q, c, cbar)`` per design.
    T_max : int
    seed : int
        The seed of the frozen parts (the built model shares them).

    Returns
    -------
    dict
        ``scales`` (fitted ``beta2, beta_O, gamma``), ``theory`` and ``built``
        (``deviation``, ``correlation``), ``in_context_wins`` (fraction of prompts
        whose trained logit of ``k`` beats that of the global answer ``g``).
    """
    from hopfield.induction import build_induction_model, forward

    tok = np.concatenate([p.tokens for p, *_ in sets])
    y = _centre(forward(model, tok).logits[:, -1])  # (n, V)
    fit = fit_scales(y, bg, sets)
    built = build_induction_model(bg, d=model.d, T_max=T_max, seed=seed, beta1=BETA1_BUILT, beta2=fit["beta2"],
                                  beta_O=fit["beta_O"], gamma=fit["gamma"])
    yb = _centre(forward(built, tok).logits[:, -1])
    ks = np.concatenate([p.k for p, *_ in sets])
    gs = np.concatenate([p.g for p, *_ in sets])
    ar = np.arange(len(ks))
    return {"scales": {k: fit[k] for k in ("beta2", "beta_O", "gamma")}, "theory": _deviation(y, fit["fit"]),
            "built": _deviation(y, yb), "in_context_wins": float(np.mean(y[ar, ks] > y[ar, gs]))}


def slope_interval(ds: ArrayLike, values: ArrayLike, level: float = 0.95) -> dict:
    """OLS slope of ``log values`` on ``log ds`` with a Student-t interval (``level``)."""
    x, y = np.log(np.asarray(ds, float)), np.log(np.asarray(values, float))
    r = stats.linregress(x, y)
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 2) * r.stderr) if len(x) > 2 else float("nan")
    return {"slope": float(r.slope), "low": float(r.slope - half), "high": float(r.slope + half), "level": level,
            "n": int(len(x))}


def train_induction(cfg: InductionConfig, out: Optional[Path] = None, *, max_seconds: Optional[float] = None,
                    progress: bool = True, resume: bool = True) -> dict:
    """Train every ``d`` and seed of ``cfg``, compare with the closed form; return (and write) the results.

    Parameters
    ----------
    cfg : InductionConfig
    out : path, optional
        Folder for ``induction.json``, ``induction_curves.csv``,
        ``induction_table.md`` and ``checkpoint_d*.npz`` (resumed when they hold the same config).
    max_seconds : float, optional
        A wall-time budget for training, shared equally by the ``d`` values still
        to train: each stops after the evaluation that passes its share (the
        results say so; the comparison uses the weights reached, and the same
        command resumes from the checkpoints).
    progress : bool
    resume : bool

    Returns
    -------
    dict
        ``config``, ``probes`` (names), ``run_seeds``, and per d (key ``str(d)``
        in ``runs``): ``step`` (E,), ``probes`` (E, S, 5), ``train_loss``,
        ``final_probes`` (numpy probes on ``trigger_sequences`` data, per seed),
        ``comparison`` (per seed), ``timing``; ``slopes`` (deviation vs d) and ``table``.

    Examples
    --------
    >>> cfg = InductionConfig(ds=(16,), seeds=2, steps=30, eval_every=30, batch=16, T=16, lr=0.03, n_eval=32,
    ...                       n_prompts=4, t_prompt=16, c_qks=(2,))
    >>> res = train_induction(cfg, progress=False)
    >>> res["runs"]["16"]["step"], len(res["runs"]["16"]["probes"][0][0])
    ([0, 30], 5)

    References
    ----------
    A. Bietti et al., NeurIPS 2023 (arXiv:2306.00802), Sec. 6.
    """
    from hopfield.induction import probes as np_probes
    from hopfield.induction_data import trigger_sequences

    cfg.validate()
    seeds = run_seeds(cfg.seed, cfg.seeds)
    bg = cfg.bigram_model()
    sets = _prompt_sets(cfg, bg)
    test_tok, test_fl = trigger_sequences(bg, n=cfg.n_eval, T=cfg.T, K=cfg.K, seed=cfg.seed + 1)
    end = None if max_seconds is None else time.perf_counter() + max_seconds
    runs, stopped = {}, False
    for j, d in enumerate(cfg.ds):  # every d gets an equal share of the time left
        deadline = None if end is None else time.perf_counter() + (end - time.perf_counter()) / (len(cfg.ds) - j)
        params, fz, curves, timing, st = _train_d(cfg, d, seeds, out, deadline, progress, resume)
        stopped = stopped or st
        timing["device"] = str(jax.devices()[0].platform)
        timing["jax"] = jax.__version__
        final, comp = [], []
        params = {k: np.asarray(v) for k, v in params.items()}
        fz = {k: np.asarray(v) for k, v in fz.items()}
        for i, s in enumerate(seeds):
            m = M.to_numpy_model({k: v[i] for k, v in params.items()}, {k: v[i] for k, v in fz.items()})
            pr = np_probes(m, test_tok, test_fl)
            final.append({k: pr[k] for k in ("prev_token", "induction", "copy", "icl", "n_prev_token",
                                             "n_induction", "n_copy", "n_icl")})
            comp.append(compare_with_theory(m, bg, sets, cfg.T, s))
        runs[str(d)] = {"d": d, **curves, "final_probes": final, "comparison": comp, "timing": timing}
    result = {"config": cfg.as_dict(), "probes": list(PROBES), "run_seeds": seeds, "V": bg.V, "runs": runs,
              "stopped_early": stopped}
    result["slopes"] = _slopes(result)
    result["table"] = summary_table(result)
    if out is not None:
        write_results(result, Path(out))
    return result


def _slopes(result) -> dict:
    ds, dev = [], {"theory": [], "built": []}
    for r in result["runs"].values():
        for c in r["comparison"]:
            ds.append(r["d"])
            for ref in dev:
                dev[ref].append(c[ref]["deviation"])
    if len(set(ds)) < 2:
        return {}
    return {ref: slope_interval(ds, v) for ref, v in dev.items()}


def write_results(result: dict, out: Path) -> list:
    """``induction.json`` (everything), ``induction_curves.csv`` (long format), ``induction_table.md``, atomically."""
    out = Path(out)
    paths = [atomic_write_json(out / "induction.json", {**result, "provenance": provenance()})]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["d", "step", "seed_index", "probe", "value"])
    for r in result["runs"].values():
        for e, step in enumerate(r["step"]):
            for s, vals in enumerate(r["probes"][e]):
                for k, val in enumerate(vals):
                    w.writerow([r["d"], step, s, result["probes"][k], f"{val:.5f}"])
    paths.append(atomic_write_text(out / "induction_curves.csv", buf.getvalue()))
    paths.append(atomic_write_text(out / "induction_table.md", format_table(result) + "\n"))
    return paths

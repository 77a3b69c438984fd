"""Experiment 1: residual attention streams speed up in-context learning (Burns, Fukai & Earls 2024).

All variants and seeds train together in one compiled program: the parameters
carry leading axes (seeds S, variants V); one jitted call runs ``eval_every``
SGD steps (``lax.scan``), each drawing a fresh batch per seed on the device
(:func:`simulations.train.bursty.sample`) and updating every variant of that
seed on the same batch (``vmap`` over variants inside ``vmap`` over seeds).
Variants of one seed share the task, the initial weights and the data stream,
so their steps to 95% ICL accuracy are paired.

Every ``eval_every`` steps the four test sets of Reddy (2024) are scored
(``n_eval`` fresh sequences each): the training mixture, ICL on brand-new
classes, flipped-label ICL, in-weights. The learning curves and a checkpoint
are written after every evaluation, so an interrupted run resumes.

References
----------
M. Burns, T. Fukai, C. Earls, arXiv:2412.15113 (2024), Sec. 5.
G. Reddy, ICLR 2024 (arXiv:2312.03002).
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
from typing import Optional, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from simulations.train import require_jax

require_jax()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from hopfield.bursty import KINDS, BurstyTask  # noqa: E402
from simulations.core.io import atomic_write_json, atomic_write_text, provenance  # noqa: E402
from simulations.train.loop import load_checkpoint, run_seeds, train_chunks  # noqa: E402
from simulations.train.bursty import NOVEL, Spec, sample, task_arrays  # noqa: E402
from simulations.train.fields import check_fields, declare  # noqa: E402
from simulations.train.model import VARIANTS, coefficients, init_params, logits, loss  # noqa: E402

__all__ = ["ICLConfig", "QUICK", "FULL", "train_icl", "steps_to_target", "summary_table", "run_seeds"]

OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class ICLConfig:
    """One training experiment (every field is written next to the results).

    Task (``hopfield.bursty.BurstyTask``): ``K, L, N, B, D, eps, alpha, p_B,
    p_C, n_novel``, and ``novel`` (``"redraw"``: Reddy's generator; ``"pool"``).
    Model: MLP width ``hidden``. Training: ``variants``, ``seeds`` runs per
    variant (streams derived from ``(seed, i)``), ``steps`` (a multiple of
    ``eval_every``), ``batch``, ``optimizer`` (``"sgd"`` or ``"adam"``), ``lr``,
    ``weight_decay``; evaluation: ``n_eval`` sequences per test set, ``target``
    ICL accuracy.
    """

    K: int = 512
    L: int = 32
    N: int = 8
    B: int = 2
    D: int = 64
    eps: float = 0.1
    alpha: float = 0.0
    p_B: float = 0.5
    p_C: float = 0.5
    n_novel: int = 128
    novel: str = "redraw"
    hidden: int = 128
    variants: Tuple[str, ...] = ("baseline", "values", "queries", "keys")
    seeds: int = 5
    seed: int = 0
    steps: int = 100_000
    eval_every: int = 1000
    batch: int = 128
    optimizer: str = "sgd"
    lr: float = 0.01
    weight_decay: float = 1e-6
    n_eval: int = 1000
    target: float = 0.95

    def validate(self) -> "ICLConfig":
        """Raise ``ValueError``/``TypeError`` naming the bad field; return ``self``."""
        check_fields(self, _NUMBERS)
        if self.steps % self.eval_every:
            raise ValueError(f"steps must be a multiple of eval_every={self.eval_every}, got {self.steps}")
        check_fields(self, _WORDS)
        if not isinstance(self.variants, tuple) or not self.variants:
            raise TypeError(f"variants must be a non-empty tuple of names, got {self.variants!r}")
        bad = [v for v in self.variants if v not in VARIANTS]
        if bad or len(set(self.variants)) != len(self.variants):
            raise ValueError(f"variants must be distinct names among {tuple(VARIANTS)}, got {self.variants}")
        self.task(0)  # BurstyTask validates K, L, N, B, n_novel together
        return self

    def task(self, i: int) -> BurstyTask:
        """The task of run ``i`` (its fixed parts drawn from the run's seed)."""
        return BurstyTask(K=self.K, L=self.L, N=self.N, B=self.B, D=self.D, eps=self.eps, alpha=self.alpha,
                          p_B=self.p_B, p_C=self.p_C, n_novel=self.n_novel, seed=run_seeds(self.seed, i + 1)[i])

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["variants"] = list(self.variants)
        return d


#: The declared scalar fields of ``ICLConfig`` (``_amlab.params.Param``): numbers, then words.
_NUMBERS = declare(ICLConfig, ints={"K": 1, "L": 2, "N": 1, "B": 1, "D": 1, "n_novel": 0, "hidden": 1, "seeds": 1,
                                    "seed": 0, "steps": 1, "eval_every": 1, "batch": 1, "n_eval": 1},
                   reals={"eps": (0, None, False), "alpha": (0, None, False), "p_B": (0, 1, False),
                          "p_C": (0, 1, False), "lr": (0, None, True), "weight_decay": (0, None, False),
                          "target": (0, 1, False)})
_WORDS = declare(ICLConfig, choices={"novel": NOVEL, "optimizer": OPTIMIZERS})

#: Paper settings (Burns et al. 2024, Sec. 5; Reddy 2024): SGD lr 0.01, batch 128, K = 512, L = 32.
FULL = ICLConfig()
#: A reduced run that learns in context within a few CPU minutes (Adam, fewer labels and dimensions):
#: every variant reaches the 95% target on both seeds by step 500 (seeds 0, 1 and 2 tried; docs/training.md).
QUICK = ICLConfig(K=256, L=8, D=32, hidden=64, n_novel=64, seeds=2, steps=1000, eval_every=100, batch=64,
                  optimizer="adam", lr=1.2e-2, n_eval=500)


def _optimizer(cfg: ICLConfig):
    step = optax.sgd(cfg.lr) if cfg.optimizer == "sgd" else optax.adam(cfg.lr)
    return optax.chain(optax.add_decayed_weights(cfg.weight_decay), step)


@functools.lru_cache(maxsize=8)
def _program(cfg: ICLConfig, spec: Spec):
    """The jitted chunk of ``eval_every`` steps and the jitted evaluation, over (seeds, variants)."""
    opt = _optimizer(cfg)
    coef = coefficients(cfg.variants)  # (V, 3)

    def step_seed(p_v, o_v, arrays, key, t):
        b = sample(jax.random.fold_in(key, t), arrays, spec, cfg.batch, "train")

        def update(p, o, c):
            value, g = jax.value_and_grad(loss)(p, b.tokens, b.target, c)
            u, o = opt.update(g, o, p)
            return optax.apply_updates(p, u), o, value

        return jax.vmap(update)(p_v, o_v, coef)

    def chunk(params, opt_state, arrays, keys, t0):
        def body(carry, t):
            p, o = carry
            p, o, value = jax.vmap(step_seed, in_axes=(0, 0, 0, 0, None))(p, o, arrays, keys, t)
            return (p, o), value

        (p, o), values = jax.lax.scan(body, (params, opt_state), t0 + jnp.arange(cfg.eval_every))
        return p, o, values.mean(axis=0)  # mean training loss of the chunk, (S, V)

    def evaluate(params, arrays, keys, index):
        def seed(p_v, arr, key):
            accs = []
            for j, kind in enumerate(KINDS):
                b = sample(jax.random.fold_in(key, index * len(KINDS) + j), arr, spec, cfg.n_eval, kind)
                acc = jax.vmap(lambda p, c: jnp.mean(jnp.argmax(logits(p, b.tokens, c), -1) == b.target))(p_v, coef)
                accs.append(acc)
            return jnp.stack(accs, axis=-1)  # (V, 4)

        return jax.vmap(seed)(params, arrays, keys)  # (S, V, 4)

    return opt, jax.jit(chunk), jax.jit(evaluate)


def _initial(cfg: ICLConfig, opt, keys):
    spec_T = 2 * cfg.N + 1
    V = len(cfg.variants)

    def one(key):  # the same initial weights for every variant of a seed
        p = init_params(jax.random.fold_in(key, 0), cfg.D, spec_T, cfg.L, cfg.hidden)
        return jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x, (V,) + x.shape), p)

    params = jax.vmap(one)(keys)  # leaves (S, V, ...)
    opt_state = jax.vmap(jax.vmap(opt.init))(params)
    return params, opt_state


def train_icl(cfg: ICLConfig, out: Optional[Path] = None, *, max_seconds: Optional[float] = None,
              progress: bool = True, resume: bool = True) -> dict:
    """Train every variant and seed of ``cfg``; return (and write to ``out``) the learning curves.

    Parameters
    ----------
    cfg : ICLConfig
    out : path, optional
        Folder for ``icl.json`` (config, curves, table, timing), ``icl_curves.csv``
        and ``checkpoint.npz`` (resumed when it holds the same config).
    max_seconds : float, optional
        Stop after the evaluation that passes this wall time (the results say so).
    progress : bool
        A tqdm bar (on a terminal).
    resume : bool

    Returns
    -------
    dict
        ``config``, ``variants``, ``kinds``, ``run_seeds``, ``step`` (E,),
        ``accuracy`` (E, S, V, 4) nested lists, ``train_loss`` (E, S, V),
        ``steps_to_target`` (S, V; None when not reached), ``table``, ``timing``.

    Examples
    --------
    >>> cfg = ICLConfig(K=32, L=4, D=8, hidden=16, n_novel=8, seeds=1, steps=20, eval_every=10,
    ...                 variants=("baseline", "values"), n_eval=50, optimizer="adam", lr=1e-3)
    >>> res = train_icl(cfg, progress=False)
    >>> res["step"], len(res["accuracy"][0][0])
    ([0, 10, 20], 2)

    References
    ----------
    M. Burns, T. Fukai, C. Earls, arXiv:2412.15113 (2024), Sec. 5.
    """
    cfg.validate()
    S = cfg.seeds
    seeds = run_seeds(cfg.seed, S)
    tasks = [cfg.task(i) for i in range(S)]
    spec = Spec.of(tasks[0], cfg.novel)
    arrays = jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *[task_arrays(t) for t in tasks])
    keys = jnp.stack([jax.random.PRNGKey(s) for s in seeds])
    data_keys = jax.vmap(lambda k: jax.random.fold_in(k, 1))(keys)
    eval_keys = jax.vmap(lambda k: jax.random.fold_in(k, 2))(keys)
    shared = dataclasses.replace(cfg, seed=0, seeds=1, steps=cfg.eval_every)  # one program for every seed
    opt, chunk, evaluate = _program(shared, spec)
    params, opt_state = _initial(cfg, opt, keys)
    ckpt = Path(out) / "checkpoint.npz" if out is not None else None
    curves = {"step": [], "accuracy": [], "train_loss": []}
    loaded = load_checkpoint(ckpt, params, opt_state, cfg.as_dict()) if (ckpt is not None and resume) else None
    if loaded is not None:
        params, opt_state, curves = loaded
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds
    params, opt_state, curves, timing, stopped = train_chunks(
        chunk, evaluate, params, opt_state, arrays, data_keys, eval_keys, steps=cfg.steps, eval_every=cfg.eval_every,
        curves=curves, metric="accuracy", ckpt=ckpt, key=cfg.as_dict(), label="train icl", deadline=deadline,
        progress=progress)
    if timing["steps_timed"]:
        timing["run_steps_per_s"] = timing["steps_per_s"] * S * len(cfg.variants)
    timing["device"] = str(jax.devices()[0].platform)
    timing["jax"] = jax.__version__
    acc = np.asarray(curves["accuracy"])  # (E, S, V, 4)
    reached = steps_to_target(np.asarray(curves["step"]), acc[..., KINDS.index("icl")], cfg.target)
    result = {"config": cfg.as_dict(), "variants": list(cfg.variants), "kinds": list(KINDS), "run_seeds": seeds,
              "step": curves["step"], "accuracy": curves["accuracy"], "train_loss": curves["train_loss"],
              "steps_to_target": reached, "table": summary_table(reached, list(cfg.variants)),
              "stopped_early": stopped, "timing": timing}
    if out is not None:
        write_results(result, Path(out))
    return result


def steps_to_target(step: ArrayLike, icl_acc: ArrayLike, target: float) -> list:
    """First evaluated step with ICL accuracy >= ``target`` per (seed, variant); None if never.

    ``step`` (E,), ``icl_acc`` (E, S, V) -> nested list (S, V).
    """
    step = np.asarray(step)
    ok = np.asarray(icl_acc) >= target  # (E, S, V)
    out = []
    for s in range(ok.shape[1]):
        row = []
        for v in range(ok.shape[2]):
            hit = np.flatnonzero(ok[:, s, v])
            row.append(int(step[hit[0]]) if hit.size else None)
        out.append(row)
    return out


def summary_table(reached: Sequence[Sequence[Optional[int]]], variants: Sequence[str], level: float = 0.95) -> list:
    """Per variant: seeds that reached the target, median steps, and the paired ratio to the baseline.

    The ratio is the geometric mean over seeds where both reached the target of
    ``steps_variant / steps_baseline``, with a Student-t interval (``level``) on
    the mean log ratio; ``fewer`` is ``1 - ratio``.
    """
    reached = [[None if x is None else float(x) for x in row] for row in reached]
    rows = []
    base = variants.index("baseline") if "baseline" in variants else None
    for v, name in enumerate(variants):
        col = [row[v] for row in reached]
        hit = [x for x in col if x is not None]
        row = {"variant": name, "reached": len(hit), "seeds": len(col),
               "median_steps": float(np.median(hit)) if hit else None,
               "mean_steps": float(np.mean(hit)) if hit else None}
        if base is not None and v != base:
            lr = [np.log(r[v] / r[base]) for r in reached if r[v] is not None and r[base] is not None]
            row["pairs"] = len(lr)
            if lr:
                m = float(np.mean(lr))
                half = float(stats.t.ppf(0.5 + level / 2, len(lr) - 1) * np.std(lr, ddof=1) / np.sqrt(len(lr))) \
                    if len(lr) > 1 else float("nan")
                row.update(ratio=float(np.exp(m)), ratio_low=float(np.exp(m - half)),
                           ratio_high=float(np.exp(m + half)), fewer=float(1 - np.exp(m)), level=level,
                           faster_seeds=int(sum(x < 0 for x in lr)))
        rows.append(row)
    return rows


def format_table(rows: Sequence[dict]) -> str:
    """The summary table as Markdown."""
    lines = ["| variant | reached | median steps | ratio to baseline (interval) | fewer steps |",
             "|---|---|---|---|---|"]
    for r in rows:
        med = "-" if r["median_steps"] is None else f"{r['median_steps']:.0f}"
        if "ratio" in r:
            ratio = f"{r['ratio']:.3f} ({r['ratio_low']:.3f}-{r['ratio_high']:.3f})"
            fewer = f"{100 * r['fewer']:.1f}%"
        else:
            ratio, fewer = "-", "-"
        lines.append(f"| {r['variant']} | {r['reached']}/{r['seeds']} | {med} | {ratio} | {fewer} |")
    return "\n".join(lines)


def write_results(result: dict, out: Path) -> list:
    """``icl.json`` (everything), ``icl_curves.csv`` (long format) and ``icl_table.md``, atomically."""
    out = Path(out)
    paths = [atomic_write_json(out / "icl.json", {**result, "provenance": provenance()})]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["step", "seed_index", "variant", "kind", "accuracy"])
    for e, step in enumerate(result["step"]):
        for s, row in enumerate(result["accuracy"][e]):
            for v, accs in enumerate(row):
                for k, a in enumerate(accs):
                    w.writerow([step, s, result["variants"][v], result["kinds"][k], f"{a:.4f}"])
    paths.append(atomic_write_text(out / "icl_curves.csv", buf.getvalue()))
    paths.append(atomic_write_text(out / "icl_table.md", format_table(result["table"]) + "\n"))
    return paths

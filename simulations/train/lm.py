"""Experiment 2 of Burns, Fukai & Earls (2024): the value residual stream in a small language model.

A decoder-only transformer (pre-LayerNorm, learned positions, ``layers``
blocks of multi-head causal attention and a GELU MLP, untied readout) trained
on next-byte prediction (:mod:`simulations.train.corpus`). The variants add an
earlier layer's queries, keys or values to every later layer's
(:func:`simulations.train.model.project`, the streams of experiment 1, no new
parameters): ``stream_from="previous"`` takes layer ``l - 1``'s own projections,
``"first"`` layer 0's. The baseline has no stream.

As in :mod:`simulations.train.icl`, all variants and seeds train in one
compiled program (parameters with leading axes (S, V); ``vmap`` over variants
inside ``vmap`` over seeds; ``lax.scan`` over the steps of a chunk): the
variants of one seed share the initial weights and every batch, so their
curves are paired. After every chunk the fixed validation windows are scored
position by position; the record holds the loss at every position, from
which the validation loss (mean over positions) and the in-context learning
score (Olsson et al. 2022: the loss late in the context minus the loss early
in it, :func:`icl_score`) are read.

References
----------
M. Burns, T. Fukai, C. Earls, arXiv:2412.15113 (2024).
C. Olsson et al., "In-context learning and induction heads", arXiv:2209.11895 (2022).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Tuple

import numpy as np
from scipy import stats

from simulations.train import require_jax

require_jax()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from simulations.core.io import atomic_write_json, atomic_write_text, provenance  # noqa: E402
from simulations.train import corpus as C  # noqa: E402
from simulations.train.fields import check_fields, declare  # noqa: E402
from simulations.train.loop import load_checkpoint, run_seeds, train_chunks  # noqa: E402
from simulations.train.model import VARIANTS, add_streams, attend, coefficients  # noqa: E402

__all__ = ["LMConfig", "QUICK", "FULL", "init_params", "forward", "position_loss", "icl_positions", "icl_score",
           "count_params", "train_lm", "summary_table", "format_table"]

STREAM_FROM = ("previous", "first")


@dataclass(frozen=True)
class LMConfig:
    """One language-model experiment (every field is written next to the results).

    Data: ``corpus`` (a path, ``"sample"``, default the prepared KJV),
    ``val_fraction``, context ``T``. Model: width ``d``, ``layers``, ``heads``,
    MLP width ``mlp * d``, ``stream_from``. Training: ``variants``, ``seeds``
    runs per variant, ``steps`` (a multiple of ``eval_every``), ``batch``
    windows a step, AdamW with ``lr`` (linear warm-up over ``warmup`` steps,
    cosine decay to ``lr / 10`` at ``steps``), ``weight_decay`` (matrices only),
    gradient clipping at global norm ``clip``, ``remat`` (recompute each block
    in the backward pass: less memory). Evaluation: ``n_eval`` validation
    windows; ICL score at Olsson's tokens ``early`` and ``late`` of a 512-token
    context, scaled to ``T``.
    """

    corpus: str = C.DEFAULT_CORPUS
    val_fraction: float = 0.1
    T: int = 512
    d: int = 256
    layers: int = 8
    heads: int = 16
    mlp: int = 4
    stream_from: str = "previous"
    variants: Tuple[str, ...] = ("baseline", "values")
    seeds: int = 3
    seed: int = 0
    steps: int = 2500
    eval_every: int = 250
    batch: int = 16
    lr: float = 1e-3
    warmup: int = 100
    weight_decay: float = 0.1
    clip: float = 1.0
    remat: bool = True
    n_eval: int = 256
    early: int = 50
    late: int = 500

    def validate(self) -> "LMConfig":
        """Raise ``ValueError``/``TypeError`` naming the bad field; return ``self``."""
        if not isinstance(self.corpus, str) or not self.corpus:
            raise TypeError(f"corpus must be a path or 'sample', got {self.corpus!r}")
        check_fields(self, _FIELDS)
        if self.steps % self.eval_every:
            raise ValueError(f"steps must be a multiple of eval_every={self.eval_every}, got {self.steps}")
        if self.warmup >= self.steps:
            raise ValueError(f"warmup must be smaller than steps={self.steps}, got {self.warmup}")
        if self.d % self.heads:
            raise ValueError(f"heads must divide d={self.d}, got {self.heads}")
        if not 1 <= self.early < self.late <= 512:
            raise ValueError(f"early and late must satisfy 1 <= early < late <= 512, got {self.early}, {self.late}")
        e, lt, w = icl_positions(self.T, self.early, self.late)
        if e - w + 1 < 0 or e >= lt - w + 1:
            raise ValueError(f"T must be large enough for separate early and late windows, got T={self.T}")
        if not isinstance(self.variants, tuple) or not self.variants:
            raise TypeError(f"variants must be a non-empty tuple of names, got {self.variants!r}")
        bad = [v for v in self.variants if v not in VARIANTS]
        if bad or len(set(self.variants)) != len(self.variants):
            raise ValueError(f"variants must be distinct names among {tuple(VARIANTS)}, got {self.variants}")
        return self

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["variants"] = list(self.variants)
        return d


_FIELDS = declare(LMConfig, ints={"T": 4, "d": 1, "layers": 1, "heads": 1, "mlp": 1, "seeds": 1, "seed": 0,
                                  "steps": 1, "eval_every": 1, "batch": 1, "warmup": 0, "n_eval": 1, "early": 1,
                                  "late": 1},
                  reals={"val_fraction": (0, 1, True), "lr": (0, None, True), "weight_decay": (0, None, False),
                         "clip": (0, None, True)},
                  flags=("remat",), choices={"stream_from": STREAM_FROM})

#: The GPU run: the block shape of TinyStories-8M (width 256, 8 layers, 16 heads, context 512; GPT-Neo) on
#: byte tokens, 3 seeds of the baseline and the values stream (docs/training.md says which settings are amlab's).
FULL = LMConfig()
#: A CPU run of minutes (about 10 on two shared cores): width 64, 2 layers, 4 heads, context 128, 2 seeds, 600 steps.
QUICK = LMConfig(T=128, d=64, layers=2, heads=4, seeds=2, steps=600, eval_every=50, batch=16, lr=3e-3, warmup=50,
                 remat=False, n_eval=64)


def init_params(key: jax.Array, cfg: LMConfig) -> dict:
    """Parameters (a dict pytree; the blocks stacked on a leading ``layers`` axis).

    Weights N(0, 0.02^2), the residual outputs (``W_O``, ``W_2``) scaled by
    ``1 / sqrt(2 layers)`` (GPT-2); biases zero, LayerNorm gains one.

    Examples
    --------
    >>> p = init_params(jax.random.PRNGKey(0), LMConfig(T=16, d=8, layers=2, heads=2))
    >>> p["blocks"]["attn"]["W_Q"].shape, p["W_U"].shape
    ((2, 8, 8), (8, 256))
    """
    d, L, m = cfg.d, cfg.layers, cfg.mlp * cfg.d
    ks = iter(jax.random.split(key, 10))

    def w(*shape, scale=0.02):
        return scale * jax.random.normal(next(ks), shape, jnp.float32)

    out = 0.02 / np.sqrt(2 * L)
    ln = {"g": jnp.ones((L, d)), "b": jnp.zeros((L, d))}
    blocks = {"ln1": ln, "ln2": ln,
              "attn": {"W_Q": w(L, d, d), "W_K": w(L, d, d), "W_V": w(L, d, d), "W_O": w(L, d, d, scale=out)},
              "mlp": {"W_1": w(L, d, m), "b_1": jnp.zeros((L, m)), "W_2": w(L, m, d, scale=out),
                      "b_2": jnp.zeros((L, d))}}
    return {"tok": w(C.VOCAB, d), "pos": w(cfg.T, d), "blocks": blocks,
            "ln_f": {"g": jnp.ones(d), "b": jnp.zeros(d)}, "W_U": w(d, C.VOCAB)}


def count_params(cfg: LMConfig) -> int:
    """Number of trained parameters of ``cfg``'s model."""
    shapes = jax.eval_shape(lambda k: init_params(k, cfg), jax.random.PRNGKey(0))
    return int(sum(np.prod(x.shape) for x in jax.tree_util.tree_leaves(shapes)))


def _layer_norm(x, p):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + 1e-5) * p["g"] + p["b"]


def forward(params: dict, tokens: jnp.ndarray, coef: jnp.ndarray, *, heads: int, stream_from: str = "previous",
            remat: bool = False) -> jnp.ndarray:
    """Next-token logits (n, T, 256) for byte tokens (n, T) int and stream coefficients ``coef`` (3,).

    Block ``l``: ``h = LN(x)``; ``(q, k, v) = h W + c * prev`` (``prev``: the
    un-streamed projections of block ``l - 1``, or of block 0 when
    ``stream_from="first"``; zero for block 0); ``x += attend(q, k, v) W_O``;
    ``x += GELU(LN(x) W_1 + b_1) W_2 + b_2``.
    """
    n, T = tokens.shape
    x = params["tok"][tokens] + params["pos"][:T]  # (n, T, d)

    def block(carry, layer):
        x, prev = carry
        blk, idx = layer
        h = _layer_norm(x, blk["ln1"])
        raw = (h @ blk["attn"]["W_Q"], h @ blk["attn"]["W_K"], h @ blk["attn"]["W_V"])
        q, k, v = add_streams(raw, prev, coef)
        x = x + attend(q, k, v, heads) @ blk["attn"]["W_O"]
        h = _layer_norm(x, blk["ln2"])
        x = x + jax.nn.gelu(h @ blk["mlp"]["W_1"] + blk["mlp"]["b_1"]) @ blk["mlp"]["W_2"] + blk["mlp"]["b_2"]
        if stream_from == "first":
            raw = tuple(jnp.where(idx == 0, r, p) for r, p in zip(raw, prev))
        return (x, raw), None

    if remat:
        block = jax.checkpoint(block)
    zeros = tuple(jnp.zeros_like(x) for _ in range(3))  # block 0 has no earlier block: no stream
    (x, _), _ = jax.lax.scan(block, (x, zeros), (params["blocks"], jnp.arange(params["blocks"]["ln1"]["g"].shape[0])))
    return _layer_norm(x, params["ln_f"]) @ params["W_U"]


def position_loss(params: dict, windows: jnp.ndarray, coef: jnp.ndarray, **kw) -> jnp.ndarray:
    """Cross-entropy (n, T) of each next token of ``windows`` (n, T + 1) int."""
    lp = jax.nn.log_softmax(forward(params, windows[:, :-1], coef, **kw), axis=-1)
    return -jnp.take_along_axis(lp, windows[:, 1:, None], axis=-1)[..., 0]


def icl_positions(T: int, early: int = 50, late: int = 500) -> Tuple[int, int, int]:
    """``(early_pos, late_pos, width)``: the context positions of Olsson's tokens ``early``, ``late`` of 512, at ``T``.

    Position ``p`` (0-based) predicts token ``p + 2`` of the window from the ``p + 1`` before
    it, so token ``k`` of a 512-token context is position ``round(k T / 512) - 1``; the score
    averages ``width = max(1, T // 64)`` positions ending there.

    Examples
    --------
    >>> icl_positions(512)
    (49, 499, 8)
    """
    return int(round(early * T / 512)) - 1, int(round(late * T / 512)) - 1, max(1, T // 64)


def icl_score(pos_loss: np.ndarray, T: int, early: int = 50, late: int = 500) -> np.ndarray:
    """In-context learning score: mean loss of the late window minus the early window (negative: learns in context).

    ``pos_loss`` (..., T) -> (...). Olsson et al. (2022): loss at token 500 minus loss at token 50.
    """
    e, lt, w = icl_positions(T, early, late)
    pos_loss = np.asarray(pos_loss, dtype=float)
    return pos_loss[..., lt - w + 1: lt + 1].mean(-1) - pos_loss[..., e - w + 1: e + 1].mean(-1)


def _optimizer(cfg: LMConfig):
    sched = optax.warmup_cosine_decay_schedule(0.0, cfg.lr, max(cfg.warmup, 1), cfg.steps, cfg.lr / 10)
    decay = optax.adamw(sched, weight_decay=cfg.weight_decay, mask=lambda p: jax.tree_util.tree_map(
        lambda x: x.ndim >= 2, p))
    return optax.chain(optax.clip_by_global_norm(cfg.clip), decay)


@functools.lru_cache(maxsize=8)
def _program(cfg: LMConfig):
    """The jitted chunk of ``eval_every`` steps and the jitted evaluation, over (seeds, variants)."""
    opt = _optimizer(cfg)
    coef = coefficients(cfg.variants)  # (V, 3)
    kw = {"heads": cfg.heads, "stream_from": cfg.stream_from}

    def train_loss(p, w, c):
        return position_loss(p, w, c, remat=cfg.remat, **kw).mean()

    def step_seed(p_v, o_v, train, key, t):
        w = C.sample_windows(jax.random.fold_in(key, t), train, cfg.T, cfg.batch)  # (B, T + 1)

        def update(p, o, c):
            value, g = jax.value_and_grad(train_loss)(p, w, c)
            u, o = opt.update(g, o, p)
            return optax.apply_updates(p, u), o, value

        return jax.vmap(update)(p_v, o_v, coef)

    def chunk(params, opt_state, data, keys, t0):
        train = data[0]

        def body(carry, t):
            p, o = carry
            p, o, value = jax.vmap(step_seed, in_axes=(0, 0, None, 0, None))(p, o, train, keys, t)
            return (p, o), value

        (p, o), values = jax.lax.scan(body, (params, opt_state), t0 + jnp.arange(cfg.eval_every))
        return p, o, values.mean(axis=0)  # mean training loss of the chunk, (S, V)

    def evaluate(params, data, keys, index):
        windows = data[1].reshape(-1, min(cfg.n_eval, 16), cfg.T + 1)  # groups of at most 16 windows

        def one(p, c):
            losses = jax.lax.map(lambda w: position_loss(p, w, c, **kw).sum(0), windows)  # (G, T)
            return losses.sum(0) / cfg.n_eval  # (T,)

        return jax.vmap(jax.vmap(one, in_axes=(0, 0)), in_axes=(0, None))(params, coef)  # (S, V, T)

    return opt, jax.jit(chunk), jax.jit(evaluate)


def _eval_windows(val: np.ndarray, cfg: LMConfig) -> np.ndarray:
    n = cfg.n_eval if cfg.n_eval <= 16 else cfg.n_eval - cfg.n_eval % 16  # whole groups of 16
    off = C.eval_offsets(len(val), cfg.T, n)
    return np.stack([val[o: o + cfg.T + 1] for o in off]).astype(np.int32)  # (n, T + 1)


def train_lm(cfg: LMConfig, out: Optional[Path] = None, *, max_seconds: Optional[float] = None,
             progress: bool = True, resume: bool = True) -> dict:
    """Train every variant and seed of ``cfg``; return (and write to ``out``) the curves and the table.

    Parameters
    ----------
    cfg : LMConfig
    out : path, optional
        Folder for ``lm.json`` (config, corpus, curves, table, timing), ``lm_table.md``
        and ``checkpoint.npz`` (resumed when it holds the same config and corpus).
    max_seconds : float, optional
        Stop after the evaluation that passes this wall time (the results say so).
    progress : bool
    resume : bool

    Returns
    -------
    dict
        ``config``, ``corpus`` (path, bytes, sha256, split sizes), ``variants``, ``run_seeds``,
        ``n_params``, ``step`` (E,), ``val_loss`` and ``icl_score`` (E, S, V), ``train_loss``
        (E, S, V), ``position_loss`` (S, V, T) at the last evaluation, ``table``, ``timing``.

    Examples
    --------
    >>> cfg = LMConfig(corpus="sample", T=32, d=16, layers=2, heads=2, seeds=1, steps=4, eval_every=2,
    ...                batch=4, n_eval=4, warmup=1, remat=False)
    >>> res = train_lm(cfg, progress=False)
    >>> res["step"], len(res["val_loss"][0][0])
    ([0, 2, 4], 2)
    """
    cfg.validate()
    n_eval = cfg.n_eval if cfg.n_eval <= 16 else cfg.n_eval - cfg.n_eval % 16
    cfg = dataclasses.replace(cfg, n_eval=n_eval)
    tokens = C.read_corpus(cfg.corpus)
    train, val = C.split(tokens, cfg.val_fraction, cfg.T)
    windows = _eval_windows(val, cfg)
    S, V = cfg.seeds, len(cfg.variants)
    seeds = run_seeds(cfg.seed, S)
    keys = jnp.stack([jax.random.PRNGKey(s) for s in seeds])
    data_keys = jax.vmap(lambda k: jax.random.fold_in(k, 1))(keys)
    shared = dataclasses.replace(cfg, corpus="", seed=0, seeds=1)  # one program for every seed and corpus
    opt, chunk, evaluate = _program(shared)

    def one(key):  # the same initial weights for every variant of a seed
        p = init_params(jax.random.fold_in(key, 0), cfg)
        return jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x, (V,) + x.shape), p)

    params = jax.vmap(one)(keys)
    opt_state = jax.vmap(jax.vmap(opt.init))(params)
    corpus_info = {"path": str(cfg.corpus), "bytes": int(len(tokens)), "sha256": C.digest(tokens),
                   "train_tokens": int(len(train)), "val_tokens": int(len(val)), "tokenizer": "bytes (UTF-8)"}
    key = {**cfg.as_dict(), "corpus_sha256": corpus_info["sha256"]}
    ckpt = Path(out) / "checkpoint.npz" if out is not None else None
    curves = {"step": [], "position_loss": [], "train_loss": []}
    loaded = load_checkpoint(ckpt, params, opt_state, key) if (ckpt is not None and resume) else None
    if loaded is not None:
        params, opt_state, curves = loaded
    data = (jnp.asarray(train), jnp.asarray(windows))
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds

    def rounded(p, d, k, i):  # 5 decimals keep the records small and the checkpoint's curves exact on resume
        return np.round(np.asarray(evaluate(p, d, k, i), np.float64), 5)

    params, opt_state, curves, timing, stopped = train_chunks(
        chunk, rounded, params, opt_state, data, data_keys, data_keys, steps=cfg.steps, eval_every=cfg.eval_every,
        curves=curves, metric="position_loss", ckpt=ckpt, key=key, label="train lm", deadline=deadline,
        progress=progress)
    if timing["steps_timed"]:
        timing["run_steps_per_s"] = timing["steps_per_s"] * S * V
        timing["tokens_per_s"] = timing["run_steps_per_s"] * cfg.batch * cfg.T
    timing["device"] = str(jax.devices()[0].platform)
    timing["device_kind"] = str(jax.devices()[0].device_kind)
    timing["jax"] = jax.__version__
    pos = np.asarray(curves["position_loss"])  # (E, S, V, T)
    result = {"config": cfg.as_dict(), "corpus": corpus_info, "variants": list(cfg.variants), "run_seeds": seeds,
              "n_params": count_params(cfg), "step": curves["step"],
              "val_loss": np.round(pos.mean(-1), 5).tolist(),
              "icl_score": np.round(icl_score(pos, cfg.T, cfg.early, cfg.late), 5).tolist(),
              "icl_positions": list(icl_positions(cfg.T, cfg.early, cfg.late)),
              "train_loss": curves["train_loss"], "position_loss": pos[-1].tolist(),
              "stopped_early": stopped, "timing": timing}
    result["table"] = summary_table(result)
    if out is not None:
        write_results(result, Path(out))
    return result


def _interval(x: Sequence[float], level: float) -> Tuple[float, float, float]:
    x = np.asarray(x, float)
    m = float(x.mean())
    if len(x) < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def summary_table(result: dict, level: float = 0.95) -> list:
    """Per variant at the last evaluation: mean validation loss and ICL score over seeds (Student-t intervals),
    and the paired difference to the baseline (variant minus baseline, same seed) with its interval."""
    val = np.asarray(result["val_loss"])[-1]  # (S, V)
    icl = np.asarray(result["icl_score"])[-1]
    variants = result["variants"]
    base = variants.index("baseline") if "baseline" in variants else None
    rows = []
    for v, name in enumerate(variants):
        row = {"variant": name, "seeds": int(val.shape[0]), "level": level}
        for label, arr in (("val_loss", val), ("icl_score", icl)):
            m, lo, hi = _interval(arr[:, v], level)
            row.update({label: m, f"{label}_low": lo, f"{label}_high": hi})
            if base is not None and v != base:
                m, lo, hi = _interval(arr[:, v] - arr[:, base], level)
                row.update({f"{label}_diff": m, f"{label}_diff_low": lo, f"{label}_diff_high": hi,
                            f"{label}_lower_seeds": int(np.sum(arr[:, v] < arr[:, base]))})
        rows.append(row)
    return rows


def format_table(rows: Sequence[dict]) -> str:
    """The summary table as Markdown."""
    def ci(r, k):
        return f"{r[k]:.4f} ({r[k + '_low']:.4f} to {r[k + '_high']:.4f})"

    lines = ["| variant | seeds | validation loss (nats/byte) | ICL score | ICL score - baseline (paired) | "
             "val. loss - baseline (paired) |", "|---|---|---|---|---|---|"]
    for r in rows:
        d_icl = ci(r, "icl_score_diff") if "icl_score_diff" in r else "-"
        d_val = ci(r, "val_loss_diff") if "val_loss_diff" in r else "-"
        lines.append(f"| {r['variant']} | {r['seeds']} | {ci(r, 'val_loss')} | {ci(r, 'icl_score')} | {d_icl} | "
                     f"{d_val} |")
    return "\n".join(lines)


def write_results(result: dict, out: Path) -> list:
    """``lm.json`` (everything) and ``lm_table.md``, atomically."""
    out = Path(out)
    return [atomic_write_json(out / "lm.json", {**result, "provenance": provenance()}),
            atomic_write_text(out / "lm_table.md", format_table(result["table"]) + "\n")]

"""Experiment 4: trained sequence mixers on MQAR, beside the ideal key-value memory of the same state size.

For every mixer and width ``d`` of the config, one compiled program trains
``seeds x len(pairs)`` models at once: the parameters carry leading axes
(seeds S, pair counts K); one jitted call runs ``eval_every`` AdamW steps
(``lax.scan``, warmup then cosine decay, as Zoology), each drawing a fresh batch
per model on the device (:func:`simulations.train.mqar_data.sample`, the pair
count a traced value at one sequence length). The loss is the cross-entropy of
the answers at the query positions only. Models of one seed share their
initial weights across pair counts. Every ``eval_every`` steps each model is
scored on ``n_eval`` fresh sequences of its pair count (argmax over the
vocabulary at every query). A checkpoint per program is written after every
evaluation; ``mqar.json`` is rewritten (atomically) after every program, so
an interrupted sweep resumes without redoing finished programs.

After training: the probe of learned key geometry (:func:`key_geometry`, the
layer-2 mixer keys at the pairs' value tokens: mean ``|cos|`` between distinct
keys and the effective rank, against ``1/sqrt(d)`` for random keys), and the
ideal memories of the same width on the same data law (:func:`ideal_memories`:
outer-product, delta and softmax memories of :mod:`hopfield.mqar` simulated,
and the closed forms of the outer-product and delta memories).

References
----------
S. Arora et al., "Zoology", ICLR 2024, arXiv:2312.04927 (MQAR, Sec. 3; the
accuracy-vs-width and state-size figures).
S. Yang et al., arXiv:2406.06484 (DeltaNet); S. Yang, J. Kautz, A. Hatamizadeh,
arXiv:2412.06464 (gated DeltaNet).
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

from simulations.train import require_jax

require_jax()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from simulations.core.io import atomic_write_json, atomic_write_text, provenance  # noqa: E402
from simulations.train import mqar_data as D  # noqa: E402
from simulations.train import mqar_model as M  # noqa: E402
from simulations.train.fields import check_fields, declare  # noqa: E402
from simulations.train.loop import load_checkpoint, run_seeds, train_chunks  # noqa: E402
from simulations.train.mqar_table import (format_table, ideal_memories, key_geometry,  # noqa: E402,F401
                                          summary_table)

__all__ = ["MQARConfig", "QUICK", "FULL", "train_mqar", "key_geometry", "ideal_memories", "format_table",
           "write_results"]

#: Sequences per model on which the learned keys are probed.
PROBE_SEQUENCES = 16


@dataclass(frozen=True)
class MQARConfig:
    """One sweep (every field is written next to the results).

    Data (:func:`hopfield.mqar.make_mqar`'s law): ``vocab_size``, ``seq_len``,
    ``pairs`` (pair counts, every key queried once), ``power_a``. Models:
    ``mixers``, ``widths``, ``conv`` (short convolution), ``mlp``. Training:
    ``seeds`` per (mixer, width, pairs), ``steps`` (a multiple of ``eval_every``),
    ``batch``, ``lr`` (peak), ``warmup`` (fraction of steps), ``weight_decay``;
    evaluation: ``n_eval`` sequences per model; ``n_ideal`` sequences per
    point of the ideal memories.
    """

    mixers: Tuple[str, ...] = M.MIXERS
    widths: Tuple[int, ...] = (32, 64, 128, 256)
    pairs: Tuple[int, ...] = (4, 8, 16, 32, 64)
    seq_len: int = 256
    vocab_size: int = 512
    power_a: float = 0.01
    conv: bool = True
    mlp: bool = False
    seeds: int = 3
    seed: int = 0
    steps: int = 1000
    eval_every: int = 250
    batch: int = 32
    lr: float = 3e-3
    warmup: float = 0.1
    weight_decay: float = 0.1
    n_eval: int = 128
    n_ideal: int = 64

    def validate(self) -> "MQARConfig":
        """Raise ``ValueError``/``TypeError`` naming the bad field; return ``self``."""
        check_fields(self, _NUMBERS)
        check_fields(self, _WORDS)
        if self.steps % self.eval_every:
            raise ValueError(f"steps must be a multiple of eval_every={self.eval_every}, got {self.steps}")
        for name in ("mixers", "widths", "pairs"):
            val = getattr(self, name)
            if not isinstance(val, tuple) or not val or len(set(val)) != len(val):
                raise TypeError(f"{name} must be a non-empty tuple of distinct values, got {val!r}")
        bad = [m for m in self.mixers if m not in M.MIXERS]
        if bad:
            raise ValueError(f"mixers must be among {M.MIXERS}, got {bad}")
        for name in ("widths", "pairs"):
            if any(isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 2 for x in getattr(self, name)):
                raise ValueError(f"{name} must hold integers >= 2, got {getattr(self, name)}")
        D.check_shape(self.vocab_size, max(self.pairs), self.seq_len, self.power_a)
        return self

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for k in ("mixers", "widths", "pairs"):
            d[k] = list(d[k])
        return d


_NUMBERS = declare(MQARConfig, ints={"seq_len": 4, "vocab_size": 4, "seeds": 1, "seed": 0, "steps": 1,
                                     "eval_every": 1, "batch": 1, "n_eval": 1, "n_ideal": 1},
                   reals={"power_a": (0, 1, True), "lr": (0, None, True), "warmup": (0, 1, False),
                          "weight_decay": (0, None, False)})
_WORDS = declare(MQARConfig, flags=("conv", "mlp"))

#: The GPU sweep: 5 mixers x 4 widths (20 programs) x 5 pair counts x 3 seeds at length 256, 1000 AdamW steps
#: of 32 sequences per model; sized to fit about 8 minutes of one H100/H200 with --budget-s (docs/training.md).
FULL = MQARConfig()
#: A CPU run of a minute or two: every mixer at two small widths, two pair counts, length 32.
QUICK = MQARConfig(widths=(16, 32), pairs=(2, 4), seq_len=32, vocab_size=64, seeds=2, steps=300, eval_every=100,
                   batch=32, lr=1e-2, n_eval=64, n_ideal=64)


def _spec(cfg: MQARConfig, mixer: str, d: int) -> M.ModelSpec:
    return M.ModelSpec(mixer, d, cfg.vocab_size, cfg.seq_len, conv=cfg.conv, mlp=cfg.mlp)


def _optimizer(cfg: MQARConfig):
    sched = optax.warmup_cosine_decay_schedule(0.0, cfg.lr, max(1, int(cfg.warmup * cfg.steps)), cfg.steps, 0.0)
    return optax.adamw(sched, weight_decay=cfg.weight_decay)


@functools.lru_cache(maxsize=8)
def _program(cfg: MQARConfig, mixer: str, d: int):
    """Jitted init, chunk of ``eval_every`` steps and evaluation, over (seeds, pair counts), for one (mixer, d)."""
    spec = _spec(cfg, mixer, d)
    opt = _optimizer(cfg)
    shape = dict(vocab_size=cfg.vocab_size, max_pairs=max(cfg.pairs), seq_len=cfg.seq_len)

    def step_one(p, o, key, P, t):
        b = D.sample(jax.random.fold_in(key, t), cfg.batch, P, power_a=cfg.power_a, **shape)
        value, g = jax.value_and_grad(M.loss)(p, b.tokens, b.query_pos, b.answers, b.valid, spec)
        u, o = opt.update(g, o, p)
        return optax.apply_updates(p, u), o, value

    over_pairs = jax.vmap(step_one, in_axes=(0, 0, 0, 0, None))
    over_seeds = jax.vmap(over_pairs, in_axes=(0, 0, 0, None, None))

    def chunk(params, opt_state, pairs, keys, t0):
        def body(carry, t):
            p, o, value = over_seeds(*carry, keys, pairs, t)
            return (p, o), value

        (p, o), values = jax.lax.scan(body, (params, opt_state), t0 + jnp.arange(cfg.eval_every))
        return p, o, values.mean(axis=0)  # (S, K)

    n_probe = min(PROBE_SEQUENCES, cfg.n_eval)
    value_pos = jnp.arange(1, 2 * max(cfg.pairs), 2)  # the pairs' value tokens

    def score(p, key, P):
        b = D.sample(key, cfg.n_eval, P, power_a=cfg.power_a, **shape)
        pred = jnp.argmax(M.query_logits(p, b.tokens, b.query_pos, spec), axis=-1)
        k = jax.vmap(lambda t: M.keys_at(p, t, spec, 1))(b.tokens[:n_probe])[:, value_pos]  # (n, P_max, d)
        u = k / jnp.maximum(jnp.linalg.norm(k, axis=-1, keepdims=True), 1e-12)
        return jnp.sum((pred == b.answers) & b.valid) / jnp.sum(b.valid), jnp.einsum("npd,nqd->npq", u, u)

    def evaluate(params, pairs, keys, index):  # accuracy (S, K) and the Gram matrices of unit keys (S, K, n, P, P)
        f = jax.vmap(lambda p, k, P: score(p, jax.random.fold_in(k, index), P), in_axes=(0, 0, 0))
        return jax.vmap(f, in_axes=(0, 0, None))(params, keys, pairs)

    def init(seeds, pairs):  # (S,) uint32, (K,) -> params and optimiser state (S, K, ...), data and eval keys (S, K)
        keys = jax.vmap(jax.random.PRNGKey)(seeds)
        K = pairs.shape[0]
        params = jax.vmap(lambda k: M.init_params(jax.random.fold_in(k, 0), spec))(keys)
        params = jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x[:, None], (x.shape[0], K) + x.shape[1:]),
                                        params)

        def fold(j):
            return jax.vmap(lambda k: jax.vmap(lambda P: jax.random.fold_in(jax.random.fold_in(k, j), P))(pairs))(keys)

        return params, jax.vmap(jax.vmap(opt.init))(params), fold(1), fold(2)

    return jax.jit(init), jax.jit(chunk), jax.jit(evaluate)


def _program_name(mixer: str, d: int) -> str:
    return f"{mixer}/d{d}"


def _run_program(cfg, mixer, d, seeds, out, deadline, progress, resume):
    init, chunk, evaluate_full = _program(dataclasses.replace(cfg, seed=0, seeds=1, mixers=(mixer,),
                                                                widths=(d,), n_ideal=1), mixer, d)
    pairs = jnp.asarray(np.array(cfg.pairs, np.int32))
    tic = time.perf_counter()
    params, opt_state, data_keys, eval_keys = init(jnp.asarray(np.array(seeds, np.uint32)), pairs)
    ckpt = Path(out) / "checkpoints" / f"{mixer}_d{d}.npz" if out is not None else None
    ckey = {**cfg.as_dict(), "mixer": mixer, "d": d}
    curves = {"step": [], "accuracy": [], "train_loss": []}
    loaded = load_checkpoint(ckpt, params, opt_state, ckey) if (ckpt is not None and resume) else None
    if loaded is not None:
        params, opt_state, curves = loaded
    def evaluate(*args):
        return evaluate_full(*args)[0]

    params, opt_state, curves, timing, stopped = train_chunks(
        chunk, evaluate, params, opt_state, pairs, data_keys, eval_keys, steps=cfg.steps,
        eval_every=cfg.eval_every, curves=curves, metric="accuracy", ckpt=ckpt, key=ckey,
        label=f"train mqar {mixer} d={d}", deadline=deadline, progress=progress)
    gram = np.asarray(evaluate_full(params, pairs, eval_keys, len(curves["step"]))[1])  # (S, K, n, P_max, P_max)
    geometry = [[key_geometry(gram[s, k], P, d) for k, P in enumerate(cfg.pairs)] for s in range(len(seeds))]
    timing["wall_s"] = time.perf_counter() - tic
    if timing["steps_timed"]:
        timing["model_steps_per_s"] = timing["steps_per_s"] * len(seeds) * len(cfg.pairs)
    return {"mixer": mixer, "d": d, "status": "stopped" if stopped else "done",
            "state_size": M.state_size(mixer, d, cfg.seq_len), "step": curves["step"],
            "accuracy_curve": curves["accuracy"], "train_loss": curves["train_loss"],
            "accuracy": curves["accuracy"][-1], "geometry": geometry, "timing": timing}


def _estimate(done: dict, d: int) -> float:
    """Seconds a program of width ``d`` is expected to take, from the programs run so far (0: no estimate)."""
    same = [r["timing"]["wall_s"] for r in done.values() if r["d"] == d]
    if same:
        return float(np.mean(same))
    widths = [(r["d"], r["timing"]["wall_s"]) for r in done.values() if r["d"] < d]
    if not widths:
        return 0.0
    d0, t0 = max(widths)
    return t0 * (d / d0)  # cost grows with width at least linearly at these sizes


def train_mqar(cfg: MQARConfig, out: Optional[Path] = None, *, max_seconds: Optional[float] = None,
               budget_s: Optional[float] = None, progress: bool = True, resume: bool = True,
               ideal: bool = True) -> dict:
    """Train every (mixer, width) program of ``cfg``; return (and write to ``out``) the results.

    Parameters
    ----------
    cfg : MQARConfig
    out : path, optional
        Folder for ``mqar.json``, ``mqar_accuracy.csv``, ``mqar_table.md`` and
        ``checkpoints/``; a finished program recorded there with the same config is not rerun.
    max_seconds : float, optional
        Stop training after the evaluation that passes this wall time (resumable); the programs
        not started by then are recorded as not run (the first program of a call always starts).
    budget_s : float, optional
        Skip a program whose expected time (from the programs run so far in this call) exceeds the
        time left of this budget; it is recorded as not run (``status: "skipped"``).
    progress, resume : bool
    ideal : bool
        Compute the ideal memories' accuracies (:func:`ideal_memories`) into the record.

    Returns
    -------
    dict
        ``config``, ``run_seeds``, ``programs`` (``"mixer/dW"`` -> status, ``accuracy`` (S, K),
        curves, ``geometry`` (S, K), ``state_size``, ``timing``), ``ideal``, ``jax``, ``device``.

    Examples
    --------
    >>> cfg = MQARConfig(mixers=("linear",), widths=(8,), pairs=(2,), seq_len=8, vocab_size=16, seeds=1,
    ...                  steps=4, eval_every=2, batch=4, n_eval=4)
    >>> res = train_mqar(cfg, progress=False, ideal=False)
    >>> res["programs"]["linear/d8"]["status"], len(res["programs"]["linear/d8"]["accuracy"][0])
    ('done', 1)

    References
    ----------
    S. Arora et al., arXiv:2312.04927 (2023), Sec. 3.
    """
    cfg.validate()
    seeds = run_seeds(cfg.seed, cfg.seeds)
    start = time.perf_counter()
    deadline = None if max_seconds is None else start + max_seconds
    record = {"config": cfg.as_dict(), "run_seeds": seeds, "programs": {}, "jax": jax.__version__,
              "device": str(jax.devices()[0].device_kind), "platform": str(jax.devices()[0].platform)}
    path = Path(out) / "mqar.json" if out is not None else None
    if path is not None and resume and path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("config") == record["config"]:
            record["programs"] = {k: v for k, v in old["programs"].items() if v["status"] == "done"}
            if "ideal" in old:
                record["ideal"] = old["ideal"]
    ran = {}
    order = [(m, d) for d in cfg.widths for m in cfg.mixers]
    for mixer, d in order:
        name = _program_name(mixer, d)
        if name in record["programs"]:
            continue
        now = time.perf_counter()
        if deadline is not None and now > deadline and ran:  # every call trains at least one chunk
            record["programs"][name] = {"mixer": mixer, "d": d, "status": "skipped", "reason": "max_seconds"}
            continue
        if budget_s is not None and ran and now - start + _estimate(ran, d) > budget_s:
            record["programs"][name] = {"mixer": mixer, "d": d, "status": "skipped",
                                        "reason": f"budget_s={budget_s:g} (expected {_estimate(ran, d):.0f} s, "
                                                  f"{budget_s - (now - start):.0f} s left)"}
            continue
        r = _run_program(cfg, mixer, d, seeds, out, deadline, progress, resume)
        ran[name] = r
        record["programs"][name] = r
        if path is not None:
            write_results(record, Path(out))
    if ideal and "ideal" not in record:
        record["ideal"] = ideal_memories(cfg)
    record["table"] = summary_table(record)
    if out is not None:
        write_results(record, Path(out))
    return record


def write_results(record: dict, out: Path) -> list:
    """``mqar.json`` (everything), ``mqar_accuracy.csv`` (long format) and ``mqar_table.md``, atomically."""
    out = Path(out)
    rec = {**record, "provenance": provenance()}
    if "table" not in rec:
        rec["table"] = summary_table(rec)
    paths = [atomic_write_json(out / "mqar.json", rec)]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["mixer", "d", "pairs", "seed_index", "accuracy", "state_size"])
    for r in record["programs"].values():
        if r["status"] == "skipped":
            continue
        for s, row in enumerate(r["accuracy"]):
            for k, a in enumerate(row):
                w.writerow([r["mixer"], r["d"], record["config"]["pairs"][k], s, f"{a:.4f}", r["state_size"]])
    paths.append(atomic_write_text(out / "mqar_accuracy.csv", buf.getvalue()))
    paths.append(atomic_write_text(out / "mqar_table.md", format_table(rec) + "\n"))
    return paths

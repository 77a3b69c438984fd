"""The training loop both experiments share: run seeds, checkpoints, chunks of steps.

A run trains in jitted chunks of ``eval_every`` steps; after each chunk the
probes (or accuracies) are evaluated, the learning curves extended and a
checkpoint written atomically, so an interrupted run resumes from its last
evaluation. A checkpoint holds the parameter and optimiser leaves, the curves
and a key (the run's configuration); it is reused only when the key matches.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any, Callable, Optional, Tuple

import numpy as np

from simulations.train import require_jax

require_jax()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from simulations.core.io import atomic_write_bytes  # noqa: E402
from simulations.core.progress import bar  # noqa: E402

__all__ = ["run_seeds", "save_checkpoint", "load_checkpoint", "train_chunks"]


def run_seeds(seed: int, n: int) -> list:
    """The seeds of runs ``0..n-1``: ``SeedSequence([seed, i])``'s first 32-bit word."""
    return [int(np.random.SeedSequence([seed, i]).generate_state(1)[0]) for i in range(n)]


def save_checkpoint(path: Path, params: Any, opt_state: Any, curves: dict, key: dict) -> None:
    """Write parameters, optimiser state, curves and ``key`` to ``path`` (``.npz``, atomically)."""
    leaves = jax.tree_util.tree_leaves((params, opt_state))
    buf = io.BytesIO()
    np.savez(buf, *[np.asarray(x) for x in leaves], config=json.dumps(key, sort_keys=True),
             curves=json.dumps(curves))
    atomic_write_bytes(path, buf.getvalue())


def load_checkpoint(path: Path, params: Any, opt_state: Any, key: dict) -> Optional[Tuple[Any, Any, dict]]:
    """``(params, opt_state, curves)`` from ``path`` if it exists and holds ``key``, else None.

    ``params`` and ``opt_state`` give the tree structure to restore into.
    """
    if not path.exists():
        return None
    with np.load(path) as z:
        if json.loads(str(z["config"])) != json.loads(json.dumps(key, sort_keys=True)):
            return None
        leaves, treedef = jax.tree_util.tree_flatten((params, opt_state))
        new = [jnp.asarray(z[f"arr_{i}"]) for i in range(len(leaves))]
        curves = json.loads(str(z["curves"]))
    params, opt_state = jax.tree_util.tree_unflatten(treedef, new)
    return params, opt_state, curves


def train_chunks(chunk: Callable, evaluate: Callable, params: Any, opt_state: Any, data: Any, data_keys: Any,
                 eval_keys: Any, *, steps: int, eval_every: int, curves: dict, metric: str, ckpt: Optional[Path],
                 key: dict, label: str, deadline: Optional[float],
                 progress: bool) -> Tuple[Any, Any, dict, dict, bool]:
    """Run ``chunk`` until ``steps`` (or past ``deadline``), evaluating after each chunk.

    ``chunk(params, opt_state, data, data_keys, t0) -> (params, opt_state, loss)`` runs
    ``eval_every`` steps from step ``t0``; ``evaluate(params, data, eval_keys, index)``
    scores evaluation number ``index`` (0 before training). ``curves`` holds lists
    ``step``, ``metric`` and ``train_loss`` (empty for a new run, loaded for a resumed
    one) and is extended in place; a checkpoint is written after every chunk when
    ``ckpt`` is given.

    Returns
    -------
    params, opt_state, curves, timing, stopped
        ``timing``: ``compile_s`` (compilation and the first chunk), ``run_s`` and
        ``steps_timed`` (the later chunks) and ``steps_per_s``; ``stopped`` is True when
        the deadline ended the run before ``steps``.
    """
    timing = {"compile_s": None, "run_s": 0.0, "steps_timed": 0}
    if not curves["step"]:
        curves["step"].append(0)
        curves[metric].append(np.asarray(evaluate(params, data, eval_keys, 0)).tolist())
        curves["train_loss"].append(None)
    stopped = False
    with bar(steps, label, unit="step", leave=False, disable=not progress) as pbar:
        pbar.update(curves["step"][-1])
        while curves["step"][-1] < steps:
            t0 = curves["step"][-1]
            tic = time.perf_counter()
            params, opt_state, lval = chunk(params, opt_state, data, data_keys, t0)
            lval = np.asarray(lval)  # blocks until the chunk is done
            dt = time.perf_counter() - tic
            if timing["compile_s"] is None:
                timing["compile_s"] = dt  # compile + first chunk
            else:
                timing["run_s"] += dt
                timing["steps_timed"] += eval_every
            score = evaluate(params, data, eval_keys, len(curves["step"]))
            curves["step"].append(t0 + eval_every)
            curves[metric].append(np.asarray(score).tolist())
            curves["train_loss"].append(lval.tolist())
            if ckpt is not None:
                save_checkpoint(ckpt, params, opt_state, curves, key)
            pbar.update(eval_every)
            if deadline is not None and time.perf_counter() > deadline:
                stopped = curves["step"][-1] < steps
                break
    if timing["steps_timed"]:
        timing["steps_per_s"] = timing["steps_timed"] / timing["run_s"]
    return params, opt_state, curves, timing, stopped

"""Trained transformers in JAX (optional: ``pip install "amlab[train]"``).

Nothing else in amlab imports this package; the CLI imports it only for
``amlab train ...``. Submodules:

* :mod:`simulations.train.bursty`: the bursty in-context classification mixture
  of :class:`hopfield.bursty.BurstyTask`, sampled on the device with
  ``jax.random`` (inside the jitted training step);
* :mod:`simulations.train.model`: the two-layer attention model of Burns, Fukai &
  Earls (2024) with the residual attention streams (values, queries, keys);
* :mod:`simulations.train.icl`: experiment 1, training all variants and seeds in
  one compiled program, learning curves, steps to 95% ICL accuracy.
* :mod:`simulations.train.induction_model`: the two-layer attention-only model of
  Bietti et al. (2023) and its trigger-sequence sampler in JAX;
* :mod:`simulations.train.induction`: experiment 2, a trained induction head, its
  memory-recall probes and its logits against the closed form of ``theory.induction``;
* :mod:`simulations.train.corpus`: the byte-level tokenizer, corpus reader and splits of the
  language-model experiment (no JAX but its window sampler);
* :mod:`simulations.train.lm`: the value residual stream in a small language model (Burns et al.'s
  second experiment): the byte-level decoder, its training over seeds and variants, the ICL score;
* :mod:`simulations.train.loop`: the training loop both experiments share (run seeds,
  checkpoints, jitted chunks between evaluations);
* :mod:`simulations.train.induction_table`: experiment 2's summary table (no JAX).

References
----------
M. Burns, T. Fukai, C. Earls, "Associative memory inspires improvements for
in-context learning using a novel attention residual stream architecture",
arXiv:2412.15113 (2024).
"""

from __future__ import annotations

import types


def require_jax() -> types.ModuleType:
    """Import and return ``jax``; a clear ``ImportError`` naming the extra when it is missing."""
    try:
        import jax  # noqa: F401
        import optax  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(f"amlab train needs JAX and optax: pip install \"amlab[train]\" ({exc})") from None
    return jax

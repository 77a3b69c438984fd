"""The bursty in-context classification mixture, sampled on the device with ``jax.random``.

A JAX re-implementation of :meth:`hopfield.bursty.BurstyTask.sample` for use
inside a jitted training step: the task's fixed parts (class means, novel pool,
label vectors, class labels) come from a :class:`~hopfield.bursty.BurstyTask` as
:class:`TaskArrays`; every batch is a pure function of a ``jax.random`` key, so a
run can draw a fresh batch at every step on the accelerator, ``vmap``-ed over
seeds. The distributions are those of ``BurstyTask`` (tested against it in
``tests/test_train_bursty.py``) with one switch, ``novel``:

* ``novel="pool"``: as ``BurstyTask``: the ``n_novel`` novel means are fixed,
  a novel sequence holds ``N/B`` distinct pool classes, and their labels are
  drawn afresh (distinct) for each sequence;
* ``novel="redraw"``: as Reddy's published generator, used by Burns et al.:
  the ``n_novel`` novel means are redrawn for every batch, a sequence picks its
  ``N/B`` novel classes uniformly with replacement, and novel class ``k`` has
  label ``k mod L``. Neither way can the weights learn a novel label.

Flipped-label test sequences (``"icl_flipped"``) shift all context labels of a
sequence by one ``r`` drawn uniformly from ``1..L-1`` (Reddy's code uses
``r = 1`` for every sequence; the label vectors are i.i.d., so both show a
label the weights contradict) and the target is the shifted label, the one the
context teaches.

References
----------
G. Reddy, "The mechanistic basis of data dependence and abrupt learning in an
in-context classification task", ICLR 2024 (arXiv:2312.03002), Sec. 2.
M. Burns, T. Fukai, C. Earls, arXiv:2412.15113 (2024), Sec. 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from hopfield.bursty import KINDS, BurstyTask

__all__ = ["Spec", "TaskArrays", "Batch", "task_arrays", "sample", "KINDS", "NOVEL"]

NOVEL = ("redraw", "pool")


@dataclass(frozen=True)
class Spec:
    """The static (shape-defining) part of a task: hashable, a static argument of ``jax.jit``."""

    K: int
    L: int
    N: int
    B: int
    D: int
    eps: float
    p_B: float
    p_C: float
    n_novel: int
    novel: str = "redraw"

    @property
    def G(self) -> int:
        """Distinct classes of a bursty sequence, ``N/B``."""
        return self.N // self.B

    @property
    def T(self) -> int:
        """Tokens of a sequence, ``2N + 1``."""
        return 2 * self.N + 1

    @classmethod
    def of(cls, task: BurstyTask, novel: str = "redraw") -> "Spec":
        if novel not in NOVEL:
            raise ValueError(f"novel must be one of {NOVEL}, got {novel!r}")
        return cls(task.K, task.L, task.N, task.B, task.D, task.eps, task.p_B, task.p_C, task.n_novel, novel)


class TaskArrays(NamedTuple):
    """The fixed arrays of a task (a pytree; stack them along a new axis 0 for several seeds)."""

    means: jnp.ndarray  # (K, D) float32
    novel_means: jnp.ndarray  # (n_novel, D) float32
    label_vectors: jnp.ndarray  # (L, D) float32
    class_labels: jnp.ndarray  # (K,) int32
    log_p_class: jnp.ndarray  # (K,) float32


class Batch(NamedTuple):
    """A batch of ``n`` sequences (see :class:`hopfield.bursty.BurstyBatch`)."""

    tokens: jnp.ndarray  # (n, 2N+1, D): x_1, l_1, ..., x_N, l_N, x_q
    target: jnp.ndarray  # (n,) int32: the query's correct label
    classes: jnp.ndarray  # (n, N+1) int32: 0..K-1 training, K.. novel, -1 brand new
    labels: jnp.ndarray  # (n, N+1) int32: context labels, then the target
    bursty: jnp.ndarray  # (n,) bool
    novel: jnp.ndarray  # (n,) bool


def task_arrays(task: BurstyTask, dtype: Any = jnp.float32) -> TaskArrays:
    """The fixed arrays of ``task`` as JAX arrays.

    Examples
    --------
    >>> import jax
    >>> task = BurstyTask(K=64, L=8, N=8, B=2, D=16, n_novel=16, seed=0)
    >>> spec, arrays = Spec.of(task), task_arrays(task)
    >>> batch = sample(jax.random.PRNGKey(0), arrays, spec, 32, "train")
    >>> batch.tokens.shape, batch.target.shape
    ((32, 17, 16), (32,))
    """
    return TaskArrays(jnp.asarray(task.means, dtype), jnp.asarray(task.novel_means, dtype),
                      jnp.asarray(task.label_vectors, dtype), jnp.asarray(task.class_labels, jnp.int32),
                      jnp.asarray(np.log(task.p_class), dtype))


class _Uniforms:
    """Hands out consecutive pieces of one flat ``jax.random.uniform`` draw.

    One draw per batch instead of one per random quantity keeps the compiled
    program small (every ``jax.random`` call is a separate threefry kernel to
    compile); normals, Gumbels and integers are transforms of the pieces.
    """

    def __init__(self, key, sizes, dtype=jnp.float32):
        self.u = jax.random.uniform(key, (int(sum(sizes)),), dtype)
        self.offset = 0

    def take(self, shape):
        size = int(np.prod(shape))
        out = self.u[self.offset:self.offset + size].reshape(shape)
        self.offset += size
        return out

    def normal(self, shape):
        tiny = np.float32(np.finfo(np.float32).eps)
        v = jnp.clip(2.0 * self.take(shape) - 1.0, -1.0 + tiny, 1.0 - tiny)
        return np.float32(np.sqrt(2.0)) * jax.scipy.special.erfinv(v)

    def gumbel(self, shape):
        tiny = np.float32(np.finfo(np.float32).tiny)
        return -jnp.log(-jnp.log(jnp.maximum(self.take(shape), tiny)))

    def integers(self, shape, low, high):
        """Uniform integers in ``low..high-1``."""
        return jnp.minimum(low + jnp.floor(self.take(shape) * (high - low)).astype(jnp.int32), high - 1)


def _layout(r: _Uniforms, n: int, spec: Spec):
    """(n, N+1) group ids: each of ``0..G-1`` ``B`` times in random order, then the query's group."""
    base = jnp.broadcast_to(jnp.repeat(jnp.arange(spec.G, dtype=jnp.int32), spec.B), (n, spec.N))
    order = jnp.argsort(r.take((n, spec.N)), axis=1)
    ctx = jnp.take_along_axis(base, order, axis=1)  # (n, N)
    return jnp.concatenate([ctx, r.integers((n, 1), 0, spec.G)], axis=1)


def _distinct(r: _Uniforms, logits, n: int, G: int):
    """(n, G) distinct indices per row drawn with weights ``softmax(logits)`` (Gumbel top-G)."""
    g = logits[None, :] + r.gumbel((n, logits.shape[0]))
    return jax.lax.top_k(g, G)[1].astype(jnp.int32)


def _iid(r: _Uniforms, log_p, shape):
    """Classes i.i.d. with probabilities ``exp(log_p)`` (inverse CDF), int32 of ``shape``."""
    cdf = jnp.cumsum(jnp.exp(log_p))
    u = r.take(shape) * cdf[-1]
    return jnp.minimum(jnp.searchsorted(cdf, u, side="right"), log_p.shape[0] - 1).astype(jnp.int32)


def _group_labels(r: _Uniforms, n: int, spec: Spec):
    """(n, G) labels for the groups of a sequence: distinct when ``G <= L``."""
    if spec.G <= spec.L:
        return _distinct(r, jnp.zeros(spec.L), n, spec.G)
    return r.integers((n, spec.G), 0, spec.L)


def _items(r: _Uniforms, means, spec: Spec):
    """Items ``(mu + eps eta)/sqrt(1 + eps^2)``, ``eta ~ N(0, I/D)``, for means of shape (..., D)."""
    eta = r.normal(means.shape) / np.sqrt(spec.D)
    return (means + spec.eps * eta) / np.sqrt(1.0 + spec.eps**2)


def _tokens(items, labels, label_vectors, spec: Spec):
    """Interleave (n, N+1, D) items and (n, N+1) labels into (n, 2N+1, D) tokens."""
    n = items.shape[0]
    lab = label_vectors[labels[:, :-1]]  # (n, N, D)
    pairs = jnp.stack([items[:, :-1], lab], axis=2).reshape(n, 2 * spec.N, spec.D)
    return jnp.concatenate([pairs, items[:, -1:]], axis=1)


def _sizes(spec: Spec, n: int, kind: str):
    """Uniforms used by ``sample`` for ``kind`` (an upper bound is fine)."""
    N1, G, D = spec.N + 1, spec.G, spec.D
    layout = n * (spec.N + 1)
    items = n * N1 * D
    labels = n * max(spec.L, G)
    if kind == "iwl":
        return [n * N1, items]
    if kind == "icl_flipped":
        return [n * spec.K, layout, n, items]
    if kind == "icl":
        return [n * G * D, layout, labels, items]
    return [n * N1, n, n, n * spec.K, 2 * layout, n * max(spec.n_novel, G), labels, spec.n_novel * D, items]


def sample(key: jax.Array, arrays: TaskArrays, spec: Spec, n: int, kind: str = "train") -> Batch:
    """Draw ``n`` sequences of ``kind`` (``"train"``, ``"icl"``, ``"icl_flipped"``, ``"iwl"``).

    Parameters
    ----------
    key : jax PRNG key
    arrays : TaskArrays
    spec : Spec
        Static; ``n`` and ``kind`` are static too (jit with ``static_argnums``).
    n : int
    kind : str

    Returns
    -------
    Batch
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    K, G = spec.K, spec.G
    r = _Uniforms(key, _sizes(spec, n, kind), arrays.means.dtype)
    if kind == "iwl":
        cls = _iid(r, arrays.log_p_class, (n, spec.N + 1))
        labels = arrays.class_labels[cls]
        items = _items(r, arrays.means[cls], spec)
        return Batch(_tokens(items, labels, arrays.label_vectors, spec), labels[:, -1], cls, labels,
                     jnp.zeros(n, bool), jnp.zeros(n, bool))
    if kind == "icl_flipped":
        chosen = _distinct(r, arrays.log_p_class, n, G)
        cls = jnp.take_along_axis(chosen, _layout(r, n, spec), axis=1)
        shift = r.integers((n, 1), 1, spec.L)
        labels = (arrays.class_labels[cls] + shift) % spec.L
        items = _items(r, arrays.means[cls], spec)
        return Batch(_tokens(items, labels, arrays.label_vectors, spec), labels[:, -1], cls, labels,
                     jnp.ones(n, bool), jnp.zeros(n, bool))
    if kind == "icl":
        fresh = r.normal((n, G, spec.D)) / np.sqrt(spec.D)  # (n, G, D): brand-new class means
        layout = _layout(r, n, spec)
        means = jnp.take_along_axis(fresh, layout[:, :, None], axis=1)  # (n, N+1, D)
        labels = jnp.take_along_axis(_group_labels(r, n, spec), layout, axis=1)
        items = _items(r, means, spec)
        return Batch(_tokens(items, labels, arrays.label_vectors, spec), labels[:, -1],
                     jnp.full((n, spec.N + 1), -1, jnp.int32), labels, jnp.ones(n, bool), jnp.ones(n, bool))
    # the training mixture: each row is novel (p_C), else bursty (p_B), else i.i.d.
    iid = _iid(r, arrays.log_p_class, (n, spec.N + 1))
    novel = r.take((n,)) < spec.p_C
    bursty = novel | (r.take((n,)) < spec.p_B)
    known = jnp.take_along_axis(_distinct(r, arrays.log_p_class, n, G), _layout(r, n, spec), axis=1)
    layout2 = _layout(r, n, spec)
    if spec.novel == "pool":
        pool = arrays.novel_means
        nov = jnp.take_along_axis(_distinct(r, jnp.zeros(spec.n_novel), n, G), layout2, axis=1)
        nov_labels = jnp.take_along_axis(_group_labels(r, n, spec), layout2, axis=1)
    else:  # Reddy: fresh novel means every batch, chosen with replacement, labelled k mod L
        nov = jnp.take_along_axis(r.integers((n, G), 0, spec.n_novel), layout2, axis=1)
        nov_labels = nov % spec.L
        pool = r.normal(arrays.novel_means.shape) / np.sqrt(spec.D)
    cls = jnp.where(novel[:, None], K + nov, jnp.where(bursty[:, None], known, iid))  # (n, N+1)
    labels = jnp.where(novel[:, None], nov_labels, arrays.class_labels[jnp.minimum(cls, K - 1)])
    table = jnp.concatenate([arrays.means, pool], axis=0)  # (K + n_novel, D)
    items = _items(r, table[cls], spec)
    return Batch(_tokens(items, labels, arrays.label_vectors, spec), labels[:, -1], cls, labels, bursty, novel)

"""Simulated quantities of the key-value memories, shared by the checks and the figures.

Every function takes a ``seed``; unit ``i`` (a memory, a repetition) draws from
its own stream ``default_rng([seed, tag, i])``, so results do not depend on how
many units are run or in which order.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from numpy.typing import ArrayLike

from hopfield import kv

__all__ = ["readout_scores", "recall_accuracy", "delta_one_pass", "zipf_error", "zipf_sample_error",
           "fit_exponent"]


def _rng(seed, tag, i):
    return np.random.default_rng([int(seed), int(tag), int(i)])


def readout_chunk(d: int, M: int) -> int:
    """Memories per chunk (one stream each) of ``readout_scores``: about 32 MB per (chunk, M, d) array."""
    return max(1, min(4096, 2**22 // (M * d)))


def readout_scores(d: int, M: int, n: int, seed: int = 0, chunk: int | None = None,
                   memories: Optional[np.ndarray] = None) -> dict:
    """Scores of ``n`` independent Hebbian memories of ``M`` Gaussian pairs, read by the streaming kernel.

    Each memory writes its pairs in order (``hopfield.kv.stream``, rule "linear") and
    its last position reads the first key ``u_1``. Returns float64 arrays (n,) of
    ``v_1 . W u_1`` ("stored"), ``v_2 . W u_1`` ("other") and ``f . W u_1`` for a
    fresh ``f`` ("fresh"). Memories come in chunks of ``chunk``, chunk ``c``
    drawing from its own stream; ``memories = (a, b)`` (multiples of the
    chunk, or ``b = n``) computes memories ``a <= i < b`` only, a block of
    the work: the blocks' arrays, concatenated, are those of the whole.

    Examples
    --------
    >>> s = readout_scores(16, 8, 2000, seed=0)
    >>> round(float(s["stored"].mean()), 1)  # theory: mean 1
    1.0
    """
    out = {"stored": [], "other": [], "fresh": []}
    chunk = chunk or readout_chunk(d, M)
    lo, hi = (0, n) if memories is None else (int(memories[0]), min(int(memories[1]), n))
    if lo % chunk or (hi != n and hi % chunk):
        raise ValueError(f"memories must start and end at multiples of chunk = {chunk} (or end at n = {n}), "
                         f"got {memories!r}")
    for s in range(lo, hi, chunk):
        rng = _rng(seed, 1, s // chunk)
        b = min(chunk, n - s)  # the stream of a chunk does not depend on where the range ends
        U = rng.standard_normal((b, M, d)) / np.sqrt(d)
        Vv = rng.standard_normal((b, M, d)) / np.sqrt(d)
        f = rng.standard_normal((b, d)) / np.sqrt(d)
        Q = np.zeros_like(U)
        Q[:, -1] = U[:, 0]
        r = kv.stream(U, Vv, Q, "linear")[:, -1]  # (b, d) = W u_1
        out["stored"].append(np.einsum("bd,bd->b", Vv[:, 0], r))
        out["other"].append(np.einsum("bd,bd->b", Vv[:, 1], r))
        out["fresh"].append(np.einsum("bd,bd->b", f, r))
    return {k: np.concatenate(v) for k, v in out.items()}


def _memory(name: str, d: int, beta: float):
    if name == "hebbian":
        return kv.HebbianMemory(d)
    if name == "delta":
        return kv.DeltaMemory(d, eta=None)
    if name == "softmax":
        return kv.SoftmaxMemory(d, beta=beta)
    raise ValueError(f"memory must be 'hebbian', 'delta' or 'softmax', got {name!r}")


def recall_accuracy(memory: str, d: int, M: int, V: int, kind: str, n_mem: int, seed: int = 0,
                    beta: float | None = None, passes: int = 1) -> np.ndarray:
    """Per-memory argmax accuracy (n_mem,) of ``V`` queries of stored keys among ``V`` candidates.

    ``M`` Gaussian pairs (``N(0, I/d)``) are written; the queries are the first ``V``
    keys (``V <= M``). ``kind="other"``: the candidates are the first ``V`` stored
    values (query ``j`` is right when value ``j`` wins); ``kind="fresh"``: the stored
    value against ``V - 1`` never-stored random values. ``beta`` defaults to
    ``sqrt(d) ln M`` (softmax only); ``passes`` applies to the delta rule.
    """
    beta = float(np.sqrt(d) * np.log(max(M, 2))) if beta is None else beta
    acc = np.empty(n_mem)
    for i in range(n_mem):
        rng = _rng(seed, 2, i)
        U = rng.standard_normal((M, d)) / np.sqrt(d)
        Vv = rng.standard_normal((M, d)) / np.sqrt(d)
        mem = _memory(memory, d, beta)
        if memory == "delta":
            mem.write(U, Vv, passes=passes)
        else:
            mem.write(U, Vv)
        R = mem.read(U[:V])  # (V, d)
        if kind == "other":
            acc[i] = np.mean(np.argmax(R @ Vv[:V].T, axis=1) == np.arange(V))
        else:
            F = rng.standard_normal((V - 1, d)) / np.sqrt(d)
            sc = np.concatenate([np.einsum("vd,vd->v", R, Vv[:V])[:, None], R @ F.T], axis=1)
            acc[i] = np.mean(np.argmax(sc, axis=1) == 0)
    return acc


def delta_one_pass(d: int, M: int, n_mem: int, seed: int = 0, eta: Optional[float] = None) -> np.ndarray:
    """Per-memory mean over the keys of ``|W k_j - v_j|^2`` after one delta-rule pass (n_mem,)."""
    err = np.empty(n_mem)
    for i in range(n_mem):
        rng = _rng(seed, 3, i)
        K = rng.standard_normal((M, d)) / np.sqrt(d)
        Vv = rng.standard_normal((M, d)) / np.sqrt(d)
        mem = kv.DeltaMemory(d, eta=eta).write(K, Vv)
        err[i] = np.mean(np.sum((mem.read(K) - Vv) ** 2, axis=1))
    return err


def zipf_error(d: int, alpha: float, storage: str, reps: int, seed: int = 0, m: int = 5, X: int = 500,
               threshold_ratio: float = 8.0) -> np.ndarray:
    """Generalisation error of the outer-product memory on Zipf inputs, one value per repetition (reps,).

    Inputs ``x = 1..X`` with ``p(x) ~ x^-alpha`` (normalised over all integers, so the
    mass beyond ``X`` counts as errors at chance level), targets ``f(x)`` uniform in
    ``m`` classes, embeddings ``e_x``, ``u_y`` i.i.d. ``N(0, I/d)``. The memory is
    ``hopfield.kv.HebbianMemory`` written with keys ``e_x`` and values ``q(x) u_{f(x)}``:
    ``q = p`` ("frequency") or ``q = 1`` for the ``P = d / threshold_ratio`` most frequent
    inputs ("threshold"). The error is ``sum_x p(x) 1[argmax_y u_y . W e_x != f(x)]``
    for stored ``x`` plus ``(1 - 1/m)`` times the mass of the rest.
    """
    from scipy.special import zeta

    p = np.arange(1, X + 1, dtype=np.float64) ** -alpha / zeta(alpha)
    P = X if storage == "frequency" else max(1, min(X, int(d // threshold_ratio)))
    q = p[:P] if storage == "frequency" else np.ones(P)
    out = np.empty(reps)
    for r in range(reps):
        rng = _rng(seed, 4, r)
        E = rng.standard_normal((P, d)) / np.sqrt(d)
        Uy = rng.standard_normal((m, d)) / np.sqrt(d)
        f = rng.integers(0, m, P)
        mem = kv.HebbianMemory(d).write(E, q[:, None] * Uy[f])
        wrong = mem.recall(E, candidates=Uy) != f
        out[r] = np.sum(p[:P] * wrong) + (1 - 1 / m) * (1 - p[:P].sum())
    return out


def zipf_sample_error(T: int, alpha: float, reps: int, seed: int = 0, N: int = 10**6) -> np.ndarray:
    """Mass of the inputs not seen in ``T`` Zipf samples (``N`` inputs), per repetition (reps,).

    A memory large enough to store every seen input (``d`` much larger than their
    number, orthogonal embeddings) errs exactly on the unseen ones; this is its error
    with the chance-level factor ``(1 - 1/m)`` left out.
    """
    p = kv.zipf_probabilities(N, alpha)
    cdf = np.cumsum(p)
    out = np.empty(reps)
    for r in range(reps):
        rng = _rng(seed, 5, r)
        x = np.minimum(np.searchsorted(cdf, rng.random(T) * cdf[-1], side="right"), N - 1)
        seen = np.unique(x)
        out[r] = 1.0 - p[seen].sum()
    return out


def fit_exponent(x: ArrayLike, samples: ArrayLike) -> tuple[float, float]:
    """Slope ``gamma`` of ``mean(samples_i) ~ x_i^-gamma``: weighted least squares on logs.

    Parameters
    ----------
    x : array_like (n,)
    samples : list of arrays, one per ``x``, each of independent replicates (>= 2)

    Returns
    -------
    (gamma, se) : the exponent and its standard error (delta method:
        ``se(log mean) = sem / mean``, floored at 1e-3 so that points whose
        replicates all agree, e.g. a deterministic tail mass, do not take all the
        weight; weights ``1/se^2``).

    Examples
    --------
    >>> x = [10, 100, 1000]
    >>> g, se = fit_exponent(x, [[0.1 * v**-0.5, 0.1 * v**-0.5 * 1.01] for v in x])
    >>> round(g, 3)
    0.5
    """
    lx = np.log(np.asarray(x, dtype=np.float64))
    m = np.array([np.mean(s) for s in samples])
    se = np.array([np.std(s, ddof=1) / np.sqrt(len(s)) for s in samples]) / m
    se = np.maximum(se, 1e-3)
    A = np.column_stack([np.ones_like(lx), lx])
    w = 1 / se**2
    cov = np.linalg.inv((A * w[:, None]).T @ A)
    coef = cov @ (A * w[:, None]).T @ np.log(m)
    return float(-coef[1]), float(np.sqrt(cov[1, 1]))


# Registered estimators: one evaluation is one point of a figure of figures/attention.py.

from _amlab.params import Param  # noqa: E402
from simulations.estimators import register_estimator  # noqa: E402

_KV_MEMORIES = ("hebbian", "delta", "softmax")


def _check_recall(p):
    if p["V"] > p["M"]:
        raise ValueError(f"V={p['V']} queries need at least as many stored pairs; got M={p['M']}")


@register_estimator("kv-recall-accuracy", title="key-value recall accuracy of one memory at (d, M), V candidates",
                    params=[Param("memory", "str", "hebbian", "key-value memory", choices=_KV_MEMORIES),
                            Param("d", "int", 32, "key and value dimension", minimum=1),
                            Param("M", "int", 64, "stored Gaussian pairs", minimum=1),
                            Param("V", "int", 8, "queries and candidates", minimum=1),
                            Param("kind", "str", "other", "candidates: stored values or fresh ones",
                                  choices=("other", "fresh")),
                            Param("n_mem", "int", 30, "independent memories", minimum=2)],
                    check=_check_recall)
def kv_recall_accuracy(*, seed: int, memory: str, d: int, M: int, V: int, kind: str, n_mem: int) -> dict:
    """Mean and sd over memories of :func:`recall_accuracy` (``seed`` as the figure's point seed)."""
    acc = recall_accuracy(memory, d, M, V, kind, n_mem, seed)
    return {"accuracy": float(np.mean(acc)), "sd": float(np.std(acc, ddof=1)), "n_mem": int(n_mem)}


@register_estimator("kv-zipf-error", title="generalisation error of the outer-product memory on Zipf inputs",
                    params=[Param("d", "int", 32, "embedding dimension", minimum=1),
                            Param("alpha", "float", 2.0, "Zipf exponent", minimum=1, strict=True),
                            Param("storage", "str", "frequency", "values weighted by p(x), or the d/8 most "
                                  "frequent inputs stored", choices=("frequency", "threshold")),
                            Param("reps", "int", 40, "repetitions", minimum=2)])
def kv_zipf_error(*, seed: int, d: int, alpha: float, storage: str, reps: int) -> dict:
    """Mean and sd over repetitions of :func:`zipf_error`."""
    e = zipf_error(d, alpha, storage, reps, seed)
    return {"error": float(np.mean(e)), "sd": float(np.std(e, ddof=1)), "reps": int(reps)}


@register_estimator("kv-zipf-sample-error", title="Zipf mass not seen in T samples (error of an unbounded memory)",
                    params=[Param("T", "int", 100, "samples", minimum=1),
                            Param("alpha", "float", 2.0, "Zipf exponent", minimum=1, strict=True),
                            Param("reps", "int", 10, "repetitions", minimum=2)])
def kv_zipf_sample_error(*, seed: int, T: int, alpha: float, reps: int) -> dict:
    """Mean and sd over repetitions of :func:`zipf_sample_error`."""
    e = zipf_sample_error(T, alpha, reps, seed)
    return {"error": float(np.mean(e)), "sd": float(np.std(e, ddof=1)), "reps": int(reps)}


def mqar_point(*, seed: int, memory: str, d: int, pairs: int, n_seq: int, vocab_size: int) -> Any:
    """One point of ``mqar-accuracy-vs-pairs``: the batch and embeddings seeded from ``seed`` as the figure does.

    Returns the ``hopfield.mqar.MQARResult``.
    """
    from hopfield.mqar import evaluate_mqar, make_mqar
    from simulations.core.seeds import derive_seed

    b = make_mqar(n_seq, vocab_size=vocab_size, num_pairs=pairs, seq_len=4 * pairs + 16,
                  seed=derive_seed(seed, {"fig": "mqar", "P": pairs}))
    return evaluate_mqar(b, memory, d, seed=derive_seed(seed, {"fig": "mqar-emb", "d": d}))


def _check_mqar(p):
    if p["pairs"] > p["vocab_size"] // 2 - 1:
        raise ValueError(f"pairs={p['pairs']} needs more keys than vocab_size={p['vocab_size']} has; expected "
                         f"pairs <= vocab_size // 2 - 1")


@register_estimator("mqar-accuracy", title="MQAR accuracy of a key-value memory on random embeddings (no training)",
                    params=[Param("memory", "str", "hebbian", "key-value memory", choices=_KV_MEMORIES),
                            Param("d", "int", 32, "embedding dimension", minimum=1),
                            Param("pairs", "int", 8, "key-value pairs per sequence (length 4 pairs + 16)",
                                  minimum=1),
                            Param("n_seq", "int", 30, "sequences", minimum=1),
                            Param("vocab_size", "int", 1024, "vocabulary", minimum=4)],
                    check=_check_mqar)
def mqar_accuracy(*, seed: int, memory: str, d: int, pairs: int, n_seq: int, vocab_size: int) -> dict:
    """Accuracy of :func:`mqar_point`; ``seed`` is the figure's master seed (the batch and embeddings derive from it)."""
    r = mqar_point(seed=seed, memory=memory, d=d, pairs=pairs, n_seq=n_seq, vocab_size=vocab_size)
    return {"accuracy": float(r.accuracy), "correct": int(r.correct.sum()), "queries": int(r.correct.size),
            "state_size": int(r.state_size)}

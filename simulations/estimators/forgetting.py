"""Simulated recall by age of the key-value memories that forget (``hopfield.kv.stream``'s forgetting rules).

Every function takes a ``seed``; chunk ``c`` of memories draws from its own stream
``default_rng([seed, 26, c])``, so results do not depend on how many chunks are run.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from hopfield import kv

__all__ = ["decay_scores", "decay_mqar", "gated_delta_mqar", "MEMORIES", "memory_scores", "recall_curve",
           "simulated_pairs"]

#: Memories per chunk of :func:`decay_scores` (one random stream each).
CHUNK = 500


def decay_scores(d: int, L: int, lam: float, ages: Sequence[int], n: int, seed: int = 0) -> dict:
    """Scores of the pairs of given ages in ``n`` independent decaying memories, written and read by the stream kernel.

    Each memory writes ``L`` Gaussian pairs (keys and values i.i.d. ``N(0, I/d)``) with
    ``W_t = lam W_{t-1} + v_t k_t^T``, then reads the key of the pair of each age ``a``
    (written at position ``L - 1 - a``) at extra positions that write nothing (zero key and
    value, gate 1: ``W`` stays ``W_L``). One stream, rule ``"gla"`` with the gates
    ``[lam] * L + [1] * len(ages)``: the scalar-decay kernel (``stream_gated``) for the writes.

    Returns
    -------
    dict of float64 arrays of shape (n, len(ages))
        ``"stored"``: ``v_j . W_L u_j``; ``"fresh"``: ``f . W_L u_j`` for a fresh Gaussian ``f``
        (one per memory and age).

    Examples
    --------
    >>> s = decay_scores(16, 40, 0.9, [0, 5], 2000, seed=0)
    >>> np.round(s["stored"].mean(axis=0), 1).tolist()  # theory: lam^age = 1, 0.59
    [1.0, 0.6]
    """
    ages = np.asarray(ages, dtype=np.int64)
    if ages.ndim != 1 or ages.size == 0 or ages.min() < 0 or ages.max() >= L:
        raise ValueError(f"ages must be a non-empty list of integers in [0, L - 1 = {L - 1}], got {ages.tolist()}")
    A = ages.size
    gate = np.concatenate([np.full(L, float(lam)), np.ones(A)])
    out = {"stored": [], "fresh": []}
    for c, s in enumerate(range(0, n, CHUNK)):
        rng = np.random.default_rng([int(seed), 26, c])
        b = min(CHUNK, n - s)
        K = np.zeros((b, L + A, d))
        Vv = np.zeros((b, L + A, d))
        K[:, :L] = rng.standard_normal((b, L, d)) / np.sqrt(d)
        Vv[:, :L] = rng.standard_normal((b, L, d)) / np.sqrt(d)
        f = rng.standard_normal((b, A, d)) / np.sqrt(d)
        Q = np.zeros_like(K)
        Q[:, L:] = K[:, L - 1 - ages]  # read the key of age a after the last write
        r = kv.stream(K, Vv, Q, "gla", gate=np.broadcast_to(gate, (b, L + A)))[:, L:]  # (b, A, d) = W_L u_j
        out["stored"].append(np.einsum("bad,bad->ba", Vv[:, L - 1 - ages], r))
        out["fresh"].append(np.einsum("bad,bad->ba", f, r))
    return {k: np.concatenate(v) for k, v in out.items()}


#: The forgetting memories of :func:`memory_scores`, each with the parameters it takes (beside ``d``, ``L``).
#: ``"decay"`` at ``lam = 1`` is the plain (linear-attention) outer-product memory.
MEMORIES = {"decay": ("lam",), "gla": ("lam",), "gated-delta": ("lam",), "titans": ("lam", "eta", "momentum"),
            "longhorn": ("eta",)}


def gla_gates(K: np.ndarray, lam: float) -> np.ndarray:
    """Data-dependent scalar gates of the ``"gla"`` memory: ``g_t = lam^(2 sigmoid(sqrt(d) k_t[0]))``.

    Each step's gate is read off the key it writes (its first coordinate, a standard normal for the keys of
    :func:`memory_scores`), in ``(lam^2, 1)``: a key with a large first coordinate forgets more. The median
    gate is ``lam`` (``sigmoid(0) = 1/2``), so ``lam`` sets the typical forgetting as for ``"decay"``. A
    synthetic stand-in for GLA's learned gate (Yang et al. 2023: one scalar per step here, not per key
    channel), to put a data-dependent gate beside the fixed one at the same state size.

    ``K`` (..., L, d) keys; returns (..., L) gates.
    """
    d = K.shape[-1]
    z = np.sqrt(d) * K[..., 0]
    return float(lam) ** (2.0 / (1.0 + np.exp(-z)))


def _check_memory(memory: str, d: int, L: int, ages: np.ndarray, n: int, lam: float, eta, momentum: float) -> None:
    if memory not in MEMORIES:
        raise ValueError(f"memory must be one of {', '.join(MEMORIES)}, got {memory!r}")
    for name, v, lo in (("d", d, 1), ("L", L, 1), ("n", n, 2)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if ages.ndim != 1 or ages.size == 0 or ages.min() < 0 or ages.max() >= L:
        raise ValueError(f"ages must be a non-empty list of integers in [0, L - 1 = {L - 1}], got {ages.tolist()}")
    if not (0.0 < float(lam) <= 1.0):
        raise ValueError(f"lam must be in (0, 1], got {lam}")
    if memory in ("titans", "longhorn") and (eta is None or not float(eta) > 0):
        raise ValueError(f"memory={memory!r} needs eta > 0, got {eta!r}")
    if memory == "decay" and eta is not None:
        raise ValueError(f"eta is not a parameter of memory='decay', got {eta!r}")
    if memory == "gated-delta" and eta is not None and not float(eta) > 0:
        raise ValueError(f"eta (the gated delta rule's constant rate b) must be > 0 or None, got {eta!r}")
    if not (0.0 <= float(momentum) < 1.0) or (momentum != 0.0 and memory != "titans"):
        raise ValueError(f"momentum must be in [0, 1) and is for memory='titans' only, got {momentum!r}")


def memory_scores(memory: str, d: int, L: int, ages: Sequence[int], n: int, seed: int = 0, *, lam: float = 1.0,
                  eta: float | None = None, momentum: float = 0.0) -> dict:
    """Scores of the pairs of given ages in ``n`` independent memories of one forgetting rule (``hopfield.kv.stream``).

    Each memory writes ``L`` Gaussian pairs (keys and values i.i.d. ``N(0, I/d)``, state ``d x d``) and is
    then read with the key of the pair of each age ``a`` (written at position ``L - 1 - a``): ``W_L u_j``.
    Chunk ``c`` of memories draws from ``default_rng([seed, 27, c])``, the same keys and values for every
    rule and parameter (common random numbers: differences between memories are measured on the same data).

    Parameters
    ----------
    memory : {"decay", "gla", "gated-delta", "titans", "longhorn"}
        ``"decay"``: ``W = lam W + v k^T`` (``lam = 1``: plain linear attention); ``"gla"``: the same with
        a data-dependent gate per step, ``g_t`` of :func:`gla_gates` (median ``lam``); ``"gated-delta"``:
        ``W = lam W (I - k k^T/|k|^2) + v k^T/|k|^2``; ``"titans"``: momentum ``momentum``, step ``eta``,
        retention ``lam``; ``"longhorn"``: ``beta = eta``. ``"gated-delta"`` with ``eta`` set: the
        constant rate ``b = eta`` for ``1/|k|^2`` (``W = lam W (I - eta k k^T) + eta v k^T``).
    d, L, n : int
        Dimension, pairs written, memories.
    ages : sequence of int in [0, L - 1]
    lam, eta, momentum : float
        The rule's parameters (:data:`MEMORIES`).

    Returns
    -------
    dict of float64 arrays of shape (n, len(ages))
        ``"stored"``: ``v_j . W_L u_j``; ``"fresh"``: ``f . W_L u_j`` for a fresh Gaussian ``f``.

    Notes
    -----
    The reads follow the writes as extra positions that write nothing (zero key and value, gate 1:
    ``W`` stays ``W_L``), as in :func:`decay_scores`. Titans' momentum keeps moving ``W`` at such
    positions, so for ``"titans"`` each memory is repeated once per age and read at its last write
    (``len(ages)`` times the cost).

    Examples
    --------
    >>> s = memory_scores("gated-delta", 16, 40, [0, 5], 4000, seed=0, lam=1.0)
    >>> np.round(s["stored"].mean(axis=0), 2).tolist()  # exact mean (1 - 1/d)^age: 1, 0.724 (se 0.005)
    [1.0, 0.73]
    """
    ages = np.asarray(ages, dtype=np.int64)
    _check_memory(memory, d, L, ages, n, lam, eta, momentum)
    A = ages.size
    out = {"stored": [], "fresh": []}
    for c, s in enumerate(range(0, n, CHUNK)):
        rng = np.random.default_rng([int(seed), 27, c])
        b = min(CHUNK, n - s)
        Kw = rng.standard_normal((b, L, d)) / np.sqrt(d)  # (b, L, d) keys
        Vw = rng.standard_normal((b, L, d)) / np.sqrt(d)  # (b, L, d) values
        f = rng.standard_normal((b, A, d)) / np.sqrt(d)  # (b, A, d) fresh values
        u = Kw[:, L - 1 - ages]  # (b, A, d) the keys read
        if memory == "titans":  # one copy of each memory per age, read at its last write
            K, Vv = np.repeat(Kw, A, axis=0), np.repeat(Vw, A, axis=0)  # (b A, L, d)
            Q = np.zeros_like(K)
            Q[:, L - 1] = u.reshape(b * A, d)
            r = kv.stream(K, Vv, Q, "titans", eta=float(eta), momentum=float(momentum), decay=float(lam))
            r = r[:, L - 1].reshape(b, A, d)
        else:
            K = np.concatenate([Kw, np.zeros((b, A, d))], axis=1)  # (b, L + A, d)
            Vv = np.concatenate([Vw, np.zeros((b, A, d))], axis=1)
            Q = np.concatenate([np.zeros((b, L, d)), u], axis=1)
            keep = np.concatenate([np.full(L, float(lam)), np.ones(A)])  # gate 1 at the reads
            if memory == "decay":
                r = kv.stream(K, Vv, Q, "gla", gate=np.broadcast_to(keep, (b, L + A)))
            elif memory == "gla":  # a gate per step read off its key (gla_gates), 1 at the reads
                gate = np.concatenate([gla_gates(Kw, lam), np.ones((b, A))], axis=1)
                r = kv.stream(K, Vv, Q, "gla", gate=gate)
            elif memory == "gated-delta":  # eta None: b_t = 1/|k_t|^2, 0 at the zero keys of the reads
                r = kv.stream(K, Vv, Q, "gated-delta", decay=np.broadcast_to(keep, (b, L + A)),
                              **({} if eta is None else {"eta": float(eta)}))  # a zero key writes nothing
            else:
                r = kv.stream(K, Vv, Q, "longhorn", eta=float(eta))
            r = r[:, L:]  # (b, A, d) = W_L u_j
        out["stored"].append(np.einsum("bad,bad->ba", Vw[:, L - 1 - ages], r))
        out["fresh"].append(np.einsum("bad,bad->ba", f, r))
    return {k: np.concatenate(v) for k, v in out.items()}


def recall_curve(scores: dict) -> dict:
    """Per age: recall accuracy against one fresh value, mean stored score (signal) and SNR from :func:`memory_scores`.

    ``accuracy`` is the fraction of memories whose stored value outscores the fresh one (``correct`` of
    ``n``); ``snr`` is ``mean(stored)^2 / (var(stored) + var(fresh))``, the quantity of
    ``theory.forgetting.snr``.
    """
    s, f = scores["stored"], scores["fresh"]
    correct = (s > f).sum(axis=0)
    var = s.var(axis=0, ddof=1) + f.var(axis=0, ddof=1)
    return {"accuracy": correct / s.shape[0], "correct": correct, "n": s.shape[0], "signal": s.mean(axis=0),
            "signal_se": s.std(axis=0, ddof=1) / np.sqrt(s.shape[0]), "snr": s.mean(axis=0) ** 2 / var}


def simulated_pairs(scores: dict, theta: float, boot: int = 200, seed: int = 0) -> tuple:
    """Retrievable pairs: how many of the ages read (``0, 1, ..., A - 1``, all of them) have SNR >= ``theta``.

    The count of ``theory.forgetting.retrievable_pairs`` (``floor(window) + 1`` for a falling SNR) taken on
    the simulated SNR curve of :func:`recall_curve`; counting, unlike the first crossing, is not pulled
    early by the noise of a slowly falling curve. The standard error is the bootstrap's over memories
    (``boot`` resamples drawn from ``default_rng([seed, 28])``).

    Returns
    -------
    (float, float)
        The count and its bootstrap standard error.
    """
    s, f = scores["stored"], scores["fresh"]
    count = float(np.sum(recall_curve(scores)["snr"] >= theta))
    rng = np.random.default_rng([int(seed), 28])
    reps = np.empty(int(boot))
    for i in range(int(boot)):
        j = rng.integers(0, s.shape[0], s.shape[0])
        reps[i] = np.sum(recall_curve({"stored": s[j], "fresh": f[j]})["snr"] >= theta)
    return count, float(reps.std(ddof=1))


def decay_mqar(d: int, lam: float, P: int, L: int, n_seq: int, vocab_size: int = 256, power_a: float = 0.01,
               seed: int = 0) -> dict:
    """MQAR under the decaying memory: ``n_seq`` sequences of ``hopfield.mqar.make_mqar`` streamed by ``kv.stream``.

    Every sequence has its own Gaussian embeddings (``N(0, I/d)``): its ``P`` keys and a table of the
    ``vocab_size/2`` value tokens. The stream (rule ``"decay"``, ``W_t = lam W_{t-1} + v_t k_t^T``,
    read ``o_t = W_t q_t``) writes pair ``i`` at its value token ``2 i + 1`` (key and value embeddings:
    a perfect previous-token head), nothing at the key tokens, and a noise pair (a fresh Gaussian key
    and value, never a candidate) at every later token, filler or query: a memory that writes at
    every token. The query at token ``t`` reads its key's embedding; the answer is the argmax of the
    read's scores over the value table. Chunk ``c`` of sequences draws its embeddings from
    ``default_rng([seed, 30, c])``; the sequences are ``make_mqar(n_seq, ..., seed=seed)``.

    Parameters
    ----------
    d : int >= 1
    lam : float in (0, 1]
    P, L : int
        Pairs and tokens per sequence (``L >= 4 P``).
    n_seq : int >= 2
    vocab_size : int
        ``vocab_size/2`` value tokens: the candidates of the argmax.
    power_a : float in (0, 1]
        The gap law's exponent (``make_mqar``).
    seed : int >= 0

    Returns
    -------
    dict
        ``"correct"`` (n_seq, P) bool, ``"query_pos"`` and ``"query_pair"`` (n_seq, P) int64 (``make_mqar``'s),
        ``"gaps"`` (their difference, the age of the queried pair), ``"V"`` (candidates).

    Examples
    --------
    >>> r = decay_mqar(32, 0.95, 4, 32, 200, seed=0)
    >>> r["correct"].shape, round(float(r["correct"].mean()), 1)
    ((200, 4), 0.9)
    """
    _check_mqar(d, P, L, n_seq)
    if not (0.0 < float(lam) <= 1.0):
        raise ValueError(f"lam must be in (0, 1], got {lam}")
    return _mqar_stream(d, P, L, n_seq, vocab_size, power_a, seed,
                        lambda K, Vv, Q: kv.stream(K, Vv, Q, "decay", decay=float(lam)))


def _check_mqar(d, P, L, n_seq) -> None:
    for name, v, lo in (("d", d, 1), ("P", P, 1), ("n_seq", n_seq, 2)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 4 * P:
        raise ValueError(f"L must be an integer >= 4 P = {4 * P}, got {L!r}")


def _mqar_stream(d, P, L, n_seq, vocab_size, power_a, seed, read) -> dict:
    """The MQAR layout of :func:`decay_mqar` streamed by ``read(K, V, Q) -> (m, L, d)`` reads (one chunk at a time)."""
    from hopfield.mqar import make_mqar

    b = make_mqar(n_seq, vocab_size=vocab_size, num_pairs=P, seq_len=L, power_a=power_a, seed=seed)
    half = vocab_size // 2
    nV = vocab_size - half
    pair_t = 2 * np.arange(P) + 1  # the value tokens: where the pairs are written
    correct = np.empty((n_seq, P), dtype=bool)
    for c, s0 in enumerate(range(0, n_seq, CHUNK)):
        rng = np.random.default_rng([int(seed), 30, c])
        m = min(CHUNK, n_seq - s0)
        U = rng.standard_normal((m, P, d)) / np.sqrt(d)  # (m, P, d) the pairs' keys
        T = rng.standard_normal((m, nV, d)) / np.sqrt(d)  # (m, nV, d) every value token's embedding
        K = np.zeros((m, L, d))
        Vv = np.zeros((m, L, d))
        K[:, 2 * P:] = rng.standard_normal((m, L - 2 * P, d)) / np.sqrt(d)  # the noise writes
        Vv[:, 2 * P:] = rng.standard_normal((m, L - 2 * P, d)) / np.sqrt(d)
        rows = np.arange(m)[:, None]
        K[:, pair_t] = U
        Vv[:, pair_t] = T[rows, b.values[s0:s0 + m] - half]
        Q = np.zeros((m, L, d))
        Q[rows, b.query_pos[s0:s0 + m]] = U[rows, b.query_pair[s0:s0 + m]]
        out = read(K, Vv, Q)
        reads = out[rows, b.query_pos[s0:s0 + m]]  # (m, P, d)
        pred = half + np.argmax(np.einsum("mqd,mvd->mqv", reads, T), axis=2)
        correct[s0:s0 + m] = pred == b.answers[s0:s0 + m]
    return {"correct": correct, "query_pos": b.query_pos, "query_pair": b.query_pair, "gaps": b.gaps, "V": nV}


def gated_delta_mqar(d: int, a: float, P: int, L: int, n_seq: int, b: float | None = None, vocab_size: int = 256,
                     power_a: float = 0.01, seed: int = 0) -> dict:
    """MQAR under the gated delta rule: the sequences and embeddings of :func:`decay_mqar`, rule ``"gated-delta"``.

    The stream ``W_t = a_t W_{t-1} (I - b_t k_t k_t^T) + b_t v_t k_t^T`` writes pair ``i`` at its value
    token ``2 i + 1`` and a noise pair at every token from ``2 P`` on (filler and queries), exactly as
    :func:`decay_mqar`; the key tokens ``0, 2, ..., 2 P - 2`` write nothing and keep the state (zero key,
    gate ``a_t = 1``), every writing token has gate ``a_t = a``. So the writes are ``P`` pairs followed by
    i.i.d. noise pairs, the layout of ``theory.forgetting.gated_delta_moments``. The answer is the argmax
    of the query's read over the value table. Chunk ``c`` draws from ``default_rng([seed, 30, c])``, as
    :func:`decay_mqar` (the same sequences and embeddings).

    Parameters
    ----------
    d : int >= 1
    a : float in (0, 1]
        The gate of every write.
    P, L, n_seq : int
        Pairs and tokens per sequence (``L >= 4 P``), sequences (``>= 2``).
    b : float > 0 or None
        Constant write rate, or ``None`` for ``b_t = 1/|k_t|^2`` (0 at the zero keys).
    vocab_size, power_a, seed
        As :func:`decay_mqar`.

    Returns
    -------
    dict
        As :func:`decay_mqar`.

    Examples
    --------
    >>> r = gated_delta_mqar(32, 0.95, 4, 32, 200, seed=0)
    >>> r["correct"].shape, round(float(r["correct"].mean()), 1)
    ((200, 4), 0.8)
    """
    _check_mqar(d, P, L, n_seq)
    if isinstance(a, bool) or not isinstance(a, (int, float, np.floating)) or not 0.0 < float(a) <= 1.0:
        raise ValueError(f"a must be a float in (0, 1], got {a!r}")
    if b is not None and (isinstance(b, bool) or not isinstance(b, (int, float, np.floating)) or not float(b) > 0):
        raise ValueError(f"b must be a float > 0 or None, got {b!r}")
    gate = np.full(L, float(a))
    gate[0:2 * P:2] = 1.0  # the key tokens write nothing and keep the state
    rate = {} if b is None else {"eta": float(b)}

    def read(K, Vv, Q):
        return kv.stream(K, Vv, Q, "gated-delta", decay=np.broadcast_to(gate, K.shape[:2]), **rate)

    return _mqar_stream(d, P, L, n_seq, vocab_size, power_a, seed, read)


# Registered estimators: ``amlab sweep`` over the forgetting memories (the points of figures/forgetting.py).

from _amlab.params import Param  # noqa: E402
from simulations.estimators import register_estimator  # noqa: E402

_PARAMS = [Param("memory", "str", "decay", "memory that forgets", choices=tuple(MEMORIES)),
           Param("d", "int", 16, "key and value dimension (state d x d)", minimum=1),
           Param("L", "int", 400, "pairs written", minimum=1),
           Param("lam", "float", 0.99, "retention: decay lam (1: linear attention), gated delta a, Titans 1 - alpha",
                 minimum=0, strict=True, maximum=1),
           Param("eta", "float", 0.5, "Titans' step theta, Longhorn's beta", minimum=0, strict=True),
           Param("momentum", "float", 0.5, "Titans' momentum", minimum=0, maximum=1, strict_max=True),
           Param("n", "int", 200, "independent memories", minimum=2)]


def _kw(memory, lam, eta, momentum):
    return {k: v for k, v in (("lam", lam), ("eta", eta), ("momentum", momentum)) if k in MEMORIES[memory]}


@register_estimator("kv-forgetting-recall", title="recall of the pair of one age in a memory that forgets (stored "
                                                  "vs fresh value)",
                    params=_PARAMS + [Param("age", "int", 0, "age of the pair read (0: the newest)", minimum=0)],
                    check=lambda p: None if p["age"] < p["L"] else (_ for _ in ()).throw(
                        ValueError(f"age={p['age']} needs L > age, got L={p['L']}")))
def kv_forgetting_recall(*, seed: int, memory: str, d: int, L: int, lam: float, eta: float, momentum: float, n: int,
                         age: int) -> dict:
    """Accuracy, signal and SNR of :func:`recall_curve` at one age of :func:`memory_scores`."""
    c = recall_curve(memory_scores(memory, d, L, [age], n, seed, **_kw(memory, lam, eta, momentum)))
    return {"accuracy": float(c["accuracy"][0]), "signal": float(c["signal"][0]), "snr": float(c["snr"][0]),
            "n": int(n)}


@register_estimator("kv-forgetting-window", title="retrievable pairs (SNR >= theta) of a memory that forgets",
                    params=_PARAMS + [Param("ages", "int", 100, "ages read, 0 .. ages - 1", minimum=1),
                                      Param("theta", "float", 1.0, "SNR threshold", minimum=0, strict=True)],
                    check=lambda p: None if p["ages"] <= p["L"] else (_ for _ in ()).throw(
                        ValueError(f"ages={p['ages']} needs L >= ages, got L={p['L']}")))
def kv_forgetting_window(*, seed: int, memory: str, d: int, L: int, lam: float, eta: float, momentum: float, n: int,
                         ages: int, theta: float) -> dict:
    """:func:`simulated_pairs` of :func:`memory_scores` over the ages ``0 .. ages - 1``."""
    sc = memory_scores(memory, d, L, np.arange(ages), n, seed, **_kw(memory, lam, eta, momentum))
    pairs, se = simulated_pairs(sc, theta, boot=100, seed=seed)
    return {"pairs": pairs, "se": se, "n": int(n)}

"""Checks of the key-value memories that forget (``hopfield.kv.stream``) against ``theory.forgetting``.

* ``kv-decay-recall-age``: the decaying Hebbian memory's stored-value score by age: its mean
  ``lam^age`` and the variances of the stored and of a fresh value's score, whose crosstalk is
  summed with the weights ``lam^(2 age')`` (exact formulas at finite ``d`` and ``L``).
* ``kv-gated-delta-recall-age``: the gated delta rule's stored-value score by age (constant gate
  ``a``; rate ``b = 1/|k|^2`` or a constant ``b``): its mean ``b1 (a (1 - b1/d))^age`` and the
  variances of the stored and of a fresh value's score (``theory.forgetting.gated_delta_moments``,
  exact at finite ``d`` and ``L``).
* ``kv-gated-delta-mqar``: MQAR under the gated delta rule, accuracy by gap against the Gaussian
  accuracy integral on the exact moments (``theory.forgetting.gated_delta_mqar_accuracy``).
* ``kv-decay-optimum``: the stationary number of retrievable pairs (SNR >= theta) at the optimal
  decay ``lam*`` and at two neighbours, against ``theory.forgetting.window``; and ``lam*``'s
  optimality: its count beats both neighbours'.

Simulations: ``simulations.estimators.forgetting``. Points with p-values are judged together with
Holm's correction at family level 0.01 (``simulations.checks.registry``).
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

import theory.forgetting as tf
from simulations.checks.registry import Point, Unit, Work, register_check
from simulations.checks.stats import estimate_point, summary_point
from simulations.core.seeds import derive_seed
from simulations.estimators import forgetting as sf


@register_check(
    "kv-decay-recall-age",
    families=("kv",), seconds={"quick": 1.9, "full": 52.0},
    derivations=("kv-decay-recall-age",),
    title="Decaying Hebbian key-value memory: recall by age (signal lam^age, crosstalk weighted by lam^(2 age'))",
    theory="theory.forgetting: mean score lam^age; score_variance: stored lam^(2a)(4/d + 4/d^2) + C/d^2, fresh "
           "lam^(2a)(1/d + 2/d^2) + C/d^2 with C = (1 - lam^(2L))/(1 - lam^2) - lam^(2a); exact at finite d, L "
           "for Gaussian keys and values (the SNR, accuracy and window follow from them)",
    test="z-test per (lam, age) over n independent memories (written and read by the streaming kernel): of the "
         "mean stored score, and of the mean of (score - mean)^2 against each variance; tolerance 0 (exact "
         "formulas: no approximation error to allow for); Holm at 0.01. d = 32 makes the 1/d^2 terms "
         "3-20% of the variances",
    quick={"d": 32, "L": 64, "lams": [0.9], "ages": [0, 2, 5, 10, 20, 40], "n": 8000},
    full={"d": 64, "L": 400, "lams": [0.9, 0.98], "ages": [0, 5, 20, 50, 100, 200], "n": 8000},
    split=True, key="age=20: stored variance",
)
def kv_decay_recall_age(*, seed: int, d: int, L: int, lams: Sequence[float], ages: Sequence[int], n: int) -> Work:
    """One unit per decay ``lam`` (``sf.decay_scores``), its points by ``decay_points``."""
    units = [Unit(sf.decay_scores, {"d": d, "L": L, "lam": lam, "ages": list(ages), "n": n,
                                    "seed": derive_seed(seed, {"check": "kv-decay-recall-age", "d": d, "L": L,
                                                               "lam": lam})},
                  cost=n * (L + len(ages)) * d * d, label=f"lam={lam}") for lam in lams]

    def combine(outputs):
        return [p for lam, sc in zip(lams, outputs) for p in decay_points(sc, d, L, lam, ages, n)]

    return Work(units, combine)


def decay_points(sc: dict, d: int, L: int, lam: float, ages: Sequence[int], n: int) -> List[Point]:
    """The points of ``kv-decay-recall-age`` at one ``lam`` from the scores of ``sf.decay_scores``."""
    points = []
    for i, a in enumerate(ages):
        mu = float(lam) ** int(a)
        p = {"d": d, "L": L, "lam": lam, "age": int(a), "n": n,
             "snr": float(tf.snr("finite").evaluate(d=d, lam=lam, age=a, L=L))}
        s = sc["stored"][:, i]
        points.append(summary_point(f"lam={lam}, age={a}: stored mean", s.mean(), s.std(ddof=1), n, mu, params=p))
        for kind, m in (("stored", mu), ("fresh", 0.0)):
            sq = (sc[kind][:, i] - m) ** 2
            var = float(tf.score_variance(kind, "finite").evaluate(d=d, lam=lam, age=a, L=L))
            points.append(summary_point(f"lam={lam}, age={a}: {kind} variance", sq.mean(), sq.std(ddof=1), n, var,
                                        params=p))
    return points


def _rate_label(b) -> str:
    return "b=1/|k|^2" if b is None else f"b={b:g}"


@register_check(
    "kv-gated-delta-recall-age",
    families=("kv",), seconds={"quick": 3.0, "full": 30.0},
    derivations=("kv-gated-delta-recall-age",), figures=("forgetting-recall-age",),
    title="Gated delta rule: recall by age (mean, stored and fresh variances, exact at finite d)",
    theory="theory.forgetting.gated_delta_moments: mean b1 (a (1 - b1/d))^age; the variances from the exact "
           "per-write recursions of E s^2, E|W u|^2, E|W^T v|^2 |u|^2 and E||W||_F^2 |u|^2 (factors "
           "R = a^2 (1 - 2 b1/d + 2 b2/(d(d+2))), G = a^2 (1 - 2 b1/d + b2/d)) summed as geometric series; "
           "exact for Gaussian keys and values at finite d and L, b = 1/|k|^2 or constant",
    test="z-test per (a, b, age) over n independent memories (written and read by the streaming kernel, "
         "simulations.estimators.forgetting.memory_scores): of the mean stored score, and of the mean of "
         "(score - mean)^2 against the stored and the fresh variance; tolerance 0 (exact formulas: no "
         "approximation error to allow for; at d = 16 and 32 the measured deviations are within sampling "
         "error, not shrinking with d as a dropped order would); Holm at 0.01",
    quick={"d": 32, "L": 64, "configs": [[0.95, None], [0.98, 0.5]], "ages": [0, 2, 5, 10, 20, 40], "n": 8000},
    full={"d": 64, "L": 200, "configs": [[0.95, None], [0.99, 0.5]], "ages": [0, 5, 20, 50, 100, 150],
          "n": 8000},
    split=True, key="a=0.95, b=1/|k|^2, age=20: stored variance",
)
def kv_gated_delta_recall_age(*, seed: int, d: int, L: int, configs: Sequence[Sequence], ages: Sequence[int],
                              n: int) -> Work:
    """One unit per gate and rate ``(a, b)`` (``b=None``: ``1/|k|^2``), its points by ``gated_delta_points``."""
    for c in configs:
        if len(c) != 2 or not 0 < float(c[0]) <= 1 or (c[1] is not None and not float(c[1]) > 0):
            raise ValueError(f"configs must be [a, b] pairs with a in (0, 1] and b > 0 or null, got {c!r}")
    units = [Unit(sf.memory_scores, {"memory": "gated-delta", "d": d, "L": L, "ages": list(ages), "n": n,
                                     "lam": float(a), "eta": None if b is None else float(b),
                                     "seed": derive_seed(seed, {"check": "kv-gated-delta-recall-age", "d": d,
                                                                "L": L, "a": a, "b": b})},
                  cost=n * (L + len(ages)) * d * d * 2, label=f"a={a}, {_rate_label(b)}") for a, b in configs]

    def combine(outputs):
        return [p for (a, b), sc in zip(configs, outputs) for p in gated_delta_points(sc, d, L, a, b, ages, n)]

    return Work(units, combine)


def gated_delta_points(sc: dict, d: int, L: int, a: float, b: float | None, ages: Sequence[int], n: int) -> List[Point]:
    """The points of ``kv-gated-delta-recall-age`` at one ``(a, b)`` from the scores of ``sf.memory_scores``."""
    m = tf.gated_delta_moments("normalized" if b is None else "constant", "finite")
    points, tag = [], f"a={a}, {_rate_label(b)}"
    for i, age in enumerate(ages):
        vals = {"d": d, "a": a, "age": int(age), "L": L, **({} if b is None else {"b": b})}
        mu = float(m["mean"].evaluate(**vals))
        p = {"d": d, "L": L, "a": a, "b": b, "age": int(age), "n": n}
        s = sc["stored"][:, i]
        points.append(summary_point(f"{tag}, age={age}: stored mean", s.mean(), s.std(ddof=1), n, mu, params=p))
        for kind, c in (("stored", mu), ("fresh", 0.0)):
            sq = (sc[kind][:, i] - c) ** 2
            points.append(summary_point(f"{tag}, age={age}: {kind} variance", sq.mean(), sq.std(ddof=1), n,
                                        float(m[kind].evaluate(**vals)), params=p))
    return points


#: Offsets ``u`` of the decays of ``kv-decay-optimum``: ``1 - lam^2 = (1 - lam*^2) e^u``.
OPTIMUM_OFFSETS = (-0.5, 0.0, 0.5)


@register_check(
    "kv-decay-optimum",
    families=("kv",), seconds={"quick": 7.0, "full": 60.0},
    derivations=("kv-decay-recall-age",), figures=("forgetting-recall-age", "forgetting-frontier"),
    title="Decaying Hebbian key-value memory: the optimal decay lam* keeps the most retrievable pairs",
    theory="theory.forgetting: retrievable pairs = floor(window) + 1 with window(d, lam, theta) the age where the "
           "stationary SNR falls to theta; optimal_decay: lam* (the exact root of the window's stationarity "
           "condition) maximises it",
    test="n memories of L writes at three decays 1 - lam^2 = (1 - lam*^2) e^u, u = -0.5, 0, 0.5 (the same keys and "
         "values for the three); the count of ages 0..A-1 whose simulated SNR (mean^2 over the summed stored and "
         "fresh variances) is >= theta, with a paired bootstrap standard error over memories. z-tests: each count "
         "against window + 1/2 with tolerance 1/2 + 2 window/(n theta) (a count of integer ages with a smooth "
         "noise lies between window and window + 1; the SNR ratio's O(1/n) bias); the margins count(lam*) - "
         "count(lam) against the theory's, tolerance 1; and lam*'s optimality: each margin in [0, 2 window(lam*)] "
         "(so >= 0). Holm at 0.01. L = 8/(1 - lam^2) writes leave lam^(2L) < e^-16 of the start",
    quick={"d": 16, "theta": 1.0, "n": 3000},
    full={"d": 24, "theta": 1.0, "n": 4000},
    split=True, smoke=True, key="margin lam* - lam(u=-0.5)",
)
def kv_decay_optimum(*, seed: int, d: int, theta: float, n: int) -> Work:
    """One unit: the three decays' scores (``sf.memory_scores``) and their points (``optimum_points``).

    The key point is the margin against the slower decay (``u = -0.5``, predicted 5.7 pairs at ``d = 16``),
    the better resolved of the two (against ``u = +0.5``: 2.9 pairs predicted). Its minimum detectable
    error is still above it at quick size (7.1 pairs, seed 0: a smoke test there): a count's standard error
    grows with the window as the margins do, so ``d`` does not help, and an MDE below half the margin
    needs about 35000 memories (``1 + 4.1 se`` with ``se`` falling as ``n^-1/2`` from 1.52 at 3000), some
    50 s of simulation.
    """
    ls = float(tf.optimal_decay(d, theta))
    lams = [float(np.sqrt(1 - (1 - ls**2) * np.exp(u))) for u in OPTIMUM_OFFSETS]
    L = int(np.ceil(8 / (1 - max(lams) ** 2)))
    A = int(np.ceil(2.5 * float(tf.window().evaluate(d=d, lam=ls, theta=theta))))
    s = derive_seed(seed, {"check": "kv-decay-optimum", "d": d, "n": n})

    return Work([Unit(_optimum_scores, dict(d=d, L=L, A=A, n=n, seed=s, lams=lams), cost=3 * n * (L + A) * d * d,
                      label=f"d={d}")],
                lambda outputs: optimum_points(outputs[0], d, theta, lams, n, L, seed=s))


def _optimum_scores(*, d: int, L: int, A: int, n: int, seed: int, lams: Sequence[float]) -> List[dict]:
    """The unit of ``kv-decay-optimum``: ``sf.memory_scores`` of the decay rule at each of ``lams`` (the same keys)."""
    return [sf.memory_scores("decay", d, L, np.arange(A), n, seed, lam=lam) for lam in lams]


def optimum_points(scores: Sequence[dict], d: int, theta: float, lams: Sequence[float], n: int, L: int,
                   seed: int = 0, boot: int = 300) -> List[Point]:
    """The points of ``kv-decay-optimum`` from the scores of the decays ``lams`` (the middle one lam*)."""
    counts = np.array([np.sum(sf.recall_curve(sc)["snr"] >= theta) for sc in scores], dtype=np.float64)
    rng = np.random.default_rng([int(seed), 29])
    reps = np.empty((boot, len(scores)))
    for b in range(boot):  # the same memories for every decay: a paired bootstrap
        j = rng.integers(0, n, n)
        reps[b] = [np.sum(sf.recall_curve({"stored": sc["stored"][j], "fresh": sc["fresh"][j]})["snr"] >= theta)
                   for sc in scores]
    wins = [float(tf.window().evaluate(d=d, lam=lam, theta=theta)) for lam in lams]
    p = {"d": d, "theta": theta, "n": n, "L": L}
    points = []
    for u, lam, c, w, se in zip(OPTIMUM_OFFSETS, lams, counts, wins, reps.std(axis=0, ddof=1)):
        points.append(estimate_point(f"pairs at lam={lam:.6f} (u={u:+g})", c, se, w + 0.5,
                                     0.5 + 2 * w / (n * theta), params={**p, "lam": lam, "window": w}))
    k = OPTIMUM_OFFSETS.index(0.0)
    for i, u in enumerate(OPTIMUM_OFFSETS):
        if i == k:
            continue
        m, se = counts[k] - counts[i], float(np.std(reps[:, k] - reps[:, i], ddof=1))
        points.append(estimate_point(f"margin lam* - lam(u={u:+g})", m, se, wins[k] - wins[i], 1.0,
                                     params={**p, "lam": lams[i]}))
        points.append(estimate_point(f"lam* beats lam(u={u:+g}): margin in [0, 2 window(lam*)]", m, se, wins[k],
                                     wins[k], params={**p, "lam": lams[i]}))
    return points


#: Gap bins ``[lo, hi)`` of ``kv-decay-mqar`` (tokens from the queried pair's value to its query).
MQAR_BINS = ((1, 8), (8, 16), (16, 32), (32, 64), (64, 128))


@register_check(
    "kv-decay-mqar",
    families=("kv",), seconds={"quick": 3.5, "full": 20.0}, derivations=("kv-decay-mqar-accuracy",),
    title="MQAR under the decaying memory: accuracy by gap against the Gaussian accuracy integral",
    theory="theory.forgetting.mqar_accuracy: argmax over V value tokens, the stored value's score against the "
           "P - 1 other stored values and V - P fresh ones, with the exact variances of mqar_score_variance "
           "(crosstalk of the pairs two tokens apart and of a noise write at every later token, weighted by "
           "lam^(2 age')) in the Gaussian accuracy integral, conditioned on the query key's norm",
    test="n_seq make_mqar sequences (P pairs, L tokens, gap law a = 0.01, 128 value tokens) streamed by "
         "stream(rule='decay') with fresh Gaussian embeddings per sequence; per gap bin, the mean of "
         "correct - theory over its queries, z-test with the standard error over sequences (the queries of one "
         "sequence share a memory); tolerance per bin, derived: the largest of theory.forgetting.mqar_error_bound "
         "over four of its keys spread by gap, i.e. the Gaussian integral's error computed by an exact "
         "conditional reduction (given the read y, a fresh value's score is exactly N(0, |y|^2/d); the stored "
         "score and |y|^2 reduce to four scalars; the integral is pessimistic, by up to 1.7/d where the "
         "accuracy is about 0.85, and by < 0.002 past gap 50 at d = 32) plus 10% for what the reduction "
         "leaves out (measured at d = 8-32); Holm at 0.01",
    quick={"d": 32, "lam": 0.95, "P": 8, "L": 128, "n_seq": 2000},
    full={"d": 64, "lam": 0.98, "P": 8, "L": 128, "n_seq": 6000},
    split=True, smoke=True, key="gap 32-63",
)
def kv_decay_mqar(*, seed: int, d: int, lam: float, P: int, L: int, n_seq: int) -> Work:
    """One unit: ``sf.decay_mqar`` and its points (``mqar_points``)."""
    s = derive_seed(seed, {"check": "kv-decay-mqar", "d": d, "lam": lam, "P": P})
    return Work([Unit(sf.decay_mqar, {"d": d, "lam": lam, "P": P, "L": L, "n_seq": n_seq, "seed": s},
                      cost=n_seq * L * d * d, label=f"d={d}")],
                lambda outputs: mqar_points(outputs[0], d, lam, P))


def mqar_theory(res: dict, d: int, lam: float, P: int) -> np.ndarray:
    """``theory.forgetting.mqar_accuracy`` of every query of ``sf.decay_mqar``'s output (one per distinct query)."""
    qp, qj = res["query_pos"], res["query_pair"]
    keys, inv = np.unique(np.stack([qp.ravel(), qj.ravel()], axis=1), axis=0, return_inverse=True)
    acc = np.array([tf.mqar_accuracy(d, lam, int(q), int(j), P, res["V"]) for q, j in keys])
    return acc[inv.ravel()].reshape(qp.shape)


#: Keys of a gap bin at which ``kv-decay-mqar``'s tolerance evaluates the derived error (spread by gap).
MQAR_TOLERANCE_KEYS = 4


def mqar_bin_tolerance(res: dict, d: int, lam: float, P: int, lo: int, hi: int) -> float:
    """The tolerance of gap bin ``[lo, hi)``: the largest ``theory.forgetting.mqar_error_bound`` (the Gaussian
    integral's derived error, always positive: it is pessimistic, plus 10% for what the derivation leaves
    out) over ``MQAR_TOLERANCE_KEYS`` of the bin's distinct (query, pair) keys spread from its shortest
    to its longest gap. The bin's mean error is a mean over its queries of that error, which is smooth and
    single-peaked in the gap (largest, 1.7/d, where the accuracy is about 0.85), so the largest of the spread
    keys bounds it."""
    qp, qj, g = res["query_pos"].ravel(), res["query_pair"].ravel(), res["gaps"].ravel()
    m = (g >= lo) & (g < hi)
    keys = np.unique(np.stack([g[m], qp[m], qj[m]], axis=1), axis=0)  # sorted by gap
    pick = keys[np.unique(np.linspace(0, len(keys) - 1, MQAR_TOLERANCE_KEYS).round().astype(int))]
    return max(tf.mqar_error_bound(d, lam, int(q), int(j), P, res["V"]) for _, q, j in pick)


def mqar_points(res: dict, d: int, lam: float, P: int, tolerance: float | None = None) -> List[Point]:
    """The points of ``kv-decay-mqar``: per gap bin, simulated accuracy against ``mqar_accuracy``; the tolerance is
    the bin's derived error bound (``mqar_bin_tolerance``) unless ``tolerance`` is given."""
    tol = (lambda lo, hi: mqar_bin_tolerance(res, d, lam, P, lo, hi)) if tolerance is None else float(tolerance)
    return _mqar_bin_points(res, mqar_theory(res, d, lam, P), tol, {"d": d, "lam": lam, "P": P})


def _mqar_bin_points(res: dict, p: np.ndarray, tol, params: dict) -> List[Point]:
    """Per gap bin of :data:`MQAR_BINS`: mean correct against the mean theory ``p`` (per query), se over sequences;
    ``tol`` a number or a function of the bin's ``(lo, hi)``."""
    c, g = res["correct"].astype(np.float64), res["gaps"]
    S = c.shape[0]
    points = []
    for lo, hi in MQAR_BINS:
        m = (g >= lo) & (g < hi)
        N = int(m.sum())
        if N < 50:
            continue
        r, k = np.where(m, c - p, 0.0).sum(axis=1), m.sum(axis=1)  # per sequence: residual sum, queries
        se = float(np.sqrt(S / (S - 1) * np.sum((r - r.sum() / N * k) ** 2)) / N)  # ratio estimator over sequences
        sim, th = float(c[m].mean()), float(p[m].mean())
        points.append(estimate_point(f"gap {lo}-{hi - 1}", sim, se, th, tol(lo, hi) if callable(tol) else tol,
                                     params={**params, "queries": N, "sim": sim}))
    return points


@register_check(
    "kv-gated-delta-mqar",
    families=("kv",), seconds={"quick": 3.5, "full": 15.0}, derivations=("kv-gated-delta-mqar-accuracy",),
    title="MQAR under the gated delta rule: accuracy by gap against the Gaussian accuracy integral",
    theory="theory.forgetting.gated_delta_mqar_accuracy: the P pair writes then a noise write at every token map "
           "onto gated_delta_moments (exact mean, stored and fresh variances at the pair's age in writes); another "
           "stored value's variance is the fresh one plus (1 + 1/d) X_i, X_i its write's exact share of E|W u|^2 "
           "(gated_delta_write_weight: the later writes' G^age_o, and for older pairs the erase by the queried "
           "pair's own write); argmax over V value tokens in the Gaussian accuracy integral",
    test="n_seq make_mqar sequences (P pairs, L tokens, gap law a = 0.01, 128 value tokens) streamed by "
         "stream(rule='gated-delta') (gate a at every writing token, b = 1/|k|^2; the key tokens keep the state) "
         "with the embeddings of kv-decay-mqar; per gap bin, the mean of correct - theory, z-test with the "
         "standard error over sequences; tolerance 2/d: the integral ignores the candidates' shared |W u| and "
         "the scores' non-Gaussian tails, an error measured low by 0.3-1.6/d at d = 32 and 0.1-1.1/d at d = 64 "
         "(falling at least like 1/d); Holm at 0.01",
    quick={"d": 32, "a": 0.98, "P": 8, "L": 128, "n_seq": 2000},
    full={"d": 64, "a": 0.99, "P": 8, "L": 128, "n_seq": 6000},
    split=True, smoke=True, key="gap 16-31",
)
def kv_gated_delta_mqar(*, seed: int, d: int, a: float, P: int, L: int, n_seq: int) -> Work:
    """One unit: ``sf.gated_delta_mqar`` (``b = 1/|k|^2``) and its points (``gated_delta_mqar_points``)."""
    s = derive_seed(seed, {"check": "kv-gated-delta-mqar", "d": d, "a": a, "P": P})
    return Work([Unit(sf.gated_delta_mqar, {"d": d, "a": a, "P": P, "L": L, "n_seq": n_seq, "seed": s},
                      cost=2 * n_seq * L * d * d, label=f"d={d}")],
                lambda outputs: gated_delta_mqar_points(outputs[0], d, a, P))


def gated_delta_mqar_points(res: dict, d: int, a: float, P: int, b: float | None = None,
                            tolerance: float | None = None) -> List[Point]:
    """The points of ``kv-gated-delta-mqar``: per gap bin, simulated accuracy against ``gated_delta_mqar_accuracy``."""
    tol = 2.0 / d if tolerance is None else float(tolerance)
    qp, qj = res["query_pos"], res["query_pair"]
    keys, inv = np.unique(np.stack([qp.ravel(), qj.ravel()], axis=1), axis=0, return_inverse=True)
    acc = np.array([tf.gated_delta_mqar_accuracy(d, a, int(q), int(j), P, res["V"], b=b) for q, j in keys])
    return _mqar_bin_points(res, acc[inv.ravel()].reshape(qp.shape), tol, {"d": d, "a": a, "b": b, "P": P})

"""Estimator of the covariance rule with sparse 0/1 patterns: is a stored pattern kept by T = 0 dynamics?

Parallel T = 0 dynamics of the 0/1 covariance-rule network started at a
stored pattern of coding level ``a``, at threshold ``theta`` (check
``sparse-capacity``, figure ``sparse-rs-capacity``; ``theory.sparse_rs``).
"""

from __future__ import annotations

from typing import Optional, Tuple
from types import ModuleType

import numpy as np

from _amlab.params import Param
from simulations.estimators import register_estimator
from simulations.estimators._common import _memory

#: A run keeps the pattern when its final overlap M exceeds this and its activity
#: stays below ``LOST_ACTIVITY`` times a. Kept runs end with M > 0.75.
KEPT = 0.5
#: A run whose activity exceeds this multiple of a is lost and stopped: traced
#: runs above alpha_c (N = 2000, a = 0.1, theta = 0.45) go on, with M falling
#: steadily, to the high-activity state (activity ~0.35, M ~0.1-0.4); kept runs
#: near alpha_c stay below 1.7 a. Stopping there saves most of the time of the lost runs.
LOST_ACTIVITY = 3.0


def retrieval_run(xi: np.ndarray, a: float, theta: float, max_steps: int,
                  keep_diagonal: bool = False, device: Optional[str] = None) -> Tuple[float, float, int, bool]:
    """Parallel T = 0 dynamics of the covariance rule from pattern 0; returns ``(M, activity, steps, lost)``.

    Parameters
    ----------
    xi : ndarray of shape (P, N), 0/1 integers
    a : float
        Coding level used in the rule.
    theta : float
        Threshold: ``V_i <- 1`` when ``h_i > theta``.
    max_steps : int
        Largest number of parallel updates; the run stops earlier at a fixed point,
        a 2-cycle, or once ``M < KEPT`` or the activity exceeds ``LOST_ACTIVITY a`` (``lost`` is then True).
    keep_diagonal : bool
        Keep the self-couplings ``W_ii`` (the wrong network; catalogued as a mutant this check does not catch).
    device : {None, "cpu", "gpu"}
        Where it runs (None: ``$AMLAB_DEVICE``, else "cpu"). "cpu" is the float32
        computation below; "gpu" is :func:`retrieval_run_exact` through CuPy.

    Examples
    --------
    >>> import numpy as np
    >>> xi = (np.random.default_rng(0).random((20, 400)) < 0.1).astype(np.int8)
    >>> M, q, t, lost = retrieval_run(xi, 0.1, 0.45, 20)
    >>> bool(M > 0.9), lost
    (True, False)
    """
    from hopfield import _xp

    dev, xp = _xp.select(device)
    if dev == "gpu":
        return retrieval_run_exact(xi, a, theta, max_steps, keep_diagonal, xp)
    P, N = xi.shape
    X = (xi - a).astype(np.float32)  # (P, N)
    c = 1.0 / (N * a * (1.0 - a))
    diag = np.zeros(N, np.float32) if keep_diagonal else (X * X).sum(axis=0) * np.float32(c)  # (N,) W_ii
    V = xi[0].astype(np.float32)
    prev = None
    t, lost = 0, False
    for t in range(1, int(max_steps) + 1):
        m = X[:, V > 0].sum(axis=1)  # (P,) = X V for 0/1 V
        V2 = ((m @ X) * np.float32(c) - diag * V > theta).astype(np.float32)
        if np.array_equal(V2, V) or (prev is not None and np.array_equal(V2, prev)):
            V = V2
            break
        prev, V = V, V2
        if float(X[0] @ V) * c < KEPT or V.mean() > LOST_ACTIVITY * a:
            lost = True
            break
    return float(X[0] @ V) * c, float(V.mean()), t, lost


#: Largest integer below which every integer is a float32 (a sum of 0/1 products stays exact below it).
FLOAT32_EXACT = 2**24


def product_dtype(col_max: float, a_max: float) -> type:
    """float32 when ``xi^T A`` is exact in it, else float64.

    Exact means ``col_max a_max < 2^24``: every partial sum is then an integer below 2^24.

    Examples
    --------
    >>> product_dtype(4095, 4096).__name__, product_dtype(4096, 4096).__name__
    ('float32', 'float64')
    """
    return np.float32 if col_max * a_max < FLOAT32_EXACT else np.float64


def retrieval_run_exact(xi: np.ndarray, a: float, theta: float, max_steps: int, keep_diagonal: bool = False,
                        xp: ModuleType = np) -> Tuple[float, float, int, bool]:
    """:func:`retrieval_run` with the fields from exact integer matrix products, on ``xp``'s device.

    With 0/1 patterns ``xi`` and state ``V``, ``X = xi - a`` and ``n = sum_j V_j``:
    ``A = xi V`` (integers <= N), ``X V = A - a n``, and the field without its
    diagonal is ``c (G - a n s - a (sum A - a n P))`` with ``G = xi^T A`` and the
    column counts ``s = xi^T 1``; ``W_ii = c (s_i (1 - 2 a) + a^2 P)``. The two
    matrix-vector products (``A`` and ``G``) hold integers: in float32 they are
    exact while every partial sum stays below 2^24, i.e. when ``N < 2^24`` (for
    ``A``) and ``max(s) max(A) < 2^24`` (for ``G``, checked every step; float64
    is used otherwise, exact below 2^53). The rest is combined in float64, so
    the fields are exact up to float64 rounding of a few operations: more
    accurate than the float32 CPU path, which they match in every decision
    ``h_i > theta`` whose margin exceeds that path's float32 rounding (at N =
    32 000, P = 4 480 the patterns take 0.57 GB in float32).

    ``xp`` is numpy or CuPy (``hopfield._device.array_module``); ``xi`` is a numpy array or
    already an array of ``xp``; the result is as in :func:`retrieval_run`, in Python floats.
    """
    P, N = xi.shape
    if max(N, P) >= 2**24:
        raise ValueError(f"retrieval_run_exact needs N and P below 2^24 (float32-exact counts), got P={P}, N={N}")
    c = 1.0 / (N * a * (1.0 - a))
    if isinstance(xi, np.ndarray):
        x32 = xp.asarray(np.ascontiguousarray(xi, dtype=np.float32))  # (P, N) 0/1, exact
    else:  # already on xp's device (patterns drawn there, e.g. benchmarks/sparse_finite_size.py --device gpu)
        x32 = xp.ascontiguousarray(xi.astype(xp.float32))
    x64 = None
    s = x32.sum(axis=0, dtype=xp.float64)  # (N,) column counts
    smax = float(s.max())
    diag = xp.zeros(N) if keep_diagonal else c * (s * (1.0 - 2.0 * a) + a * a * P)  # (N,) W_ii

    def overlap_and_fields(V):
        """(X_0 . V) c and the fields h (N,) in float64 of the 0/1 state V (float32 on the device)."""
        nonlocal x64
        A = x32 @ V  # (P,) exact integers
        n = float(V.sum(dtype=xp.float64))
        if product_dtype(smax, float(A.max())) is np.float32:
            G = (A @ x32).astype(xp.float64)  # (N,) exact
        else:
            if x64 is None:
                x64 = x32.astype(xp.float64)
            G = A.astype(xp.float64) @ x64
        A64 = A.astype(xp.float64)
        h = c * (G - a * n * s - a * (float(A64.sum()) - a * n * P)) - diag * V
        return (float(A64[0]) - a * n) * c, n, h

    V = x32[0].copy()
    prev = None
    t, lost = 0, False
    M, n, h = overlap_and_fields(V)
    for t in range(1, int(max_steps) + 1):
        V2 = (h > theta).astype(xp.float32)
        if bool(xp.array_equal(V2, V)) or (prev is not None and bool(xp.array_equal(V2, prev))):
            V = V2
            M, n, h = overlap_and_fields(V)
            break
        prev, V = V, V2
        M, n, h = overlap_and_fields(V)
        if M < KEPT or n / N > LOST_ACTIVITY * a:
            lost = True
            break
    return M, n / N, t, lost


def kept_fraction(*, seed: int, N: int, a: float, alpha: float, theta: float, networks: int, max_steps: int = 50,
                  keep_diagonal: bool = False, device: Optional[str] = None) -> dict:
    """One point: per network (stream ``spawn(networks)[k]`` of ``seed``), new patterns and one run.

    ``device`` ({None, "cpu", "gpu"}; None: ``$AMLAB_DEVICE``, else "cpu") is where
    the runs go (:func:`retrieval_run`); it is checked before any work.

    Returns a dict with ``kept``, ``trials``, ``P`` and the mean overlap and activity of the kept runs.
    """
    from hopfield import _xp
    from hopfield.patterns import biased_binary

    on_gpu = {"device": "gpu"} if _xp.select(device)[0] == "gpu" else {}  # the CPU call as it always was

    P = max(1, int(round(alpha * N)))
    res = np.empty((int(networks), 4))
    for k, ss in enumerate(np.random.SeedSequence(int(seed)).spawn(int(networks))):
        xi = (biased_binary(P, int(N), 2.0 * a - 1.0, seed=np.random.default_rng(ss)) + 1) // 2  # (P, N) 0/1
        res[k] = retrieval_run(xi, a, theta, max_steps, keep_diagonal, **on_gpu)
    kept = (res[:, 0] > KEPT) & (res[:, 3] == 0)
    return {"kept": int(kept.sum()), "trials": int(networks), "P": P,
            "M_kept": float(res[kept, 0].mean()) if kept.any() else float("nan"),
            "M_kept_sd": float(res[kept, 0].std(ddof=1)) if kept.sum() > 1 else float("nan"),
            "q_kept": float(res[kept, 1].mean()) if kept.any() else float("nan")}


@register_estimator("sparse-kept-fraction",
                    title="networks of the sparse covariance rule whose T = 0 dynamics keep a stored pattern",
                    params=[Param("N", "int", 400, "neurons", minimum=2),
                            Param("a", "float", 0.1, "coding level", minimum=0, maximum=0.5, strict=True),
                            Param("alpha", "float", 0.1, "load P/N (P = max(1, round(alpha N)))", minimum=0,
                                  strict=True),
                            Param("theta", "float", 0.45, "threshold"),
                            Param("networks", "int", 4, "independent networks", minimum=1),
                            Param("max_steps", "int", 50, "most parallel updates", minimum=1),
                            Param("keep_diagonal", "bool", False, "keep the self-couplings W_ii")],
                    check=lambda p: _memory(4 * p["N"] * max(1, int(round(float(p["alpha"]) * p["N"]))),
                                            f"N={p['N']}, alpha={p['alpha']} (patterns as float32)"))
def sparse_kept_fraction(*, seed: int, N: int, a: float, alpha: float, theta: float, networks: int, max_steps: int,
                         keep_diagonal: bool) -> dict:
    """``kept_fraction`` as an estimator (``M_kept``, ``M_kept_sd``, ``q_kept`` are NaN where too few runs are kept)."""
    return kept_fraction(seed=seed, N=N, a=a, alpha=alpha, theta=theta, networks=networks, max_steps=max_steps,
                         keep_diagonal=keep_diagonal)

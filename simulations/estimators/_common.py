"""Helpers and parameter declarations shared by the estimator families (not a family: no estimators here)."""

from __future__ import annotations

import numpy as np

from _amlab.params import Param


def _streams(seed: int, n: int):
    """``n`` independent generators derived from ``seed`` (network k uses stream k)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(n)]


def _child_seed(rng) -> int:
    return int(rng.integers(0, 2**62))


def _mean_se(values, prefix):
    """``{prefix}_mean``, ``{prefix}_se`` (standard error, 0 for one value) of ``values`` (independent samples)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0
    return {f"{prefix}_mean": float(x.mean()), f"{prefix}_se": se}


def _n_patterns(N, P=None, alpha=None, name="P"):
    """``P`` as given, else ``round(alpha * N)`` (at least one pattern, else ``ValueError``)."""
    if P is not None:
        return int(P)
    if alpha is None:
        raise ValueError(f"give {name} or alpha")
    P = int(round(float(alpha) * int(N)))
    if P < 1:
        raise ValueError(f"alpha={alpha!r} with N={N} gives {name} = round(alpha*N) = {P}; expected at least 1 pattern")
    return P


def _memory(nbytes, what):
    from hopfield._validate import check_memory

    check_memory(int(nbytes), what)


def _check_classical(p):
    P = _n_patterns(p["N"], p.get("P"), p.get("alpha"))
    _memory(8 * p["N"] * (p["N"] + P), f"N={p['N']}, P={P} (weights and fields)")


# Declarations shared by several estimators.
_N_CLASSICAL = Param("N", "int", 1000, "neurons", minimum=2)
_P = Param("P", "int", None, "stored patterns", minimum=1, nullable=True)
_ALPHA = Param("alpha", "float", None, "load P/N (P = round(alpha N))", minimum=0, strict=True, nullable=True)
_NETWORKS = Param("networks", "int", 1, "independent networks (fresh patterns each)", minimum=1)
_KEEP_DIAGONAL = Param("keep_diagonal", "bool", False, "keep the Hebbian self-couplings W_ii = P/N")
_MAX_SWEEPS = Param("max_sweeps", "int", 100, "most sweeps of the dynamics", minimum=1)
_F = Param("F", "str", "poly", "interaction function", choices=("poly", "rectified", "exp"))
_N_ORDER = Param("n", "int", 3, "interaction order (F = poly, rectified)", minimum=2, maximum=65)


def _with(p: Param, **changes) -> Param:
    return Param(**{**p.__dict__, **changes})


def _check_dense(p):
    _memory(8 * p["N"] * p["K"], f"N={p['N']}, K={p['K']} (patterns stored as int64)")
